// Recordings: what a .loopscope file holds reads back exactly, a real session recorded live
// draws the same timeline as the live one, and every kind of bad file is refused with its name
// and the reason, never a crash.

#include "clientrequestcodec.h"
#include "liverecorder.h"
#include "recordingformat.h"
#include "recordingreader.h"
#include "recordingsummary.h"
#include "recordingwriter.h"
#include "support/httptestclient.h"
#include "support/serverfixture.h"
#include "support/timelineevents.h"
#include "timelinemodel.h"
#include "trace/sessionclock.h"
#include "trace/tracehub.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QTemporaryDir>
#include <QtTest/QTest>

#include <cstring>
#include <limits>

using namespace loopscope;
using namespace loopscope::testing;
using loopscope::testsupport::timelineEvent;

namespace {

// Every kind, with the fields each one uses, on two threads.
std::vector<trace::Event> everyKind(trace::Nanos t)
{
    const std::uint32_t route = trace::label("GET /recorded");
    const std::uint32_t sleep = trace::label("sleep 0.5s");
    std::vector<trace::Event> events {
        timelineEvent(trace::Kind::RequestAccepted, t + 10, 1000, 0, 0, 7),
        timelineEvent(
            trace::Kind::RequestArrived, t + 11, 1000, 0, std::uint64_t(t - 5'000'000), t + 2),
        testsupport::timelineRequestId(t + 12, 1000, "req-1"),
        timelineEvent(trace::Kind::RequestParsed, t + 20, 1000, route, 0, 2),
        timelineEvent(trace::Kind::HandlerStarted, t + 30, 1000),
        timelineEvent(trace::Kind::AwaitSuspend, t + 40, 1000, sleep),
        timelineEvent(trace::Kind::JobQueued, t + 41, 2000, sleep, 1000),
        timelineEvent(trace::Kind::JobStarted, t + 42, 2000, 0, 0, 0, 2),
        timelineEvent(trace::Kind::JobFinished, t + 500, 2000, 0, 0, 0, 2),
        timelineEvent(trace::Kind::AwaitResume, t + 501, 1000, sleep),
        timelineEvent(trace::Kind::BlockingBegin, t + 502, 1000, sleep),
        timelineEvent(trace::Kind::LoopStallBegin, t + 600, 3000, 0, 0, t + 502),
        timelineEvent(trace::Kind::BlockingEnd, t + 700, 1000, sleep),
        timelineEvent(trace::Kind::LoopStallEnd, t + 701, 3000, 0, 0, 199),
        timelineEvent(trace::Kind::LoopLag, t + 702, 0, 0, 0, 199),
        timelineEvent(trace::Kind::TaskSpawned, t + 703, 4000, sleep, 1000),
        timelineEvent(trace::Kind::ResponseWritten, t + 704, 1000, 0, 512, 200),
        timelineEvent(trace::Kind::RequestClosed, t + 705, 1000),
        timelineEvent(trace::Kind::TaskFinished, t + 800, 4000),
        timelineEvent(trace::Kind::TaskSpawned, t + 801, 4001, sleep, 1000),
        timelineEvent(trace::Kind::TaskFailed, t + 802, 4001),
        timelineEvent(trace::Kind::TaskSpawned, t + 803, 4002, sleep, 1000),
        timelineEvent(trace::Kind::TaskCancelled, t + 804, 4002),
        // Unknown send time, an id at its full length, a span id below the previous one.
        timelineEvent(trace::Kind::RequestAccepted, t + 900, 5, 0, 0, 8),
        timelineEvent(trace::Kind::RequestArrived, t + 901, 5, 0, 0, t + 899),
        testsupport::timelineRequestId(
            t + 902, 5, QByteArray(trace::Event::kRequestIdCapacity, 'x')),
        // A restart: loop-wide, no span.
        timelineEvent(trace::Kind::ServerStopping, t + 903, 0),
        timelineEvent(trace::Kind::ServerStarted, t + 904, 0),
    };
    return events;
}

// Requests of a run as its client measured them: reused and fresh connections, points never
// reached, every error, ids out of order, times before the run's zero and at the limits.
QList<load::RequestRecord> clientRequests()
{
    QList<load::RequestRecord> requests;
    for (int i = 0; i < load::kRequestErrorCount; ++i) {
        load::RequestRecord r;
        r.id = quint64(40 - 3 * i);
        r.intendedStartNs = 1'000'000 * i;
        r.startNs = r.intendedStartNs + 250 * i;
        r.connectNs = i % 2 ? -1 : r.startNs + 90'000;
        r.firstByteNs = i == 2 ? -1 : r.startNs + 400'000 + i;
        r.endNs = r.startNs + 2'000'000'000LL * i;
        r.bytes = 150 + i;
        r.status = quint16(i == 4 ? 503 : 200);
        r.templateIndex = quint16(i);
        r.error = load::RequestError(i);
        r.reusedConnection = i % 2 == 1;
        requests.append(r);
    }
    requests[1].intendedStartNs = -5;
    requests[1].startNs = std::numeric_limits<qint64>::min();
    requests[2].endNs = std::numeric_limits<qint64>::max();
    requests[3].id = std::numeric_limits<quint64>::max();
    requests[5].status = 65535;
    return requests;
}

bool sameEvent(const trace::Event &a, const trace::Event &b)
{
    return a.kind == b.kind && a.time == b.time && a.span == b.span && a.link == b.link
        && a.value == b.value && a.label == b.label && a.thread == b.thread
        && a.requestIdView() == b.requestIdView();
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QString writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        return file.errorString();
    return {};
}

// Where each block of a valid file starts, and its type: the bad-file cases damage one.
std::vector<std::pair<qsizetype, int>> blocksOf(const QByteArray &file)
{
    std::vector<std::pair<qsizetype, int>> blocks;
    qsizetype at = recording::format::kMagic.size() + 2;
    while (at + recording::format::kBlockHeaderSize <= file.size()) {
        const int type = std::uint8_t(file[at]);
        quint32 stored = 0;
        std::memcpy(&stored, file.constData() + at + 1, 4); // little-endian host, as CI's
        blocks.emplace_back(at, type);
        at += recording::format::kBlockHeaderSize + qsizetype(stored);
    }
    return blocks;
}

} // namespace

class TestRecording : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void everyFieldReadsBack();
    void rebaseMovesTimesAndLabels();
    void summaryCounts();
    void aVersionOneFileStillOpens();
    void badFiles_data();
    void badFiles();
    void liveSessionDrawsTheSameTimeline();

private:
    QTemporaryDir m_dir;
    QString m_valid; // a small valid recording the bad-file cases damage
};

void TestRecording::initTestCase()
{
    QVERIFY(m_dir.isValid());
    trace::setThreadName(QStringLiteral("recording test"));
    m_valid = m_dir.filePath(QStringLiteral("valid.loopscope"));
    recording::RecordingWriter writer;
    QVERIFY(writer.open(m_valid, {}, trace::sessionOrigin()));
    const auto events = everyKind(trace::sessionOrigin() + 1'000'000);
    QVERIFY(writer.writeEvents(std::span(events).first(10)));
    QVERIFY(
        writer.writeRecords({ QJsonObject { { QStringLiteral("kind"), QStringLiteral("x") } } }));
    QVERIFY(writer.writeEvents(std::span(events).subspan(10)));
    // One run in two calls (as a long run takes two blocks), and a second run.
    const QList<load::RequestRecord> requests = clientRequests();
    QVERIFY(writer.writeClientRequests("r1", std::span(requests).first(3)));
    QVERIFY(writer.writeClientRequests("r2", std::span(requests).first(1)));
    QVERIFY(writer.writeClientRequests("r1", std::span(requests).subspan(3)));
    QVERIFY(writer.finish(3));
}

void TestRecording::everyFieldReadsBack()
{
    const recording::ReadResult read = recording::readRecording(m_valid);
    QVERIFY2(read, qPrintable(read.message()));
    const recording::Recording &r = read.recording;
    QCOMPARE(r.formatVersion, recording::format::kVersion);
    QCOMPARE(r.origin, trace::sessionOrigin());
    QCOMPARE(r.lostEvents, 3u);
    QCOMPARE(r.records.size(), 1);
    const auto events = everyKind(trace::sessionOrigin() + 1'000'000);
    QCOMPARE(r.events.size(), events.size());
    for (std::size_t i = 0; i < events.size(); ++i)
        QVERIFY2(sameEvent(r.events[i], events[i]), qPrintable(QString::number(i)));
    // Each label once, with its text.
    QStringList texts;
    for (const auto &[id, text] : r.labels) {
        QCOMPARE(text, trace::labelText(id));
        texts << text;
    }
    texts.sort();
    QCOMPARE(texts, QStringList({ QStringLiteral("GET /recorded"), QStringLiteral("sleep 0.5s") }));
    QVERIFY(std::any_of(r.threads.begin(), r.threads.end(),
        [](const trace::ThreadInfo &t) { return t.name == u"recording test"; }));
    QCOMPARE(r.threadName(trace::currentThreadIndex()), QStringLiteral("recording test"));
    // Each run's client requests, whole and in their order, however many blocks they took.
    QCOMPARE(r.clientRequests.size(), 2u);
    QCOMPARE(r.clientRequests[0].runId, QByteArray("r1"));
    QCOMPARE(r.clientRequests[0].requests, clientRequests());
    QCOMPARE(r.clientRequests[1].runId, QByteArray("r2"));
    QCOMPARE(r.clientRequests[1].requests, clientRequests().first(1));
}

void TestRecording::rebaseMovesTimesAndLabels()
{
    recording::ReadResult read = recording::readRecording(m_valid);
    QVERIFY(read);
    recording::Recording r = std::move(read.recording);
    // As if recorded by another process: its own label ids and clock.
    for (auto &label : r.labels)
        label.first += 5000;
    for (trace::Event &e : r.events) {
        if (e.label)
            e.label += 5000;
    }
    const trace::Nanos shift = 123'456'789;
    const auto before = r.events;
    r.rebase(r.origin + shift);
    for (std::size_t i = 0; i < before.size(); ++i) {
        const trace::Event &was = before[i];
        const trace::Event &is = r.events[i];
        QCOMPARE(is.time, was.time + shift);
        QCOMPARE(is.label == 0, was.label == 0);
        if (was.label)
            QCOMPARE(trace::labelText(is.label),
                trace::labelText(everyKind(trace::sessionOrigin() + 1'000'000)[i].label));
        if (recording::valueIsTime(was.kind))
            QCOMPARE(is.value, was.value ? was.value + shift : 0);
        else
            QCOMPARE(is.value, was.value);
        if (recording::linkIsTime(was.kind))
            QCOMPARE(is.link, was.link ? was.link + shift : 0);
        else
            QCOMPARE(is.link, was.link);
    }
}

void TestRecording::summaryCounts()
{
    const recording::ReadResult read = recording::readRecording(m_valid);
    QVERIFY(read);
    const QJsonObject summary = recording::summarize(read.recording, 4321);
    QCOMPARE(summary.value(QStringLiteral("format_version")).toInt(), recording::format::kVersion);
    QCOMPARE(summary.value(QStringLiteral("requests")).toInt(), 2);
    QCOMPARE(summary.value(QStringLiteral("tasks")).toInt(), 3);
    QCOMPARE(summary.value(QStringLiteral("stalls")).toInt(), 1);
    QCOMPARE(summary.value(QStringLiteral("events")).toInt(), int(everyKind(0).size()));
    QCOMPARE(summary.value(QStringLiteral("span_ns")).toInteger(), 904 - 10);
    QCOMPARE(summary.value(QStringLiteral("bytes")).toInteger(), 4321);
    QCOMPARE(summary.value(QStringLiteral("client_requests")).toInt(), clientRequests().size() + 1);
}

// Version 2 only added event kinds: a version-1 file reads as it is.
void TestRecording::aVersionOneFileStillOpens()
{
    QByteArray bytes = fileBytes(m_valid);
    QVERIFY(!bytes.isEmpty());
    bytes[recording::format::kMagic.size()] = 1; // the version, little-endian
    const QString path = m_dir.filePath(QStringLiteral("version1.loopscope"));
    QCOMPARE(writeFile(path, bytes), QString());
    const recording::ReadResult read = recording::readRecording(path);
    QVERIFY2(read, qPrintable(read.message()));
    QCOMPARE(read.recording.formatVersion, std::uint16_t(1));
    QCOMPARE(read.recording.events.size(), everyKind(0).size());
}

void TestRecording::badFiles_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("reason");
    const QByteArray valid = fileBytes(m_valid);
    QVERIFY(!valid.isEmpty());
    const auto blocks = blocksOf(valid);
    const auto firstOf = [&](recording::format::BlockType type) {
        for (const auto &[at, t] : blocks) {
            if (t == int(type))
                return at;
        }
        return qsizetype(-1);
    };
    const qsizetype events = firstOf(recording::format::BlockType::Events);
    const qsizetype end = firstOf(recording::format::BlockType::End);
    QVERIFY(events > 0 && end > events);

    QTest::newRow("not a recording")
        << QByteArray("{\"traceEvents\": []}") << "not a Loopscope recording";
    QTest::newRow("empty") << QByteArray() << "not a Loopscope recording";
    QTest::newRow("cut in the header") << valid.first(9) << "truncated";
    QTest::newRow("cut in a block") << valid.first(events + 12) << "truncated";
    QTest::newRow("cut before the end block") << valid.first(end) << "no end block";
    QByteArray version = valid;
    version[8] = char(recording::format::kVersion + 1);
    QTest::newRow("newer version")
        << version << QStringLiteral("format version %1").arg(recording::format::kVersion + 1);
    QByteArray corrupt = valid;
    for (int i = 0; i < 6; ++i)
        corrupt[events + recording::format::kBlockHeaderSize + 4 + i] ^= 0x5a;
    QTest::newRow("corrupt compressed data") << corrupt << "corrupt";
    QByteArray bomb = valid;
    bomb[events + 5] = char(0xff);
    bomb[events + 6] = char(0xff);
    bomb[events + 7] = char(0xff);
    bomb[events + 8] = char(0x7f);
    QTest::newRow("a block claiming 2 GB") << bomb << "more than any recording block may hold";
    QByteArray unknown = valid;
    unknown[events] = 42;
    QTest::newRow("unknown block") << unknown << "unknown block type 42";
    QByteArray miscounted = valid;
    miscounted[end + recording::format::kBlockHeaderSize] = 99;
    QTest::newRow("end block disagrees") << miscounted << "the end block counts 99 events";
    QTest::newRow("bytes after the end") << valid + "junk"
                                         << "bytes after the end block";
    // A client requests block that inflates well but holds what no writer writes.
    const QList<load::RequestRecord> requests = clientRequests();
    const QByteArray goodRequests
        = recording::encodeClientRequests("r9", std::span(requests).first(1));
    const auto withRequestsBlock = [&](const QByteArray &raw) -> QByteArray {
        QByteArray file = valid.first(end);
        const QByteArray stored = qCompress(raw).mid(4); // qCompress: a size, then zlib
        QByteArray header(recording::format::kBlockHeaderSize, Qt::Uninitialized);
        header[0] = char(recording::format::BlockType::ClientRequests);
        const quint32 sizes[2] = { quint32(stored.size()), quint32(raw.size()) };
        std::memcpy(header.data() + 1, sizes, sizeof sizes); // little-endian host, as CI's
        QByteArray endBlock = valid.mid(end);
        ++endBlock[recording::format::kBlockHeaderSize + 8]; // one block more
        return file + header + stored + endBlock;
    };
    QVERIFY(recording::readRecording(m_valid)); // the block builder's base reads
    QVERIFY2(recording::parseRecording(withRequestsBlock(goodRequests), QStringLiteral("good")),
        "a well-formed client requests block is read");
    QByteArray badError = goodRequests;
    badError[badError.size() - 2] = char(load::kRequestErrorCount);
    QTest::newRow("client request with an unknown error")
        << withRequestsBlock(badError) << "client request 1 is damaged";
    QTest::newRow("client requests cut short")
        << withRequestsBlock(goodRequests.chopped(1)) << "client request 1 is damaged";
    QTest::newRow("client requests count too large")
        << withRequestsBlock(QByteArray("\x02r9\xff\xff\x03", 6)) << "more than the block holds";

    // Written by a faulty writer: one thread's events going back in time.
    const QString path = m_dir.filePath(QStringLiteral("backwards.loopscope"));
    recording::RecordingWriter writer;
    QVERIFY(writer.open(path, {}, 0));
    const std::vector<trace::Event> backwards { timelineEvent(trace::Kind::LoopLag, 2000, 0),
        timelineEvent(trace::Kind::LoopLag, 3000, 0, 0, 0, 0, 1),
        timelineEvent(trace::Kind::LoopLag, 1000, 0) };
    QVERIFY(writer.writeEvents(backwards));
    QVERIFY(writer.finish());
    QTest::newRow("events out of order")
        << fileBytes(path) << "events out of order: event 3 on thread 1 goes back 2000 ns";
    // The same across two blocks, which are decoded side by side: named as one by one.
    const QString across = m_dir.filePath(QStringLiteral("backwards-across.loopscope"));
    recording::RecordingWriter twoBlocks;
    QVERIFY(twoBlocks.open(across, {}, 0));
    const std::vector<trace::Event> first { timelineEvent(trace::Kind::LoopLag, 2000, 0),
        timelineEvent(trace::Kind::LoopLag, 2500, 0, 0, 0, 0, 2) };
    const std::vector<trace::Event> second { timelineEvent(
                                                 trace::Kind::LoopLag, 2600, 0, 0, 0, 0, 2),
        timelineEvent(trace::Kind::LoopLag, 1500, 0) };
    QVERIFY(twoBlocks.writeEvents(first));
    QVERIFY(twoBlocks.writeEvents(second));
    QVERIFY(twoBlocks.finish());
    const QByteArray acrossBytes = fileBytes(across);
    const auto acrossBlocks = blocksOf(acrossBytes);
    QCOMPARE(std::count_if(acrossBlocks.begin(), acrossBlocks.end(),
                 [](const auto &block) {
                     return block.second == int(recording::format::BlockType::Events);
                 }),
        2);
    QTest::newRow("events out of order across blocks")
        << acrossBytes << "events out of order: event 4 on thread 1 goes back 500 ns";
}

void TestRecording::badFiles()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, reason);
    const QString path = m_dir.filePath(QStringLiteral("bad.loopscope"));
    QCOMPARE(writeFile(path, bytes), QString());
    const recording::ReadResult read = recording::readRecording(path);
    QVERIFY(!read);
    QCOMPARE(read.kind(), ErrorKind::BadData);
    QVERIFY2(read.message().startsWith(path + u':'), qPrintable(read.message()));
    QVERIFY2(read.message().contains(reason), qPrintable(read.message()));
}

void TestRecording::liveSessionDrawsTheSameTimeline()
{
    // A live timeline and a recorder take the same session: async requests, a blocking one that
    // stalls the loop with victims unread in their sockets, and a background task.
    viz::TimelineModel live;
    live.attach(trace::TraceHub::instance().subscribe(1 << 20));
    const QString path = m_dir.filePath(QStringLiteral("live.loopscope"));
    recording::LiveRecorder recorder;
    const auto started = recorder.start(path, {});
    QVERIFY2(started, qPrintable(started.message()));
    const auto host = startServer();

    QCOMPARE(fetchConcurrently(host->port(), "GET", "/async?delay=0.3", 5, 30000, "a").size(), 5);
    QCOMPARE(host->modes().set(QStringLiteral("GET /async"), QStringLiteral("blocking")),
        ModeTable::SetResult::Ok);
    const auto blocked = fetchConcurrently(host->port(), "GET", "/async?delay=0.2", 4, 30000, "b");
    QCOMPARE(blocked.size(), 4);
    QCOMPARE(fetch(host->port(), "GET", "/start-task").status, 200);
    host->stop();

    const auto stopped = recorder.stop();
    QVERIFY2(stopped, qPrintable(stopped.message()));
    // Everything recorded reached the live model too, and every stall of it is attributed.
    QTRY_VERIFY(!live.stalls().empty()
        && std::none_of(live.stalls().begin(), live.stalls().end(),
            [](const viz::LoopStall &s) { return s.isOpen(); }));
    live.detach();

    recording::ReadResult read = recording::readRecording(path);
    QVERIFY2(read, qPrintable(read.message()));
    QCOMPARE(read.recording.lostEvents, 0u);
    read.recording.rebase(trace::sessionOrigin());
    viz::TimelineModel opened;
    opened.setThreadNameResolver(
        [r = &read.recording](std::uint32_t thread) { return r->threadName(thread); });
    opened.ingest(read.recording.events);

    QCOMPARE(opened.requestOrder().size(), live.requestOrder().size());
    QVERIFY(opened.requestOrder().size() >= 10);
    for (std::size_t i = 0; i < live.requestOrder().size(); ++i) {
        const viz::TimelineSpan *a = live.find(live.requestOrder()[i]);
        const viz::TimelineSpan *b = opened.find(opened.requestOrder()[i]);
        QVERIFY(a && b);
        const QString what = QString::fromLatin1(a->requestId.view());
        QCOMPARE(b->requestId, a->requestId);
        QCOMPARE(b->begin, a->begin);
        QCOMPARE(b->accepted, a->accepted);
        QCOMPARE(b->started, a->started);
        QCOMPARE(b->end, a->end);
        QCOMPARE(viz::TimelineModel::labelText(b->label), viz::TimelineModel::labelText(a->label));
        QCOMPARE(b->variant, a->variant);
        QCOMPARE(b->status, a->status);
        QCOMPARE(b->lane, a->lane);
        QCOMPARE(b->segments.size(), a->segments.size());
        for (qsizetype s = 0; s < a->segments.size(); ++s) {
            QCOMPARE(b->segments[s].kind, a->segments[s].kind);
            QCOMPARE(b->segments[s].begin, a->segments[s].begin);
            QCOMPARE(b->segments[s].end, a->segments[s].end);
        }
        QVERIFY2(b->collateral.delay == a->collateral.delay, qPrintable(what));
    }
    QCOMPARE(opened.stalls().size(), live.stalls().size());
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
    // The blocking requests' stalls blame them, with victims, in the recording as live.
    QVERIFY(std::any_of(opened.stalls().begin(), opened.stalls().end(),
        [](const viz::LoopStall &s) { return s.blamesCall() && s.victims > 0; }));
}

QTEST_GUILESS_MAIN(TestRecording)
#include "tst_recording.moc"
