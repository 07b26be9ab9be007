#pragma once

#include "arrivalmarks.h"
#include "bodysource.h"
#include "connectionsocket.h"
#include "connectionstats.h"
#include "httplimits.h"
#include "httpparser.h"
#include "requesthandler.h"

#include <QCoro/QCoroTask>
#include <QList>
#include <QObject>
#include <atomic>
#include <memory>
#include <optional>

namespace loopscope::http {

// One client connection on the server loop. Owns the Qt 6.4 specifics QtHttpServer gets wrong:
// responses leave in request order on pipelined connections, HTTP/1.0 and `Connection: close`
// close after the answer, and nothing is ever written after the client left (a handler that
// finishes late finds this object gone through a QPointer and drops its answer).
class HttpConnection : public QObject
{
    Q_OBJECT
public:
    HttpConnection(qintptr socketDescriptor, quint64 id, RequestHandler &handler,
        const HttpLimits &limits, ConnectionStats &stats, QObject *parent = nullptr);
    ~HttpConnection() override;

    quint64 id() const { return m_id; }
    // Drops the connection when it idled past the keep-alive timeout or dribbles its headers.
    void enforceTimeouts(qint64 nowMs);
    // Graceful shutdown: read no further requests, close once every pending answer is written.
    void closeWhenDone();

signals:
    void closed(loopscope::http::HttpConnection *connection);

private:
    struct PendingResponse
    {
        QByteArray bytes; // the whole answer, or the head of a streamed one
        std::shared_ptr<BodySource> stream; // pulled once this answer is at the front
        bool chunked = false;
        bool ready = false;
        bool closeAfter = false;
        quint64 span = 0; // a streamed answer's request is closed in the trace when it ends
        int status = 0;
    };

    void onReadyRead();
    void parseBuffered();
    void keep(QByteArrayView received, trace::Nanos arrived = 0);
    void onDisconnected();
    // `arrived`: the kernel's receive time of the request's first byte (0 = not known).
    // `answer`: the final answer decided already (a refusal on the head alone); the handler is
    // not run then.
    void serve(HttpRequest request, quint64 sequence, trace::Nanos arrived,
        std::optional<HttpResponse> answer = std::nullopt);
    // The handler's part, while it runs: the one coroutine a request in flight keeps here.
    QCoro::Task<> runHandler(IncomingRequest incoming, quint64 sequence);
    // Queues the answer in its request's place, traced as written.
    void respond(quint64 sequence, const IncomingRequest &incoming, HttpResponse response);
    void answerExpectation(const HttpRequest &head);
    void complete(quint64 sequence, QByteArray bytes, bool closeAfter);
    void complete(quint64 sequence, PendingResponse answer);
    void writeReadyResponses();
    // Streaming the front answer: asks its source for the next piece while the client keeps up.
    void pumpStream();
    QCoro::Task<> pullPiece(std::shared_ptr<BodySource> source);
    void deliverPiece(std::optional<QByteArray> piece);
    void finishFront();
    qint64 unsentBytes() const; // waiting in the socket plus answers ready behind the front
    bool backPressured() const;
    void resumeIfRelieved(); // reads on once the client has caught up
    void failProtocol(int status, const QByteArray &detail);

    ConnectionSocket m_socket;
    const quint64 m_id;
    RequestHandler &m_handler;
    const HttpLimits &m_limits;
    ConnectionStats &m_stats;
    HttpParser m_parser;
    QByteArray m_buffer;
    qsizetype m_bufferOffset = 0;
    ArrivalMarks m_arrivals; // when the bytes in m_buffer reached the machine
    // A QList, not a std::deque: libstdc++'s deque allocates 576 bytes as it is made, on every
    // connection, idle or not; a QList allocates with the first request and pops its front in
    // O(1) as well.
    QList<PendingResponse> m_pending;
    qint64 m_readyBytes = 0; // bytes of ready answers in m_pending, not yet on the socket
    bool m_streaming = false; // the front answer's head is out and its body is being pulled
    bool m_pulling = false; // a next() of the front answer's source is outstanding
    quint64 m_firstPendingSequence = 0;
    quint64 m_nextSequence = 0;
    qint64 m_lastActivityMs = 0;
    qint64 m_partialRequestSinceMs = -1;
    bool m_noMoreRequests = false; // a closing request, an error, shutdown or the client left
    bool m_inputEnded = false; // the client shut its sending side (or closed)
    bool m_paused = false; // back-pressure: too many answers pending or unread
    bool m_closing = false;
    bool m_closedEmitted = false;
    // Shared with every request of this connection (IncomingRequest::clientGone).
    const std::shared_ptr<std::atomic<bool>> m_clientGone
        = std::make_shared<std::atomic<bool>>(false);
};

} // namespace loopscope::http
