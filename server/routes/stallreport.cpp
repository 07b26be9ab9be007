#include "stallreport.h"

#include "trace/handlervariant.h"
#include "trace/spanindex.h"
#include "trace/stallattribution.h"

#include <QtCore/QJsonArray>

namespace loopscope {

namespace {

QString requestId(const trace::SpanRecord &record)
{
    return record.requestId.isEmpty() ? QString::number(record.span)
                                      : QString::fromLatin1(record.requestId);
}

QJsonValue culprit(const trace::AttributedStall &stall, const trace::SpanIndex &index)
{
    const trace::SpanRecord *record = index.find(stall.culprit);
    if (stall.cause != trace::StallCause::BlockingCall || !record)
        return QJsonValue::Null;
    return QJsonObject { { QStringLiteral("request_id"), requestId(*record) },
        { QStringLiteral("span"), QString::number(record->span) },
        { QStringLiteral("route"), trace::labelText(record->label) },
        { QStringLiteral("variant"),
            record->variant ? QJsonValue(variantName(*record->variant)) : QJsonValue::Null },
        { QStringLiteral("label"), trace::labelText(stall.label) } };
}

} // namespace

QJsonObject stallReport(std::span<const trace::Event> events, trace::Nanos now)
{
    trace::SpanIndex index;
    index.add(events);
    std::vector<trace::LoopSpan> spans;
    for (const trace::SpanRecord &r : index.records()) {
        // Jobs run on workers: they neither stall the loop nor wait for it.
        if (r.kind == trace::SpanKind::Request || r.kind == trace::SpanKind::Task)
            spans.push_back(trace::LoopSpan::fromRecord(r));
    }
    const std::vector<trace::WatchedStall> watched = trace::watchedStalls(events);
    const std::vector<trace::AttributedStall> stalls
        = trace::StallAttribution().attribute(spans, watched, now);

    QJsonArray list;
    for (const trace::AttributedStall &stall : stalls) {
        QJsonArray victims;
        for (const trace::StallVictim &v : stall.victims) {
            const trace::SpanRecord *record = index.find(v.span);
            victims.append(
                QJsonObject { { QStringLiteral("request_id"),
                                  record ? requestId(*record) : QString::number(v.span) },
                    { QStringLiteral("span"), QString::number(v.span) },
                    { QStringLiteral("waited_ns"), qint64(v.waited) },
                    { QStringLiteral("where"), trace::waitPlaceName(v.where) } });
        }
        list.append(QJsonObject { { QStringLiteral("start_ns"), qint64(stall.begin) },
            { QStringLiteral("end_ns"), qint64(stall.end) }, { QStringLiteral("open"), stall.open },
            { QStringLiteral("cause"), trace::stallCauseName(stall.cause) },
            { QStringLiteral("culprit"), culprit(stall, index) },
            { QStringLiteral("arrivals"), stall.arrivals },
            { QStringLiteral("waited_ns"), qint64(stall.waited()) },
            { QStringLiteral("victims"), victims } });
    }
    return { { QStringLiteral("stalls"), list } };
}

} // namespace loopscope
