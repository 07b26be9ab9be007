#include "replay.h"

#include "eventorder.h"
#include "timelinemodel.h"

#include <algorithm>

namespace loopscope::viz {

namespace {

const Segment *segmentAt(const TimelineSpan &span, Nanos at)
{
    const auto it = std::upper_bound(span.segments.begin(), span.segments.end(), at,
        [](Nanos t, const Segment &s) { return t < s.begin; });
    if (it == span.segments.begin())
        return nullptr;
    const Segment &s = *std::prev(it);
    return s.end == 0 || at < s.end ? &s : nullptr;
}

void addToState(ReplayState &state, const TimelineSpan &span, Nanos at)
{
    if (span.kind == SpanKind::Job || span.begin > at || (span.end != 0 && span.end <= at))
        return;
    const Segment *segment = segmentAt(span, at);
    if (!segment)
        return;
    switch (segment->kind) {
    case SegmentKind::Unread:
        state.unread.push_back(span.id);
        break;
    case SegmentKind::Queued:
        state.queued.push_back(span.id);
        break;
    case SegmentKind::Awaiting:
        state.awaiting.push_back(span.id);
        break;
    case SegmentKind::Running:
    case SegmentKind::Blocking:
        // A request on the pool variant runs its handler on a worker: its own lane's
        // running segment is then the wait for the job, drawn on the worker's lane.
        if (span.group == LaneGroup::Loop || span.group == LaneGroup::Tasks) {
            state.onLoop = span.id;
            state.loopBlocked = segment->kind == SegmentKind::Blocking;
        } else {
            state.onWorker.push_back(span.id);
        }
        break;
    }
}

} // namespace

ReplayState replayStateAt(const TimelineModel &model, Nanos at)
{
    ReplayState state;
    state.at = at;
    // Each lane's spans overlapping the instant: two binary searches a lane, not a pass over
    // every span (the bar asks once a frame while playing).
    for (int g = 0; g < kLaneGroupCount; ++g) {
        const auto group = LaneGroup(g);
        for (int index = 0; index < model.laneCount(group); ++index) {
            const TimelineLane &lane = model.lane(group, index);
            const auto [from, to] = lane.visible(at, at, model.now());
            for (std::size_t i = from; i < to; ++i)
                addToState(state, model.span(lane[i].slot), at);
        }
    }
    return state;
}

Replay::Replay(TimelineModel &model, std::vector<trace::Event> events,
    std::function<QString(std::uint32_t)> threadNames, QObject *parent)
    : QObject(parent)
    , m_model(model)
    , m_threadNames(std::move(threadNames))
    , m_events(std::move(events))
{
    if (!m_events.empty()) {
        const auto [first, last] = std::minmax_element(m_events.begin(), m_events.end(),
            [](const trace::Event &a, const trace::Event &b) { return a.time < b.time; });
        m_begin = first->time;
        m_end = last->time;
    }
    m_model.detach();
    m_model.setThreadNameResolver(m_threadNames);
    m_model.setClock([this] { return m_position; });
    m_timer.setInterval(16);
    connect(&m_timer, &QTimer::timeout, this, &Replay::advance);
    m_model.clear();
    // The whole recording, in the order the trace handed it on, as the live timeline took it.
    // Feeding up to a play head needs time order; it is made the first time one moves.
    m_position = m_end;
    m_model.ingest(m_events);
    m_fed = m_events.size();
    emit positionChanged(m_position);
}

void Replay::orderByTime()
{
    if (m_inTimeOrder)
        return;
    m_events = inTimeOrder(std::move(m_events));
    m_inTimeOrder = true;
}

const TimelineModel &Replay::wholeRecording() const
{
    if (m_position >= m_end)
        return m_model;
    if (!m_whole) {
        m_whole = std::make_unique<TimelineModel>();
        m_whole->setRetention(m_model.retention());
        m_whole->setThreadNameResolver(m_threadNames);
        m_whole->ingest(m_events);
    }
    return *m_whole;
}

void Replay::seek(Nanos position)
{
    position = std::clamp(position, m_begin, m_end);
    orderByTime();
    if (position < m_position) {
        m_model.clear();
        m_fed = 0;
    }
    feedTo(position);
}

void Replay::feedTo(Nanos position)
{
    m_position = position;
    const auto until = std::upper_bound(m_events.begin() + std::ptrdiff_t(m_fed), m_events.end(),
        position, [](Nanos t, const trace::Event &e) { return t < e.time; });
    const std::size_t count = std::size_t(until - m_events.begin()) - m_fed;
    if (count > 0)
        m_model.ingest(std::span(m_events).subspan(m_fed, count));
    else
        m_model.clockMoved(); // open spans still grow to the new "now"
    m_fed += count;
    emit positionChanged(m_position);
}

void Replay::play()
{
    if (isPlaying())
        return;
    if (m_position >= m_end)
        seek(m_begin);
    m_sinceTick.start();
    m_timer.start();
    emit playingChanged(true);
}

void Replay::pause()
{
    if (!isPlaying())
        return;
    m_timer.stop();
    emit playingChanged(false);
}

void Replay::setSpeed(double speed)
{
    m_speed = std::clamp(speed, kSpeeds.front(), kSpeeds.back());
}

void Replay::advance()
{
    const auto elapsed = Nanos(double(m_sinceTick.nsecsElapsed()) * m_speed);
    m_sinceTick.start();
    feedTo(std::min(m_end, m_position + elapsed));
    if (m_position >= m_end)
        pause();
}

void Replay::stepForward()
{
    pause();
    orderByTime();
    const auto next = std::upper_bound(m_events.begin(), m_events.end(), m_position,
        [](Nanos t, const trace::Event &e) { return t < e.time; });
    if (next != m_events.end())
        seek(next->time);
}

void Replay::stepBack()
{
    pause();
    orderByTime();
    const auto at = std::lower_bound(m_events.begin(), m_events.end(), m_position,
        [](const trace::Event &e, Nanos t) { return e.time < t; });
    if (at != m_events.begin())
        seek(std::prev(at)->time);
}

} // namespace loopscope::viz
