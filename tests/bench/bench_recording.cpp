// What recordings cost. Figures:
//  1. a synthetic session of N requests (default 1,000,000; --requests N), nine events each,
//     10,000 requests/s with 20 in flight, and the watchdog's lag samples, in the order the
//     trace hands them on: bytes per event on disk, write rate, and the time to open it as the
//     recording window does (read the file, build the timeline) and draw its first frame,
//     zoomed out;
//  2. (not with --file-only) GET /products/1 under `wrk -t1 -c64 -d5s` against `loopscope
//  --headless`, without and
//     with --record, in the same run: the ratio is what recording costs the server.

#include "benchsupport.h"

#include "core/hugepages.h"

#include "recordingreader.h"
#include "recordingwriter.h"
#include "replay.h"
#include "sessionclock.h"
#include "support/timelineevents.h"
#include "timelinemodel.h"
#include "timelineview.h"
#include "zoomstate.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QImage>
#include <QPainter>
#include <QTemporaryDir>

#include <algorithm>
#include <cstring>
#include <memory>
#include <tuple>

using namespace loopscope;
using namespace loopscope::bench;

namespace {

constexpr std::uint32_t kWatchdogThread = 2; // the requests' events are on thread 1

std::vector<trace::Event> syntheticSession(int requests)
{
    const std::uint32_t route = trace::label("GET /products/{product_id}");
    const std::uint32_t query = trace::label("db.fetchrow products");
    std::vector<trace::Event> events;
    events.reserve(std::size_t(requests) * 9);
    const trace::Nanos start = trace::sessionOrigin() + 1'000'000'000;
    const auto add = [&](trace::Kind kind, trace::Nanos time, std::uint64_t span,
                         std::uint32_t label = 0, std::uint64_t link = 0, std::int64_t value = 0) {
        events.push_back(testsupport::timelineEvent(kind, time, span, label, link, value));
    };
    for (int i = 0; i < requests; ++i) {
        const std::uint64_t span = 1'000'000 + std::uint64_t(i);
        // 10,000 requests/s, each about 2 ms: about 20 in flight.
        const trace::Nanos t = start + trace::Nanos(i) * 100'000 + (i * 7919 % 50'000);
        add(trace::Kind::RequestAccepted, t, span, 0, 0, i % 64);
        add(trace::Kind::RequestArrived, t + 900, span, 0, std::uint64_t(t - 40'000), t - 20'000);
        events.push_back(
            testsupport::timelineRequestId(t + 1'000, span, "load-" + QByteArray::number(i)));
        add(trace::Kind::RequestParsed, t + 5'000, span, route);
        add(trace::Kind::HandlerStarted, t + 8'000, span);
        add(trace::Kind::AwaitSuspend, t + 12'000, span, query);
        add(trace::Kind::AwaitResume, t + 1'900'000 + (i * 31 % 200'000), span, query);
        add(trace::Kind::ResponseWritten, t + 1'950'000 + (i * 31 % 200'000), span, 0, 96, 200);
        add(trace::Kind::RequestClosed, t + 1'960'000 + (i * 31 % 200'000), span);
    }
    // The watchdog's lag sample every 2 ms, from a thread of its own.
    const trace::Nanos end = events.empty() ? start : events.back().time;
    for (trace::Nanos t = start; t < end; t += 2'000'000) {
        events.push_back(
            testsupport::timelineEvent(trace::Kind::LoopLag, t, 0, 0, 0, 40'000, kWatchdogThread));
    }
    // As the trace hub hands them on: every 4 ms, each thread's events of that time in order.
    const auto handedOn
        = [](const trace::Event &e) { return std::tuple(e.time / 4'000'000, e.thread, e.time); };
    std::stable_sort(events.begin(), events.end(),
        [&](const trace::Event &a, const trace::Event &b) { return handedOn(a) < handedOn(b); });
    return events;
}

// How long this machine takes to give the process `bytes` of new memory, touched once, with
// the same huge-page hint the open gives its large buffers.
double freshMemoryMs(std::size_t bytes)
{
    if (bytes == 0)
        return 0;
    QElapsedTimer clock;
    clock.start();
    std::unique_ptr<char[]> memory(new char[bytes]);
    preferHugePages(memory.get(), bytes);
    for (std::size_t at = 0; at < bytes; at += 4096)
        memory[at] = char(at);
    const double ms = clock.nsecsElapsed() / 1e6;
    volatile char keep = memory[bytes / 2];
    static_cast<void>(keep);
    return ms;
}

void fileFigures(int requests, const QString &path)
{
    const std::vector<trace::Event> events = syntheticSession(requests);
    note(QStringLiteral("synthetic session: %1 requests, %2 events")
             .arg(requests)
             .arg(events.size()));

    QElapsedTimer clock;
    clock.start();
    recording::RecordingWriter writer;
    if (!writer.open(path, {}, trace::sessionOrigin()) || !writer.writeEvents(events)
        || !writer.finish()) {
        note(QStringLiteral("could not write %1").arg(path));
        return;
    }
    const double writeSeconds = clock.nsecsElapsed() / 1e9;
    const qint64 bytes = QFileInfo(path).size();
    figure("recording_bytes_per_event", double(bytes) / double(events.size()), "bytes");
    figure("recording_file_size", bytes / 1048576.0, "MiB");
    figure("recording_write_rate", events.size() / writeSeconds / 1e6, "M events/s");

    const qint64 residentBefore = rssKb(QCoreApplication::applicationPid());
    clock.restart();
    recording::ReadResult read = recording::readRecording(path);
    const double readSeconds = clock.nsecsElapsed() / 1e9;
    if (!read) {
        note(read.message());
        return;
    }
    figure("recording_read", readSeconds * 1000, "ms");
    // What the recording window does with it: rebase onto this session, then a replay that
    // orders the events and feeds them all to the model.
    clock.restart();
    read.recording.rebase(trace::sessionOrigin());
    viz::TimelineModel model;
    model.setRetention(std::chrono::hours(24 * 365));
    const recording::Recording &recorded = read.recording;
    viz::Replay replay(model, std::move(read.recording.events),
        [&recorded](std::uint32_t thread) { return recorded.threadName(thread); });
    const double modelSeconds = clock.nsecsElapsed() / 1e9;
    figure("recording_build_timeline", modelSeconds * 1000, "ms");
    figure("recording_open_total", (readSeconds + modelSeconds) * 1000, "ms");
    figure("recording_open_requests_per_s", requests / (readSeconds + modelSeconds) / 1e6,
        "M requests/s");
    // What the open keeps: the events the replay holds and the timeline built from them. New
    // memory has a price of its own, which a VM can make most of the open (its host backs each
    // page at first touch): the floor is the machine taking the same amount, touched once.
    const double residentMiB
        = (rssKb(QCoreApplication::applicationPid()) - residentBefore) / 1024.0;
    figure("recording_open_resident", residentMiB, "MiB");
    const double floorMs = freshMemoryMs(std::size_t(std::max(0.0, residentMiB)) << 20);
    figure("machine_fresh_memory_floor", floorMs, "ms");
    if (floorMs > 0)
        figure("recording_open_over_floor", (readSeconds + modelSeconds) * 1000 / floorMs, "x");

    viz::TimelineView view(&model);
    view.resize(1440, 600);
    view.zoom()->setRange(model.earliest(), model.now());
    QImage image(view.size(), QImage::Format_ARGB32_Premultiplied);
    clock.restart();
    view.render(&image);
    figure("recording_first_frame", clock.nsecsElapsed() / 1e6, "ms");
    // The first move of the play head puts the events in time order, then feeds up to it.
    clock.restart();
    replay.seek(replay.begin() + (replay.end() - replay.begin()) / 2);
    figure("recording_first_seek_to_middle", clock.nsecsElapsed() / 1e6, "ms");
}

struct Served
{
    QProcess process;
    quint16 port = 0;
};

double wrkWith(const QStringList &extra, const QString &label)
{
    Served server;
    server.port = freePort();
    server.process.start(QStringLiteral(LOOPSCOPE_BINARY),
        QStringList { QStringLiteral("--headless"), QStringLiteral("--port"),
            QString::number(server.port), QStringLiteral("--database"),
            QStringLiteral("sqlite::memory:") }
            + extra);
    if (!waitForPort(server.port, 20000)) {
        note(label + QStringLiteral(": did not start"));
        return -1;
    }
    const QString url = QStringLiteral("http://127.0.0.1:%1").arg(server.port);
    run(QStringLiteral("curl"),
        { QStringLiteral("-s"), QStringLiteral("-X"), QStringLiteral("POST"),
            url + QStringLiteral("/products/?name=lamp&price=9.5") },
        10000);
    // A warm-up, then the measured run.
    run(QStringLiteral("wrk"),
        { QStringLiteral("-t1"), QStringLiteral("-c64"), QStringLiteral("-d1s"),
            url + QStringLiteral("/products/1") },
        30000);
    const QString output = run(QStringLiteral("wrk"),
        { QStringLiteral("-t1"), QStringLiteral("-c64"), QStringLiteral("-d5s"),
            url + QStringLiteral("/products/1") },
        60000);
    stopProcess(server.process);
    const double rps = captureNumber(output, QStringLiteral("Requests/sec:\\s+([\\d.]+)"));
    if (rps < 0)
        note(label + QStringLiteral(": wrk failed: ") + output.right(300));
    return rps;
}

} // namespace

int main(int argc, char **argv)
{
    qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    int requests = 1'000'000;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == u"--requests")
            requests = std::max(1, args[i + 1].toInt());
    }
    QTemporaryDir dir;
    fileFigures(requests, dir.filePath(QStringLiteral("synthetic.loopscope")));
    if (args.contains(QStringLiteral("--file-only")))
        return 0;

    const double plain = wrkWith({}, QStringLiteral("without --record"));
    const double recorded
        = wrkWith({ QStringLiteral("--record"), dir.filePath(QStringLiteral("wrk.loopscope")) },
            QStringLiteral("with --record"));
    figure("products_wrk_rps_without_record", plain, "req/s");
    figure("products_wrk_rps_with_record", recorded, "req/s");
    if (plain > 0 && recorded > 0)
        figure("products_wrk_record_ratio", recorded / plain, "x");
    const qint64 recordedBytes = QFileInfo(dir.filePath(QStringLiteral("wrk.loopscope"))).size();
    figure("products_wrk_recording_size", recordedBytes / 1048576.0, "MiB");
    return 0;
}
