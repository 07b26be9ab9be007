// TimelineModel's words: names of spans, what a stall was and cost, what it did to a span.

#include "timelinemodel.h"

#include "sessionclock.h"
#include "trace.h"

namespace loopscope::viz {

QString TimelineModel::labelText(std::uint32_t label)
{
    return label ? trace::labelText(label) : QString();
}

QString TimelineModel::displayName(const TimelineSpan &span) const
{
    QString name = labelText(span.label);
    if (name.isEmpty())
        name = span.kind == SpanKind::Request ? QStringLiteral("request")
            : span.kind == SpanKind::Task     ? QStringLiteral("task")
                                              : QStringLiteral("job");
    return name + QLatin1Char(' ') + shortName(span);
}

QString TimelineModel::shortName(const TimelineSpan &span) const
{
    return QLatin1Char('#')
        + (span.requestId.isEmpty() ? QString::number(span.id)
                                    : QString::fromLatin1(span.requestId.view()));
}

QString TimelineModel::chargeText(const StallCharge &charge) const
{
    QString where;
    switch (charge.where) {
    case trace::WaitPlace::Socket:
        where = QStringLiteral("unread in socket");
        break;
    case trace::WaitPlace::Queued:
        where = QStringLiteral("queued");
        break;
    case trace::WaitPlace::Awaiting:
        where = QStringLiteral("resumed late");
        break;
    }
    const LoopStall &stall = *charge.stall;
    return where + QStringLiteral(", stalled by ") + stallCauseText(stall) + QStringLiteral(" (")
        + trace::formatSessionTime(stall.begin) + QStringLiteral(" – ")
        + trace::formatSessionTime(stall.end) + QStringLiteral(" on the timeline)");
}

QString TimelineModel::stallVictimsText(const LoopStall &stall) const
{
    if (stall.collateralTotal <= 0)
        return {};
    QString text = QString::number(stall.victims)
        + (stall.victims == 1 ? QStringLiteral(" other waited ")
                              : QStringLiteral(" others waited "))
        + TimeMapping::formatDuration(stall.collateralTotal);
    if (stall.socketTotal > 0)
        text += QStringLiteral(" (") + TimeMapping::formatDuration(stall.socketTotal)
            + QStringLiteral(" of it unread in socket)");
    return text;
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
    if (span.collateral.stalls > 1)
        text += QStringLiteral(" by ") + QString::number(span.collateral.stalls)
            + QStringLiteral(" stalls, the longest");
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
