#include "livecharts.h"

#include "chartcursorview.h"
#include "loadcontroller.h"
#include "serversampler.h"
#include "trace/sessionclock.h"

#include <QChart>
#include <QGridLayout>
#include <QLineSeries>
#include <QValueAxis>

namespace loopscope {

LiveCharts::LiveCharts(const LoadController &load, viz::TimeCursor &cursor, QWidget *parent)
    : LiveCharts(cursor, parent)
{
    m_load = &load;
}

LiveCharts::LiveCharts(viz::TimeCursor &cursor, QWidget *parent)
    : QWidget(parent)
    , m_cursor(cursor)
{
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    m_throughput = addPlot(tr("Requests/s"), tr("req/s"), { tr("served") });
    m_latency
        = addPlot(tr("Latency (built-in load)"), tr("ms"), { tr("p50"), tr("p95"), tr("p99") });
    // The server counts only what it has read; while the loop is blocked the built-in load's
    // clients have more out, waiting unread in their sockets: both lines, side by side.
    m_inFlight = addPlot(tr("In-flight requests"), tr("requests"),
        { tr("read by the server"), tr("sent by the built-in load") });
    m_lag = addPlot(tr("Loop lag"), tr("ms"), { tr("lag") });
    const QList<Plot *> plots { &m_throughput, &m_latency, &m_inFlight, &m_lag };
    for (int i = 0; i < plots.size(); ++i) {
        auto *view = new ChartCursorView(plots[i]->chart, m_cursor, this);
        view->setMinimumHeight(140);
        grid->addWidget(view, i / 2, i % 2);
    }
}

LiveCharts::Plot LiveCharts::addPlot(
    const QString &title, const QString &unit, const QStringList &names)
{
    Plot plot;
    plot.chart = new QChart;
    plot.chart->setTitle(title);
    plot.chart->setTheme(palette().window().color().lightness() < 128 ? QChart::ChartThemeDark
                                                                      : QChart::ChartThemeLight);
    plot.chart->legend()->setVisible(names.size() > 1);
    plot.chart->setMargins(QMargins(2, 2, 2, 2));
    plot.x = new QValueAxis;
    plot.x->setRange(0, kWindowSeconds);
    plot.x->setLabelFormat(QStringLiteral("%.0f s"));
    plot.x->setTickType(QValueAxis::TicksDynamic);
    plot.x->setTickAnchor(0);
    plot.x->setTickInterval(10);
    plot.y = new QValueAxis;
    plot.y->setRange(0, 1);
    plot.y->setTitleText(unit);
    plot.chart->addAxis(plot.x, Qt::AlignBottom);
    plot.chart->addAxis(plot.y, Qt::AlignLeft);
    for (const QString &name : names) {
        auto *series = new QLineSeries;
        series->setName(name);
        plot.chart->addSeries(series);
        series->attachAxis(plot.x);
        series->attachAxis(plot.y);
        plot.series << series;
    }
    return plot;
}

void LiveCharts::append(Plot &plot, int index, double seconds, double value)
{
    QLineSeries *series = plot.series[index];
    series->append(seconds, value);
    while (series->count() > 0 && series->at(0).x() < seconds - kWindowSeconds)
        series->remove(0);
    double top = 1;
    for (QLineSeries *s : plot.series) {
        for (const QPointF &point : s->points())
            top = std::max(top, point.y());
    }
    plot.y->setRange(0, top * 1.1);
    plot.x->setRange(std::max(0.0, seconds - kWindowSeconds), std::max(kWindowSeconds, seconds));
}

void LiveCharts::plotValues(double seconds, const Values &values)
{
    append(m_throughput, 0, seconds, values[0]);
    append(m_latency, 0, seconds, values[1]);
    append(m_latency, 1, seconds, values[2]);
    append(m_latency, 2, seconds, values[3]);
    append(m_inFlight, 0, seconds, values[4]);
    append(m_lag, 0, seconds, values[5]);
    append(m_inFlight, 1, seconds, values[6]);
}

void LiveCharts::addSample(const ServerSample &sample)
{
    addSampleWithLoad(sample, m_load ? m_load->snapshot() : load::LoadSnapshot {});
}

void LiveCharts::addSampleWithLoad(const ServerSample &sample, const load::LoadSnapshot &snapshot)
{
    // Requests/s over the last second: a quarter-second count is too jumpy to read.
    m_requestHistory.emplace_back(sample.at, sample.requests);
    while (m_requestHistory.size() > 1
        && m_requestHistory.back().first - m_requestHistory.front().first > 1'000'000'000)
        m_requestHistory.pop_front();
    const double span
        = double(m_requestHistory.back().first - m_requestHistory.front().first) / 1e9;
    const Values values {
        span > 0 ? double(m_requestHistory.back().second - m_requestHistory.front().second) / span
                 : 0,
        snapshot.running ? snapshot.lastSecondP50Ns / 1e6 : 0,
        snapshot.running ? snapshot.lastSecondP95Ns / 1e6 : 0,
        snapshot.running ? snapshot.lastSecondP99Ns / 1e6 : 0,
        double(sample.inFlight),
        sample.loopLagNs / 1e6,
        snapshot.running ? double(snapshot.sent - snapshot.done) : 0,
    };
    const double seconds = trace::sessionSeconds(sample.at);
    // Nothing changed (an idle server: no requests, and the loop watchdog rests): leave the plots
    // as they are, so an idle window repaints nothing. Their last points still read what the
    // status bar shows.
    if (m_lastPlotted == values) {
        m_lastUnchanged = seconds;
        return;
    }
    if (m_lastUnchanged && m_lastPlotted)
        plotValues(*m_lastUnchanged, *m_lastPlotted);
    m_lastUnchanged.reset();
    m_lastPlotted = values;
    plotValues(seconds, values);
}

} // namespace loopscope
