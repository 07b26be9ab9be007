#include "scenariorunner.h"

#include "core/modetable.h"
#include "loadcontroller.h"

#include <QTimer>

namespace loopscope {

ScenarioRunner::ScenarioRunner(LoadController &controller, ModeTable &modes, QObject *parent)
    : QObject(parent)
    , m_controller(controller)
    , m_modes(modes)
{
    connect(&m_controller, &LoadController::runFinished, this, &ScenarioRunner::onRunFinished);
}

QString ScenarioRunner::start(const Scenario &scenario)
{
    if (m_scenario || m_controller.isRunning())
        return tr("a run is already going");
    for (const ScenarioStep &step : scenario.steps) {
        if (m_modes.indexOf(step.route) < 0)
            return tr("this server has no route %1 yet").arg(step.route);
    }
    m_scenario = &scenario;
    m_step = 0;
    emit started(scenario.title);
    runStep();
    return {};
}

void ScenarioRunner::runStep()
{
    const ScenarioStep &step = m_scenario->steps.at(m_step);
    applyModes(step.modes);
    load::LoadPlan plan;
    load::RequestTemplate request;
    request.method = step.method;
    request.target = step.target;
    plan.requests = { request };
    plan.totalRequests = step.requests;
    plan.concurrency = step.concurrency;
    plan.keepAlive = step.keepAlive;
    plan.rate = step.rate;
    QString error;
    emit stepStarted(m_scenario->title, step.label);
    if (!m_controller.start(step.label, step.route, plan, &error)) {
        m_scenario = nullptr;
        emit failed(error);
        return;
    }
    const quint64 run = ++m_stepRuns;
    if (!step.modesDuringRun.isEmpty()) {
        QTimer::singleShot(step.modesAfter, this, [this, run, modes = step.modesDuringRun] {
            if (m_scenario && m_stepRuns == run && m_controller.isRunning())
                applyModes(modes);
        });
    }
}

void ScenarioRunner::applyModes(const QStringList &assignments)
{
    for (const QString &assignment : assignments)
        m_modes.applyAssignment(assignment);
    emit modesChanged();
}

void ScenarioRunner::onRunFinished(const RunSummary &)
{
    if (!m_scenario)
        return; // a manual run
    if (++m_step < m_scenario->steps.size()) {
        runStep();
        return;
    }
    const QString title = m_scenario->title;
    m_scenario = nullptr;
    emit finished(title);
}

} // namespace loopscope
