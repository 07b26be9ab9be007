// TimelineModel's stalls: each watchdog stall, once it ends, cut into what caused it by
// trace::StallAttribution (the rule the server's /_scope/stalls uses), and the words for it.

#include "timelinemodel.h"

#include "trace.h"

#include <QtCore/QLoggingCategory>

#include <algorithm>

Q_DECLARE_LOGGING_CATEGORY(lcTimeline)

namespace loopscope::viz {

trace::LoopSpan TimelineModel::loopSpan(const TimelineSpan &span) const
{
    trace::LoopSpan l;
    l.span = span.id;
    l.accepted = span.begin;
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
    const auto watchedIt = std::find_if(
        m_stalls.begin(), m_stalls.end(), [&](const LoopStall &s) { return s.id == watchedId; });
    if (watchedIt == m_stalls.end() || watchedIt->attributed || watchedIt->isOpen())
        return;
    const trace::WatchedStall watched { watchedIt->begin, watchedIt->end };
    const Nanos current = now();

    // Only work on the loop can stall it or wait for it: requests and background tasks.
    std::vector<trace::LoopSpan> spans;
    for (const LaneGroup group : { LaneGroup::Loop, LaneGroup::Tasks }) {
        for (const TimelineLane &l : m_groups[int(group)].lanes) {
            const auto [first, last] = l.visible(watched.begin, watched.end, current);
            for (std::size_t i = first; i < last; ++i)
                spans.push_back(loopSpan(m_spans[l[i].slot]));
        }
    }
    const std::vector<trace::AttributedStall> attributed = trace::StallAttribution().attribute(
        spans, std::span(&watched, 1), current, watched.begin, watched.end);

    std::vector<LoopStall> pieces;
    for (const trace::AttributedStall &a : attributed) {
        LoopStall &stall = pieces.emplace_back();
        // The first piece keeps the watchdog's id (what spans already refer to).
        stall.id = pieces.size() == 1 ? watchedId : trace::newSpanId();
        stall.begin = a.begin;
        stall.end = std::max(a.end, a.begin + 1);
        stall.attributed = true;
        stall.cause = a.cause;
        stall.culprit = a.culprit;
        stall.culpritLabel = a.label;
        stall.arrivals = a.arrivals;
        std::uint64_t previous = 0;
        for (const trace::StallVictim &v : a.victims) {
            const auto it = m_byId.find(v.span);
            if (it == m_byId.end())
                continue;
            TimelineSpan &s = m_spans[it->second];
            s.collateral.delay += v.waited;
            if (v.waited > s.collateral.worst) {
                s.collateral.worst = v.waited;
                s.collateral.culprit = stall.culprit;
                s.collateral.stall = stall.id;
            }
            stall.collateralTotal += v.waited;
            if (v.span != previous) // one span's entries (queued, awaiting) come together
                ++stall.victims;
            previous = v.span;
            touched(it->second);
        }
    }
    qCDebug(lcTimeline) << "stall" << watchedId << "cut into" << pieces.size() << "stalls";
    const auto at = m_stalls.erase(watchedIt);
    m_stalls.insert(at, pieces.begin(), pieces.end());
}

QString TimelineModel::stallCauseText(const LoopStall &stall) const
{
    if (!stall.attributed)
        return QStringLiteral("loop stalled");
    switch (stall.cause) {
    case trace::StallCause::BlockingCall: {
        const TimelineSpan *culprit = find(stall.culprit);
        QString text = culprit ? displayName(*culprit) : QStringLiteral("a request");
        text += QStringLiteral(", blocking");
        if (stall.culpritLabel)
            text += QStringLiteral(" in ") + labelText(stall.culpritLabel);
        return text;
    }
    case trace::StallCause::LoopBusy:
        if (stall.arrivals == 0)
            return QStringLiteral("loop busy");
        return QStringLiteral("loop busy: %1 %2")
            .arg(QString::number(stall.arrivals),
                stall.arrivals == 1 ? QStringLiteral("arrival") : QStringLiteral("arrivals"));
    }
    return {};
}

QString TimelineModel::collateralText(const TimelineSpan &span) const
{
    if (!span.collateral)
        return {};
    QString text = QStringLiteral("delayed ") + TimeMapping::formatDuration(span.collateral.delay);
    const TimelineSpan *culprit = find(span.collateral.culprit);
    const LoopStall *stall = findStall(span.collateral.stall);
    if (culprit)
        text += QStringLiteral(" by ") + displayName(*culprit);
    else if (stall && stall->attributed && stall->cause == trace::StallCause::LoopBusy)
        text += QStringLiteral(" by ") + stallCauseText(*stall);
    else
        text += QStringLiteral(" by a loop stall");
    if (stall && stall->blamesCall()) {
        text += QStringLiteral(", blocking");
        if (stall->culpritLabel)
            text += QStringLiteral(" in ") + labelText(stall->culpritLabel);
    }
    return text;
}

} // namespace loopscope::viz
