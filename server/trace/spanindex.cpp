#include "spanindex.h"

#include <algorithm>

namespace loopscope::trace {

namespace {
bool spanEvent(Kind kind)
{
    // Loop-wide events have no span of their own to group under.
    return kind != Kind::LoopLag && kind != Kind::LoopStallBegin && kind != Kind::LoopStallEnd;
}
} // namespace

Nanos SpanRecord::end() const
{
    if (closed)
        return closed;
    Nanos latest = std::max({ accepted, parsed, started, written });
    for (const AwaitRecord &a : awaits)
        latest = std::max({ latest, a.suspend, a.resume });
    for (const BlockingRecord &b : blocking)
        latest = std::max({ latest, b.begin, b.end });
    return latest;
}

SpanRecord &SpanIndex::recordFor(const Event &e)
{
    const auto [it, inserted] = m_bySpan.try_emplace(e.span, m_records.size());
    if (inserted) {
        SpanRecord &r = m_records.emplace_back();
        r.span = e.span;
        r.thread = e.thread;
        return r;
    }
    return m_records[it->second];
}

void SpanIndex::add(std::span<const Event> events)
{
    for (const Event &e : events) {
        if (!spanEvent(e.kind) || e.span == 0)
            continue;
        SpanRecord &r = recordFor(e);
        switch (e.kind) {
        case Kind::RequestAccepted:
            r.kind = SpanKind::Request;
            r.thread = e.thread;
            r.accepted = e.time;
            r.connection = e.value;
            break;
        case Kind::RequestParsed:
            r.kind = SpanKind::Request;
            r.parsed = e.time;
            r.label = e.label;
            r.variant = int(e.value);
            break;
        case Kind::RequestId:
            r.requestId = QByteArray(e.requestId, e.requestIdSize);
            break;
        case Kind::RequestArrived:
            r.arrived = e.value;
            r.sent = Nanos(e.link);
            break;
        case Kind::HandlerStarted:
            r.started = e.time;
            break;
        case Kind::AwaitSuspend:
            r.awaits.push_back({ e.label, e.time, 0 });
            break;
        case Kind::AwaitResume: {
            // Resume the latest open await with this label (awaits nest LIFO).
            const auto open
                = std::find_if(r.awaits.rbegin(), r.awaits.rend(), [&](const AwaitRecord &a) {
                      return a.resume == 0 && (a.label == e.label || e.label == 0);
                  });
            if (open != r.awaits.rend())
                open->resume = e.time;
            break;
        }
        case Kind::BlockingBegin:
            r.blocking.push_back({ e.label, e.time, 0, e.thread });
            break;
        case Kind::BlockingEnd: {
            const auto open = std::find_if(
                r.blocking.rbegin(), r.blocking.rend(), [&](const BlockingRecord &b) {
                    return b.end == 0 && (b.label == e.label || e.label == 0);
                });
            if (open != r.blocking.rend())
                open->end = e.time;
            break;
        }
        case Kind::ResponseWritten:
            r.written = e.time;
            r.status = int(e.value);
            r.bytes = std::int64_t(e.link);
            break;
        case Kind::RequestClosed:
            r.closed = e.time;
            if (r.outcome == SpanOutcome::Open)
                r.outcome = SpanOutcome::Done;
            break;
        case Kind::TaskSpawned:
            r.kind = SpanKind::Task;
            r.thread = e.thread;
            r.accepted = e.time;
            r.started = e.time;
            r.label = e.label;
            r.parent = e.link;
            break;
        case Kind::TaskFinished:
        case Kind::TaskFailed:
        case Kind::TaskCancelled:
            r.kind = SpanKind::Task;
            r.closed = e.time;
            r.outcome = e.kind == Kind::TaskFinished ? SpanOutcome::Done
                : e.kind == Kind::TaskFailed         ? SpanOutcome::Failed
                                                     : SpanOutcome::Cancelled;
            break;
        case Kind::JobQueued:
            r.kind = SpanKind::Job;
            r.thread = e.thread;
            r.accepted = e.time;
            r.label = e.label;
            r.parent = e.link;
            break;
        case Kind::JobStarted:
            r.kind = SpanKind::Job;
            r.started = e.time;
            r.workerThread = e.thread;
            break;
        case Kind::JobFinished:
            r.kind = SpanKind::Job;
            r.closed = e.time;
            r.outcome = SpanOutcome::Done;
            break;
        default:
            break;
        }
    }
}

void SpanIndex::clear()
{
    m_records.clear();
    m_bySpan.clear();
}

std::size_t SpanIndex::pruneClosedBefore(Nanos horizon)
{
    const std::size_t before = m_records.size();
    std::erase_if(
        m_records, [horizon](const SpanRecord &r) { return r.closed != 0 && r.closed < horizon; });
    if (m_records.size() != before) {
        m_bySpan.clear();
        for (std::size_t i = 0; i < m_records.size(); ++i)
            m_bySpan.emplace(m_records[i].span, i);
    }
    return before - m_records.size();
}

const SpanRecord *SpanIndex::find(std::uint64_t span) const
{
    const auto it = m_bySpan.find(span);
    return it == m_bySpan.end() ? nullptr : &m_records[it->second];
}

} // namespace loopscope::trace
