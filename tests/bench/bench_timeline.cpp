// Frame time of the timeline view at 10k, 100k and 1M spans (zoomed out, mid
// and deep zoom) and under live ingest at 20k requests/s, offscreen raster at
// 1920x1080. Prints one `name: value unit` line per figure.

#include "support/timelineevents.h"
#include "timelinemodel.h"
#include "timelineview.h"

#include <QtCore/QElapsedTimer>
#include <QtGui/QImage>
#include <QtGui/QPainter>
#include <QtWidgets/QApplication>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace loopscope;
using namespace loopscope::viz;

namespace {
constexpr Nanos kStart = 1'000'000'000'000;

struct Stats
{
    double median = 0;
    double p95 = 0;
};

Stats stats(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    return { v[v.size() / 2], v[std::min(v.size() - 1, v.size() * 95 / 100)] };
}

void print(const char *name, double value, const char *unit)
{
    std::printf("%s: %.3f %s\n", name, value, unit);
    std::fflush(stdout);
}

double frameMs(TimelineView &view, QImage &image)
{
    QElapsedTimer t;
    t.start();
    view.render(&image);
    return double(t.nsecsElapsed()) / 1e6;
}

Stats measureFrames(TimelineView &view, QImage &image, int frames)
{
    std::vector<double> times;
    frameMs(view, image); // warm caches and glyphs
    for (int i = 0; i < frames; ++i)
        times.push_back(frameMs(view, image));
    return stats(times);
}

// Fills the model with `spans` spans (requests at 2000/s, about 40 in flight,
// every other one with a database job) in chunks so the raw events never all sit
// in memory at once. With `socketWait`, every request says when its client sent it.
void fill(TimelineModel &model, std::size_t spans, Nanos socketWait = 0)
{
    constexpr std::size_t kChunk = 50'000;
    Nanos start = kStart;
    std::uint64_t next = 1;
    unsigned seed = 7;
    while (model.spanCount() < spans) {
        // Three spans per two requests on average.
        const std::size_t n
            = std::clamp<std::size_t>((spans - model.spanCount()) * 2 / 3, 1, kChunk);
        const auto events
            = testsupport::timelineTraffic(n, 2000.0, start, next, 50, seed++, socketWait);
        model.ingest(events);
        next += 2 * n; // each request may use a second span id for its job
        for (auto it = events.rbegin(); it != events.rend(); ++it) {
            if (it->kind == trace::Kind::RequestAccepted) {
                start = it->time;
                break;
            }
        }
    }
}
} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const int frames = 30;
    QImage image(1920, 1080, QImage::Format_ARGB32_Premultiplied);

    // `bench_timeline N` measures only N spans and skips the live figure (for profiling).
    std::vector<std::size_t> sizes { 10'000, 100'000, 1'000'000 };
    const bool only = argc > 1;
    if (only)
        sizes = { std::size_t(std::strtoull(argv[1], nullptr, 10)) };
    for (const std::size_t spans : sizes) {
        TimelineModel model;
        model.setRetention(std::chrono::hours(24));
        QElapsedTimer build;
        build.start();
        fill(model, spans);
        const double buildMs = double(build.nsecsElapsed()) / 1e6;
        TimelineView view(&model);
        view.resize(1920, 1080);
        view.setAttribute(Qt::WA_DontShowOnScreen);
        view.show();
        QCoreApplication::processEvents();

        const QByteArray tag = spans >= 1'000'000 ? QByteArrayLiteral("1M")
            : spans >= 100'000                    ? QByteArrayLiteral("100k")
                                                  : QByteArrayLiteral("10k");
        print(QByteArray("ingest_" + tag + "_spans_total").constData(), buildMs, "ms");
        print(QByteArray("spans_" + tag).constData(), double(model.spanCount()), "spans");
        print(QByteArray("lanes_" + tag).constData(),
            model.laneCount(LaneGroup::Loop) + model.laneCount(LaneGroup::Database), "lanes");

        const Nanos lo = model.earliest();
        const Nanos hi = model.now();
        struct Zoom
        {
            const char *name;
            Nanos start, end;
        };
        const Nanos mid = lo + (hi - lo) / 2;
        const Zoom zooms[] = {
            { "zoomed_out", lo, hi },
            { "mid_zoom", mid, mid + std::max<Nanos>((hi - lo) / 100, 500'000'000) },
            { "deep_zoom", mid, mid + 5'000'000 },
        };
        for (const Zoom &z : zooms) {
            view.zoom()->setRange(z.start, z.end);
            const Stats st = measureFrames(view, image, frames);
            print(
                QByteArray("frame_" + tag + "_" + z.name + "_median").constData(), st.median, "ms");
            print(QByteArray("frame_" + tag + "_" + z.name + "_p95").constData(), st.p95, "ms");
        }
    }

    if (!only) {
        // Every request's send time known (each span then moves back into its lane once it is
        // read), against the same traffic without, in this run.
        const auto ingestMs = [](Nanos socketWait) {
            TimelineModel model;
            model.setRetention(std::chrono::hours(24));
            QElapsedTimer build;
            build.start();
            fill(model, 100'000, socketWait);
            return double(build.nsecsElapsed()) / 1e6;
        };
        // Alternated, best of three each: the first fill also pays for first-touching memory.
        double without = 1e300, with = 1e300;
        for (int round = 0; round < 3; ++round) {
            without = std::min(without, ingestMs(0));
            with = std::min(with, ingestMs(50'000));
        }
        print("ingest_100k_without_send_times", without, "ms");
        print("ingest_100k_with_send_times", with, "ms");
        print("ingest_100k_send_times_ratio", with / without, "x");

        // Live: 20k requests/s arriving in 60 Hz batches; each frame ingests one
        // batch and paints in follow mode, as the app's frame timer would.
        TimelineModel model;
        model.setRetention(std::chrono::seconds(30));
        TimelineView view(&model);
        view.resize(1920, 1080);
        view.setAttribute(Qt::WA_DontShowOnScreen);
        view.show();
        view.zoom()->setRange(kStart - 10'000'000'000, kStart);
        view.setFollowing(true);
        const double rate = 20'000;
        const auto events
            = testsupport::timelineTraffic(std::size_t(rate * 5), rate, kStart, 1, 50, 3);
        const Nanos frame = 16'666'667;
        std::vector<double> ingestTimes, paintTimes, totalTimes;
        std::size_t pos = 0;
        std::size_t maxBatch = 0;
        for (Nanos until = kStart + frame; pos < events.size(); until += frame) {
            const std::size_t begin = pos;
            while (pos < events.size() && events[pos].time < until)
                ++pos;
            maxBatch = std::max(maxBatch, pos - begin);
            QElapsedTimer t;
            t.start();
            model.ingest(std::span(events).subspan(begin, pos - begin));
            const double ingest = double(t.nsecsElapsed()) / 1e6;
            const double paint = frameMs(view, image);
            ingestTimes.push_back(ingest);
            paintTimes.push_back(paint);
            totalTimes.push_back(ingest + paint);
        }
        const double seconds = double(events.back().time - events.front().time) / 1e9;
        print("live_events_per_s", double(events.size()) / seconds, "events/s");
        print("live_max_events_per_frame", double(maxBatch), "events");
        const Stats ingest = stats(ingestTimes), paint = stats(paintTimes),
                    total = stats(totalTimes);
        print("live_ingest_median", ingest.median, "ms");
        print("live_ingest_p95", ingest.p95, "ms");
        print("live_paint_median", paint.median, "ms");
        print("live_paint_p95", paint.p95, "ms");
        print("live_frame_median", total.median, "ms");
        print("live_frame_p95", total.p95, "ms");
        print("live_lanes", model.laneCount(LaneGroup::Loop) + model.laneCount(LaneGroup::Database),
            "lanes");
        print("live_retained_spans", double(model.spanCount()), "spans");
    }
    return 0;
}
