#pragma once

#include <QByteArray>
#include <atomic>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

namespace loopscope::http {

struct HttpRequest;
struct HttpResponse;

// One request and its answer as the inspector shows them.
struct Exchange
{
    quint64 span = 0;
    QByteArray requestId;
    QByteArray requestHead; // request line and headers, as received (reassembled)
    QByteArray requestBody; // first bytes only
    QByteArray responseHead; // status line and headers
    QByteArray responseBody; // first bytes only
};

// The last exchanges, kept only while someone looks (the window turns it on): copying heads
// and bodies costs the server loop time a benchmark should not pay. Written on the server
// loop, read from the GUI thread.
class ExchangeLog
{
public:
    static constexpr std::size_t capacity = 2000;
    static constexpr qsizetype bodyPreviewBytes = 4096;

    void setEnabled(bool enabled) { m_enabled.store(enabled, std::memory_order_relaxed); }
    bool isEnabled() const { return m_enabled.load(std::memory_order_relaxed); }

    void add(quint64 span, const QByteArray &requestId, const HttpRequest &request,
        const HttpResponse &response);
    std::optional<Exchange> find(quint64 span) const;

private:
    std::atomic<bool> m_enabled { false };
    mutable std::mutex m_mutex;
    std::deque<Exchange> m_exchanges;
};

} // namespace loopscope::http
