#include "loadengine.h"

#include "loadconnection.h"
#include "loadstats.h"

#include <QRandomGenerator>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <vector>

#include <netdb.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

namespace loopscope::load {

namespace {

constexpr qint64 kPublishIntervalNs = 100'000'000;
constexpr size_t kReadBufferSize = 64 * 1024;

qint64 steadyNowNs()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts); // what std::chrono::steady_clock and QElapsedTimer use
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

} // namespace

struct LoadEngine::Private
{
    LoadPlan plan;
    std::shared_ptr<LoadLiveState> live;
    QByteArray runId;
    std::atomic<bool> stopRequested { false };
    int wakeFd = -1;
    int epollFd = -1;
    int timerFd = -1;
    size_t wakeIndex = 0;
    size_t timerIndex = 0;

    sockaddr_storage address {};
    socklen_t addressLength = 0;
    std::vector<PreparedRequest> prepared;
    std::vector<qint64> wrrCurrent;
    qint64 weightTotal = 0;
    std::vector<LoadConnection> connections;
    std::vector<size_t> idle; // open loop: connections free to take a due request
    std::vector<size_t> failed; // connections whose request failed synchronously
    std::vector<char> readBuffer;

    LoadStats stats;
    qint64 t0 = 0;
    qint64 lastEndNs = 0;
    quint64 issued = 0;
    qint64 inFlight = 0;
    qint64 planned = 0; // 0: only the duration bounds the run (closed loop)
    qint64 durationNs = 0;
    bool stopping = false;
    bool everConnected = false;
    bool cancelled = false;
    QString fatal;
    qint64 nextScan = kNever;
    qint64 nextPublish = 0;
    qint64 timerArmedFor = -1;

    Private(LoadPlan p, std::shared_ptr<LoadLiveState> l)
        : plan(std::move(p))
        , live(std::move(l))
        , stats(plan.maxRecords)
    {
        wakeFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    }

    ~Private()
    {
        for (LoadConnection &c : connections) {
            if (c.fd >= 0)
                ::close(c.fd);
        }
        for (int fd : { wakeFd, epollFd, timerFd }) {
            if (fd >= 0)
                ::close(fd);
        }
    }

    Result setUp();
    void runLoop();
    bool openLoop() const { return plan.isOpenLoop(); }
    bool canIssue(qint64 now) const;
    size_t pickTemplate();
    void begin(size_t index, qint64 intendedNs, qint64 now);
    void openSocket(LoadConnection &c, qint64 now);
    void sendPending(LoadConnection &c, qint64 now);
    void retryOnFreshConnection(LoadConnection &c, qint64 now);
    void deferFailure(size_t index, RequestError kind, int error);
    void onEvent(size_t index, quint32 events, qint64 now);
    void onConnected(LoadConnection &c, qint64 now);
    void onReadable(size_t index, qint64 now);
    void finish(size_t index, RequestError kind, qint64 now);
    void processFailures(qint64 now);
    void scanTimeouts(qint64 now);
    void dispatchDue(qint64 now);
    void cancelAll(qint64 now);
    void watch(LoadConnection &c, size_t index, quint32 events);
    void publish(qint64 now, bool running);
    qint64 intendedNs(quint64 n) const { return qint64(std::llround(double(n) * 1e9 / plan.rate)); }
};

LoadEngine::LoadEngine(LoadPlan plan, std::shared_ptr<LoadLiveState> live)
    : d(std::make_unique<Private>(std::move(plan), std::move(live)))
{
    d->runId = d->plan.runId;
    if (d->runId.isEmpty())
        d->runId = QByteArray::number(QRandomGenerator::global()->generate() & 0xffffff, 16);
}

LoadEngine::~LoadEngine() = default;

void LoadEngine::requestStop()
{
    d->stopRequested.store(true, std::memory_order_release);
    if (d->wakeFd >= 0) {
        const quint64 one = 1;
        [[maybe_unused]] const ssize_t n = ::write(d->wakeFd, &one, sizeof one);
    }
}

LoadResult LoadEngine::run()
{
    Result ready = d->plan.validate();
    if (ready)
        ready = d->setUp();
    if (ready)
        d->runLoop();
    LoadResult result = d->stats.take(d->lastEndNs);
    result.plan = d->plan;
    result.runId = d->runId;
    result.startSteadyNs = d->t0;
    result.stopped = d->cancelled;
    if (ready && !d->fatal.isEmpty())
        ready = Result::failure(ErrorKind::Io, d->fatal);
    result.setOutcome(std::move(ready));
    return result;
}

Result LoadEngine::Private::setUp()
{
    if (wakeFd < 0)
        return Result::failure(
            ErrorKind::Io, QStringLiteral("eventfd: ") + QString::fromLocal8Bit(strerror(errno)));

    addrinfo hints {};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    addrinfo *found = nullptr;
    const QByteArray port = QByteArray::number(plan.port);
    const int rc = getaddrinfo(plan.host.toUtf8().constData(), port.constData(), &hints, &found);
    if (rc != 0 || !found)
        return Result::failure(ErrorKind::Io,
            QStringLiteral("cannot resolve %1: %2")
                .arg(plan.host, QString::fromLocal8Bit(gai_strerror(rc))));
    std::memcpy(&address, found->ai_addr, found->ai_addrlen);
    addressLength = found->ai_addrlen;
    freeaddrinfo(found);

    // Each connection needs a descriptor; lift the soft limit as far as allowed.
    rlimit limit {};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < rlim_t(plan.concurrency) + 64) {
        limit.rlim_cur = std::min<rlim_t>(limit.rlim_max, rlim_t(plan.concurrency) + 64);
        setrlimit(RLIMIT_NOFILE, &limit);
    }

    epollFd = epoll_create1(EPOLL_CLOEXEC);
    timerFd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    if (epollFd < 0 || timerFd < 0)
        return Result::failure(ErrorKind::Io,
            QStringLiteral("epoll/timerfd: ") + QString::fromLocal8Bit(strerror(errno)));

    for (const RequestTemplate &t : plan.requests) {
        prepared.push_back(PreparedRequest::render(t, plan, runId));
        weightTotal += t.weight;
    }
    wrrCurrent.assign(prepared.size(), 0);

    planned = plan.plannedRequests();
    durationNs = plan.duration.count();
    qint64 connectionCount = plan.concurrency;
    if (planned > 0)
        connectionCount = std::min<qint64>(connectionCount, planned);
    connections.resize(size_t(connectionCount));
    readBuffer.resize(kReadBufferSize);
    wakeIndex = connections.size();
    timerIndex = connections.size() + 1;

    epoll_event ev {};
    ev.events = EPOLLIN;
    ev.data.u64 = wakeIndex;
    epoll_ctl(epollFd, EPOLL_CTL_ADD, wakeFd, &ev);
    ev.data.u64 = timerIndex;
    epoll_ctl(epollFd, EPOLL_CTL_ADD, timerFd, &ev);
    return {};
}

bool LoadEngine::Private::canIssue(qint64 now) const
{
    if (stopping)
        return false;
    if (planned > 0 && qint64(issued) >= planned)
        return false;
    // Open loop converts its duration into `planned`; closed loop checks the clock.
    if (!openLoop() && durationNs > 0 && now - t0 >= durationNs)
        return false;
    return true;
}

size_t LoadEngine::Private::pickTemplate()
{
    // Smooth weighted round-robin (nginx): exact proportions, evenly spread.
    if (prepared.size() == 1)
        return 0;
    size_t best = 0;
    for (size_t i = 0; i < prepared.size(); ++i) {
        wrrCurrent[i] += plan.requests[qsizetype(i)].weight;
        if (wrrCurrent[i] > wrrCurrent[best])
            best = i;
    }
    wrrCurrent[best] -= weightTotal;
    return best;
}

void LoadEngine::Private::begin(size_t index, qint64 intendedRel, qint64 now)
{
    LoadConnection &c = connections[index];
    const size_t tmpl = pickTemplate();
    c.busy = true;
    c.retried = false;
    c.req = &prepared[tmpl];
    c.rec = RequestRecord {};
    c.rec.id = issued++;
    c.rec.templateIndex = quint16(tmpl);
    c.rec.intendedStartNs = intendedRel;
    c.rec.startNs = now - t0;
    c.writtenNs = -1;
    c.sent = 0;
    c.pendingError = RequestError::None;
    c.parser.reset(c.req->isHead);
    c.idLength = size_t(std::to_chars(c.id, c.id + sizeof c.id, c.rec.id).ptr - c.id);
    c.deadline = now + plan.timeout.count();
    nextScan = std::min(nextScan, c.deadline);
    ++inFlight;
    stats.noteSent();
    stats.addRequestBytes(c.req->head.size() + qint64(c.idLength) + c.req->tail.size());

    if (c.fd >= 0) {
        c.rec.reusedConnection = true;
        c.rec.connectNs = c.rec.startNs;
        c.state = LoadConnection::State::Sending;
        sendPending(c, now);
    } else {
        openSocket(c, now);
    }
}

void LoadEngine::Private::openSocket(LoadConnection &c, qint64 now)
{
    const size_t index = size_t(&c - connections.data());
    switch (c.connectTo(address, addressLength)) {
    case LoadConnection::ConnectOutcome::Connected:
        watch(c, index, EPOLLIN);
        onConnected(c, now);
        return;
    case LoadConnection::ConnectOutcome::InProgress:
        c.state = LoadConnection::State::Connecting;
        watch(c, index, EPOLLOUT);
        return;
    case LoadConnection::ConnectOutcome::Failed:
        deferFailure(index, RequestError::Connect, errno);
        return;
    }
}

void LoadEngine::Private::onConnected(LoadConnection &c, qint64 now)
{
    everConnected = true;
    c.rec.connectNs = now - t0;
    c.state = LoadConnection::State::Sending;
    sendPending(c, now);
}

void LoadEngine::Private::sendPending(LoadConnection &c, qint64 now)
{
    const size_t index = size_t(&c - connections.data());
    if (c.sent == 0) {
        const size_t sentFieldBytes = c.stampSendTime(steadyNowNs());
        if (!c.retried) // a retry's bytes are not counted again (see begin)
            stats.addRequestBytes(qint64(sentFieldBytes));
    }
    switch (c.writePending()) {
    case LoadConnection::WriteOutcome::Written:
        c.writtenNs = now - t0;
        c.state = LoadConnection::State::Receiving;
        watch(c, index, EPOLLIN);
        return;
    case LoadConnection::WriteOutcome::WouldBlock:
        watch(c, index, EPOLLIN | EPOLLOUT);
        return;
    case LoadConnection::WriteOutcome::Failed:
        if (c.rec.reusedConnection && !c.retried) {
            // The server closed an idle keep-alive connection: not its fault.
            retryOnFreshConnection(c, now);
        } else {
            deferFailure(index, RequestError::Reset, errno);
        }
        return;
    }
}

void LoadEngine::Private::retryOnFreshConnection(LoadConnection &c, qint64 now)
{
    c.retried = true;
    c.close();
    c.sent = 0;
    c.rec.bytes = 0;
    c.rec.firstByteNs = -1;
    c.parser.reset(c.req->isHead);
    openSocket(c, now);
}

void LoadEngine::Private::deferFailure(size_t index, RequestError kind, int error)
{
    // Reported from the main loop, not here, so a refused connect cannot recurse
    // through finish() -> begin() -> connect() -> finish().
    LoadConnection &c = connections[index];
    c.pendingError = kind;
    failed.push_back(index);
    if (kind == RequestError::Connect && error == ECONNREFUSED && !everConnected
        && plan.stopOnRefused && fatal.isEmpty()) {
        fatal = QStringLiteral("cannot connect to %1:%2: connection refused")
                    .arg(plan.host)
                    .arg(plan.port);
        stopping = true;
    }
}

void LoadEngine::Private::watch(LoadConnection &c, size_t index, quint32 events)
{
    if (c.events == events)
        return;
    epoll_event ev {};
    ev.events = events;
    ev.data.u64 = index;
    epoll_ctl(epollFd, c.events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c.fd, &ev);
    c.events = events;
}

void LoadEngine::Private::onEvent(size_t index, quint32 events, qint64 now)
{
    LoadConnection &c = connections[index];
    if (c.fd < 0)
        return;
    if (!c.busy) {
        // An idle keep-alive connection the server closed; the next request
        // would open a fresh one anyway.
        c.close();
        return;
    }
    if (c.state == LoadConnection::State::Connecting) {
        int error = 0;
        socklen_t length = sizeof error;
        getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) {
            deferFailure(index, RequestError::Connect, error);
            return;
        }
        watch(c, index, EPOLLIN);
        onConnected(c, now);
        return;
    }
    if (c.state == LoadConnection::State::Sending && (events & EPOLLOUT))
        sendPending(c, now);
    if (c.busy && c.fd >= 0 && c.pendingError == RequestError::None
        && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
        onReadable(index, now);
}

void LoadEngine::Private::onReadable(size_t index, qint64 now)
{
    LoadConnection &c = connections[index];
    const auto statusKind
        = [&c] { return c.parser.status() >= 400 ? RequestError::Status : RequestError::None; };
    switch (c.readAvailable(readBuffer.data(), readBuffer.size(), now - t0)) {
    case LoadConnection::ReadOutcome::Complete:
        finish(index, statusKind(), now);
        return;
    case LoadConnection::ReadOutcome::ProtocolError:
        finish(index, RequestError::Protocol, now);
        return;
    case LoadConnection::ReadOutcome::WaitForMore:
        return;
    case LoadConnection::ReadOutcome::EndOfStream:
        if (c.parser.finishOnEof() == HttpResponseParser::Result::Complete) {
            finish(index, statusKind(), now);
            return;
        }
        break;
    case LoadConnection::ReadOutcome::Failed:
        break;
    }
    if (c.rec.reusedConnection && c.rec.bytes == 0 && !c.retried)
        retryOnFreshConnection(c, now);
    else
        finish(index, RequestError::Reset, now);
}

void LoadEngine::Private::finish(size_t index, RequestError kind, qint64 now)
{
    LoadConnection &c = connections[index];
    c.rec.endNs = now - t0;
    c.rec.status = quint16(c.parser.status());
    c.rec.error = kind;
    stats.add(c.rec, c.writtenNs, c.parser.bodyBytes());
    if (kind != RequestError::Cancelled)
        lastEndNs = std::max(lastEndNs, c.rec.endNs);
    --inFlight;
    c.busy = false;
    c.pendingError = RequestError::None;
    c.deadline = kNever;
    c.state = LoadConnection::State::Idle;
    const bool reuse = plan.keepAlive
        && (kind == RequestError::None || kind == RequestError::Status) && c.parser.reusable()
        && !stopping;
    if (!reuse)
        c.close();
    if (stopping)
        return;
    if (openLoop()) {
        idle.push_back(index);
        dispatchDue(now);
    } else if (canIssue(now)) {
        begin(index, now - t0, now);
    }
}

void LoadEngine::Private::processFailures(qint64 now)
{
    while (!failed.empty()) {
        const size_t index = failed.back();
        failed.pop_back();
        LoadConnection &c = connections[index];
        if (c.busy && c.pendingError != RequestError::None)
            finish(index, c.pendingError, now);
    }
}

void LoadEngine::Private::scanTimeouts(qint64 now)
{
    nextScan = kNever;
    for (size_t i = 0; i < connections.size(); ++i) {
        LoadConnection &c = connections[i];
        if (!c.busy)
            continue;
        if (c.deadline <= now && c.pendingError == RequestError::None)
            finish(i, RequestError::Timeout, now);
        else
            nextScan = std::min(nextScan, c.deadline);
    }
    // finish() may have begun new requests with later deadlines.
    for (const LoadConnection &c : connections) {
        if (c.busy)
            nextScan = std::min(nextScan, c.deadline);
    }
}

void LoadEngine::Private::dispatchDue(qint64 now)
{
    while (!idle.empty() && canIssue(now)) {
        const qint64 intended = intendedNs(issued);
        if (t0 + intended > now) {
            // Wake exactly at the next intended send time (epoll_wait's
            // millisecond timeout would skew the uncorrected latency).
            const qint64 due = t0 + intended;
            if (timerArmedFor != due) {
                itimerspec spec {};
                spec.it_value.tv_sec = due / 1'000'000'000;
                spec.it_value.tv_nsec = due % 1'000'000'000;
                timerfd_settime(timerFd, TFD_TIMER_ABSTIME, &spec, nullptr);
                timerArmedFor = due;
            }
            return;
        }
        const size_t index = idle.back();
        idle.pop_back();
        begin(index, intended, now);
    }
}

void LoadEngine::Private::cancelAll(qint64 now)
{
    stopping = true;
    failed.clear();
    for (size_t i = 0; i < connections.size(); ++i) {
        if (connections[i].busy)
            finish(i, RequestError::Cancelled, now);
    }
}

void LoadEngine::Private::publish(qint64 now, bool running)
{
    if (!live)
        return;
    LoadSnapshot s = stats.snapshot(now - t0, planned, double(durationNs) / 1e9);
    s.running = running;
    if (!running)
        s.etaSeconds = 0;
    live->publish(s);
}

void LoadEngine::Private::runLoop()
{
    t0 = steadyNowNs();
    nextPublish = t0 + kPublishIntervalNs;
    publish(t0, true);
    if (openLoop()) {
        for (size_t i = connections.size(); i-- > 0;)
            idle.push_back(i);
        dispatchDue(t0);
    } else {
        for (size_t i = 0; i < connections.size() && canIssue(t0); ++i)
            begin(i, 0, t0);
    }

    std::vector<epoll_event> events(256);
    qint64 now = t0;
    for (;;) {
        processFailures(now);
        if (stopRequested.load(std::memory_order_acquire) && !cancelled) {
            cancelled = true;
            cancelAll(now);
        }
        if (stopping && !fatal.isEmpty() && inFlight > 0)
            cancelAll(now); // a refused target: the rest would only be refused too
        if (inFlight == 0 && failed.empty() && !canIssue(now))
            break;

        const qint64 wakeAt = std::min(nextScan, nextPublish);
        const qint64 waitMs
            = wakeAt <= now ? 0 : std::min<qint64>((wakeAt - now + 999'999) / 1'000'000, 1000);
        const int n = epoll_wait(epollFd, events.data(), int(events.size()), int(waitMs));
        now = steadyNowNs();
        for (int i = 0; i < n; ++i) {
            const size_t index = size_t(events[size_t(i)].data.u64);
            if (index == wakeIndex) {
                quint64 value;
                [[maybe_unused]] const ssize_t r = ::read(wakeFd, &value, sizeof value);
            } else if (index == timerIndex) {
                quint64 expirations;
                [[maybe_unused]] const ssize_t r
                    = ::read(timerFd, &expirations, sizeof expirations);
                timerArmedFor = -1;
                dispatchDue(now);
            } else {
                onEvent(index, events[size_t(i)].events, now);
            }
        }
        processFailures(now);
        if (now >= nextScan)
            scanTimeouts(now);
        if (openLoop())
            dispatchDue(now);
        if (now >= nextPublish) {
            publish(now, true);
            nextPublish = now + kPublishIntervalNs;
        }
    }
    for (LoadConnection &c : connections)
        c.close();
    stats.closePartialSecond();
    publish(now, false);
}

} // namespace loopscope::load
