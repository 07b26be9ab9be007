#pragma once

#include <QTableWidget>

namespace loopscope {

struct RunSummary;

// The last runs side by side: route, variant, requests/s, p50, p99, failures.
class RunsTable : public QTableWidget
{
    Q_OBJECT
public:
    explicit RunsTable(QWidget *parent = nullptr);
    void addRun(const RunSummary &summary);
    QString toCsv() const;
};

} // namespace loopscope
