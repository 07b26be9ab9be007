#include "sessionrecords.h"

#include "core/modetable.h"
#include "trace/realtimeclock.h"
#include "trace/sessionclock.h"

#include <QtCore/QCoreApplication>
#include <QtCore/QDateTime>
#include <QtCore/QJsonArray>

namespace loopscope::sessionrecords {

namespace {

const QString kKind = QStringLiteral("kind");
const QString kAt = QStringLiteral("at");
const QString kRealtimeOffset = QStringLiteral("realtime_offset_ns");

} // namespace

QJsonObject meta(const QString &source, const QString &serverUrl, const ModeTable &modes)
{
    QJsonArray routes;
    for (int i = 0; i < modes.size(); ++i) {
        routes.append(QJsonObject { { QStringLiteral("route"), modes.entry(i).route },
            { QStringLiteral("variant"), variantName(modes.variant(i)) } });
    }
    return {
        { QStringLiteral("app_version"), QCoreApplication::applicationVersion() },
        { QStringLiteral("created"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs) },
        { QStringLiteral("source"), source },
        { QStringLiteral("server_url"), serverUrl },
        { QStringLiteral("routes_at_start"), routes },
        { kRealtimeOffset, QString::number(trace::realtimeOffsetNs()) },
    };
}

QJsonObject logLine(const QString &level, const QString &line, trace::Nanos at)
{
    return { { kKind, QString(kLog) }, { kAt, qint64(at - trace::sessionOrigin()) },
        { QStringLiteral("level"), level }, { QStringLiteral("text"), line } };
}

trace::Nanos realtimeOffset(const QJsonObject &meta, trace::Nanos shift)
{
    bool ok = false;
    const trace::Nanos recorded = meta.value(kRealtimeOffset).toString().toLongLong(&ok);
    return ok ? recorded - shift : trace::realtimeOffsetNs();
}

std::optional<LogLine> readLogLine(const QJsonObject &record, trace::Nanos origin)
{
    if (record.value(kKind).toString() != kLog)
        return std::nullopt;
    return LogLine { record.value(QStringLiteral("level")).toString(),
        record.value(QStringLiteral("text")).toString(),
        origin + trace::Nanos(record.value(kAt).toDouble()) };
}

} // namespace loopscope::sessionrecords
