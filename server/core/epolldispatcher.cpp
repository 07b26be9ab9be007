#include "epolldispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimerEvent>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <functional>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace loopscope {

namespace {

// The eventfd's tag in epoll: above every descriptor-and-generation tag, whose generation is
// never all ones before 2^32 additions.
constexpr quint64 kWakeUpTag = ~quint64(0);

quint64 tagOf(int fd, quint32 generation)
{
    return (quint64(generation) << 32) | quint32(fd);
}

// What epoll is asked for on behalf of each type of notifier (QSocketNotifier::Type: read,
// write, exception), and which reports wake each.
constexpr quint32 kInterest[3] = { EPOLLIN, EPOLLOUT, EPOLLPRI };
// As Qt's poll dispatcher: a hang-up or an error is news to a reader and to a writer.
constexpr quint32 kActivates[3]
    = { EPOLLIN | EPOLLHUP | EPOLLERR, EPOLLOUT | EPOLLHUP | EPOLLERR, EPOLLPRI };

qint64 msUntil(std::chrono::steady_clock::time_point due, std::chrono::steady_clock::time_point now)
{
    if (due <= now)
        return 0;
    // Rounded up: a timer is never reported as due before it is.
    return std::chrono::ceil<std::chrono::milliseconds>(due - now).count();
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
    , m_epoll(epoll_create1(EPOLL_CLOEXEC))
    , m_wakeUpFd(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC))
{
    if (m_epoll < 0 || m_wakeUpFd < 0)
        qFatal("EpollEventDispatcher: no epoll or eventfd: %s", std::strerror(errno));
    epoll_event wake {};
    wake.events = EPOLLIN;
    wake.data.u64 = kWakeUpTag;
    if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, m_wakeUpFd, &wake) != 0)
        qFatal("EpollEventDispatcher: cannot watch its eventfd: %s", std::strerror(errno));
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    ::close(m_wakeUpFd);
    ::close(m_epoll);
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    m_interrupted.store(false, std::memory_order_relaxed);
    emit awake();
    // Whatever is posted from here on calls wakeUp(), which ends the wait below at once.
    QCoreApplication::sendPostedEvents();

    const bool mayWait = flags.testFlag(QEventLoop::WaitForMoreEvents)
        && !m_interrupted.load(std::memory_order_acquire);
    if (mayWait)
        emit aboutToBlock();
    if (m_interrupted.load(std::memory_order_acquire))
        return false;

    const bool withTimers = !flags.testFlag(QEventLoop::X11ExcludeTimers);
    timespec storage {}; // zero: look and go
    const timespec *limit = &storage;
    if (mayWait)
        limit = withTimers ? untilNextTimer(storage) : nullptr;
    std::array<epoll_event, 256> ready;
    int count = epoll_pwait2(m_epoll, ready.data(), int(ready.size()), limit, nullptr);
    if (count < 0 && errno == ENOSYS) {
        // A kernel before 5.11: a wait in whole milliseconds, rounded up.
        const int ms
            = limit ? int(limit->tv_sec * 1000 + (limit->tv_nsec + 999'999) / 1'000'000) : -1;
        count = epoll_wait(m_epoll, ready.data(), int(ready.size()), ms);
    }
    if (count < 0) {
        if (errno != EINTR)
            qWarning("EpollEventDispatcher: epoll_wait: %s", std::strerror(errno));
        count = 0;
    }

    int handled = 0;
    for (int i = 0; i < count; ++i) {
        if (ready[i].data.u64 == kWakeUpTag) {
            drainWakeUps();
            ++handled;
        }
    }
    if (!flags.testFlag(QEventLoop::ExcludeSocketNotifiers))
        handled += activateSockets(ready.data(), count);
    if (withTimers)
        handled += activateTimers();
    return handled > 0;
}

const timespec *EpollEventDispatcher::untilNextTimer(timespec &storage)
{
    // A stopped timer's entry on top would end the wait for nothing (a read timeout restarted on
    // every read leaves one each time).
    while (!m_dueHeap.empty() && !isLive(m_dueHeap.front())) {
        std::pop_heap(m_dueHeap.begin(), m_dueHeap.end(), std::greater<> {});
        m_dueHeap.pop_back();
    }
    if (m_dueHeap.empty())
        return nullptr;
    const auto now = Clock::now();
    const auto due = m_dueHeap.front().due;
    if (due > now) {
        const auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(due - now);
        storage.tv_sec = time_t(wait.count() / 1'000'000'000);
        storage.tv_nsec = long(wait.count() % 1'000'000'000);
    }
    return &storage;
}

void EpollEventDispatcher::drainWakeUps()
{
    // Read first, then cleared, and both before the posted events are sent (next pass). Cleared
    // first, a wakeUp() between the two would write and see its write read here, and leave the
    // flag set: no later wakeUp() would write, and the loop would sleep through their posts.
    eventfd_t value = 0;
    while (eventfd_read(m_wakeUpFd, &value) == 0) { }
    m_wakeUpPending.exchange(false, std::memory_order_acq_rel);
}

void EpollEventDispatcher::wakeUp()
{
    if (!m_wakeUpPending.exchange(true, std::memory_order_acq_rel))
        eventfd_write(m_wakeUpFd, 1);
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_release);
    wakeUp();
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    if (fd < 0)
        return;
    if (std::size_t(fd) >= m_watched.size())
        m_watched.resize(std::max<std::size_t>(std::size_t(fd) + 1, m_watched.size() * 2));
    Watched &watched = m_watched[std::size_t(fd)];
    if (!watched.notifiers.contains(notifier))
        watched.notifiers.append(notifier);
    watch(fd, watched);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    if (fd < 0 || std::size_t(fd) >= m_watched.size())
        return;
    Watched &watched = m_watched[std::size_t(fd)];
    if (watched.notifiers.removeOne(notifier))
        watch(fd, watched);
}

// Tells epoll what the descriptor's notifiers now want.
void EpollEventDispatcher::watch(int fd, Watched &watched)
{
    quint32 events = 0;
    for (const QSocketNotifier *notifier : watched.notifiers)
        events |= kInterest[int(notifier->type())];
    if (events == watched.events)
        return;
    epoll_event change {};
    if (events == 0) {
        // Fails harmlessly when the descriptor was closed first: epoll forgot it then.
        epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, &change);
        watched.events = 0;
        return;
    }
    change.events = events;
    if (watched.events == 0)
        watched.generation = m_nextGeneration++;
    change.data.u64 = tagOf(fd, watched.generation);
    int op = watched.events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    if (epoll_ctl(m_epoll, op, fd, &change) != 0) {
        // Added by an earlier holder of the number and never removed (EEXIST), or closed and
        // so forgotten by epoll since (ENOENT): the other operation is the right one.
        op = op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        if (epoll_ctl(m_epoll, op, fd, &change) != 0) {
            qWarning("EpollEventDispatcher: cannot watch socket %d: %s", fd, std::strerror(errno));
            events = 0;
        }
    }
    watched.events = events;
}

int EpollEventDispatcher::activateSockets(const epoll_event *ready, int count)
{
    int activated = 0;
    for (int i = 0; i < count; ++i) {
        const quint64 tag = ready[i].data.u64;
        const auto fd = std::size_t(quint32(tag));
        if (tag == kWakeUpTag || fd >= m_watched.size())
            continue;
        const auto generation = quint32(tag >> 32);
        // Copied: an activation may change the list. Each notifier is asked afresh whether it
        // still watches before it is touched: an earlier activation may have closed this socket,
        // turned the notifier off or deleted it.
        const QVarLengthArray<QSocketNotifier *, 3> notifiers = m_watched[fd].notifiers;
        for (int type = 0; type < 3; ++type) {
            if (!(ready[i].events & kActivates[type]))
                continue;
            for (QSocketNotifier *notifier : notifiers) {
                if (!isWatching(fd, generation, notifier) || int(notifier->type()) != type)
                    continue;
                QEvent activation(QEvent::SockAct);
                QCoreApplication::sendEvent(notifier, &activation);
                ++activated;
            }
        }
    }
    return activated;
}

bool EpollEventDispatcher::isWatching(
    std::size_t fd, quint32 generation, QSocketNotifier *notifier) const
{
    return fd < m_watched.size() && m_watched[fd].generation == generation
        && m_watched[fd].notifiers.contains(notifier);
}

void EpollEventDispatcher::registerTimer(
    int timerId, qint64 intervalMs, Qt::TimerType timerType, QObject *object)
{
    Timer timer;
    timer.intervalMs = std::max<qint64>(0, intervalMs);
    timer.type = timerType;
    timer.object = object;
    timer.due = Clock::now() + std::chrono::milliseconds(timer.intervalMs);
    timer.serial = m_nextSerial++;
    schedule(timerId, timer);
    m_timers.emplace(timerId, timer);
    m_timersByObject.emplace(object, timerId);
}

void EpollEventDispatcher::schedule(int id, const Timer &timer)
{
    m_dueHeap.push_back({ timer.due, id, timer.serial });
    std::push_heap(m_dueHeap.begin(), m_dueHeap.end(), std::greater<> {});
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    auto [first, last] = m_timersByObject.equal_range(it->second.object);
    for (; first != last; ++first) {
        if (first->second == timerId) {
            m_timersByObject.erase(first);
            break;
        }
    }
    m_timers.erase(it);
    compactHeap();
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    auto [first, last] = m_timersByObject.equal_range(object);
    if (first == last)
        return false;
    for (auto it = first; it != last; ++it)
        m_timers.erase(it->second);
    m_timersByObject.erase(first, last);
    compactHeap();
    return true;
}

void EpollEventDispatcher::compactHeap()
{
    // Lazy removal keeps unregistering O(1); the heap is rebuilt only when mostly dead, so a
    // timer restarted again and again (a read timeout) costs amortised O(log n).
    if (m_dueHeap.size() < 64 || m_dueHeap.size() < 2 * m_timers.size())
        return;
    std::erase_if(m_dueHeap, [this](const DueTimer &entry) { return !isLive(entry); });
    std::make_heap(m_dueHeap.begin(), m_dueHeap.end(), std::greater<> {});
}

bool EpollEventDispatcher::isLive(const DueTimer &entry) const
{
    const auto it = m_timers.find(entry.id);
    return it != m_timers.end() && it->second.serial == entry.serial && it->second.due == entry.due;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(
    QObject *object) const
{
    QList<TimerInfo> timers;
    auto [first, last] = m_timersByObject.equal_range(object);
    for (; first != last; ++first) {
        const Timer &timer = m_timers.at(first->second);
        timers.append(TimerInfo(first->second, int(timer.intervalMs), timer.type));
    }
    return timers;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return -1;
    return int(msUntil(it->second.due, Clock::now()));
}

int EpollEventDispatcher::activateTimers()
{
    const auto now = Clock::now();
    // Taken off the heap first, then fired: a timer due again at once (interval 0) waits for the
    // next pass, and one that an earlier event stopped is not fired.
    std::vector<DueTimer> due;
    while (!m_dueHeap.empty() && m_dueHeap.front().due <= now) {
        std::pop_heap(m_dueHeap.begin(), m_dueHeap.end(), std::greater<> {});
        const DueTimer entry = m_dueHeap.back();
        m_dueHeap.pop_back();
        if (isLive(entry))
            due.push_back(entry);
    }
    int fired = 0;
    for (const DueTimer &entry : due) {
        auto it = m_timers.find(entry.id);
        if (it == m_timers.end() || it->second.serial != entry.serial)
            continue;
        Timer &timer = it->second;
        // As Qt's precise timers: the next due time follows the last, unless that is past.
        timer.due += std::chrono::milliseconds(timer.intervalMs);
        if (timer.due < now)
            timer.due = now + std::chrono::milliseconds(timer.intervalMs);
        schedule(entry.id, timer);
        if (timer.firing)
            continue;
        timer.firing = true;
        QObject *object = timer.object;
        QTimerEvent event(entry.id);
        QCoreApplication::sendEvent(object, &event);
        ++fired;
        // The event may have stopped the timer, or stopped it and reused its id.
        it = m_timers.find(entry.id);
        if (it != m_timers.end() && it->second.serial == entry.serial)
            it->second.firing = false;
    }
    return fired;
}

} // namespace loopscope
