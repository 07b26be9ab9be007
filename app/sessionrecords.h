#pragma once

#include "trace/trace.h"

#include <QtCore/QJsonObject>
#include <QtCore/QString>

#include <optional>

namespace loopscope {

class ModeTable;

// The window's own records in a recording, and the meta that describes a session: one place
// that says how each is written, for the headless recorder, File > Save recording and the
// reader that draws them again. Record times are session nanoseconds (see Recording::records).
namespace sessionrecords {

inline constexpr QLatin1StringView kLog { "log" };

QJsonObject meta(const QString &source, const QString &serverUrl, const ModeTable &modes);
QJsonObject logLine(const QString &level, const QString &line, trace::Nanos at);

// The recording process's realtime = trace + offset, for times moved by `shift` onto this
// process's clock; this process's offset when the meta has none.
trace::Nanos realtimeOffset(const QJsonObject &meta, trace::Nanos shift);

struct LogLine
{
    QString level;
    QString text;
    trace::Nanos at = 0; // on this process's trace clock once read back
};
// A record of kind "log" read back; at is moved to this process's clock by `origin`.
std::optional<LogLine> readLogLine(const QJsonObject &record, trace::Nanos origin);

} // namespace sessionrecords

} // namespace loopscope
