#pragma once

#include <QtGlobal>

#include <mutex>

namespace loopscope::load {

// What the GUI shows while a run goes on; cheap to copy.
struct LoadSnapshot
{
    bool running = false;
    qint64 sent = 0;
    qint64 done = 0; // completed requests (any outcome)
    qint64 total = 0; // planned requests; 0 when only a duration bounds the run
    qint64 errors = 0; // failed + status >= 400
    double elapsedSeconds = 0;
    double etaSeconds = -1; // -1 when unknown
    double currentRps = 0; // completions in the last full second
    qint64 p50Ns = 0; // whole run so far, latency from intended start
    qint64 p90Ns = 0;
    qint64 p99Ns = 0;
    qint64 maxNs = 0;
    qint64 lastSecondP50Ns = 0; // the last full second only
    qint64 lastSecondP99Ns = 0;
    qint64 lastSecondP95Ns = 0;
};

// The one place the engine thread and observers share: the engine publishes a
// few times a second, readers copy under the lock. A mutex is enough because the
// engine holds it for a copy of a few dozen bytes, never per request.
class LoadLiveState
{
public:
    void publish(const LoadSnapshot &snapshot)
    {
        std::lock_guard lock(m_mutex);
        m_snapshot = snapshot;
    }
    LoadSnapshot snapshot() const
    {
        std::lock_guard lock(m_mutex);
        return m_snapshot;
    }

private:
    mutable std::mutex m_mutex;
    LoadSnapshot m_snapshot;
};

} // namespace loopscope::load
