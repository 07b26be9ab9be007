#include "liverecorder.h"

#include "recordinglogging.h"

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
        if (Result r = writePending(); !r) {
            qCWarning(lcRecording).noquote() << "recording stopped:" << r.message();
            m_timer.stop();
            m_subscription.reset();
            emit failed(r.message());
        }
    });
}

LiveRecorder::~LiveRecorder()
{
    // Nobody is left to tell of a failure: the file is as complete as the writer got it.
    if (isRecording())
        static_cast<void>(stop());
}

void LiveRecorder::capture()
{
    if (!m_subscription)
        m_subscription = trace::TraceHub::instance().subscribe(kSubscriptionCapacity);
}

Result LiveRecorder::start(const QString &path, const QJsonObject &meta)
{
    if (Result r = m_writer.open(path, meta, trace::sessionOrigin()); !r) {
        m_subscription.reset();
        return r;
    }
    capture();
    m_timer.start();
    return {};
}

void LiveRecorder::addRecord(QJsonObject record)
{
    if (isRecording())
        m_records.append(std::move(record));
}

Result LiveRecorder::stop()
{
    if (!isRecording())
        return Result::failure(ErrorKind::Io, QStringLiteral("not recording"));
    m_timer.stop();
    trace::TraceHub::instance().flush();
    Result r = writePending();
    const std::uint64_t lost = m_subscription ? m_subscription->dropped() : 0;
    m_subscription.reset();
    if (Result end = m_writer.finish(lost); r && !end)
        r = end;
    return r;
}

Result LiveRecorder::writePending()
{
    if (m_subscription)
        m_subscription->drain(m_drained);
    if (Result r = m_writer.writeEvents(m_drained); !r)
        return r;
    m_drained.clear();
    const QJsonArray records = std::exchange(m_records, {});
    return m_writer.writeRecords(records);
}

} // namespace loopscope::recording
