#pragma once

#include "recordingwriter.h"

#include <QtCore/QJsonArray>
#include <QtCore/QObject>
#include <QtCore/QTimer>

#include <memory>

namespace loopscope::trace {
class Subscription;
}

namespace loopscope::recording {

// Records the live session into a .loopscope file as it happens: a subscription to the trace
// hub drained every second into an event block, and the window's own records written beside.
// Stops cleanly on stop() (SIGTERM in the headless server calls it), leaving a complete file.
class LiveRecorder : public QObject
{
    Q_OBJECT
public:
    static constexpr std::chrono::milliseconds kInterval { 1000 };

    explicit LiveRecorder(QObject *parent = nullptr);
    ~LiveRecorder() override;

    // Starts taking the trace hub's events, to be written once start() has a file: called before
    // the server accepts its first connection, no request it answers is missing from the file.
    void capture();
    // Opens the file and records into it (capturing from now, if capture() was not called).
    Result start(const QString &path, const QJsonObject &meta);
    // One of the window's records ({"kind", "at" in session ns, ...}), written with the next
    // block of events.
    void addRecord(QJsonObject record);
    // Flushes the hub, writes what is pending and the end block.
    Result stop();

    bool isRecording() const { return m_writer.isOpen(); }
    const RecordingWriter &writer() const { return m_writer; }

signals:
    // A write failed (disk full, file gone): recording has stopped.
    void failed(const QString &message);

private:
    Result writePending();

    RecordingWriter m_writer;
    std::shared_ptr<trace::Subscription> m_subscription;
    std::vector<trace::Event> m_drained;
    QJsonArray m_records;
    QTimer m_timer;
};

} // namespace loopscope::recording
