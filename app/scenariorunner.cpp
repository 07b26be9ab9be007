#include "scenariorunner.h"

#include "applogging.h"
#include "core/gil.h"
#include "core/modetable.h"
#include "loadcontroller.h"

#include <memory>

namespace loopscope {

ScenarioRunner::ScenarioRunner(
    LoadController &controller, ModeTable &modes, Settled settled, QObject *parent)
    : QObject(parent)
    , m_controller(controller)
    , m_modes(modes)
    , m_settled(std::move(settled))
{
    connect(&m_controller, &LoadController::runFinished, this, &ScenarioRunner::onRunFinished);
    m_settlePoll.setInterval(kSettlePoll);
    connect(&m_settlePoll, &QTimer::timeout, this, &ScenarioRunner::awaitLastEffect);
}

Result ScenarioRunner::start(const Scenario &scenario)
{
    if (m_scenario || m_controller.isRunning())
        return Result::failure(ErrorKind::BadArgument, tr("a run is already going"));
    for (const ScenarioStep &step : scenario.steps) {
        if (m_modes.indexOf(step.route) < 0)
            return Result::failure(
                ErrorKind::BadArgument, tr("this server has no route %1 yet").arg(step.route));
    }
    m_scenario = &scenario;
    m_gilBefore = Gil::process().enabled();
    m_step = 0;
    m_runs.clear();
    m_outcome = { scenario.title, {}, trace::nowNs(), 0 };
    emit started(scenario.title);
    runStep();
    return {};
}

void ScenarioRunner::runStep()
{
    const ScenarioStep &step = m_scenario->steps.at(m_step);
    if (step.gil)
        Gil::process().setEnabled(*step.gil);
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
        end();
        emit failed(error);
        return;
    }
    const quint64 run = ++m_stepRuns;
    if (!step.modesDuringRun.isEmpty()) {
        auto switched = std::make_shared<QMetaObject::Connection>();
        *switched = connect(&m_controller, &LoadController::progress, this,
            [this, run, switched, threshold = step.modesAfterCompleted,
                modes = step.modesDuringRun](qint64 done) {
                if (!m_scenario || m_stepRuns != run || !m_controller.isRunning()) {
                    disconnect(*switched);
                    return;
                }
                if (done < threshold)
                    return;
                disconnect(*switched);
                applyModes(modes);
            });
    }
}

void ScenarioRunner::applyModes(const QStringList &assignments)
{
    // Built-in scenarios set only variants their routes offer (tst_scenarioclaims checks).
    for (const QString &assignment : assignments) {
        if (const Result applied = m_modes.applyAssignment(assignment); !applied)
            qCWarning(lcApp, "scenario: %s", qPrintable(applied.message()));
    }
    emit modesChanged();
}

void ScenarioRunner::onRunFinished(const RunSummary &summary)
{
    if (!m_scenario || m_step >= m_scenario->steps.size())
        return; // a manual run, maybe while the lesson settles
    m_runs << summary;
    if (++m_step < m_scenario->steps.size()) {
        runStep();
        return;
    }
    m_settleDeadline = trace::nowNs()
        + std::chrono::duration_cast<std::chrono::nanoseconds>(kSettleLimit).count();
    awaitLastEffect();
}

void ScenarioRunner::awaitLastEffect()
{
    if (m_settled && !m_settled() && trace::nowNs() < m_settleDeadline) {
        m_settlePoll.start();
        return;
    }
    m_settlePoll.stop();
    // Queued: what the last effect posted to this thread (its log line) is handled first.
    QMetaObject::invokeMethod(this, &ScenarioRunner::finish, Qt::QueuedConnection);
}

void ScenarioRunner::finish()
{
    m_outcome.end = trace::nowNs();
    m_outcome.claims = checkClaims(m_scenario->claims, m_runs);
    end();
    emit finished(m_outcome.title);
}

void ScenarioRunner::end()
{
    Gil::process().setEnabled(m_gilBefore);
    m_scenario = nullptr;
}

} // namespace loopscope
