#pragma once

#include "trace/trace.h"

#include <QWidget>
#include <array>
#include <deque>
#include <optional>

class QLineSeries;
class QChart;
class QValueAxis;
class QEvent;
class QResizeEvent;

namespace loopscope {

class ChartCursorView;
class LoadController;
struct ServerSample;
namespace load {
struct LoadSnapshot;
}
namespace viz {
class TimeCursor;
}

// Four live plots over the last minute: requests/s, latency p50/p95/p99, in-flight requests and
// loop lag, fed by the window's server samples (the status bar shows the same ones) and the load
// generator. The x axis is session seconds, the timeline's axis: one instant has one x here and
// there, and the window's time cursor is drawn on each plot. Both axes span the data shown, with
// round ticks (1, 2 or 5 × 10^k) spaced so their labels do not collide; the charts take the
// window's palette, dark included.
class LiveCharts : public QWidget
{
    Q_OBJECT
public:
    static constexpr double kWindowSeconds = 60;

    LiveCharts(const LoadController &load, viz::TimeCursor &cursor, QWidget *parent = nullptr);
    // The charts of a recorded session: no load generator, its figures come with each sample.
    explicit LiveCharts(viz::TimeCursor &cursor, QWidget *parent = nullptr);

    // Plots a sample at its session time, with the load generator's latency of now.
    void addSample(const ServerSample &sample);
    // The same with the load generator's figures of that instant, as a recording keeps them.
    void addSampleWithLoad(const ServerSample &sample, const load::LoadSnapshot &load);

    // A replay's play head, drawn on every plot (null: none).
    void setPlayHead(const viz::TimeCursor *playHead);

    // The round step (1, 2 or 5 × 10^k) that cuts `span` into at most `maxTicks` intervals.
    static double niceStep(double span, int maxTicks);

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    struct Plot
    {
        QChart *chart = nullptr;
        QValueAxis *x = nullptr;
        QValueAxis *y = nullptr;
        QList<QLineSeries *> series;
    };
    // Requests/s, p50, p95, p99, in flight (read by the server), lag (ms), in flight (sent by
    // the built-in load).
    using Values = std::array<double, 7>;
    Plot addPlot(const QString &title, const QString &unit, const QStringList &names);
    void plotValues(double seconds, const Values &values);
    void append(Plot &plot, int index, double seconds, double value);
    void fitAxes(Plot &plot);
    void applyPalette(Plot &plot);
    QList<Plot *> plots() { return { &m_throughput, &m_latency, &m_inFlight, &m_lag }; }

    const LoadController *m_load = nullptr; // none for a recording
    bool m_loadWasRunning = false; // in the previous sample
    viz::TimeCursor &m_cursor;
    QList<ChartCursorView *> m_views;
    Plot m_throughput;
    Plot m_latency;
    Plot m_inFlight;
    Plot m_lag;
    std::optional<Values> m_lastPlotted;
    // The newest sample left out because nothing had changed: plotted before the next change, so
    // the lines stay level across the gap instead of slanting over it.
    std::optional<double> m_lastUnchanged;
    std::deque<std::pair<trace::Nanos, quint64>>
        m_requestHistory; // (at, answered) of the last samples
};

} // namespace loopscope
