// What recordings cost. Figures:
//  1. a synthetic session of N requests (default 1,000,000; --requests N), nine events each,
//     10,000 requests/s with 20 in flight: bytes per event on disk, write rate, and the time
//     to open it (read the file, build the timeline) and draw its first frame, zoomed out;
//  2. GET /products/1 under `wrk -t1 -c64 -d5s` against `loopscope --headless`, without and
//     with --record, in the same run: the ratio is what recording costs the server.

#include "benchsupport.h"

#include "recordingreader.h"
#include "recordingwriter.h"
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

using namespace loopscope;
using namespace loopscope::bench;

namespace {

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
    // One thread records in time order.
    std::stable_sort(events.begin(), events.end(),
        [](const trace::Event &a, const trace::Event &b) { return a.time < b.time; });
    return events;
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

    clock.restart();
    recording::ReadResult read = recording::readRecording(path);
    const double readSeconds = clock.nsecsElapsed() / 1e9;
    if (!read) {
        note(read.message());
        return;
    }
    figure("recording_read", readSeconds * 1000, "ms");
    clock.restart();
    read.recording.rebase(trace::sessionOrigin());
    viz::TimelineModel model;
    model.setRetention(std::chrono::hours(24 * 365));
    model.ingest(read.recording.events);
    const double modelSeconds = clock.nsecsElapsed() / 1e9;
    figure("recording_build_timeline", modelSeconds * 1000, "ms");
    figure("recording_open_total", (readSeconds + modelSeconds) * 1000, "ms");
    figure("recording_open_requests_per_s", requests / (readSeconds + modelSeconds) / 1e6,
        "M requests/s");

    viz::TimelineView view(&model);
    view.resize(1440, 600);
    view.zoom()->setRange(model.earliest(), model.now());
    QImage image(view.size(), QImage::Format_ARGB32_Premultiplied);
    clock.restart();
    view.render(&image);
    figure("recording_first_frame", clock.nsecsElapsed() / 1e6, "ms");
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
