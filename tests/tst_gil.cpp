// CPython's rules on the server's C++ threads: the GIL (CPU work takes turns, the loop waits
// for it, and the trace says who waited for whom) and the processpool variant (CPU work in
// worker processes, which no GIL holds back). The throughput ratios are bench_gil's figures;
// this suite proves the mechanisms.
#include "support/hangguard.h"
#include "support/httptestclient.h"
#include "support/processstatus.h"
#include "support/rawsocket.h"
#include "support/serverfixture.h"
#include "support/traceevidence.h"

#include "core/gil.h"
#include "routes/primecount.h"
#include "trace/trace.h"

#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonObject>
#include <QTest>
#include <algorithm>
#include <atomic>
#include <future>
#include <latch>
#include <thread>
#include <unistd.h>

using namespace loopscope;
using namespace loopscope::testing;

namespace {

void setCpuVariant(quint16 port, const QByteArray &variant)
{
    const TestResponse put = fetch(port, "PUT", "/_scope/modes",
        QByteArray(R"({"route":"GET /cpu","variant":")" + variant + "\"}"));
    QVERIFY2(put.status == 200, put.body.constData());
}

void setGil(quint16 port, bool enabled)
{
    const TestResponse put = fetch(
        port, "PUT", "/_scope/gil", enabled ? R"({"enabled":true})" : R"({"enabled":false})");
    QVERIFY2(put.status == 200, put.body.constData());
}

// The worker processes this process started (their names, as /proc truncates them: 15
// characters), by pid.
QList<qint64> workerProcesses()
{
    QList<qint64> pids;
    const QString parent = QString::number(getpid());
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        QFile stat(QStringLiteral("/proc/%1/stat").arg(entry));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QString line = QString::fromLatin1(stat.readAll());
        // pid (comm) state ppid ...
        const qsizetype close = line.lastIndexOf(u')');
        const QStringList fields = line.mid(close + 2).split(u' ');
        if (line.contains(QLatin1StringView("(loopscope-cpu-w")) && fields.size() > 1
            && fields[1] == parent)
            pids << entry.toLongLong();
    }
    return pids;
}

// The GIL waits the trace shows on the jobs of `route`'s requests since `since`.
int gilWaitsOnJobs(const trace::SpanIndex &index, const QString &route, trace::Nanos since)
{
    std::vector<std::uint64_t> requests;
    for (const trace::SpanRecord *r : requestSpansSince(index, route, since))
        requests.push_back(r->span);
    int waits = 0;
    for (const trace::SpanRecord &record : index.records()) {
        if (record.kind != trace::SpanKind::Job
            || std::find(requests.begin(), requests.end(), record.parent) == requests.end())
            continue;
        for (const trace::AwaitRecord &a : record.awaits)
            waits += trace::labelText(a.label) == u"waiting for the GIL";
    }
    return waits;
}

} // namespace

class TestGil : public QObject
{
    Q_OBJECT
private slots:
    void threadsTakeTurnsUnderTheGil();
    void aForcedSwitchIsTracedAsAWaitBeforeTheNextHolderRuns();
    void withoutTheGilNothingIsHeld();
    void theLoopWaitsForTheGilAndBlamesItsHolder();
    void poolJobsWaitForTheGilOnlyWhileItIsOn();
    void processPoolCountsInWorkerProcesses();
    void processPoolKillsTheWorkerOfADepartedClient();
    void controlApiSwitchesTheGil();
    void cleanup() { Gil::process().setEnabled(true); }
};

// Two threads counting primes at once, each between checks asking whether it must let go: with
// the GIL one is inside at a time, and they hand over many times (forced switching), not once.
void TestGil::threadsTakeTurnsUnderTheGil()
{
    Gil &gil = Gil::process();
    gil.setEnabled(true);
    std::atomic<int> inside { 0 };
    std::atomic<int> mostInside { 0 };
    std::atomic<int> handOvers { 0 };
    std::atomic<int> lastCounter { -1 };
    std::atomic<qint64> primes { 0 }; // used, so the count is not optimised away
    std::latch ready(2);
    auto count = [&](int me) {
        ready.arrive_and_wait();
        Gil::Hold hold(gil, Gil::Waiter::Worker, 0, 0);
        // Long enough for several 5 ms intervals even on an idle fast core.
        for (qint64 from = 2'000'000; from < 2'400'000; from += checkSlice) {
            hold.checkpoint();
            const int now = ++inside;
            int seen = mostInside.load();
            while (now > seen && !mostInside.compare_exchange_weak(seen, now)) { }
            if (lastCounter.exchange(me) != me)
                ++handOvers;
            primes += countPrimes(from, from + checkSlice - 1);
            --inside;
        }
    };
    const std::uint64_t switchesBefore = gil.switches();
    std::thread first(count, 0);
    std::thread second(count, 1);
    first.join();
    second.join();
    QCOMPARE(mostInside.load(), 1);
    QVERIFY(primes.load() > 0);
    QVERIFY2(handOvers.load() >= 4,
        qPrintable(QStringLiteral("only %1 hand-overs between two counting threads")
                       .arg(handOvers.load())));
    QVERIFY(gil.switches() - switchesBefore >= std::uint64_t(handOvers.load()));
}

// Two traced jobs counting under the GIL: whenever one resumes, the other is traced as waiting
// already (it let go), or is about to finish (its count done). A thread that let go but still
// looked busy would draw two jobs working at once, the picture the GIL lesson says never happens.
void TestGil::aForcedSwitchIsTracedAsAWaitBeforeTheNextHolderRuns()
{
    Gil &gil = Gil::process();
    gil.setEnabled(true);
    trace::TraceHub::instance().start();
    const std::uint64_t jobs[2] = { trace::newSpanId(), trace::newSpanId() };
    std::latch ready(2);
    auto count = [&](int me) {
        ready.arrive_and_wait();
        trace::record(trace::Kind::JobStarted, jobs[me]);
        {
            Gil::Hold hold(gil, Gil::Waiter::Worker, 0, jobs[me]);
            qint64 primes = 0;
            for (qint64 from = 2'000'000; from < 2'400'000; from += checkSlice) {
                hold.checkpoint();
                primes += countPrimes(from, from + checkSlice - 1);
            }
            QVERIFY(primes > 0);
        }
        trace::record(trace::Kind::JobFinished, jobs[me]);
    };
    std::thread first(count, 0);
    std::thread second(count, 1);
    first.join();
    second.join();
    trace::TraceHub::instance().flush();
    std::vector<trace::Event> events;
    for (const trace::Event &e : trace::TraceHub::instance().retained()) {
        if (e.span == jobs[0] || e.span == jobs[1])
            events.push_back(e);
    }
    std::stable_sort(events.begin(), events.end(),
        [](const trace::Event &a, const trace::Event &b) { return a.time < b.time; });
    int handOvers = 0;
    for (std::size_t i = 0; i < events.size(); ++i) {
        if (events[i].kind != trace::Kind::AwaitResume)
            continue;
        const std::uint64_t other = events[i].span == jobs[0] ? jobs[1] : jobs[0];
        auto ofOther = [other](const trace::Event &e) { return e.span == other; };
        const auto before
            = std::find_if(events.rbegin() + qsizetype(events.size() - i), events.rend(), ofOther);
        const auto after = std::find_if(events.begin() + qsizetype(i), events.end(), ofOther);
        if (before != events.rend() && before->kind == trace::Kind::AwaitSuspend) {
            ++handOvers;
            continue;
        }
        QVERIFY2(after == events.end() || after->kind == trace::Kind::JobFinished,
            "a job resumed while the one that let the GIL go was still traced as working");
    }
    QVERIFY2(handOvers >= 4,
        qPrintable(
            QStringLiteral("only %1 traced hand-overs between two counting jobs").arg(handOvers)));
}

void TestGil::withoutTheGilNothingIsHeld()
{
    Gil &gil = Gil::process();
    gil.setEnabled(false);
    const std::uint64_t switchesBefore = gil.switches();
    {
        Gil::Hold hold(gil, Gil::Waiter::Worker, 0, 0);
        QVERIFY(!gil.heldHere());
        hold.checkpoint();
    }
    QCOMPARE(gil.switches(), switchesBefore);
    gil.setEnabled(true);
    {
        Gil::Hold hold(gil, Gil::Waiter::Worker, 0, 0);
        QVERIFY(gil.heldHere());
    }
    QVERIFY(!gil.heldHere());
}

// A count on a pool thread holds the GIL; requests dispatched meanwhile make the loop wait for
// it, and the trace charges that wait to the count's request, as a blocking call of its own.
void TestGil::theLoopWaitsForTheGilAndBlamesItsHolder()
{
    const auto host = startServer();
    setCpuVariant(host->port(), "threadpool");
    const trace::Nanos since = trace::nowNs();
    auto cpu = std::async(std::launch::async,
        [port = host->port()] { return fetch(port, "GET", "/cpu?n=3000000", {}, 60000); });
    int served = 0;
    while (cpu.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready) {
        QCOMPARE(fetch(host->port(), "GET", "/async?delay=0").status, 200);
        ++served;
    }
    QCOMPARE(cpu.get().status, 200);

    const trace::SpanIndex index = retainedSpans();
    const auto counts = requestSpansSince(index, QStringLiteral("GET /cpu"), since);
    QCOMPARE(counts.size(), std::size_t(1));
    const std::vector<Interval> jobs
        = jobIntervalsSince(index, QStringLiteral("count primes (CPU)"), since);
    QCOMPARE(jobs.size(), std::size_t(1));
    // Requests whose handler started while the count ran: the loop needed the GIL for each.
    int dispatchedDuringCount = 0;
    for (const trace::SpanRecord *r : requestSpansSince(index, QStringLiteral("GET /async"), since))
        dispatchedDuringCount += r->started > jobs[0].first && r->started < jobs[0].second;
    QVERIFY2(dispatchedDuringCount > 0, "no request was served while the count ran");
    int loopWaits = 0;
    for (const trace::BlockingRecord &b : counts[0]->blocking)
        loopWaits += trace::labelText(b.label) == u"loop waits for the GIL";
    QVERIFY2(loopWaits > 0,
        qPrintable(QStringLiteral("%1 requests served during the count, none waited for its GIL")
                       .arg(dispatchedDuringCount)));
    // And only while the count held it: each wait began during its job (it ends when the loop
    // thread wakes with the lock, which may be just after the job let it go and ended).
    for (const trace::BlockingRecord &b : counts[0]->blocking) {
        QVERIFY(b.begin >= jobs[0].first);
        QVERIFY(b.begin < jobs[0].second);
    }
}

void TestGil::poolJobsWaitForTheGilOnlyWhileItIsOn()
{
    const auto host = startServer();
    setCpuVariant(host->port(), "threadpool");
    const trace::Nanos withGil = trace::nowNs();
    for (const TestResponse &r : fetchConcurrently(host->port(), "GET", "/cpu?n=1000000", 2))
        QCOMPARE(r.status, 200);
    QVERIFY(gilWaitsOnJobs(retainedSpans(), QStringLiteral("GET /cpu"), withGil) > 0);

    setGil(host->port(), false);
    const trace::Nanos withoutGil = trace::nowNs();
    for (const TestResponse &r : fetchConcurrently(host->port(), "GET", "/cpu?n=1000000", 2))
        QCOMPARE(r.status, 200);
    QCOMPARE(gilWaitsOnJobs(retainedSpans(), QStringLiteral("GET /cpu"), withoutGil), 0);
}

void TestGil::processPoolCountsInWorkerProcesses()
{
    const auto host = startServer();
    setCpuVariant(host->port(), "processpool");
    const trace::Nanos since = trace::nowNs();
    const TestResponse response = fetch(host->port(), "GET", "/cpu?n=100000");
    QCOMPARE(response.status, 200);
    const QJsonObject body = response.json().object();
    QCOMPARE(body.value(u"primes").toInteger(), 9592); // π(100000)
    QCOMPARE(body.value(u"variant").toString(), QStringLiteral("processpool"));
    QCOMPARE(workerProcesses().size(), 1); // one process per call in flight, kept for the next

    const trace::SpanIndex index = retainedSpans();
    int jobs = 0;
    for (const trace::SpanRecord &record : index.records()) {
        if (record.kind == trace::SpanKind::Job && record.started >= since
            && trace::labelText(record.label) == u"count primes (CPU)") {
            ++jobs;
            QCOMPARE(trace::threadName(record.workerThread), QStringLiteral("process pool"));
            QVERIFY(record.awaits.empty()); // a process holds no GIL of ours
        }
    }
    QCOMPARE(jobs, 1);
}

// A count nobody awaits any more must not hold a core: its worker process is killed, and the
// next call gets a new one.
void TestGil::processPoolKillsTheWorkerOfADepartedClient()
{
    const auto host = startServer();
    setCpuVariant(host->port(), "processpool");
    QCOMPARE(fetch(host->port(), "GET", "/cpu?n=1000").status, 200);
    QCOMPARE(workerProcesses().size(), 1);
    // Each pool thread has a process of its own, and which thread takes the next call is the
    // thread pool's choice (on a busy machine, often not the one that took the last): the
    // worker that counts is the one whose CPU time grows, whichever it is.
    QHash<qint64, double> cpuAtSend;
    for (const qint64 pid : workerProcesses())
        cpuAtSend.insert(pid, cpuSeconds(pid));
    const auto countingWorker = [&cpuAtSend] {
        for (const qint64 pid : workerProcesses()) {
            if (cpuSeconds(pid) > cpuAtSend.value(pid, 0.0) + 0.05)
                return pid;
        }
        return qint64(0);
    };
    qint64 counting = 0;
    {
        // About 10 s of counting; the client leaves (a reset) once the worker is seen counting.
        RawSocket client(host->port());
        QVERIFY(client.isConnected());
        QVERIFY(client.send("GET /cpu?n=20000000 HTTP/1.1\r\nHost: t\r\n\r\n"));
        QTRY_VERIFY_WITH_TIMEOUT((counting = countingWorker()) != 0, hangGuardMs(30000));
        client.reset();
    }
    QTRY_VERIFY_WITH_TIMEOUT(!workerProcesses().contains(counting), hangGuardMs(30000));
    const TestResponse next = fetch(host->port(), "GET", "/cpu?n=1000");
    QCOMPARE(next.status, 200);
    QCOMPARE(next.json().object().value(u"primes").toInteger(), 168);
}

void TestGil::controlApiSwitchesTheGil()
{
    const auto host = startServer();
    QCOMPARE(fetch(host->port(), "GET", "/_scope/gil").json().object().value(u"enabled"),
        QJsonValue(true));
    setGil(host->port(), false);
    QVERIFY(!Gil::process().enabled());
    QCOMPARE(fetch(host->port(), "GET", "/_scope/gil").json().object().value(u"enabled"),
        QJsonValue(false));
    const TestResponse refused = fetch(host->port(), "PUT", "/_scope/gil", R"({"enabled":"no"})");
    QCOMPARE(refused.status, 422);
    QVERIFY(!Gil::process().enabled());
    ServerConfig off;
    off.gil = false;
    Gil::process().setEnabled(true);
    const auto second = startServer(off);
    QVERIFY(!Gil::process().enabled()); // --gil off
}

QTEST_GUILESS_MAIN(TestGil)
#include "tst_gil.moc"
