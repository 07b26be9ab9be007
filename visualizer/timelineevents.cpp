// How each trace event changes the timeline: its decoded step applied to its span (or to the
// loop's stalls and lag samples).

#include "timelinemodel.h"

#include "eventdecoder.h"
#include "trace.h"

namespace loopscope::viz {

using trace::Step;

void TimelineModel::apply(const trace::Event &e)
{
    const trace::DecodedEvent d = trace::decode(e);
    // A span first seen after its opening was lost (dropped, or before the subscription) is
    // started here; an event that could be any span's is taken for a request's.
    const SpanKind kind = d.span == SpanKind::Unknown ? SpanKind::Request : d.span;
    switch (d.step) {
    case Step::Open:
        if (!m_byId.contains(e.span))
            open(e, kind);
        return;
    case Step::Parse: {
        const std::uint32_t slot = slotFor(e, kind, LaneGroup::Loop);
        TimelineSpan &s = m_spans[slot];
        s.parsed = e.time;
        s.label = e.label;
        s.variant = d.variant;
        touched(slot);
        return;
    }
    case Step::RequestId: {
        const std::uint32_t slot = slotFor(e, kind, LaneGroup::Loop);
        m_spans[slot].requestId.assign(e.requestIdView());
        touched(slot);
        return;
    }
    case Step::Arrive:
        setIssued(slotFor(e, kind, LaneGroup::Loop), e);
        return;
    case Step::StartHandler: {
        const std::uint32_t slot = slotFor(e, kind, LaneGroup::Loop);
        m_spans[slot].started = e.time;
        transition(slot, e.time, SegmentKind::Running, 0);
        return;
    }
    case Step::StartOnWorker: {
        const std::uint32_t slot = slotFor(e, kind, jobGroup(e.label, e.thread));
        TimelineSpan &s = m_spans[slot];
        s.started = e.time;
        s.workerThread = e.thread;
        const LaneGroup group = jobGroup(s.label, e.thread);
        if (group != s.group) {
            // Only the worker's thread name tells a database job from a pool job
            // when its label does not; move it before anything is drawn from it.
            unplace(slot);
            m_spans[slot].group = group;
            place(slot);
        }
        transition(slot, e.time, SegmentKind::Running, 0);
        return;
    }
    case Step::Suspend: {
        const std::uint32_t slot = slotFor(e, kind, LaneGroup::Loop);
        TimelineSpan &s = m_spans[slot];
        // Nested awaits (whenAll) keep the outermost label: that is what the
        // handler is waiting for as a whole.
        if (s.openAwaits++ == 0)
            transition(slot, e.time, SegmentKind::Awaiting, e.label);
        return;
    }
    case Step::Resume: {
        const std::uint32_t slot = slotFor(e, kind, LaneGroup::Loop);
        TimelineSpan &s = m_spans[slot];
        if (s.openAwaits > 0 && --s.openAwaits == 0)
            transition(slot, e.time, SegmentKind::Running, 0);
        return;
    }
    case Step::BlockBegin: {
        const std::uint32_t slot = slotFor(e, kind, LaneGroup::Loop);
        transition(slot, e.time, SegmentKind::Blocking, e.label);
        touched(slot);
        return;
    }
    case Step::BlockEnd: {
        const std::uint32_t slot = slotFor(e, kind, LaneGroup::Loop);
        const bool awaiting = m_spans[slot].openAwaits > 0;
        transition(slot, e.time, awaiting ? SegmentKind::Awaiting : SegmentKind::Running, 0);
        return;
    }
    case Step::Respond: {
        const std::uint32_t slot = slotFor(e, kind, LaneGroup::Loop);
        TimelineSpan &s = m_spans[slot];
        s.written = e.time;
        s.status = trace::status(e);
        s.bytes = trace::bytes(e);
        touched(slot);
        return;
    }
    case Step::Close: {
        // A close alone draws nothing: the span ended before anything of it was seen.
        const std::uint32_t *slot = m_byId.find(e.span);
        if (!slot)
            return;
        TimelineSpan &s = m_spans[*slot];
        // A request closed without a response written still tells the status it meant.
        if (kind == SpanKind::Request && s.status == 0 && trace::status(e) > 0)
            s.status = trace::status(e);
        s.outcome = d.outcome;
        close(*slot, e.time);
        touched(*slot);
        return;
    }
    case Step::StallBegin: {
        LoopStall stall;
        stall.id = trace::stallId(e);
        stall.watchedId = stall.id;
        stall.begin = trace::stallStart(e);
        m_stalls.push_back(stall);
        return;
    }
    case Step::StallEnd: {
        const std::uint64_t id = trace::stallId(e);
        LoopStall *stall = nullptr;
        for (auto it = m_stalls.rbegin(); it != m_stalls.rend(); ++it) {
            if (it->id == id) {
                stall = &*it;
                break;
            }
        }
        const Nanos duration = trace::stallDuration(e);
        if (!stall) {
            // The begin was dropped; the duration still tells where it started.
            LoopStall fresh;
            fresh.id = id;
            fresh.watchedId = id;
            fresh.begin = e.time - duration;
            m_stalls.push_back(fresh);
            stall = &m_stalls.back();
        }
        stall->end = duration > 0 ? stall->begin + duration : e.time;
        m_stallsToAttribute.push_back(stall->id);
        return;
    }
    case Step::Lag:
        m_lag.push_back({ e.time, trace::lag(e) });
        return;
    case Step::ServerStop:
    case Step::ServerStart:
        m_serverMarks.push_back({ e.time, d.step == Step::ServerStart });
        return;
    }
}

void TimelineModel::open(const trace::Event &e, SpanKind kind)
{
    switch (kind) {
    case SpanKind::Request: {
        const std::uint32_t slot = create(e, SpanKind::Request, LaneGroup::Loop);
        transition(slot, e.time, SegmentKind::Queued, 0);
        return;
    }
    case SpanKind::Task: {
        const std::uint32_t slot = create(e, SpanKind::Task, LaneGroup::Tasks);
        TimelineSpan &s = m_spans[slot];
        s.parent = trace::parentSpan(e);
        s.label = e.label;
        s.started = e.time;
        // Tasks annotate no awaits of their own; a spawned coroutine runs only
        // until its first suspension, so "waiting" is the honest default. A
        // task that hogs the loop still shows up as a stall in the health strip.
        transition(slot, e.time, SegmentKind::Awaiting, 0);
        return;
    }
    case SpanKind::Job: {
        const std::uint32_t slot = create(e, SpanKind::Job, jobGroup(e.label, 0));
        TimelineSpan &s = m_spans[slot];
        s.parent = trace::parentSpan(e);
        s.label = e.label;
        transition(slot, e.time, SegmentKind::Queued, 0);
        return;
    }
    case SpanKind::Unknown:
        return; // every opening event names its kind
    }
}

} // namespace loopscope::viz
