// TimelineModel's stalls: each watchdog stall, once it ends, cut into what caused it by
// trace::StallAttribution (the rule the server's /_scope/stalls uses), cut again when a request
// read later turns out to have waited in its socket during it, and the words for it all.

#include "timelinemodel.h"

#include "trace.h"

#include "visualizerlogging.h"

#include <algorithm>
#include <limits>

namespace loopscope::viz {

trace::LoopSpan TimelineModel::loopSpan(const TimelineSpan &span) const
{
    trace::LoopSpan l;
    l.span = span.id;
    l.sent = span.issued();
    l.accepted = span.accepted;
    l.started = span.started;
    l.end = span.end;
    for (const Segment &seg : span.segments) {
        if (seg.kind == SegmentKind::Blocking)
            l.blocking.push_back({ seg.begin, seg.end, seg.label });
    }
    return l;
}

void TimelineModel::attributeStall(std::uint64_t watchedId)
{
    // What was cut from this watchdog stall before (cut again: a late victim showed up), else
    // the watchdog's stall itself. Either way one run of the deque.
    const auto first = std::find_if(m_stalls.begin(), m_stalls.end(),
        [&](const LoopStall &s) { return s.watchedId == watchedId; });
    if (first == m_stalls.end() || first->isOpen())
        return;
    const auto last = std::find_if(
        first, m_stalls.end(), [&](const LoopStall &s) { return s.watchedId != watchedId; });
    const trace::WatchedStall watched
        = first->attributed ? first->watched : trace::WatchedStall { first->begin, first->end };
    std::vector<std::uint64_t> ids; // kept, so what refers to a stall still finds it
    std::vector<std::uint64_t> affected; // spans whose collateral this changes
    for (auto it = first; it != last; ++it) {
        ids.push_back(it->id);
        for (const trace::StallVictim &v : it->charges)
            affected.push_back(v.span);
    }
    const Nanos current = now();

    // Only work on the loop can stall it or wait for it: requests and background tasks.
    std::vector<trace::LoopSpan> spans;
    for (const LaneGroup group : { LaneGroup::Loop, LaneGroup::Tasks }) {
        for (const TimelineLane &l : m_groups[int(group)].lanes) {
            const auto [from, to] = l.visible(watched.begin, watched.end, current);
            for (std::size_t i = from; i < to; ++i)
                spans.push_back(loopSpan(m_spans[l[i].slot]));
        }
    }
    const std::vector<trace::AttributedStall> attributed = trace::StallAttribution().attribute(
        spans, std::span(&watched, 1), current, watched.begin, watched.end);

    std::vector<LoopStall> pieces;
    for (const trace::AttributedStall &a : attributed) {
        LoopStall &stall = pieces.emplace_back();
        stall.id = pieces.size() <= ids.size() ? ids[pieces.size() - 1] : trace::newSpanId();
        stall.watchedId = watchedId;
        stall.watched = watched;
        stall.begin = a.begin;
        stall.end = std::max(a.end, a.begin + 1);
        stall.attributed = true;
        stall.cause = a.cause;
        stall.culprit = a.culprit;
        stall.culpritLabel = a.label;
        stall.arrivals = a.arrivals;
        stall.charges = a.victims;
        std::uint64_t previous = 0;
        for (const trace::StallVictim &v : a.victims) {
            stall.collateralTotal += v.waited;
            if (v.where == trace::WaitPlace::Socket)
                stall.socketTotal += v.waited;
            if (v.span != previous) // one span's entries (socket, queued, awaiting) come together
                ++stall.victims;
            previous = v.span;
            affected.push_back(v.span);
        }
    }
    qCDebug(lcVisualizer) << "stall" << watchedId << "cut into" << pieces.size() << "stalls"
                          << (ids.size() > 1 || first->attributed ? "again" : "");
    const auto at = m_stalls.erase(first, last);
    m_stalls.insert(at, pieces.begin(), pieces.end());
    summariseCollateral(affected);
    m_changeBegin = std::min(m_changeBegin, watched.begin);
}

void TimelineModel::summariseCollateral(const std::vector<std::uint64_t> &spans)
{
    // From every stall's charges rather than added up as stalls come, so that a stall cut
    // again replaces what it charged before instead of charging it twice.
    std::unordered_map<std::uint64_t, std::uint32_t> slotOf;
    Nanos from = std::numeric_limits<Nanos>::max();
    Nanos to = std::numeric_limits<Nanos>::min();
    const Nanos current = now();
    for (const std::uint64_t id : spans) {
        const std::uint32_t *slot = m_byId.find(id);
        if (!slot || !slotOf.emplace(id, *slot).second)
            continue;
        TimelineSpan &s = m_spans[*slot];
        s.collateral = {};
        from = std::min(from, s.begin);
        to = std::max(to, s.endOr(current));
        touched(*slot);
    }
    for (const LoopStall &stall : m_stalls) {
        if (stall.charges.empty() || stall.end <= from || stall.begin >= to)
            continue;
        for (std::size_t i = 0; i < stall.charges.size();) {
            const std::uint64_t span = stall.charges[i].span;
            Nanos waited = 0;
            for (; i < stall.charges.size() && stall.charges[i].span == span; ++i)
                waited += stall.charges[i].waited;
            const auto it = slotOf.find(span);
            if (it == slotOf.end())
                continue;
            Collateral &c = m_spans[it->second].collateral;
            c.delay += waited;
            ++c.stalls;
            if (waited > c.worst) {
                c.worst = waited;
                c.culprit = stall.culprit;
                c.stall = stall.id;
            }
        }
    }
}

std::vector<TimelineModel::StallCharge> TimelineModel::stallCharges(const TimelineSpan &span) const
{
    std::vector<StallCharge> charges;
    if (!span.collateral)
        return charges;
    const Nanos end = span.endOr(now());
    for (const LoopStall &stall : m_stalls) {
        if (stall.charges.empty() || stall.end <= span.begin || stall.begin >= end)
            continue;
        for (const trace::StallVictim &v : stall.charges) {
            if (v.span == span.id)
                charges.push_back({ &stall, v.waited, v.where });
        }
    }
    return charges;
}

} // namespace loopscope::viz
