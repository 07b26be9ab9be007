#include "scenariorunner.h"

#include "applogging.h"
#include "core/modetable.h"
#include "loadcontroller.h"
#include "routing/settingtable.h"
#include "trace/subscription.h"
#include "trace/tracehub.h"

#include <algorithm>
#include <memory>

namespace loopscope {

ScenarioRunner::ScenarioRunner(LoadController &controller, ModeTable &modes, SettingTable &settings,
    Settled settled, Restart restart, QObject *parent)
    : QObject(parent)
    , m_controller(controller)
    , m_modes(modes)
    , m_settings(settings)
    , m_settled(std::move(settled))
    , m_restart(std::move(restart))
{
    connect(&m_controller, &LoadController::runFinished, this, &ScenarioRunner::onRunFinished);
    m_settlePoll.setInterval(kSettlePoll);
    connect(&m_settlePoll, &QTimer::timeout, this, &ScenarioRunner::awaitLastEffect);
    m_tracePoll.setInterval(kTracePoll);
    connect(&m_tracePoll, &QTimer::timeout, this, &ScenarioRunner::drainTrace);
}

Result ScenarioRunner::start(const Scenario &scenario)
{
    if (m_scenario || m_controller.isRunning())
        return Result::failure(ErrorKind::BadArgument, tr("a run is already going"));
    QList<std::pair<QString, QJsonValue>> before;
    for (const ScenarioStep &step : scenario.steps) {
        if (m_modes.indexOf(step.route) < 0)
            return Result::failure(
                ErrorKind::BadArgument, tr("this server has no route %1 yet").arg(step.route));
        if (step.restartServerAfter && !m_restart)
            return Result::failure(
                ErrorKind::BadArgument, tr("this window cannot restart its server"));
        for (const QString &assignment : step.settings) {
            const QString name = assignment.section(u'=', 0, 0);
            const std::optional<QJsonValue> value = m_settings.value(name);
            if (!value)
                return Result::failure(ErrorKind::BadArgument,
                    tr("this server has no setting %1 (no database or no upstream simulator?)")
                        .arg(name));
            if (std::none_of(before.begin(), before.end(),
                    [&name](const auto &saved) { return saved.first == name; }))
                before.append({ name, *value });
        }
    }
    m_scenario = &scenario;
    m_settingsBefore = std::move(before);
    m_step = 0;
    m_runs.clear();
    m_outcome = { scenario.title, {}, trace::nowNs(), 0 };
    // The lesson's trace, read a few times a second into its steps' figures: a subscriber costs
    // the hub a copy of every event, so only a lesson whose claims read the trace has one.
    m_tally = {};
    if (claimsReadTrace(scenario.claims)) {
        m_traceEvents = trace::TraceHub::instance().subscribe(std::size_t(1) << 20);
        m_tracePoll.start();
    }
    emit started(scenario.title);
    runStep();
    return {};
}

void ScenarioRunner::runStep()
{
    const ScenarioStep &step = m_scenario->steps.at(m_step);
    if (const Result applied = applySettings(step.settings); !applied) {
        end();
        emit failed(applied.message());
        return;
    }
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
    emit stepStarted(m_scenario->title, step.label);
    if (const Result started = m_controller.start(step.label, step.route, plan); !started) {
        end();
        emit failed(started.message());
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

Result ScenarioRunner::applySettings(const QStringList &assignments)
{
    for (const QString &assignment : assignments) {
        if (Result applied = m_settings.applyAssignment(assignment); !applied)
            return applied;
    }
    return {};
}

void ScenarioRunner::onRunFinished(const RunSummary &summary)
{
    if (!m_scenario || m_step >= m_scenario->steps.size())
        return; // a manual run, maybe while the lesson settles
    m_runs << summary;
    if (!m_scenario->steps.at(m_step).restartServerAfter) {
        nextStep();
        return;
    }
    m_restart([this, run = m_stepRuns](Result restarted) {
        if (!m_scenario || m_stepRuns != run)
            return; // the lesson ended meanwhile
        if (!restarted) {
            end();
            emit failed(restarted.message());
            return;
        }
        nextStep();
    });
}

void ScenarioRunner::nextStep()
{
    if (++m_step < m_scenario->steps.size()) {
        readTraceInto(m_runs.last());
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
    readTraceInto(m_runs.last());
    m_outcome.claims = checkClaims(m_scenario->claims, m_runs);
    end();
    emit finished(m_outcome.title);
}

void ScenarioRunner::end()
{
    for (const auto &[name, value] : m_settingsBefore) {
        if (const Result restored = m_settings.set(name, value); !restored)
            qCWarning(lcApp, "scenario: %s", qPrintable(restored.message()));
    }
    m_settingsBefore.clear();
    m_tracePoll.stop();
    m_traceEvents.reset();
    m_scenario = nullptr;
}

void ScenarioRunner::drainTrace()
{
    if (!m_traceEvents)
        return;
    m_traceEvents->drain(m_drained);
    for (const trace::Event &e : m_drained)
        m_tally.add(e);
}

void ScenarioRunner::readTraceInto(RunSummary &run)
{
    if (!m_traceEvents)
        return; // no claim reads it: the figures stay at zero
    // Everything recorded so far, the last collection included.
    trace::TraceHub::instance().flush();
    drainTrace();
    run.traced = m_tally.take();
}

} // namespace loopscope
