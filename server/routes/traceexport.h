#pragma once

#include "http/bodysource.h"
#include "trace/trace.h"

#include <memory>

namespace loopscope {

class WorkerPool;
namespace trace {
class ChromeTraceWriter;
}

// The body of GET /_scope/trace: the retained window (or the part of it in [since, until]) as
// Chrome Trace JSON, serialised on the worker pool one slice at a time while it is sent. The loop
// only moves slices; the whole text never exists; a client that stops reading stops the slices,
// and one that leaves ends the export. The window is read (page by page, into the span index)
// when the first slice is asked for, that is when this answer reaches the front of its
// connection, not when the request arrives.
// At most kConcurrentExports exports hold a copy at once per server loop; more wait their turn.
class TraceExportBody : public http::BodySource
{
public:
    static constexpr qsizetype kSliceBytes = 256 * 1024;
    static constexpr std::size_t kWindowPageEvents = 64 * 1024; // 4 MiB of events at a time
    static constexpr int kConcurrentExports = 2;

    TraceExportBody(WorkerPool &pool, trace::Nanos since, trace::Nanos until);
    ~TraceExportBody() override;

    qint64 size() const override { return -1; }
    QCoro::Task<std::optional<QByteArray>> next() override;

private:
    WorkerPool &m_pool;
    const trace::Nanos m_since;
    const trace::Nanos m_until;
    bool m_holdsPermit = false;
    bool m_done = false;
    // Shared with the slice job in progress, which may finish after the client left.
    std::shared_ptr<trace::ChromeTraceWriter> m_writer;
};

} // namespace loopscope
