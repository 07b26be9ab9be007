// bench_load: how much CPU the built-in load generator spends per request,
// next to wrk against the same target in the same run, what its X-Loopscope-Sent
// header costs (runs with and without it, alternated), and whether its memory
// stays flat over a long run.
//
// The target is the test fixture server with no delay, run as a child process
// (`bench_load --serve`), so getrusage(RUSAGE_SELF) here counts the generator
// only and wait4() on wrk counts wrk only. Loopback only, bounded in count and time.
//
//   bench_load [--seconds S] [--connections C] [--requests N]
#include "fixeddelayserver.h"
#include "loadengine.h"
#include "support/processstatus.h"

#include <QCoreApplication>
#include <QFile>
#include <QStringList>

#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

using namespace std::chrono_literals;
using namespace loopscope::load;

namespace {

double cpuSeconds(const rusage &u)
{
    return double(u.ru_utime.tv_sec) + double(u.ru_utime.tv_usec) / 1e6 + double(u.ru_stime.tv_sec)
        + double(u.ru_stime.tv_usec) / 1e6;
}

double selfCpuSeconds()
{
    rusage u {};
    getrusage(RUSAGE_SELF, &u);
    return cpuSeconds(u);
}

void figure(const char *name, double value, const char *unit, int decimals = 0)
{
    std::printf("%s: %.*f %s\n", name, decimals, value, unit);
    std::fflush(stdout);
}

// Spawns argv with stdout on a pipe; returns the pid and the pipe's read end.
pid_t spawn(const std::vector<std::string> &args, int *readFd)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    std::vector<char *> argv;
    for (const std::string &a : args)
        argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    pid_t pid = -1;
    if (posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0)
        pid = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    *readFd = fds[0];
    return pid;
}

std::string readAll(int fd)
{
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0)
        out.append(buf, size_t(n));
    return out;
}

std::string readLine(int fd)
{
    std::string line;
    char c;
    while (read(fd, &c, 1) == 1 && c != '\n')
        line += c;
    return line;
}

LoadResult runPlan(const LoadPlan &plan)
{
    LoadEngine engine(plan);
    LoadResult result;
    std::thread worker([&] { result = engine.run(); });
    worker.join();
    return result;
}

int serve()
{
    loopscope::testsupport::FixedDelayServer server;
    server.setRecordRequests(false);
    if (!server.start())
        return 1;
    std::printf("port %u\n", unsigned(server.port()));
    std::fflush(stdout);
    // The parent ends us with SIGTERM; until then the server thread does the work.
    return QCoreApplication::exec();
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.contains(QStringLiteral("--serve")))
        return serve();

    auto option = [&](const char *name, double fallback) {
        const qsizetype i = args.indexOf(QString::fromLatin1(name));
        return i >= 0 && i + 1 < args.size() ? args[i + 1].toDouble() : fallback;
    };
    const double seconds = option("--seconds", 5);
    const int connections = int(option("--connections", 50));
    const qint64 longRun = qint64(option("--requests", 1'000'000));

    int serverOut = -1;
    const pid_t server = spawn({ "/proc/self/exe", "--serve" }, &serverOut);
    const std::string portLine = server > 0 ? readLine(serverOut) : std::string();
    const quint16 port = quint16(std::atoi(portLine.c_str() + (portLine.size() > 5 ? 5 : 0)));
    if (server <= 0 || port == 0) {
        std::fprintf(stderr, "bench_load: could not start the target server\n");
        return 1;
    }
    std::printf("target: fixture server (0 ms delay) in child process, http://127.0.0.1:%u/\n",
        unsigned(port));

    LoadPlan plan;
    plan.host = QStringLiteral("127.0.0.1");
    plan.port = port;
    plan.concurrency = connections;
    plan.keepAlive = true;
    plan.maxRecords = 0;

    // Warm-up: connections, page cache, CPU frequency.
    plan.duration = 500ms;
    runPlan(plan);

    plan.duration = std::chrono::nanoseconds(qint64(seconds * 1e9));
    double cpuBefore = selfCpuSeconds();
    const LoadResult ours = runPlan(plan);
    const double ourCpu = selfCpuSeconds() - cpuBefore;
    if (!ours) {
        std::fprintf(stderr, "bench_load: %s\n", qPrintable(ours.message()));
        kill(server, SIGTERM);
        waitpid(server, nullptr, 0);
        return 1;
    }
    const double ourPerCpu = ourCpu > 0 ? double(ours.completed) / ourCpu : 0;
    figure("loopscope_requests", double(ours.completed), "req");
    figure("loopscope_failed", double(ours.failed), "req");
    figure("loopscope_rps", ours.requestsPerSecond(), "req/s");
    figure("loopscope_cpu_s", ourCpu, "s", 3);
    figure("loopscope_rps_per_cpu_s", ourPerCpu, "req/cpu-s");
    figure("loopscope_p99", double(ours.latency.valueAtPercentile(99)) / 1e3, "us");

    // The send-time header against the same generator without it: alternated, so
    // a neighbour's load on the shared machine hits both alike.
    struct Tally
    {
        qint64 completed = 0;
        double cpu = 0;
        double perCpu() const { return cpu > 0 ? double(completed) / cpu : 0; }
    };
    Tally withHeader;
    Tally withoutHeader;
    plan.duration = std::chrono::nanoseconds(qint64(seconds * 1e9 / 2));
    for (int round = 0; round < 3; ++round) {
        for (const bool header : { false, true }) {
            plan.sendSentTime = header;
            cpuBefore = selfCpuSeconds();
            const LoadResult run = runPlan(plan);
            Tally &tally = header ? withHeader : withoutHeader;
            tally.cpu += selfCpuSeconds() - cpuBefore;
            tally.completed += run.completed;
        }
    }
    plan.sendSentTime = true;
    figure("no_sent_header_rps_per_cpu_s", withoutHeader.perCpu(), "req/cpu-s");
    figure("sent_header_rps_per_cpu_s", withHeader.perCpu(), "req/cpu-s");
    figure("sent_header_vs_none", withHeader.perCpu() / withoutHeader.perCpu(), "x", 3);

    // wrk against the same target, same connections and duration.
    int wrkOut = -1;
    const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
    const std::string duration = std::to_string(int(seconds)) + "s";
    const pid_t wrk = spawn(
        { "wrk", "-t1", "-c" + std::to_string(connections), "-d" + duration, url }, &wrkOut);
    double wrkPerCpu = 0;
    if (wrk > 0) {
        const std::string out = readAll(wrkOut);
        int status = 0;
        rusage usage {};
        wait4(wrk, &status, 0, &usage);
        const double wrkCpu = cpuSeconds(usage);
        long requests = 0;
        const size_t at = out.find(" requests in ");
        if (at != std::string::npos) {
            size_t begin = out.rfind('\n', at);
            requests = std::atol(out.c_str() + (begin == std::string::npos ? 0 : begin + 1));
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && requests > 0 && wrkCpu > 0) {
            wrkPerCpu = double(requests) / wrkCpu;
            figure("wrk_requests", double(requests), "req");
            figure("wrk_cpu_s", wrkCpu, "s", 3);
            figure("wrk_rps", double(requests) / seconds, "req/s");
            figure("wrk_rps_per_cpu_s", wrkPerCpu, "req/cpu-s");
            figure("ratio_vs_wrk", ourPerCpu / wrkPerCpu, "x", 2);
        } else {
            std::printf("wrk_rps_per_cpu_s: n/a (wrk failed)\n");
        }
        close(wrkOut);
    } else {
        std::printf("wrk_rps_per_cpu_s: n/a (wrk not found)\n");
    }

    // Memory flatness: a run a tenth the size, then the long one. With records
    // off (maxRecords = 0) everything the run keeps is fixed-size, so the long
    // run must not leave the process bigger than the short one did.
    plan.duration = std::chrono::nanoseconds(0);
    plan.totalRequests = std::max<qint64>(1, longRun / 10);
    const long rssStart = loopscope::testing::rssKb(QCoreApplication::applicationPid());
    runPlan(plan);
    const long rssShort = loopscope::testing::rssKb(QCoreApplication::applicationPid());
    plan.totalRequests = longRun;
    cpuBefore = selfCpuSeconds();
    const LoadResult big = runPlan(plan);
    const double bigCpu = selfCpuSeconds() - cpuBefore;
    const long rssLong = loopscope::testing::rssKb(QCoreApplication::applicationPid());
    figure("memory_run_requests", double(big.completed), "req");
    figure(
        "memory_run_rps_per_cpu_s", bigCpu > 0 ? double(big.completed) / bigCpu : 0, "req/cpu-s");
    figure("rss_before_kb", double(rssStart), "KiB");
    figure("rss_after_short_run_kb", double(rssShort), "KiB");
    figure("rss_after_long_run_kb", double(rssLong), "KiB");
    figure("rss_growth_long_vs_short_kb", double(rssLong - rssShort), "KiB");

    kill(server, SIGTERM);
    waitpid(server, nullptr, 0);
    close(serverOut);
    return 0;
}
