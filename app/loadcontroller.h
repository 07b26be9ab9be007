#pragma once

#include "core/modetable.h"
#include "loadrunner.h"
#include "tracedfigures.h"

#include <QObject>

namespace loopscope {

class ServerHost;

// What one finished run contributes to the comparison table. Its plan (n, c, rate, duration)
// is result.plan.
struct RunSummary
{
    QString label;
    QString route;
    QString variant; // the route's variant as the run began
    // The route's flips while the run ran, oldest first: a run is not "async" if half of it ran
    // blocking.
    std::vector<ModeTable::VariantChange> variantChanges;
    trace::Nanos startedAt = 0; // the run's time zero, on the trace clock
    bool stopped = false; // ended by Stop rather than by its plan
    qint64 completed = 0;
    qint64 failures = 0; // transport errors and status >= 400
    double requestsPerSecond = 0;
    double p50Ms = 0;
    double p99Ms = 0;
    double maxMs = 0; // the slowest request, exact (not a histogram bucket)
    // What the trace tells of the run's step: a scenario reads it (ScenarioRunner) when one of its
    // claims needs it, and leaves it at zero otherwise.
    TracedFigures traced;
    load::LoadResult result;
};

// The window's one load generator against the embedded server: the load panel and the
// scenarios both fire through it, and every finished run becomes a RunSummary.
class LoadController : public QObject
{
    Q_OBJECT
public:
    explicit LoadController(ServerHost &host, QObject *parent = nullptr);

    // `route` names the route whose variant the run measures (for the table).
    // A failure (BadArgument, saying why) when a run is going or the plan cannot run.
    Result start(const QString &label, const QString &route, load::LoadPlan plan);
    void stop() { m_runner.stop(); }
    bool isRunning() const { return m_runner.isRunning(); }
    load::LoadSnapshot snapshot() const { return m_runner.snapshot(); }
    const QList<RunSummary> &runs() const { return m_runs; }
    // The run going on (or the last one): what the load panel shows, whoever started it.
    const load::LoadPlan &plan() const { return m_plan; }
    const QString &route() const { return m_route; }
    const QString &label() const { return m_label; }

signals:
    void runStarted(const QString &label);
    void progress(qint64 done, qint64 total, double elapsedSeconds, double etaSeconds);
    // Just before runFinished, while snapshot() still holds the run's final figures: a sample
    // taken now keeps its last completions (a scenario starts its next run on runFinished).
    void runEnding();
    void runFinished(const loopscope::RunSummary &summary);

private:
    void onFinished(const load::LoadResult &result);

    ServerHost &m_host;
    load::LoadRunner m_runner;
    QString m_label;
    QString m_route;
    load::LoadPlan m_plan;
    QString m_variant;
    trace::Nanos m_startedAt = 0; // when start() read the variant
    QList<RunSummary> m_runs;
};

} // namespace loopscope
