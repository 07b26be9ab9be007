// Cost of recording a trace event and throughput of the collector.
// Prints `name: value unit` lines; peers measured in the same run: the clock read
// alone (the floor of any timestamped record) and a mutex-guarded vector (what
// a naive shared buffer costs under contention).

#include "ringregistry.h"
#include "trace.h"
#include "tracehub.h"

#include <QtCore/QElapsedTimer>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <thread>
#include <vector>

using namespace loopscope::trace;

namespace {

constexpr std::size_t kRing = 1 << 16;
constexpr int kBurst = 1 << 15; // half a ring: recording never hits a full ring

void print(const char *name, double value, const char *unit)
{
    std::printf("%s: %.2f %s\n", name, value, unit);
    std::fflush(stdout);
}

// Timed bursts that fit in the ring, the drain between them untimed: the
// producer's own cost, not the collector's.
double recordNsPerCall(int bursts)
{
    setRingCapacity(kRing);
    const std::uint32_t lbl = label("bench");
    const std::uint64_t span = newSpanId();
    qint64 ns = 0;
    for (int b = 0; b < bursts; ++b) {
        QElapsedTimer timer;
        timer.start();
        for (int i = 0; i < kBurst; ++i)
            record(Kind::AwaitSuspend, span, lbl, 0, i);
        ns += timer.nsecsElapsed();
        TraceHub::instance().flush();
    }
    return double(ns) / (double(bursts) * kBurst);
}

double clockNsPerCall(int calls)
{
    QElapsedTimer timer;
    timer.start();
    Nanos sink = 0;
    for (int i = 0; i < calls; ++i)
        sink += nowNs();
    const double ns = double(timer.nsecsElapsed()) / calls;
    if (sink == 42)
        std::puts("");
    return ns;
}

// Several producers at once, each burst fitting in its ring, drains untimed in
// between: contention cost (the shared span counter, cache traffic) without drops.
double recordThreadedBursts(int threads, int rounds)
{
    std::atomic<qint64> totalNs { 0 };
    std::atomic<int> arrived { 0 };
    std::atomic<int> generation { 0 };
    std::vector<std::thread> producers;
    for (int t = 0; t < threads; ++t)
        producers.emplace_back([&] {
            setRingCapacity(kRing);
            const std::uint64_t span = newSpanId();
            for (int r = 0; r < rounds; ++r) {
                while (generation.load() != r)
                    std::this_thread::yield();
                QElapsedTimer timer;
                timer.start();
                for (int i = 0; i < kBurst; ++i)
                    record(Kind::AwaitResume, span, 0, 0, i);
                totalNs.fetch_add(timer.nsecsElapsed());
                arrived.fetch_add(1);
            }
        });
    for (int r = 0; r < rounds; ++r) {
        while (arrived.load() < (r + 1) * threads)
            std::this_thread::yield();
        TraceHub::instance().flush();
        generation.store(r + 1);
    }
    for (auto &p : producers)
        p.join();
    TraceHub::instance().flush();
    return double(totalNs.load()) / (double(threads) * rounds * kBurst);
}

// Several producers recording flat out while the hub's collector drains them.
struct ThreadedResult
{
    double nsPerCall;
    double dropRate;
};
ThreadedResult recordThreaded(int threads, int perThread)
{
    const std::uint64_t droppedBefore = TraceHub::instance().droppedEvents();
    std::atomic<qint64> totalNs { 0 };
    std::atomic<int> ready { 0 };
    std::vector<std::thread> producers;
    for (int t = 0; t < threads; ++t)
        producers.emplace_back([&] {
            setRingCapacity(kRing);
            const std::uint64_t span = newSpanId();
            ready.fetch_add(1);
            while (ready.load() < threads)
                std::this_thread::yield();
            QElapsedTimer timer;
            timer.start();
            for (int i = 0; i < perThread; ++i)
                record(Kind::AwaitResume, span, 0, 0, i);
            totalNs.fetch_add(timer.nsecsElapsed());
        });
    for (auto &p : producers)
        p.join();
    const double dropped = double(TraceHub::instance().droppedEvents() - droppedBefore);
    return { double(totalNs.load()) / (double(threads) * perThread),
        dropped / (double(threads) * perThread) };
}

double mutexVectorNsPerCall(int threads, int perThread)
{
    std::mutex mutex;
    std::vector<Event> shared;
    shared.reserve(std::size_t(threads) * perThread);
    std::atomic<qint64> totalNs { 0 };
    std::vector<std::thread> producers;
    for (int t = 0; t < threads; ++t)
        producers.emplace_back([&] {
            QElapsedTimer timer;
            timer.start();
            for (int i = 0; i < perThread; ++i) {
                const Event e { nowNs(), 1, 0, i, 0, 0, Kind::AwaitResume, 0, {} };
                const std::lock_guard lock(mutex);
                shared.push_back(e);
            }
            totalNs.fetch_add(timer.nsecsElapsed());
        });
    for (auto &p : producers)
        p.join();
    return double(totalNs.load()) / (double(threads) * perThread);
}

// Fill several rings, then time one flush: drain + merge + window + metrics +
// one subscriber.
double drainEventsPerSecond(int threads)
{
    TraceHub &hub = TraceHub::instance();
    const auto subscription = hub.subscribe(std::size_t(threads) * kBurst);
    std::vector<std::thread> producers;
    std::atomic<int> filled { 0 };
    std::atomic<bool> release { false };
    for (int t = 0; t < threads; ++t)
        producers.emplace_back([&] {
            setRingCapacity(kRing);
            const std::uint64_t span = newSpanId();
            for (int i = 0; i < kBurst; ++i)
                record(Kind::AwaitResume, span, 0, 0, i);
            filled.fetch_add(1);
            while (!release.load())
                std::this_thread::yield(); // keep the ring owned while it is drained
        });
    while (filled.load() < threads)
        std::this_thread::yield();
    QElapsedTimer timer;
    timer.start();
    hub.flush();
    const qint64 ns = timer.nsecsElapsed();
    release.store(true);
    for (auto &p : producers)
        p.join();
    std::vector<Event> sink;
    subscription->drain(sink);
    return double(sink.size()) / (double(ns) / 1e9);
}

} // namespace

int main()
{
    setThreadName(QStringLiteral("bench main"));
    TraceHub &hub = TraceHub::instance();
    hub.setRetainedCapacity(1 << 20);

    const double clockNs = clockNsPerCall(2'000'000);
    print("clock_read_ns", clockNs, "ns/call");
    const double single = recordNsPerCall(60);
    print("record_single_thread", single, "ns/call");
    print("record_single_thread_vs_clock_read", single / clockNs, "x");

    const double fourBursts = recordThreadedBursts(4, 15);
    print("record_4_threads", fourBursts, "ns/call");
    const double naive = mutexVectorNsPerCall(4, 2'000'000);
    print("mutex_vector_4_threads", naive, "ns/call");
    print("record_4_threads_vs_mutex_vector", fourBursts / naive, "x");

    hub.start(); // the collector competes for the cores, as it does in the app
    const ThreadedResult flatOut = recordThreaded(4, 2'000'000);
    print("record_4_threads_flat_out", flatOut.nsPerCall, "ns/call");
    print("record_4_threads_flat_out_dropped", flatOut.dropRate * 100, "%");
    hub.stop();

    hub.flush();
    double best = 0;
    for (int i = 0; i < 5; ++i)
        best = std::max(best, drainEventsPerSecond(4));
    print("drain_4_rings", best / 1e6, "Mevents/s");
    return 0;
}
