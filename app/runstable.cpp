#include "runstable.h"

#include "loadcontroller.h"

#include <QHeaderView>

namespace loopscope {

RunsTable::RunsTable(QWidget *parent)
    : QTableWidget(0, 7, parent)
{
    setHorizontalHeaderLabels({ tr("Run"), tr("Route"), tr("Variant"), tr("Requests/s"),
        tr("p50 (ms)"), tr("p99 (ms)"), tr("Failures") });
    verticalHeader()->hide();
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    horizontalHeader()->setStretchLastSection(true);
}

void RunsTable::addRun(const RunSummary &summary)
{
    const int row = rowCount();
    insertRow(row);
    auto number = [](double value, int decimals) {
        auto *item = new QTableWidgetItem(QString::number(value, 'f', decimals));
        item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        return item;
    };
    setItem(row, 0, new QTableWidgetItem(summary.label));
    setItem(row, 1, new QTableWidgetItem(summary.route));
    setItem(row, 2, new QTableWidgetItem(summary.variant));
    setItem(row, 3, number(summary.requestsPerSecond, 1));
    setItem(row, 4, number(summary.p50Ms, 1));
    setItem(row, 5, number(summary.p99Ms, 1));
    setItem(row, 6, number(double(summary.failures), 0));
    scrollToBottom();
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
