#include "livecharts.h"

#include "http/connectionstats.h"
#include "loadcontroller.h"
#include "serverhost.h"

#include <QChart>
#include <QChartView>
#include <QGridLayout>
#include <QLineSeries>
#include <QTimer>
#include <QValueAxis>

namespace loopscope {

namespace {
constexpr double windowSeconds = 60;
constexpr int sampleMs = 250;
} // namespace

LiveCharts::LiveCharts(ServerHost &host, const LoadController &load, QWidget *parent)
    : QWidget(parent)
    , m_host(host)
    , m_load(load)
{
    auto *grid = new QGridLayout(this);
    grid->setContentsMargins(0, 0, 0, 0);
    m_throughput = addPlot(tr("Requests/s"), tr("req/s"), { tr("served") });
    m_latency
        = addPlot(tr("Latency (built-in load)"), tr("ms"), { tr("p50"), tr("p95"), tr("p99") });
    m_inFlight = addPlot(tr("In-flight requests"), tr("requests"), { tr("in flight") });
    m_lag = addPlot(tr("Loop lag"), tr("ms"), { tr("lag") });
    const QList<Plot *> plots { &m_throughput, &m_latency, &m_inFlight, &m_lag };
    for (int i = 0; i < plots.size(); ++i) {
        auto *view = new QChartView(plots[i]->chart, this);
        view->setMinimumHeight(140);
        grid->addWidget(view, i / 2, i % 2);
    }
    auto *timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, &LiveCharts::sample);
    timer->start(sampleMs);
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
    plot.x->setRange(0, windowSeconds);
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

void LiveCharts::append(Plot &plot, int index, double value)
{
    QLineSeries *series = plot.series[index];
    series->append(m_seconds, value);
    while (series->count() > 0 && series->at(0).x() < m_seconds - windowSeconds)
        series->remove(0);
    double top = 1;
    for (QLineSeries *s : plot.series) {
        for (const QPointF &point : s->points())
            top = std::max(top, point.y());
    }
    plot.y->setRange(0, top * 1.1);
    plot.x->setRange(std::max(0.0, m_seconds - windowSeconds), std::max(windowSeconds, m_seconds));
}

void LiveCharts::sample()
{
    const http::ConnectionStats *stats = m_host.stats();
    if (!stats)
        return;
    // Requests/s over the last second: a quarter-second count is too jumpy to read.
    m_requestHistory.push_back(stats->requests.load());
    if (m_requestHistory.size() > 5)
        m_requestHistory.pop_front();
    const double span = (m_requestHistory.size() - 1) * sampleMs / 1000.0;
    const load::LoadSnapshot snapshot = m_load.snapshot();
    const std::array<double, 6> values {
        span > 0 ? double(m_requestHistory.back() - m_requestHistory.front()) / span : 0,
        snapshot.running ? snapshot.lastSecondP50Ns / 1e6 : 0,
        snapshot.running ? snapshot.lastSecondP95Ns / 1e6 : 0,
        snapshot.running ? snapshot.lastSecondP99Ns / 1e6 : 0,
        double(stats->inFlightRequests.load()),
        m_host.loopLagNs() / 1e6, // the status bar's figure, read the same way
    };
    // Nothing happening: leave the plots as they are, so an idle window repaints nothing.
    // Sub-millisecond lag is an idle loop's noise, not activity.
    const bool idle = std::all_of(values.begin(), values.end() - 1, [](double v) { return v == 0; })
        && values.back() < 1.0;
    if (idle && m_wasIdle)
        return;
    m_wasIdle = idle;
    m_seconds += sampleMs / 1000.0;
    append(m_throughput, 0, values[0]);
    append(m_latency, 0, values[1]);
    append(m_latency, 1, values[2]);
    append(m_latency, 2, values[3]);
    append(m_inFlight, 0, values[4]);
    append(m_lag, 0, values[5]);
}

} // namespace loopscope
