#include "timelinemodel.h"

#include "core/hugepages.h"
#include "eventdecoder.h"

#include "sessionclock.h"
#include "spanindex.h"
#include "subscription.h"
#include "trace.h"

#include "visualizerlogging.h"

#include <algorithm>

namespace loopscope::viz {

namespace {
// What a zoomed-out bar shows: the state the span spent the longest in.
SegmentKind dominantKind(const TimelineSpan &s)
{
    Nanos byKind[kSegmentKindCount] = {};
    for (const Segment &seg : s.segments)
        byKind[int(seg.kind)] += seg.end - seg.begin;
    return SegmentKind(std::max_element(std::begin(byKind), std::end(byKind)) - byKind);
}

Nanos freeSinceOf(const TimelineLane &lane)
{
    if (lane.empty())
        return LaneAllocator::kEmpty;
    return lane.back().end ? lane.back().end : LaneAllocator::kBusy;
}
} // namespace

TimelineModel::TimelineModel(QObject *parent)
    : QObject(parent)
    , m_threadName([](std::uint32_t thread) { return trace::threadName(thread); })
    , m_retention(std::chrono::nanoseconds(kDefaultRetention).count())
{
    m_pollTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_pollTimer, &QTimer::timeout, this, &TimelineModel::poll);
}

TimelineModel::~TimelineModel() = default;

void TimelineModel::attach(std::shared_ptr<trace::Subscription> subscription)
{
    m_subscription = std::move(subscription);
    if (!m_clock)
        m_clock = [] { return trace::nowNs(); };
    m_idlePolls = 0;
    m_pollTimer.start(kFrameInterval);
}

void TimelineModel::detach()
{
    m_pollTimer.stop();
    m_subscription.reset();
}

void TimelineModel::poll()
{
    if (!m_subscription)
        return;
    m_subscription->drain(m_buffer);
    if (!m_buffer.empty()) {
        ingest(m_buffer);
        if (m_idlePolls > 0) {
            m_idlePolls = 0;
            m_pollTimer.setInterval(kFrameInterval);
        }
        return;
    }
    if (hasOpenWork()) {
        // Open bars and a running stall grow with the clock even without events.
        ++m_revision;
        m_changeBegin = m_changeEnd = now();
        Q_EMIT changed();
        return;
    }
    // Nothing arrives and nothing grows: poll slowly so an idle window costs
    // nothing noticeable; the subscription buffers what comes in meanwhile.
    if (++m_idlePolls == 60)
        m_pollTimer.setInterval(kIdleInterval);
}

void TimelineModel::setRetention(std::chrono::nanoseconds window)
{
    m_retention = std::max<Nanos>(window.count(), 1);
    prune();
}

void TimelineModel::setClock(std::function<Nanos()> clock)
{
    m_clock = std::move(clock);
}

void TimelineModel::setThreadNameResolver(std::function<QString(std::uint32_t)> resolver)
{
    m_threadName = std::move(resolver);
    m_databaseThread.clear();
}

Nanos TimelineModel::origin()
{
    return trace::sessionOrigin();
}

Nanos TimelineModel::now() const
{
    return m_clock ? std::max(m_clock(), m_latest) : m_latest;
}

Nanos TimelineModel::earliest() const
{
    Nanos e = m_latest;
    for (const Group &g : m_groups) {
        for (const TimelineLane &l : g.lanes) {
            if (!l.empty())
                e = std::min(e, l[0].begin);
        }
    }
    if (!m_stalls.empty())
        e = std::min(e, m_stalls.front().begin);
    if (!m_lag.empty())
        e = std::min(e, m_lag.front().time);
    return e;
}

const TimelineSpan *TimelineModel::find(std::uint64_t id) const
{
    const std::uint32_t *slot = m_byId.find(id);
    return slot ? &m_spans[*slot] : nullptr;
}

const LoopStall *TimelineModel::findStall(std::uint64_t id) const
{
    // Few stalls, newest most likely wanted.
    for (auto it = m_stalls.rbegin(); it != m_stalls.rend(); ++it) {
        if (it->id == id)
            return &*it;
    }
    return nullptr;
}

void TimelineModel::clear()
{
    m_spans.clear();
    m_freeSlots.clear();
    m_byId.clear();
    for (Group &g : m_groups)
        g = Group();
    m_stalls.clear();
    m_lag.clear();
    m_serverMarks.clear();
    m_requestOrder.clear();
    m_requestOrderBase = m_arrivals;
    m_latest = m_lastPrune = 0;
    m_openSpans = 0;
    ++m_revision;
    Q_EMIT reset();
    Q_EMIT changed();
}

void TimelineModel::clockMoved()
{
    m_changeBegin = m_latest;
    m_changeEnd = now();
    ++m_revision;
    Q_EMIT changed();
}

void TimelineModel::ingest(std::span<const trace::Event> events)
{
    if (events.empty())
        return;
    reserveForOpens(events);
    const std::uint64_t arrivalsBefore = m_arrivals;
    m_firstUpdatedArrival = UINT64_MAX;
    m_changeBegin = events.front().time;
    for (const trace::Event &e : events) {
        m_changeBegin = std::min(m_changeBegin, e.time);
        m_latest = std::max(m_latest, e.time);
        apply(e);
    }
    m_changeEnd = now();
    // Attribute after the whole batch: the culprit's and victims' events of the
    // stall period may come later in the batch than the watchdog's end event.
    for (const std::uint64_t id : m_stallsToAttribute)
        attributeStall(id);
    m_stallsToAttribute.clear();

    if (m_latest - m_lastPrune > 250'000'000) {
        prune();
        m_lastPrune = m_latest;
    }
    ++m_revision;
    if (m_firstUpdatedArrival < arrivalsBefore && m_firstUpdatedArrival >= m_requestOrderBase)
        Q_EMIT requestsUpdated(int(m_firstUpdatedArrival - m_requestOrderBase));
    if (m_arrivals > arrivalsBefore)
        Q_EMIT requestsAppended(int(m_arrivals - arrivalsBefore));
    Q_EMIT changed();
}

LaneGroup TimelineModel::jobGroup(std::uint32_t label, std::uint32_t thread) const
{
    if (label && trace::labelView(label).starts_with("db."))
        return LaneGroup::Database;
    if (thread) {
        auto [it, inserted] = m_databaseThread.try_emplace(thread, false);
        if (inserted && m_threadName)
            it->second = m_threadName(thread).startsWith(
                QLatin1StringView("database"), Qt::CaseInsensitive);
        if (it->second)
            return LaneGroup::Database;
    }
    return LaneGroup::Pool;
}

void TimelineModel::reserveForOpens(std::span<const trace::Event> events)
{
    // A recording opened whole is one batch of millions of events: sized once for the spans it
    // opens, the span storage and the id index never grow (move every span, rehash every id)
    // on the way. A live frame's batch is small, and left to the containers' own growth.
    constexpr std::size_t kLargeBatch = 1 << 16;
    if (events.size() < kLargeBatch)
        return;
    const std::size_t opens = std::size_t(std::count_if(events.begin(), events.end(),
        [](const trace::Event &e) { return trace::decode(e).step == trace::Step::Open; }));
    m_spans.reserve(m_spans.size() + opens);
    preferHugePages(m_spans);
    m_byId.reserve(m_byId.size() + opens);
}

std::uint32_t TimelineModel::create(const trace::Event &e, SpanKind kind, LaneGroup group)
{
    std::uint32_t slot;
    if (!m_freeSlots.empty()) {
        slot = m_freeSlots.back();
        m_freeSlots.pop_back();
        m_spans[slot] = TimelineSpan();
    } else {
        slot = std::uint32_t(m_spans.size());
        m_spans.emplace_back();
    }
    TimelineSpan &s = m_spans[slot];
    s.id = e.span;
    s.kind = kind;
    s.group = group;
    s.begin = e.time;
    s.accepted = e.time;
    s.thread = e.thread;
    if (kind == SpanKind::Request) {
        s.arrival = m_arrivals++;
        m_requestOrder.push_back(e.span);
    }
    m_byId.insert(e.span, slot);
    ++m_openSpans;
    place(slot);
    return slot;
}

std::uint32_t TimelineModel::slotFor(const trace::Event &e, SpanKind kind, LaneGroup group)
{
    if (const std::uint32_t *slot = m_byId.find(e.span))
        return *slot;
    // Its first events were dropped or predate the subscription: start it here.
    const std::uint32_t slot = create(e, kind, group);
    transition(slot, e.time, SegmentKind::Running, 0);
    return slot;
}

void TimelineModel::place(std::uint32_t slot)
{
    TimelineSpan &s = m_spans[slot];
    Group &g = m_groups[int(s.group)];
    // Gantt packing: the lowest lane whose last span ended by the time this one begins, so the
    // span always goes last in its lane.
    int lane = g.free.lowestFreeAt(s.begin);
    if (lane < 0) {
        lane = g.free.add(LaneAllocator::kBusy);
        g.lanes.emplace_back();
    }
    s.lane = lane;
    TimelineLane &l = g.lanes[std::size_t(lane)];
    l.append(s, slot);
    if (!s.isOpen()) // placed again after it closed: its begin moved back
        l.closeItem(slot, s.end, dominantKind(s));
    g.free.setFreeSince(lane, freeSinceOf(l));
}

void TimelineModel::unplace(std::uint32_t slot)
{
    TimelineSpan &s = m_spans[slot];
    Group &g = m_groups[int(s.group)];
    if (s.lane >= 0 && s.lane < int(g.lanes.size())) {
        TimelineLane &l = g.lanes[std::size_t(s.lane)];
        l.remove(slot);
        g.free.setFreeSince(s.lane, freeSinceOf(l));
    }
    s.lane = -1;
}

void TimelineModel::transition(
    std::uint32_t slot, Nanos time, SegmentKind kind, std::uint32_t label)
{
    TimelineSpan &s = m_spans[slot];
    if (!s.segments.empty()) {
        Segment &last = s.segments.back();
        if (last.end == 0) {
            if (last.kind == kind && last.label == label)
                return;
            if (last.begin >= time) {
                // Zero-length: the new state replaces it rather than adding a sliver.
                last.kind = kind;
                last.label = label;
                last.begin = std::min(last.begin, time);
                if (s.segments.size() >= 2) {
                    Segment &prev = s.segments[s.segments.size() - 2];
                    if (prev.kind == kind && prev.label == label && prev.end >= last.begin) {
                        prev.end = 0;
                        s.segments.pop_back();
                    }
                }
                return;
            }
            last.end = time;
        }
    }
    const bool firstBlocking = kind == SegmentKind::Blocking && !s.hasBlocking();
    s.segments.push_back({ time, 0, label, kind });
    if (firstBlocking && s.lane >= 0)
        m_groups[int(s.group)].lanes[std::size_t(s.lane)].markBlocking(slot);
}

void TimelineModel::close(std::uint32_t slot, Nanos time)
{
    TimelineSpan &s = m_spans[slot];
    if (!s.isOpen())
        return;
    s.end = std::max(time, s.begin);
    if (!s.segments.empty() && s.segments.back().end == 0)
        s.segments.back().end = std::max(s.end, s.segments.back().begin);
    --m_openSpans;
    Group &g = m_groups[int(s.group)];
    if (s.lane >= 0) {
        TimelineLane &l = g.lanes[std::size_t(s.lane)];
        l.closeItem(slot, s.end, dominantKind(s));
        g.free.setFreeSince(s.lane, freeSinceOf(l));
    }
}

void TimelineModel::setIssued(std::uint32_t slot, const trace::Event &arrived)
{
    // The server's rule for when a request was issued (its client's word over the kernel's),
    // so the timeline and /_scope/stalls charge the same wait in the socket.
    trace::SpanRecord facts;
    facts.sent = trace::sentTime(arrived);
    facts.arrived = trace::arrivedTime(arrived);
    const Nanos issued = facts.issued();
    TimelineSpan &s = m_spans[slot];
    // A time from before anything the timeline keeps is no time to draw (a client's header
    // can say anything); the request stays one whose wait before the read is unknown.
    if (issued <= 0 || s.accepted - issued > m_retention || s.issuedBy != IssuedBy::Unknown)
        return;
    s.issuedBy = issued == facts.sent ? IssuedBy::Client : IssuedBy::Kernel;
    touched(slot);
    if (issued >= s.accepted)
        return; // read as soon as it came (or the clocks differ by a hair): nothing waited
    s.begin = issued;
    s.segments.insert(s.segments.begin(), Segment { issued, s.accepted, 0, SegmentKind::Unread });
    // Its lane was chosen for a span beginning at the read, and may be taken earlier than that.
    unplace(slot);
    place(slot);
    m_changeBegin = std::min(m_changeBegin, issued);
    // Stalls cut while it sat unread did not know it was waiting: cut them again. Their ends
    // grow with their order, so the newest ones are all there is to look at.
    for (auto it = m_stalls.rbegin(); it != m_stalls.rend(); ++it) {
        if (it->isOpen())
            continue;
        if (it->end <= issued)
            break;
        if (it->attributed && it->begin < s.accepted
            && std::find(m_stallsToAttribute.begin(), m_stallsToAttribute.end(), it->watchedId)
                == m_stallsToAttribute.end())
            m_stallsToAttribute.push_back(it->watchedId);
    }
}

void TimelineModel::touched(std::uint32_t slot)
{
    const TimelineSpan &s = m_spans[slot];
    if (s.kind == SpanKind::Request)
        m_firstUpdatedArrival = std::min(m_firstUpdatedArrival, s.arrival);
}

void TimelineModel::prune()
{
    const Nanos horizon = now() - m_retention;
    if (horizon <= 0)
        return;
    std::vector<std::uint32_t> freed;
    for (Group &g : m_groups) {
        for (std::size_t lane = 0; lane < g.lanes.size(); ++lane) {
            TimelineLane &l = g.lanes[lane];
            l.dropBefore(horizon, freed);
            if (l.empty()) // an open span whose end was lost leaves it free too
                g.free.setFreeSince(int(lane), LaneAllocator::kEmpty);
        }
        while (!g.lanes.empty() && g.lanes.back().empty())
            g.lanes.pop_back();
        g.free.truncate(int(g.lanes.size()));
    }
    for (const std::uint32_t slot : freed) {
        TimelineSpan &s = m_spans[slot];
        if (s.isOpen())
            --m_openSpans;
        m_byId.erase(s.id);
        s = TimelineSpan(); // releases the segments now, not when the slot is reused
        m_freeSlots.push_back(slot);
    }
    while (!m_stalls.empty() && !m_stalls.front().isOpen() && m_stalls.front().end < horizon)
        m_stalls.pop_front();
    while (!m_lag.empty() && m_lag.front().time < horizon)
        m_lag.pop_front();
    while (!m_serverMarks.empty() && m_serverMarks.front().time < horizon)
        m_serverMarks.pop_front();
    int dropped = 0;
    while (!m_requestOrder.empty() && !m_byId.contains(m_requestOrder.front())) {
        m_requestOrder.pop_front();
        ++m_requestOrderBase;
        ++dropped;
    }
    if (dropped > 0)
        Q_EMIT requestsDropped(dropped);
    if (!freed.empty())
        ++m_revision;
}

} // namespace loopscope::viz
