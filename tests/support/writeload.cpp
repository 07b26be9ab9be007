#include "writeload.h"

#include <algorithm>
#include <chrono>

namespace loopscope::testing {

QString WriteAnswer::describe() const
{
    return QStringLiteral("%1 %2 sent at %3 ms, answered at %4 ms: status %5, body %6")
        .arg(kind == Kind::Post ? QStringLiteral("post") : QStringLiteral("import"),
            QString::fromLatin1(tag))
        .arg(sentMs)
        .arg(answeredMs)
        .arg(response.status)
        .arg(QString::fromUtf8(response.body.left(300)));
}

WriteLoad::WriteLoad(quint16 port, int writers, const QElapsedTimer &clock)
    : m_port(port)
    , m_clock(clock)
{
    for (int writer = 0; writer < writers; ++writer)
        m_threads.emplace_back([this, writer](std::stop_token stop) { write(stop, writer); });
}

int WriteLoad::count(int status, qint64 sentSinceMs) const
{
    std::lock_guard lock(m_mutex);
    return int(std::count_if(m_answers.cbegin(), m_answers.cend(), [&](const WriteAnswer &a) {
        return a.response.status == status && a.sentMs >= sentSinceMs;
    }));
}

QString WriteLoad::summary() const
{
    const int ok = count(200);
    const int unavailable = count(503);
    std::lock_guard lock(m_mutex);
    return QStringLiteral("answers so far: %1 ok, %2 unavailable, %3 other")
        .arg(ok)
        .arg(unavailable)
        .arg(qsizetype(m_answers.size()) - ok - unavailable);
}

void WriteLoad::stop()
{
    for (std::jthread &thread : m_threads)
        thread.request_stop();
    m_threads.clear(); // joins
}

std::vector<WriteAnswer> WriteLoad::answers() const
{
    std::lock_guard lock(m_mutex);
    return m_answers;
}

void WriteLoad::write(const std::stop_token &stop, int writer)
{
    for (int n = 0; !stop.stop_requested(); ++n) {
        WriteAnswer answer;
        answer.sentMs = m_clock.elapsed();
        const QByteArray id = QByteArray::number(writer) + '-' + QByteArray::number(n);
        if (n % 2 == 0) {
            answer.kind = WriteAnswer::Kind::Post;
            answer.tag = "post-w" + id;
            answer.response = fetch(m_port, "POST",
                "/posts/?title=" + answer.tag + "&content=written&author=w" + id, {}, timeoutMs);
        } else {
            answer.kind = WriteAnswer::Kind::Import;
            answer.tag = "import-w" + id + '-';
            QByteArray csv = "name,price\n";
            for (int row = 0; row < rowsPerImport; ++row)
                csv += answer.tag + QByteArray::number(row) + ',' + QByteArray::number(row)
                    + ".5\n";
            const QByteArray request
                = "POST /items/import HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                  "Content-Type: text/csv\r\nContent-Length: "
                + QByteArray::number(csv.size()) + "\r\n\r\n" + csv;
            answer.response = exchange(m_port, request, 1, timeoutMs).responses.value(0);
        }
        answer.answeredMs = m_clock.elapsed();
        const bool unavailable = answer.response.status == 503;
        {
            std::lock_guard lock(m_mutex);
            m_answers.push_back(std::move(answer));
        }
        // A client told 503 backs off before it tries again, as a real one would; it also
        // keeps the outage from churning through thousands of connections.
        if (unavailable)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

} // namespace loopscope::testing
