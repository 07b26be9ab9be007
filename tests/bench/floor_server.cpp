// floor_server: the least an HTTP server can do on this machine, as a floor to measure
// Loopscope and FastAPI+uvicorn against in bench_server. No Qt, no threads: one epoll loop,
// a non-blocking listener, a 1 ms timerfd for delayed answers and a signalfd for SIGTERM.
//  GET /async?delay=S   answers after S seconds (default 2), like Loopscope's /async
//  GET /_floor/accepts  the largest run of accepts since the previous such request, each less than
//                       100 ms after the one before: its size and its first-to-last time
//  GET anything else    answers at once with a fixed JSON body (for wrk on /products/1)
// Only the request line and Connection header count; bodies are not read, so anything but GET is
// answered 405 and closed.
// Usage: floor_server --port P   (prints nothing on success; exits 0 on SIGTERM or SIGINT)
#include <algorithm>
#include <arpa/inet.h>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <netinet/in.h>
#include <queue>
#include <string>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <utility>
#include <vector>

namespace {

struct Connection
{
    std::uint64_t generation = 0; // 0: closed; else tells a due answer its descriptor's owner
    bool waiting = false; // a delayed answer is pending; further input stays buffered
    bool keepAlive = false;
    bool wantsWrite = false; // EPOLLOUT is in the interest set
    std::string input;
    std::string output; // what a full socket buffer did not take yet
};

struct DueAnswer
{
    std::int64_t dueNs;
    int fd;
    std::uint64_t generation;
    bool operator>(const DueAnswer &other) const { return dueNs > other.dueNs; }
};

std::vector<Connection> connections; // indexed by descriptor
std::priority_queue<DueAnswer, std::vector<DueAnswer>, std::greater<>> dueAnswers;
std::uint64_t nextGeneration = 1;
int epollFd = -1;
int timerFd = -1;
bool timerArmed = false;
// How fast the loop drained a burst from the kernel's queue, for /_floor/accepts. A run, not all
// accepts since the last report: ab makes one request alone before its burst, and SYNs the kernel
// dropped come back a second later; either would stretch a first-to-last time.
struct AcceptRun
{
    std::uint64_t count = 0;
    std::int64_t firstNs = 0, lastNs = 0;
};
AcceptRun currentRun, largestRun;

std::int64_t nowNs()
{
    timespec ts {};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

void watch(int operation, int fd, unsigned events)
{
    epoll_event event { .events = events, .data = { .fd = fd } };
    epoll_ctl(epollFd, operation, fd, &event);
}

// The timer ticks only while answers are pending, so an idle or wrk-only server never wakes.
void armTimer(bool on)
{
    if (on == timerArmed)
        return;
    itimerspec spec {};
    if (on)
        spec.it_interval.tv_nsec = spec.it_value.tv_nsec = 1'000'000;
    timerfd_settime(timerFd, 0, &spec, nullptr);
    timerArmed = on;
}

void closeConnection(int fd)
{
    connections[fd] = Connection {}; // epoll forgets a descriptor when it is closed
    close(fd);
}

// Sends what fits; the rest waits for EPOLLOUT. False when the connection was closed.
bool flush(int fd)
{
    Connection &c = connections[fd];
    while (!c.output.empty()) {
        const ssize_t n = send(fd, c.output.data(), c.output.size(), MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) {
            closeConnection(fd);
            return false;
        }
        c.output.erase(0, size_t(n));
    }
    if (c.wantsWrite == c.output.empty()) { // changed only when it must: a syscall per answer
        c.wantsWrite = !c.output.empty();
        watch(EPOLL_CTL_MOD, fd, EPOLLIN | (c.wantsWrite ? unsigned(EPOLLOUT) : 0u));
    }
    if (c.output.empty() && !c.keepAlive) {
        closeConnection(fd);
        return false;
    }
    return true;
}

bool respond(int fd, const char *status, const std::string &body)
{
    Connection &c = connections[fd];
    c.output += std::string("HTTP/1.1 ") + status
        + "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size())
        + (c.keepAlive ? "\r\nConnection: keep-alive\r\n\r\n" : "\r\nConnection: close\r\n\r\n")
        + body;
    return flush(fd);
}

// Handles every complete request in the buffer until one must wait or the connection closes.
void handleInput(int fd)
{
    Connection &c = connections[fd];
    while (!c.waiting) {
        const size_t end = c.input.find("\r\n\r\n");
        if (end == std::string::npos) {
            if (c.input.size() > 65536) // no header is that long: not a client we serve
                closeConnection(fd);
            return;
        }
        std::string head = c.input.substr(0, end);
        c.input.erase(0, end + 4);
        std::transform(head.begin(), head.end(), head.begin(),
            [](unsigned char ch) { return char(std::tolower(ch)); });
        const std::string line = head.substr(0, head.find("\r\n"));
        // HTTP/1.1 keeps the connection unless told otherwise; 1.0 (ab without -k) the reverse.
        c.keepAlive = line.ends_with("http/1.1") ? head.find("connection: close") == head.npos
                                                 : head.find("connection: keep-alive") != head.npos;
        const size_t pathStart = line.find(' ') + 1;
        const std::string target = line.substr(pathStart, line.rfind(' ') - pathStart);
        const std::string path = target.substr(0, target.find('?'));
        bool stillOpen = true;
        if (!line.starts_with("get ")) {
            c.keepAlive = false; // a body we do not read would be taken for the next request
            stillOpen = respond(fd, "405 Method Not Allowed", R"({"detail":"GET only"})");
        } else if (path == "/async") {
            const size_t delayAt = target.find("delay=");
            const double asked
                = delayAt == target.npos ? 2.0 : std::strtod(target.c_str() + delayAt + 6, nullptr);
            const double seconds = std::fmin(std::fmax(asked, 0.0), 3600.0); // NaN becomes 0
            c.waiting = true;
            dueAnswers.push({ nowNs() + std::int64_t(seconds * 1e9), fd, c.generation });
            armTimer(true);
        } else if (path == "/_floor/accepts") {
            const AcceptRun run = std::exchange(largestRun, {});
            stillOpen = respond(fd, "200 OK",
                R"({"accepted":)" + std::to_string(run.count) + R"(,"span_s":)"
                    + std::to_string(double(run.lastNs - run.firstNs) / 1e9) + "}");
        } else {
            // About the size of Loopscope's product, so wrk moves comparable bytes.
            stillOpen = respond(fd, "200 OK", R"({"id":1,"name":"lamp","price":9.5})");
        }
        if (!stillOpen)
            return;
    }
}

void readInput(int fd)
{
    char buffer[16384];
    for (;;) {
        const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (n <= 0) { // the peer hung up (or failed): a pending answer is dropped with it
            closeConnection(fd);
            return;
        }
        connections[fd].input.append(buffer, size_t(n));
    }
    handleInput(fd);
}

void answerDue()
{
    std::uint64_t ticks = 0;
    [[maybe_unused]] const ssize_t n = read(timerFd, &ticks, sizeof ticks);
    const std::int64_t now = nowNs();
    while (!dueAnswers.empty() && dueAnswers.top().dueNs <= now) {
        const DueAnswer due = dueAnswers.top();
        dueAnswers.pop();
        Connection &c = connections[due.fd];
        if (c.generation != due.generation)
            continue; // closed (and perhaps reused) while it waited
        c.waiting = false;
        if (respond(due.fd, "200 OK", R"({"message":"Async endpoint completed"})"))
            handleInput(due.fd); // a request that arrived behind this one
    }
    armTimer(!dueAnswers.empty());
}

// Level-triggered: a burst is taken in one go. Out of descriptors (EMFILE), the rest stay queued
// and the loop spins until one frees; bench_server raises the limit so that a burst fits.
void acceptAll(int listenFd)
{
    for (;;) {
        const int fd = accept4(listenFd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            return;
        const std::int64_t now = nowNs();
        if (now - currentRun.lastNs > 100'000'000)
            currentRun = { 0, now, now };
        currentRun.count++;
        currentRun.lastNs = now;
        if (currentRun.count > largestRun.count)
            largestRun = currentRun;
        if (size_t(fd) >= connections.size())
            connections.resize(size_t(fd) * 2 + 1);
        connections[fd].generation = nextGeneration++; // closeConnection left it cleared
        watch(EPOLL_CTL_ADD, fd, EPOLLIN);
    }
}

} // namespace

int main(int argc, char **argv)
{
    const int port = argc == 3 && std::strcmp(argv[1], "--port") == 0 ? std::atoi(argv[2]) : 0;
    if (port <= 0 || port > 65535) {
        std::fprintf(stderr, "usage: floor_server --port P\n");
        return 2;
    }
    // SIGTERM arrives through the loop, so the exit is a normal return. (bench_server raises the
    // open-file limit that 10,000 connections need; children inherit it.)
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    for (const int signal : { SIGTERM, SIGINT })
        sigaddset(&stopSignals, signal);
    sigprocmask(SIG_BLOCK, &stopSignals, nullptr);
    const int signalFd = signalfd(-1, &stopSignals, SFD_NONBLOCK | SFD_CLOEXEC);

    const int listenFd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int yes = 1;
    setsockopt(listenFd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    sockaddr_in address { .sin_family = AF_INET,
        .sin_port = htons(std::uint16_t(port)),
        .sin_addr = { htonl(INADDR_LOOPBACK) },
        .sin_zero = {} };
    // The backlog Loopscope asks for; the kernel silently caps it at net.core.somaxconn.
    constexpr int backlog = 4096;
    if (bind(listenFd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0
        || listen(listenFd, backlog) != 0) {
        std::fprintf(stderr, "floor_server: port %d: %s\n", port, std::strerror(errno));
        return 1;
    }
    epollFd = epoll_create1(EPOLL_CLOEXEC);
    timerFd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    for (const int fd : { listenFd, timerFd, signalFd })
        watch(EPOLL_CTL_ADD, fd, EPOLLIN);

    std::vector<epoll_event> events(1024);
    for (;;) {
        const int ready = epoll_wait(epollFd, events.data(), int(events.size()), -1);
        for (int i = 0; i < ready; ++i) {
            const int fd = events[i].data.fd;
            if (fd == signalFd)
                return 0;
            if (fd == listenFd)
                acceptAll(listenFd);
            else if (fd == timerFd)
                answerDue();
            else if (size_t(fd) < connections.size() && connections[fd].generation) {
                // Output pending, not just EPOLLOUT: the event may be stale, for a connection
                // closed earlier in this batch whose descriptor accept4 has since reused.
                if ((events[i].events & EPOLLOUT) && !connections[fd].output.empty())
                    flush(fd);
                if (connections[fd].generation
                    && (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP)))
                    readInput(fd);
            }
        }
    }
}
