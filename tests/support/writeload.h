#pragma once

#include "httptestclient.h"

#include <QElapsedTimer>
#include <QString>
#include <mutex>
#include <stop_token>
#include <thread>
#include <vector>

namespace loopscope::testing {

// One request of the write load, as its client saw it.
struct WriteAnswer
{
    enum class Kind
    {
        Post,
        Import
    };
    Kind kind = Kind::Post;
    QByteArray tag; // the post's title, or the prefix every row name of the import starts with
    qint64 sentMs = 0;
    qint64 answeredMs = 0;
    TestResponse response;

    QString describe() const;
};

// Closed-loop writers, each alternating POST /posts/ (a unique title) and POST /items/import (a
// CSV of `rowsPerImport` rows whose names share a unique prefix), recording every answer. Every
// request is bounded by a client timeout, so a hang shows up as status 0 instead of stalling the
// test. The threads are stopped and joined on destruction: a check that fails and returns early
// leaves none behind.
class WriteLoad
{
public:
    static constexpr int rowsPerImport = 25;

    WriteLoad(quint16 port, int writers, const QElapsedTimer &clock);
    ~WriteLoad() { stop(); }
    WriteLoad(const WriteLoad &) = delete;
    WriteLoad &operator=(const WriteLoad &) = delete;

    // Answers so far with `status` to requests sent at or after `sentSinceMs` (on the clock):
    // what the server says about a moment, not what it said about an earlier one.
    int count(int status, qint64 sentSinceMs = 0) const;
    QString summary() const;

    void stop();
    // Every answer, in the order they came; complete once stopped.
    std::vector<WriteAnswer> answers() const;

private:
    static constexpr int timeoutMs = 20000;

    void write(const std::stop_token &stop, int writer);

    const quint16 m_port;
    const QElapsedTimer &m_clock;
    mutable std::mutex m_mutex;
    std::vector<WriteAnswer> m_answers;
    std::vector<std::jthread> m_threads; // last: they stop before what they use is destroyed
};

} // namespace loopscope::testing
