#pragma once

#include <QAbstractEventDispatcher>
#include <QVarLengthArray>

#include <atomic>
#include <chrono>
#include <unordered_map>
#include <vector>

class QSocketNotifier;
struct epoll_event;
struct timespec;

namespace loopscope {

// The server thread's event loop: epoll for sockets, a heap for timers. Qt's default dispatcher
// (glib's) scans every notifier and every timer in lists and polls every descriptor on each
// wake-up; with 10,000 connections open, each sleeping on a timer, that was most of the server
// loop's time (perf: unregistering notifiers and timers, and tcp_poll). Here registering a
// notifier or a timer costs O(1) and O(log n), and a wake-up costs the ready descriptors only.
//
// What Qt asks of a dispatcher, kept as its UNIX one keeps it: posted events are sent first on
// each pass, then the wait (none when not asked to wait or interrupted), then ready sockets
// (read, write, exception), then due timers, each timer at most once a pass. wakeUp() and
// interrupt() are callable from any thread; everything else runs on the dispatcher's thread.
class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(
        int timerId, qint64 intervalMs, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

private:
    using Clock = std::chrono::steady_clock;

    // The notifiers watching one descriptor. Several of one type are allowed, as Qt's glib
    // dispatcher allows them: a connection reads through its own notifier while its QTcpSocket's
    // engine registers one too, before the connection turns that one off.
    struct Watched
    {
        QVarLengthArray<QSocketNotifier *, 3> notifiers;
        // Set each time the descriptor is added to epoll: an event read for an earlier holder of
        // the same descriptor number is not delivered to a later one.
        quint32 generation = 0;
        quint32 events = 0; // what epoll is asked for; 0: not in epoll
    };
    struct Timer
    {
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        QObject *object = nullptr;
        Clock::time_point due;
        quint64 serial = 0; // this registration's, to tell its heap entries from a reused id's
        bool firing = false; // its event is being delivered: a nested loop does not fire it again
    };
    struct DueTimer
    {
        Clock::time_point due;
        int id = 0;
        quint64 serial = 0;
        bool operator>(const DueTimer &other) const { return due > other.due; }
    };

    void watch(int fd, Watched &watched);
    int activateSockets(const ::epoll_event *ready, int count);
    bool isWatching(std::size_t fd, quint32 generation, QSocketNotifier *notifier) const;
    int activateTimers();
    void schedule(int id, const Timer &timer);
    // Whether a heap entry is its timer's current due time (not one of a stopped timer, nor of
    // an earlier registration of a reused id).
    bool isLive(const DueTimer &entry) const;
    // Drops heap entries of timers gone, once they outnumber the live ones.
    void compactHeap();
    // How long a wait may last: until the next timer, or forever (nullptr) when there is none.
    const ::timespec *untilNextTimer(::timespec &storage);
    void drainWakeUps();

    int m_epoll = -1;
    int m_wakeUpFd = -1; // an eventfd, written by wakeUp()
    std::atomic<bool> m_wakeUpPending { false };
    std::atomic<bool> m_interrupted { false };
    std::vector<Watched> m_watched; // by descriptor
    quint32 m_nextGeneration = 1;
    std::unordered_map<int, Timer> m_timers; // by timer id
    std::unordered_multimap<QObject *, int> m_timersByObject;
    std::vector<DueTimer> m_dueHeap; // a min-heap on due; entries of timers gone are skipped
    quint64 m_nextSerial = 1;
};

} // namespace loopscope
