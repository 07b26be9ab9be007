#pragma once

#include "loadcontroller.h"
#include "loadsnapshot.h"
#include "recording.h"
#include "serversampler.h"
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
inline constexpr QLatin1StringView kRun { "run" };
inline constexpr QLatin1StringView kSample { "sample" };

QJsonObject meta(const QString &source, const QString &serverUrl, const ModeTable &modes);
// The theme the session was drawn with (meta's "theme"), for a window that opens it on its own;
// the user's when the meta has none.
QString theme(const QJsonObject &meta);
QJsonObject logLine(const QString &level, const QString &line, trace::Nanos at);
// A finished load run, as the runs table shows it (at = its start).
QJsonObject run(const RunSummary &summary);
// What the charts plotted at one instant: the server's sample and the built-in load's figures.
QJsonObject sample(const ServerSample &sample, const load::LoadSnapshot &load);

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
// Records of kind "run" and "sample" read back, their times moved the same way. A run gets its
// requests as its client measured them from the recording's blocks of its run id.
std::optional<RunSummary> readRun(const QJsonObject &record, trace::Nanos origin,
    const std::vector<recording::RunRequests> &clientRequests);
struct Sample
{
    ServerSample server; // at on this process's trace clock once read back
    load::LoadSnapshot load;
};
std::optional<Sample> readSample(const QJsonObject &record, trace::Nanos origin);

} // namespace sessionrecords

} // namespace loopscope
