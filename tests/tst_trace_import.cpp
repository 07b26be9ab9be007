// The Chrome trace JSON that /_scope/trace exports opens as a recording: read back from a live
// server's export it draws the same requests and stalls as the live timeline did, and any JSON
// the exporter does not write is refused with the file's name and the problem, never a crash.

#include "chrometracereader.h"
#include "recordingwriter.h"
#include "support/httptestclient.h"
#include "support/serverfixture.h"
#include "timelinemodel.h"
#include "trace/sessionclock.h"
#include "trace/tracehub.h"

#include <QtCore/QFile>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

using namespace loopscope;
using namespace loopscope::testing;

namespace {

QString writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return file.errorString();
    return {};
}

// A valid export's frame around the given events.
QByteArray exportOf(const QByteArray &events)
{
    return "{\"traceEvents\":[" + events
        + "],\"otherData\":{\"time_origin_steady_ns\":1000000000}}";
}

const viz::TimelineSpan *byRequestId(const viz::TimelineModel &model, const QByteArray &id)
{
    for (const std::uint64_t span : model.requestOrder()) {
        const viz::TimelineSpan *s = model.find(span);
        if (s && s->requestId == id)
            return s;
    }
    return nullptr;
}

} // namespace

class TestTraceImport : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void liveExportDrawsTheSameTimeline();
    void badExports_data();
    void badExports();
    void damagedExportsNeverCrash();
    void recordingsStillOpen();

private:
    QTemporaryDir m_dir;
};

void TestTraceImport::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

void TestTraceImport::liveExportDrawsTheSameTimeline()
{
    // Async requests, blocking ones that stall the loop with victims unread in their sockets,
    // thread-pool ones with their jobs, and a background task; then the server's own export.
    viz::TimelineModel live;
    live.attach(trace::TraceHub::instance().subscribe(1 << 20));
    const auto host = startServer();
    QCOMPARE(fetchConcurrently(host->port(), "GET", "/async?delay=0.3", 5, 30000, "a").size(), 5);
    QCOMPARE(host->modes().set(QStringLiteral("GET /async"), QStringLiteral("blocking")),
        ModeTable::SetResult::Ok);
    QCOMPARE(
        fetchConcurrently(host->port(), "GET", "/async?delay=0.2", 4, 30000, "b", true).size(), 4);
    QCOMPARE(host->modes().set(QStringLiteral("GET /async"), QStringLiteral("threadpool")),
        ModeTable::SetResult::Ok);
    QCOMPARE(fetchConcurrently(host->port(), "GET", "/async?delay=0.1", 3, 30000, "c").size(), 3);
    QCOMPARE(fetch(host->port(), "GET", "/start-task").status, 200);
    // The live model has drained all of it first: the twelve requests and the task's (the
    // server gives it an id) answered and closed, every stall over and attributed.
    QTRY_VERIFY(std::count_if(live.requestOrder().begin(), live.requestOrder().end(),
                    [&](std::uint64_t id) {
                        const viz::TimelineSpan *s = live.find(id);
                        return s && !s->requestId.isEmpty() && !s->isOpen() && s->written;
                    })
            == 13
        && !live.stalls().empty()
        && std::none_of(live.stalls().begin(), live.stalls().end(),
            [](const viz::LoopStall &s) { return s.isOpen(); }));
    const TestResponse exported = fetch(host->port(), "GET", "/_scope/trace", {}, 60000);
    QCOMPARE(exported.status, 200);
    live.detach();
    const QString path = m_dir.filePath(QStringLiteral("live.json"));
    QCOMPARE(writeFile(path, exported.body), QString());

    recording::ReadResult read = recording::readRecordingOrTrace(path);
    QVERIFY2(read, qPrintable(read.message()));
    QCOMPARE(read.recording.origin, trace::sessionOrigin());
    read.recording.rebase(trace::sessionOrigin());
    viz::TimelineModel opened;
    opened.setThreadNameResolver(
        [r = &read.recording](std::uint32_t thread) { return r->threadName(thread); });
    opened.ingest(read.recording.events);

    // The requests sent with an id, each as it was live.
    int compared = 0;
    viz::Nanos lastClosed = 0;
    for (const std::uint64_t span : live.requestOrder()) {
        const viz::TimelineSpan *a = live.find(span);
        QVERIFY(a);
        if (a->requestId.isEmpty())
            continue; // the export's own request, open while it was written
        const viz::TimelineSpan *b = byRequestId(opened, a->requestId.toByteArray());
        const QByteArray what = a->requestId.toByteArray();
        QVERIFY2(b, what.constData());
        QCOMPARE(b->id, a->id);
        QCOMPARE(b->begin, a->begin);
        QCOMPARE(b->accepted, a->accepted);
        QCOMPARE(b->started, a->started);
        QCOMPARE(b->written, a->written);
        QCOMPARE(b->end, a->end);
        QCOMPARE(viz::TimelineModel::labelText(b->label), viz::TimelineModel::labelText(a->label));
        QCOMPARE(b->variant, a->variant);
        QCOMPARE(b->status, a->status);
        QCOMPARE(b->bytes, a->bytes);
        QCOMPARE(b->issuedBy, a->issuedBy);
        QCOMPARE(b->lane, a->lane);
        QCOMPARE(b->segments.size(), a->segments.size());
        for (qsizetype s = 0; s < a->segments.size(); ++s) {
            QCOMPARE(b->segments[s].kind, a->segments[s].kind);
            QCOMPARE(b->segments[s].begin, a->segments[s].begin);
            QCOMPARE(b->segments[s].end, a->segments[s].end);
            QCOMPARE(viz::TimelineModel::labelText(b->segments[s].label),
                viz::TimelineModel::labelText(a->segments[s].label));
        }
        QVERIFY2(b->collateral.delay == a->collateral.delay, what.constData());
        lastClosed = std::max(lastClosed, a->end);
        ++compared;
    }
    QCOMPARE(compared, 13);
    // The export may hold one more stall than the live model took: one while it was written (a
    // loaded machine), after every request compared here had closed.
    QVERIFY(opened.stalls().size() >= live.stalls().size());
    for (std::size_t i = live.stalls().size(); i < opened.stalls().size(); ++i)
        QVERIFY(opened.stalls()[i].begin >= lastClosed);
    for (std::size_t i = 0; i < live.stalls().size(); ++i) {
        const viz::LoopStall &a = live.stalls()[i];
        const viz::LoopStall &b = opened.stalls()[i];
        QCOMPARE(b.begin, a.begin);
        QCOMPARE(b.end, a.end);
        QCOMPARE(b.cause, a.cause);
        QCOMPARE(b.culprit, a.culprit);
        QCOMPARE(b.victims, a.victims);
        QCOMPARE(b.collateralTotal, a.collateralTotal);
    }
    QVERIFY(std::any_of(opened.stalls().begin(), opened.stalls().end(),
        [](const viz::LoopStall &s) { return s.blamesCall() && s.victims > 0; }));
    // The server's start, where it was live (the export's global instant read back).
    QVERIFY(!live.serverMarks().empty());
    for (const viz::ServerMark &mark : live.serverMarks()) {
        QVERIFY(std::any_of(opened.serverMarks().begin(), opened.serverMarks().end(),
            [&mark](const viz::ServerMark &read) {
                return read.time == mark.time && read.starts == mark.starts;
            }));
    }
    // The thread-pool requests' jobs ran on the pool's lanes, named as they were.
    QVERIFY(std::any_of(
        read.recording.events.begin(), read.recording.events.end(), [&](const trace::Event &e) {
            return e.kind == trace::Kind::JobStarted
                && read.recording.threadName(e.thread) == trace::threadName(e.thread);
        }));
    QVERIFY(std::any_of(read.recording.events.begin(), read.recording.events.end(),
        [](const trace::Event &e) { return e.kind == trace::Kind::TaskSpawned; }));
}

void TestTraceImport::badExports_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("problem");
    const QByteArray request
        = "{\"ph\":\"b\",\"name\":\"GET /x\",\"cat\":\"request\",\"pid\":1,\"tid\":0,\"ts\":1.000,"
          "\"id\":\"0x5\",\"args\":{\"status\":200,\"bytes\":10,\"request_id\":\"\","
          "\"connection\":1,\"variant\":0}}";
    QTest::newRow("empty file") << QByteArray()
                                << QStringLiteral("neither a Loopscope recording nor JSON");
    QTest::newRow("not JSON") << QByteArray("hello, world")
                              << QStringLiteral("neither a Loopscope recording nor JSON");
    QTest::newRow("cut short") << exportOf(request).chopped(10)
                               << QStringLiteral("neither a Loopscope recording nor JSON");
    QTest::newRow("an array") << QByteArray("[{\"ph\":\"X\"}]")
                              << QStringLiteral("not a Loopscope trace export");
    QTest::newRow("another tool's trace")
        << QByteArray("{\"traceEvents\":[]}") << QStringLiteral("not a Loopscope trace export");
    QTest::newRow("origin not a number")
        << QByteArray("{\"traceEvents\":[],\"otherData\":{\"time_origin_steady_ns\":\"1\"}}")
        << QStringLiteral("not a Loopscope trace export");
    QTest::newRow("event not an object")
        << exportOf("3") << QStringLiteral("event 0 is not an object");
    QTest::newRow("no ph") << exportOf("{\"name\":\"x\",\"tid\":0,\"ts\":0}")
                           << QStringLiteral("event 0: no \"ph\"");
    QTest::newRow("ts a string") << exportOf(
        "{\"ph\":\"X\",\"name\":\"x\",\"cat\":\"stall\",\"tid\":0,\"ts\":\"0\"}")
                                 << QStringLiteral("event 0: \"ts\" is not a number");
    QTest::newRow("ts out of range") << exportOf(
        "{\"ph\":\"X\",\"name\":\"x\",\"cat\":\"stall\",\"tid\":0,\"ts\":1e300,\"dur\":1}")
                                     << QStringLiteral("event 0: \"ts\" 1e+300 is out of range");
    QTest::newRow("negative tid") << exportOf(
        "{\"ph\":\"X\",\"name\":\"x\",\"cat\":\"stall\",\"tid\":-1,\"ts\":0,\"dur\":1}")
                                  << QStringLiteral("event 0: \"tid\" is not a thread index");
    QTest::newRow("no dur") << exportOf(
        "{\"ph\":\"X\",\"name\":\"loop stall\",\"cat\":\"stall\",\"tid\":0,\"ts\":0}")
                            << QStringLiteral("event 0: no \"dur\"");
    QTest::newRow("another phase")
        << exportOf("{\"ph\":\"O\",\"name\":\"x\",\"tid\":0,\"ts\":0}")
        << QStringLiteral("event 0: phase \"O\", which the Loopscope export does not write");
    QTest::newRow("another instant")
        << exportOf("{\"ph\":\"i\",\"name\":\"x\",\"cat\":\"server\",\"tid\":0,\"ts\":0}")
        << QStringLiteral("event 0: an instant \"x\" of category \"server\", which the Loopscope "
                          "export does not write");
    QTest::newRow("another category") << exportOf(
        "{\"ph\":\"X\",\"name\":\"x\",\"cat\":\"gpu\",\"tid\":0,\"ts\":0,\"dur\":1,"
        "\"args\":{}}") << QStringLiteral("event 0: a slice of category \"gpu\"");
    QTest::newRow("span id not hex") << exportOf(
        "{\"ph\":\"b\",\"name\":\"x\",\"cat\":\"request\",\"tid\":0,\"ts\":0,"
        "\"id\":\"12\"}") << QStringLiteral("event 0: \"id\" is not a span id");
    QTest::newRow("request without its status") << exportOf(
        "{\"ph\":\"b\",\"name\":\"x\",\"cat\":\"request\",\"tid\":0,\"ts\":0,"
        "\"id\":\"0x5\",\"args\":{}}") << QStringLiteral("event 0: no \"status\"");
    QTest::newRow("end before begin") << exportOf(
        "{\"ph\":\"e\",\"name\":\"x\",\"cat\":\"request\",\"tid\":0,\"ts\":0,"
        "\"id\":\"0x5\"}") << QStringLiteral("event 0: an end of span 0x5 before its begin");
    QTest::newRow("a request that is also a task") << exportOf(request
        + ",{\"ph\":\"b\",\"name\":\"t\",\"cat\":\"task\",\"tid\":0,\"ts\":2,"
          "\"id\":\"0x5\"}") << QStringLiteral("event 1: span 0x5 is given two kinds");
    QTest::newRow("unknown task outcome")
        << exportOf("{\"ph\":\"b\",\"name\":\"t\",\"cat\":\"task\",\"tid\":0,\"ts\":2,"
                    "\"id\":\"0x6\",\"args\":{\"parent\":\"0x5\",\"outcome\":\"lost\"}}")
        << QStringLiteral("event 0: a task outcome \"lost\"");
    QTest::newRow("another counter")
        << exportOf("{\"ph\":\"C\",\"name\":\"memory\",\"tid\":0,\"ts\":0,\"args\":{\"mb\":1}}")
        << QStringLiteral("event 0: a counter \"memory\"");
}

void TestTraceImport::badExports()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, problem);
    const QString path = m_dir.filePath(QStringLiteral("bad.json"));
    QCOMPARE(writeFile(path, bytes), QString());
    const recording::ReadResult read = recording::readRecordingOrTrace(path);
    QVERIFY(!read);
    QCOMPARE(read.kind(), ErrorKind::BadData);
    QVERIFY2(read.message().startsWith(path + QStringLiteral(": ") + problem),
        qPrintable(read.message()));
}

void TestTraceImport::damagedExportsNeverCrash()
{
    // A small export of every slice kind, as the exporter writes it.
    const QByteArray events
        = "{\"ph\":\"M\",\"name\":\"thread_name\",\"pid\":1,\"tid\":0,\"ts\":0.000,"
          "\"args\":{\"name\":\"server loop\"}},"
          "{\"ph\":\"b\",\"name\":\"unread in socket\",\"cat\":\"request\",\"pid\":1,"
          "\"tid\":0,\"ts\":0.500,\"id\":\"0x5\"},"
          "{\"ph\":\"e\",\"name\":\"unread in socket\",\"cat\":\"request\",\"pid\":1,"
          "\"tid\":0,\"ts\":1.000,\"id\":\"0x5\"},"
          "{\"ph\":\"b\",\"name\":\"GET /x\",\"cat\":\"request\",\"pid\":1,\"tid\":0,"
          "\"ts\":1.000,\"id\":\"0x5\",\"args\":{\"status\":200,\"bytes\":10,"
          "\"request_id\":\"r1\",\"connection\":1,\"variant\":1,\"sent_ns\":1000000500}},"
          "{\"ph\":\"b\",\"name\":\"pool\",\"cat\":\"request\",\"pid\":1,\"tid\":0,"
          "\"ts\":3.000,\"id\":\"0x5\"},"
          "{\"ph\":\"e\",\"name\":\"pool\",\"cat\":\"request\",\"pid\":1,\"tid\":0,"
          "\"ts\":9.000,\"id\":\"0x5\"},"
          "{\"ph\":\"e\",\"name\":\"GET /x\",\"cat\":\"request\",\"pid\":1,\"tid\":0,"
          "\"ts\":10.000,\"id\":\"0x5\"},"
          "{\"ph\":\"X\",\"name\":\"GET /x\",\"cat\":\"run\",\"pid\":1,\"tid\":0,"
          "\"ts\":2.000,\"dur\":1.000,\"args\":{\"span\":\"0x5\"}},"
          "{\"ph\":\"X\",\"name\":\"pool\",\"cat\":\"job\",\"pid\":1,\"tid\":3,"
          "\"ts\":3.500,\"dur\":5.000,\"args\":{\"job\":\"0x7\",\"parent\":\"0x5\"}},"
          "{\"ph\":\"s\",\"name\":\"pool\",\"cat\":\"job\",\"pid\":1,\"tid\":0,"
          "\"ts\":3.000,\"id\":\"0x7\"},"
          "{\"ph\":\"b\",\"name\":\"t\",\"cat\":\"task\",\"pid\":1,\"tid\":0,"
          "\"ts\":4.000,\"id\":\"0x9\",\"args\":{\"parent\":\"0x0\",\"outcome\":\"open\"}},"
          "{\"ph\":\"X\",\"name\":\"time.sleep\",\"cat\":\"blocking\",\"pid\":1,"
          "\"tid\":0,\"ts\":9.100,\"dur\":0.300,\"args\":{\"span\":\"0x5\"}},"
          "{\"ph\":\"C\",\"name\":\"loop lag\",\"pid\":1,\"tid\":2,\"ts\":9.500,"
          "\"args\":{\"ms\":0.250}},"
          "{\"ph\":\"X\",\"name\":\"loop stall\",\"cat\":\"stall\",\"pid\":1,\"tid\":2,"
          "\"ts\":9.100,\"dur\":0.300}";
    const QByteArray whole = exportOf(events);
    const QString name = QStringLiteral("cut.json");
    const recording::ReadResult read = recording::parseChromeTrace(whole, name);
    QVERIFY2(read, qPrintable(read.message()));
    // The request's eleven events, the job's three, the open task's spawn, a lag sample and the
    // stall's two.
    QCOMPARE(read.recording.events.size(), std::size_t(18));
    // Cut anywhere, or with any byte changed: read, or refused naming the file, never a crash,
    // and what is read is in time order.
    const auto check = [&](const QByteArray &bytes) {
        const recording::ReadResult r = recording::parseChromeTrace(bytes, name);
        if (!r)
            return r.message().startsWith(name + QStringLiteral(": "));
        return std::is_sorted(r.recording.events.begin(), r.recording.events.end(),
            [](const trace::Event &a, const trace::Event &b) { return a.time < b.time; });
    };
    for (qsizetype cut = 0; cut < whole.size(); ++cut)
        QVERIFY2(check(whole.left(cut)), qPrintable(QString::number(cut)));
    for (qsizetype at = 0; at < whole.size(); ++at) {
        for (const char c : { '0', '"', '}', '-', 'x' }) {
            QByteArray changed = whole;
            changed[at] = c;
            QVERIFY2(check(changed), qPrintable(QStringLiteral("%1 at %2").arg(c).arg(at)));
        }
    }
}

void TestTraceImport::recordingsStillOpen()
{
    // What File > Open takes is told by the first bytes: a recording is read as one.
    const QString path = m_dir.filePath(QStringLiteral("one.loopscope"));
    recording::RecordingWriter writer;
    QVERIFY(writer.open(path, {}, trace::sessionOrigin()));
    QVERIFY(writer.finish(0));
    const recording::ReadResult read = recording::readRecordingOrTrace(path);
    QVERIFY2(read, qPrintable(read.message()));
    QCOMPARE(read.recording.formatVersion, recording::format::kVersion);
    const recording::ReadResult missing
        = recording::readRecordingOrTrace(m_dir.filePath(QStringLiteral("none.json")));
    QVERIFY(!missing);
    QCOMPARE(missing.kind(), ErrorKind::Io);
}

QTEST_GUILESS_MAIN(TestTraceImport)
#include "tst_trace_import.moc"
