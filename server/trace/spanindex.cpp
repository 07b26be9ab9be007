#include "spanindex.h"

#include <algorithm>

namespace loopscope::trace {

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
        const DecodedEvent d = decode(e);
        if (isLoopWide(d.step) || e.span == 0)
            continue;
        SpanRecord &r = recordFor(e);
        switch (d.step) {
        case Step::Open:
            r.kind = d.span;
            r.thread = e.thread;
            r.accepted = e.time;
            if (d.span == SpanKind::Request) {
                r.connection = connectionId(e);
            } else {
                r.label = e.label;
                r.parent = parentSpan(e);
            }
            if (d.span == SpanKind::Task)
                r.started = e.time; // a task runs from its spawn
            break;
        case Step::Parse:
            r.kind = d.span;
            r.parsed = e.time;
            r.label = e.label;
            r.variant = d.variant;
            break;
        case Step::RequestId:
            r.requestId = e.requestIdView().toByteArray();
            break;
        case Step::Arrive:
            r.arrived = arrivedTime(e);
            r.sent = sentTime(e);
            break;
        case Step::StartHandler:
            r.started = e.time;
            break;
        case Step::StartOnWorker:
            r.kind = d.span;
            r.started = e.time;
            r.workerThread = e.thread;
            break;
        case Step::Suspend:
            r.awaits.push_back({ e.label, e.time, 0 });
            break;
        case Step::Resume: {
            // Resume the latest open await with this label (awaits nest LIFO).
            const auto open
                = std::find_if(r.awaits.rbegin(), r.awaits.rend(), [&](const AwaitRecord &a) {
                      return a.resume == 0 && (a.label == e.label || e.label == 0);
                  });
            if (open != r.awaits.rend())
                open->resume = e.time;
            break;
        }
        case Step::BlockBegin:
            r.blocking.push_back({ e.label, e.time, 0, e.thread });
            break;
        case Step::BlockEnd: {
            const auto open = std::find_if(
                r.blocking.rbegin(), r.blocking.rend(), [&](const BlockingRecord &b) {
                    return b.end == 0 && (b.label == e.label || e.label == 0);
                });
            if (open != r.blocking.rend())
                open->end = e.time;
            break;
        }
        case Step::Respond:
            r.written = e.time;
            r.status = status(e);
            r.bytes = bytes(e);
            break;
        case Step::Close:
            // A request is known from its accept or its route: one seen only closing began
            // before the window, with nothing of it to show.
            if (d.span != SpanKind::Request)
                r.kind = d.span;
            r.closed = e.time;
            r.outcome = d.outcome;
            break;
        case Step::StallBegin:
        case Step::StallEnd:
        case Step::Lag:
        case Step::ServerStop:
        case Step::ServerStart:
            break; // loop-wide, skipped above
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
