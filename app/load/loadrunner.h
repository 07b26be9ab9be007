#pragma once

#include "loadplan.h"
#include "loadresult.h"
#include "loadsnapshot.h"

#include <QObject>
#include <QSocketNotifier>
#include <QTimer>

#include <mutex>

#include <memory>
#include <thread>

namespace loopscope::load {

class LoadEngine;

// The GUI's handle on a run. The run itself happens on a thread of its own
// (LoadEngine); this object lives on the caller's thread, reports progress from
// a timer there and delivers the result there. snapshot() may be called from
// any thread, e.g. once per frame.
class LoadRunner : public QObject
{
    Q_OBJECT
public:
    explicit LoadRunner(QObject *parent = nullptr);
    ~LoadRunner() override; // stops a run and waits for its thread

    // A failure (and no signal) when a run is already going or the plan is invalid.
    Result start(const LoadPlan &plan);
    // Ends the run soon: nothing new is sent, in-flight requests end as Cancelled.
    // finished() follows.
    void stop();

    bool isRunning() const { return m_thread.joinable(); }
    LoadSnapshot snapshot() const;
    const LoadResult &result() const { return m_result; }

    void setProgressInterval(std::chrono::milliseconds interval)
    {
        m_progressTimer.setInterval(interval);
    }

signals:
    void progress(qint64 done, qint64 total, double elapsedSeconds, double etaSeconds);
    void finished(const loopscope::load::LoadResult &result);

private:
    void emitProgress();
    void onEngineDone();

    std::shared_ptr<LoadLiveState> m_live = std::make_shared<LoadLiveState>();
    std::unique_ptr<LoadEngine> m_engine;
    std::thread m_thread;
    // The engine thread hands its result over through m_pending and wakes this
    // thread with an eventfd: a plain fd write rather than a posted Qt event, so
    // the hand-over is visible to ThreadSanitizer (Qt's futexes are not).
    std::mutex m_pendingMutex;
    LoadResult m_pending;
    int m_doneFd = -1;
    QSocketNotifier *m_doneNotifier = nullptr;
    LoadResult m_result;
    QTimer m_progressTimer;
};

} // namespace loopscope::load
