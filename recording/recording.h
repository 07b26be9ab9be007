#pragma once

#include "requestrecord.h"
#include "trace.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QString>

#include <cstdint>
#include <vector>

namespace loopscope::recording {

// One built-in load run's requests, each as its client measured it. Their times count from the
// run's own time zero (the run's record says when that was), so rebasing leaves them as they are.
struct RunRequests
{
    QByteArray runId; // as in its requests' X-Request-Id, load-<runId>-<n>
    QList<load::RequestRecord> requests;
};

// Everything a .loopscope file holds, as read. Event times, and the times some events carry in
// their value or link (see eventcodec.h), are on the recording process's trace clock; origin is
// that process's session origin, so `time - origin` is the session time every view shows.
// Labels and thread indices are the recording process's: rebase() maps them into this one.
struct Recording
{
    std::uint16_t formatVersion = 0;
    QJsonObject meta;
    trace::Nanos origin = 0;
    std::vector<std::pair<std::uint32_t, QString>> labels; // recorded id, text
    std::vector<trace::ThreadInfo> threads; // recorded index, name
    std::vector<trace::Event> events;
    // The window's own records, each {"kind": ..., "at": ns since origin, ...}: session times,
    // so rebasing leaves them as they are.
    QJsonArray records;
    std::vector<RunRequests> clientRequests;
    std::uint64_t lostEvents = 0; // dropped while recording (the recorder fell behind)

    // Moves every time so that the recording's origin becomes newOrigin, and every label id to
    // this process's label table, so the views read it as they read the live trace.
    void rebase(trace::Nanos newOrigin);
    // The recorded name of a thread index ("thread N" when the file names none).
    QString threadName(std::uint32_t index) const;
};

// Which events carry a time in value or link, so that rebasing and encoding treat it as one.
bool valueIsTime(trace::Kind kind) noexcept;
bool linkIsTime(trace::Kind kind) noexcept;
// Which events carry another span id in link.
bool linkIsSpan(trace::Kind kind) noexcept;

} // namespace loopscope::recording
