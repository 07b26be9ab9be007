#pragma once

#include <QTableWidget>

namespace loopscope {

struct RunSummary;
namespace viz {
class TimeCursor;
}

// The last runs side by side, newest on top: route, the variant (or variants) that really ran,
// requests/s, p50, p99, the slowest request, failures, the plan (n, c, rate, duration), when the
// run started on the session clock, how long it took and whether it was stopped. Clicking a run
// moves the time cursor to its start, or clicking its variant to its first flip. In a replay the
// run under way at the play head is highlighted.
class RunsTable : public QTableWidget
{
    Q_OBJECT
public:
    enum Column
    {
        RunColumn,
        RouteColumn,
        VariantColumn,
        RateColumn,
        P50Column,
        P99Column,
        MaxColumn,
        FailuresColumn,
        PlanColumn,
        StartedColumn,
        TookColumn,
        EndedColumn,
        kColumnCount
    };

    explicit RunsTable(viz::TimeCursor &cursor, QWidget *parent = nullptr);
    void addRun(const RunSummary &summary);
    // A replay's play head: the run under way at the play head is highlighted (null: none).
    void setPlayHead(const viz::TimeCursor *playHead);
    // The row of the run under way at the play head, or -1.
    int playHeadRow() const { return m_playHeadRow; }
    QString toCsv() const;

    // "async→blocking at 48.213 s": the variants a run measured, flips on the session clock.
    static QString variantsText(const RunSummary &summary);
    // "-n 100 -c 10", "-c 10 --rate 200 --duration 5": the plan as the load command takes it.
    static QString planText(const RunSummary &summary);

private:
    void showPlayHead();

    const viz::TimeCursor *m_playHead = nullptr;
    int m_playHeadRow = -1;
};

} // namespace loopscope
