#pragma once

#include "httpresponseparser.h"
#include "preparedrequest.h"
#include "requestrecord.h"

#include <climits>
#include <cstddef>

#include <sys/socket.h>

namespace loopscope::load {

inline constexpr qint64 kNever = LLONG_MAX;

// One client connection of the load engine and the bytes of its current request: the socket
// calls, with no scheduling. The engine decides what each outcome means for the run (retry on a
// fresh connection, a failure to report, the next request).
struct LoadConnection
{
    enum class State
    {
        Idle,
        Connecting,
        Sending,
        Receiving
    };
    enum class ConnectOutcome
    {
        Connected,
        InProgress, // EPOLLOUT says when it is done
        Failed // errno says why
    };
    enum class WriteOutcome
    {
        Written,
        WouldBlock,
        Failed // errno says why
    };
    enum class ReadOutcome
    {
        Complete,
        ProtocolError,
        WaitForMore,
        EndOfStream,
        Failed
    };

    int fd = -1;
    State state = State::Idle;
    bool busy = false;
    bool retried = false;
    quint32 events = 0; // registered epoll events; 0 = not registered
    RequestRecord rec;
    qint64 writtenNs = -1;
    qint64 deadline = kNever;
    const PreparedRequest *req = nullptr;
    char id[24];
    size_t idLength = 0;
    char sentTime[24]; // X-Loopscope-Sent's digits, stamped before the request's first write
    size_t sentTimeLength = 0;
    size_t sent = 0;
    HttpResponseParser parser;
    RequestError pendingError = RequestError::None;

    // Starts a non-blocking connect with TCP_NODELAY.
    ConnectOutcome connectTo(const sockaddr_storage &address, socklen_t addressLength);
    // Writes the send time's digits (when the plan sends one) and returns how many bytes the
    // X-Loopscope-Sent field adds to the request. Called just before the first write, so the
    // server's wait starts no earlier than the time it carries.
    size_t stampSendTime(qint64 steadyNs);
    // Writes what is left of the request: head, id digits, send-time field, tail, in one sendmsg
    // each round, without assembling them.
    WriteOutcome writePending();
    // Reads what has arrived into `buffer` and feeds the response parser; the first byte's time
    // and the byte count go into the record.
    ReadOutcome readAvailable(char *buffer, size_t size, qint64 relativeNowNs);
    void close(); // also removes it from the epoll set
};

} // namespace loopscope::load
