#include "traceexport.h"

#include "core/workerpool.h"
#include "trace/chrometrace.h"
#include "trace/tracehub.h"
#include "upstream/asyncsemaphore.h"

namespace loopscope {

namespace {

// One per server loop (a semaphore belongs to one thread; tests run several servers at once).
upstream::AsyncSemaphore &exportPermits()
{
    thread_local upstream::AsyncSemaphore permits { TraceExportBody::kConcurrentExports };
    return permits;
}

} // namespace

TraceExportBody::TraceExportBody(WorkerPool &pool, trace::Nanos since, trace::Nanos until)
    : m_pool(pool)
    , m_since(since)
    , m_until(until)
{ }

TraceExportBody::~TraceExportBody()
{
    if (m_holdsPermit)
        exportPermits().release();
}

QCoro::Task<std::optional<QByteArray>> TraceExportBody::next()
{
    static const std::uint32_t label = trace::label("export trace");
    if (m_done)
        co_return QByteArray();
    if (!m_holdsPermit) {
        co_await exportPermits().acquire();
        m_holdsPermit = true;
    }
    auto slice = [writer = m_writer, since = m_since, until = m_until]() mutable {
        if (!writer) {
            trace::TraceHub &hub = trace::TraceHub::instance();
            hub.flush();
            writer = std::make_shared<trace::ChromeTraceWriter>(
                hub.retainedPages(since, until, kWindowPageEvents));
        }
        QByteArray piece = writer->next(kSliceBytes);
        return std::make_pair(std::move(writer), std::move(piece));
    };
    auto produced = co_await m_pool.run(std::move(slice), 0, label);
    m_writer = std::move(produced.first);
    QByteArray piece = std::move(produced.second);
    if (piece.isEmpty()) {
        m_done = true;
        m_writer.reset(); // the copy of the window goes now, not with the connection
        if (m_holdsPermit) {
            exportPermits().release();
            m_holdsPermit = false;
        }
    }
    co_return piece;
}

} // namespace loopscope
