#pragma once

#include "core/result.h"
#include "scenarios.h"

#include "loadcontroller.h"
#include "trace/trace.h"

#include <QJsonValue>
#include <QObject>
#include <QTimer>
#include <functional>

namespace loopscope {

namespace trace {
class Subscription;
}
class ModeTable;
class SettingTable;

// What a played scenario showed: its claims checked, and the time it took on the trace clock,
// from its first request to its last effect.
struct ScenarioOutcome
{
    QString title;
    QList<ClaimResult> claims;
    trace::Nanos begin = 0;
    trace::Nanos end = 0;
};

// Plays a scenario: for each step, sets its variants and settings, fires its load, waits for the
// run; then
// waits for the lesson's last effect (its background tasks, their log lines) and checks its
// claims on the runs.
class ScenarioRunner : public QObject
{
    Q_OBJECT
public:
    // True once nothing the lesson started still runs; polled after the last run. Its bound:
    // kSettleLimit.
    using Settled = std::function<bool()>;
    // Restarts the server and calls `done` with the result, later, on this thread.
    using Restart = std::function<void(std::function<void(Result)> done)>;
    static constexpr std::chrono::milliseconds kSettlePoll { 50 };
    static constexpr std::chrono::seconds kSettleLimit { 30 };
    // How often the lesson's trace is read into its steps' TracedFigures.
    static constexpr std::chrono::milliseconds kTracePoll { 200 };

    ScenarioRunner(LoadController &controller, ModeTable &modes, SettingTable &settings,
        Settled settled = {}, Restart restart = {}, QObject *parent = nullptr);

    // A failure says why the scenario did not start.
    Result start(const Scenario &scenario);
    bool isRunning() const { return m_scenario != nullptr; }
    // The last scenario that finished.
    const ScenarioOutcome &outcome() const { return m_outcome; }

signals:
    void started(const QString &scenarioTitle); // before its first step
    void stepStarted(const QString &scenarioTitle, const QString &stepLabel);
    void modesChanged();
    void finished(const QString &scenarioTitle); // outcome() has its claims
    void failed(const QString &message);

private:
    void runStep();
    void applyModes(const QStringList &assignments);
    Result applySettings(const QStringList &assignments);
    void onRunFinished(const RunSummary &summary);
    void nextStep();
    // What the trace told since the last read: the step just run's (a restart's cancellations
    // come before the next step starts).
    void readTraceInto(RunSummary &run);
    void drainTrace();
    void awaitLastEffect();
    void finish();
    void end(); // gives back the settings the scenario changed

    LoadController &m_controller;
    ModeTable &m_modes;
    SettingTable &m_settings;
    const Scenario *m_scenario = nullptr;
    int m_step = 0;
    quint64 m_stepRuns = 0; // counts the steps started, so a late switch knows its own run
    // The user's value of each setting a step changes, given back at the end.
    QList<std::pair<QString, QJsonValue>> m_settingsBefore;
    Settled m_settled;
    Restart m_restart;
    std::shared_ptr<trace::Subscription> m_traceEvents; // while a scenario plays
    QTimer m_tracePoll;
    std::vector<trace::Event> m_drained;
    TracedFiguresTally m_tally; // since the last readTraceInto
    QList<RunSummary> m_runs; // this scenario's, one per step
    ScenarioOutcome m_outcome;
    QTimer m_settlePoll;
    trace::Nanos m_settleDeadline = 0;
};

} // namespace loopscope
