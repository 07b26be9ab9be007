#include "runstable.h"

#include "loadcontroller.h"
#include "timecursor.h"
#include "trace/sessionclock.h"

#include <QHeaderView>

namespace loopscope {

namespace {
// Where a run's end instant is kept, beside its start (Qt::UserRole) on the Started cell.
constexpr int kEndedRole = Qt::UserRole + 1;
} // namespace

RunsTable::RunsTable(viz::TimeCursor &cursor, QWidget *parent)
    : QTableWidget(0, kColumnCount, parent)
{
    setHorizontalHeaderLabels({ tr("Run"), tr("Route"), tr("Variant"), tr("Requests/s"),
        tr("p50 (ms)"), tr("p99 (ms)"), tr("Max (ms)"), tr("Failures"), tr("Plan"),
        tr("Started (session)"), tr("Took (s)"), tr("Ended") });
    verticalHeader()->hide();
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    horizontalHeader()->setStretchLastSection(true);
    connect(this, &QTableWidget::cellClicked, &cursor, [this, &cursor](int row, int column) {
        const QTableWidgetItem *cell = item(row, column);
        const QVariant instant = cell ? cell->data(Qt::UserRole) : QVariant();
        if (instant.isValid())
            cursor.jumpTo(instant.toLongLong());
        else if (const QTableWidgetItem *started = item(row, StartedColumn))
            cursor.jumpTo(started->data(Qt::UserRole).toLongLong());
    });
}

QString RunsTable::variantsText(const RunSummary &summary)
{
    QString text = summary.variant;
    for (const ModeTable::VariantChange &change : summary.variantChanges)
        text += u'→' + variantName(change.to) + tr(" at ") + trace::formatSessionTime(change.at);
    return text;
}

QString RunsTable::planText(const RunSummary &summary)
{
    const load::LoadPlan &plan = summary.result.plan;
    QStringList parts;
    if (plan.totalRequests > 0)
        parts << QStringLiteral("-n %1").arg(plan.totalRequests);
    parts << QStringLiteral("-c %1").arg(plan.concurrency);
    if (plan.isOpenLoop())
        parts << QStringLiteral("--rate %1").arg(plan.rate);
    if (plan.duration.count() > 0)
        parts << QStringLiteral("--duration %1").arg(double(plan.duration.count()) / 1e9);
    if (plan.keepAlive)
        parts << QStringLiteral("-k");
    return parts.join(u' ');
}

void RunsTable::addRun(const RunSummary &summary)
{
    // Newest on top: the run just finished is the one the user looks for.
    const int row = 0;
    insertRow(row);
    auto number = [](double value, int decimals) {
        auto *item = new QTableWidgetItem(QString::number(value, 'f', decimals));
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        return item;
    };
    setItem(row, RunColumn, new QTableWidgetItem(summary.label));
    setItem(row, RouteColumn, new QTableWidgetItem(summary.route));
    auto *variant = new QTableWidgetItem(variantsText(summary));
    if (!summary.variantChanges.empty()) {
        QFont bold = font();
        bold.setBold(true);
        variant->setFont(bold);
        QStringList flips;
        for (const ModeTable::VariantChange &change : summary.variantChanges)
            flips << tr("%1→%2 %3 into the run")
                         .arg(variantName(change.from), variantName(change.to),
                             QString::number(double(change.at - summary.startedAt) / 1e9, 'f', 1)
                                 + QStringLiteral(" s"));
        variant->setToolTip(
            tr("The route's variant changed while this run ran: %1. Times are on the session "
               "clock, the timeline's axis; click to find the first change there.")
                .arg(flips.join(QStringLiteral(", "))));
        variant->setData(Qt::UserRole, qint64(summary.variantChanges.front().at));
    }
    setItem(row, VariantColumn, variant);
    setItem(row, RateColumn, number(summary.requestsPerSecond, 1));
    setItem(row, P50Column, number(summary.p50Ms, 1));
    setItem(row, P99Column, number(summary.p99Ms, 1));
    setItem(row, MaxColumn, number(summary.maxMs, 1));
    setItem(row, FailuresColumn, number(double(summary.failures), 0));
    setItem(row, PlanColumn, new QTableWidgetItem(planText(summary)));
    auto *started = new QTableWidgetItem(trace::formatSessionTime(summary.startedAt));
    started->setData(Qt::UserRole, qint64(summary.startedAt));
    started->setData(
        kEndedRole, qint64(summary.startedAt) + qint64(summary.result.elapsedSeconds() * 1e9));
    setItem(row, StartedColumn, started);
    setItem(row, TookColumn, number(summary.result.elapsedSeconds(), 2));
    setItem(row, EndedColumn, new QTableWidgetItem(summary.stopped ? tr("stopped") : tr("done")));
    scrollToTop();
    showPlayHead();
}

void RunsTable::setPlayHead(const viz::TimeCursor *playHead)
{
    m_playHead = playHead;
    if (playHead)
        connect(playHead, &viz::TimeCursor::changed, this, &RunsTable::showPlayHead);
    showPlayHead();
}

void RunsTable::showPlayHead()
{
    const auto at = m_playHead ? m_playHead->instant() : std::nullopt;
    int found = -1;
    for (int row = 0; at && row < rowCount() && found < 0; ++row) {
        const QTableWidgetItem *started = item(row, StartedColumn);
        if (started && started->data(Qt::UserRole).toLongLong() <= *at
            && *at <= started->data(kEndedRole).toLongLong())
            found = row;
    }
    if (found == m_playHeadRow)
        return;
    const auto paint = [this](int row, const QBrush &brush) {
        for (int column = 0; row >= 0 && column < columnCount(); ++column) {
            if (QTableWidgetItem *cell = item(row, column))
                cell->setBackground(brush);
        }
    };
    paint(m_playHeadRow, QBrush());
    QColor under = palette().highlight().color();
    under.setAlpha(70);
    paint(found, under);
    m_playHeadRow = found;
    if (found >= 0)
        scrollToItem(item(found, RunColumn));
}

QString RunsTable::toCsv() const
{
    QString csv;
    for (int column = 0; column < columnCount(); ++column)
        csv += (column ? u"," : u"") + horizontalHeaderItem(column)->text();
    csv += u'\n';
    for (int row = 0; row < rowCount(); ++row) {
        for (int column = 0; column < columnCount(); ++column) {
            QString cell = item(row, column) ? item(row, column)->text() : QString();
            if (cell.contains(u',') || cell.contains(u'"'))
                cell = u'"' + cell.replace(u'"', QStringLiteral("\"\"")) + u'"';
            csv += (column ? u"," : u"") + cell;
        }
        csv += u'\n';
    }
    return csv;
}

} // namespace loopscope
