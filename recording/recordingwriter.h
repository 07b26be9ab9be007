#pragma once

#include "core/result.h"
#include "recordingformat.h"
#include "requestrecord.h"
#include "trace.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonObject>
#include <QtCore/QString>

#include <cstdint>
#include <span>
#include <vector>

namespace loopscope::recording {

// Writes a .loopscope file block by block, so a recording that is stopped at any point after a
// block is written still holds that block; finish() adds the end block that makes it complete.
// Labels and thread names come from this process's tables, each written once, in a block before
// the first event block that needs it.
class RecordingWriter
{
public:
    // Failures are ErrorKind::Io; the message names the file and what failed.
    // meta gains format_version and origin_ns; origin is the session origin the times count from.
    Result open(const QString &path, QJsonObject meta, trace::Nanos origin);
    Result writeEvents(std::span<const trace::Event> events);
    Result writeRecords(const QJsonArray &records);
    // A built-in load run's requests as its client measured them (Recording::clientRequests).
    Result writeClientRequests(QByteArrayView runId, std::span<const load::RequestRecord> requests);
    // lostEvents: how many the caller knows it missed (a subscription that overflowed).
    Result finish(std::uint64_t lostEvents = 0);

    bool isOpen() const { return m_file.isOpen(); }
    QString path() const { return m_file.fileName(); }
    std::uint64_t eventsWritten() const { return m_events; }
    qint64 bytesWritten() const { return m_bytes; }

private:
    Result writeBlock(format::BlockType type, const QByteArray &raw);
    Result writeRaw(const QByteArray &bytes);
    Result writeNewLabels(std::span<const trace::Event> events);
    Result writeNewThreads();
    Result cannotWrite() const;

    QFile m_file;
    trace::Nanos m_origin = 0;
    std::vector<bool> m_labelWritten;
    std::size_t m_threadsWritten = 0;
    std::uint64_t m_events = 0;
    std::uint64_t m_blocks = 0;
    qint64 m_bytes = 0;
};

} // namespace loopscope::recording
