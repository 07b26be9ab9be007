#include "liverecorder.h"

#include "sessionclock.h"
#include "tracehub.h"

namespace loopscope::recording {

namespace {

// Enough for several seconds of the busiest load measured (about 190k events/s) between two
// drains, so a slow disk costs a late block, not lost events.
constexpr std::size_t kSubscriptionCapacity = 4 << 20;

} // namespace

LiveRecorder::LiveRecorder(QObject *parent)
    : QObject(parent)
{
    m_timer.setInterval(kInterval);
    connect(&m_timer, &QTimer::timeout, this, [this] {
        if (RecordingWriter::Result r = writePending(); !r) {
            m_timer.stop();
            m_subscription.reset();
            emit failed(r.errorMessage);
        }
    });
}

LiveRecorder::~LiveRecorder()
{
    if (isRecording())
        stop();
}

RecordingWriter::Result LiveRecorder::start(const QString &path, const QJsonObject &meta)
{
    if (RecordingWriter::Result r = m_writer.open(path, meta, trace::sessionOrigin()); !r)
        return r;
    m_subscription = trace::TraceHub::instance().subscribe(kSubscriptionCapacity);
    m_timer.start();
    return {};
}

void LiveRecorder::addRecord(QJsonObject record)
{
    if (isRecording())
        m_records.append(std::move(record));
}

RecordingWriter::Result LiveRecorder::stop()
{
    if (!isRecording())
        return { QStringLiteral("not recording") };
    m_timer.stop();
    trace::TraceHub::instance().flush();
    RecordingWriter::Result r = writePending();
    const std::uint64_t lost = m_subscription ? m_subscription->dropped() : 0;
    m_subscription.reset();
    if (RecordingWriter::Result end = m_writer.finish(lost); r && !end)
        r = end;
    return r;
}

RecordingWriter::Result LiveRecorder::writePending()
{
    if (m_subscription)
        m_subscription->drain(m_drained);
    if (RecordingWriter::Result r = m_writer.writeEvents(m_drained); !r)
        return r;
    m_drained.clear();
    const QJsonArray records = std::exchange(m_records, {});
    return m_writer.writeRecords(records);
}

} // namespace loopscope::recording
