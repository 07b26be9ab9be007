#include "livecharts.h"

#include "chartcursorview.h"
#include "loadcontroller.h"
#include "serversampler.h"
#include "trace/sessionclock.h"

#include <QChart>
#include <QGraphicsLayout>
#include <QGridLayout>
#include <QLegend>
#include <QLineSeries>
#include <QValueAxis>

#include <cmath>
#include <limits>

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
    grid->setSpacing(2);
    m_throughput = addPlot(tr("Requests/s"), tr("req/s"), { tr("served") });
    // p99 first so it is drawn underneath: it is the widest swing and would hide the others.
    m_latency
        = addPlot(tr("Latency (built-in load)"), tr("ms"), { tr("p99"), tr("p95"), tr("p50") });
    // The server counts only what it has read; while the loop is blocked the built-in load's
    // clients have more out, waiting unread in their sockets: both lines, side by side.
    m_inFlight = addPlot(
        tr("In-flight requests"), tr("requests"), { tr("read by server"), tr("sent, unanswered") });
    m_lag = addPlot(tr("Loop lag"), tr("ms"), { tr("lag") });
    const QList<Plot *> all = plots();
    for (int i = 0; i < all.size(); ++i) {
        auto *view = new ChartCursorView(all[i]->chart, m_cursor, this);
        m_views.append(view);
        view->setMinimumHeight(100);
        grid->addWidget(view, i / 2, i % 2);
        applyPalette(*all[i]);
        fitAxes(*all[i]);
    }
}

void LiveCharts::setPlayHead(const viz::TimeCursor *playHead)
{
    for (ChartCursorView *view : std::as_const(m_views))
        view->setPlayHead(playHead);
}

double LiveCharts::niceStep(double span, int maxTicks)
{
    if (!(span > 0) || maxTicks < 1)
        return 1;
    const double raw = span / maxTicks;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double factor : { 1.0, 2.0, 5.0 }) {
        // A hair of slack: 0.3 / 3 must give 0.1, not 0.2 from rounding.
        if (factor * magnitude >= raw * (1 - 1e-9))
            return factor * magnitude;
    }
    return 10 * magnitude;
}

void LiveCharts::applyPalette(Plot &plot)
{
    const QPalette colours = palette();
    const bool dark = colours.window().color().lightness() < 128;
    plot.chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    // The window's own colours, so the charts sit in the theme rather than on a themed card.
    plot.chart->setBackgroundBrush(colours.base());
    plot.chart->setBackgroundRoundness(0);
    // A theme brings its own fonts: smaller ones leave the plot more room.
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    plot.chart->setTitleFont(small);
    plot.chart->legend()->setFont(small);
    plot.chart->setTitleBrush(colours.text());
    plot.chart->legend()->setLabelColor(colours.text().color());
    QColor grid = colours.text().color();
    grid.setAlpha(40);
    for (QValueAxis *axis : { plot.x, plot.y }) {
        axis->setLabelsBrush(colours.text());
        axis->setTitleBrush(colours.text());
        axis->setGridLineColor(grid);
        axis->setLinePenColor(grid);
        axis->setLabelsFont(small);
        axis->setTitleFont(small);
    }
    // p50 on top, widest; p95 dashed; p99 underneath, thin: all three stay visible where they
    // meet.
    if (&plot == &m_latency) {
        const qreal widths[] = { 1.5, 2.0, 2.5 };
        const Qt::PenStyle styles[] = { Qt::SolidLine, Qt::DashLine, Qt::SolidLine };
        for (int i = 0; i < plot.series.size(); ++i) {
            QPen pen = plot.series[i]->pen();
            pen.setWidthF(widths[i]);
            pen.setStyle(styles[i]);
            plot.series[i]->setPen(pen);
        }
    }
}

void LiveCharts::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange) {
        for (Plot *plot : plots())
            applyPalette(*plot);
    }
}

void LiveCharts::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    // The number of ticks that fit changes with the width.
    for (Plot *plot : plots())
        fitAxes(*plot);
}

LiveCharts::Plot LiveCharts::addPlot(
    const QString &title, const QString &unit, const QStringList &names)
{
    Plot plot;
    plot.chart = new QChart;
    plot.chart->setTitle(title);
    plot.chart->legend()->setVisible(names.size() > 1);
    // Beside the plot rather than over it: a row of names would take a third of a short chart's
    // height, where a column takes a little of its width.
    plot.chart->legend()->setAlignment(Qt::AlignRight);
    // Every pixel for the plot: at 1024×700 a chart is a hundred-odd pixels tall.
    plot.chart->setMargins(QMargins(2, 0, 2, 0));
    plot.chart->layout()->setContentsMargins(0, 0, 0, 0);

    plot.x = new QValueAxis;
    plot.x->setTickType(QValueAxis::TicksDynamic);
    plot.x->setTickAnchor(0);
    plot.y = new QValueAxis;
    plot.y->setTickType(QValueAxis::TicksDynamic);
    plot.y->setTickAnchor(0);
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
    fitAxes(plot);
}

namespace {

// The axis lays out one label per tick at each change, so the range and the step never meet in
// an order that asks for more ticks than either the old or the new axis has: a latency jumping
// from 0 to 20 s against the old 0.2 ms step would lay out 100,000 labels, for minutes.
void setRangeAndStep(QValueAxis &axis, double min, double max, double step)
{
    if (step >= axis.tickInterval()) {
        axis.setTickInterval(step);
        axis.setRange(min, max);
    } else {
        axis.setRange(min, max);
        axis.setTickInterval(step);
    }
}

} // namespace

void LiveCharts::fitAxes(Plot &plot)
{
    // The data's own extent: x from the oldest point kept to the newest (at least a few seconds,
    // so the first samples do not fill the plot edge to edge), y from 0 to the highest value.
    double first = std::numeric_limits<double>::max();
    double last = std::numeric_limits<double>::lowest();
    double top = 0;
    for (QLineSeries *s : plot.series) {
        for (const QPointF &point : s->points()) {
            first = std::min(first, point.x());
            last = std::max(last, point.x());
            top = std::max(top, point.y());
        }
    }
    constexpr double kShortestSpan = 10;
    if (first > last)
        first = last = 0; // no data yet
    double right = std::max(last, first + kShortestSpan);
    double left = std::max(0.0, std::min(first, right - kShortestSpan));
    // Room for one label per ~80 px across and ~20 px up.
    const QRectF area = plot.chart->plotArea();
    const int across = std::max(2, int((area.width() > 0 ? area.width() : 300) / 80));
    const int up = std::max(3, int((area.height() > 0 ? area.height() : 100) / 20));
    const double xStep = niceStep(right - left, across);
    setRangeAndStep(*plot.x, left, right, xStep);
    plot.x->setLabelFormat(xStep >= 1 ? QStringLiteral("%.0f s") : QStringLiteral("%.1f s"));
    const double yStep = niceStep(top > 0 ? top * 1.05 : 1, up);
    const double yTop = std::max(yStep, std::ceil(top * 1.05 / yStep) * yStep);
    setRangeAndStep(*plot.y, 0, yTop, yStep);
    const int decimals = std::max(0, int(-std::floor(std::log10(yStep) + 1e-9)));
    plot.y->setLabelFormat(QStringLiteral("%.") + QString::number(decimals) + u'f');
}

void LiveCharts::plotValues(double seconds, const Values &values)
{
    append(m_throughput, 0, seconds, values[0]);
    append(m_latency, 2, seconds, values[1]); // p50, drawn last
    append(m_latency, 1, seconds, values[2]);
    append(m_latency, 0, seconds, values[3]); // p99, drawn first
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
    // While a run goes on, and once as it ends: its final snapshot holds its last completions.
    const bool latencyCurrent = snapshot.running || m_loadWasRunning;
    m_loadWasRunning = snapshot.running;
    const Values values {
        span > 0 ? double(m_requestHistory.back().second - m_requestHistory.front().second) / span
                 : 0,
        latencyCurrent ? snapshot.lastSecondP50Ns / 1e6 : 0,
        latencyCurrent ? snapshot.lastSecondP95Ns / 1e6 : 0,
        latencyCurrent ? snapshot.lastSecondP99Ns / 1e6 : 0,
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
