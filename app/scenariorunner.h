#pragma once

#include "scenarios.h"

#include <QObject>

namespace loopscope {

class LoadController;
class ModeTable;
struct RunSummary;

// Plays a scenario: for each step, sets its variants, fires its load, waits for the run.
class ScenarioRunner : public QObject
{
    Q_OBJECT
public:
    ScenarioRunner(LoadController &controller, ModeTable &modes, QObject *parent = nullptr);

    // Returns an error text, empty when the scenario started.
    QString start(const Scenario &scenario);
    bool isRunning() const { return m_scenario != nullptr; }

signals:
    void started(const QString &scenarioTitle); // before its first step
    void stepStarted(const QString &scenarioTitle, const QString &stepLabel);
    void modesChanged();
    void finished(const QString &scenarioTitle);
    void failed(const QString &message);

private:
    void runStep();
    void applyModes(const QStringList &assignments);
    void onRunFinished(const RunSummary &summary);

    LoadController &m_controller;
    ModeTable &m_modes;
    const Scenario *m_scenario = nullptr;
    int m_step = 0;
    quint64 m_stepRuns = 0; // counts the steps started, so a late switch knows its own run
};

} // namespace loopscope
