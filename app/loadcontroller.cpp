#include "loadcontroller.h"

#include "serverhost.h"

namespace loopscope {

LoadController::LoadController(ServerHost &host, QObject *parent)
    : QObject(parent)
    , m_host(host)
{
    m_runner.setProgressInterval(std::chrono::milliseconds(100));
    connect(&m_runner, &load::LoadRunner::progress, this, &LoadController::progress);
    connect(&m_runner, &load::LoadRunner::finished, this, &LoadController::onFinished);
}

Result LoadController::start(const QString &label, const QString &route, load::LoadPlan plan)
{
    plan.host = m_host.address().toString();
    plan.port = m_host.port();
    if (m_runner.isRunning())
        return Result::failure(ErrorKind::BadArgument, QStringLiteral("a run is already going"));
    if (Result valid = plan.validate(); !valid)
        return valid;
    m_label = label;
    m_route = route;
    m_plan = plan;
    m_startedAt = trace::nowNs();
    const int index = m_host.modes().indexOf(route);
    m_variant = index < 0 ? QString() : variantName(m_host.modes().variant(index));
    if (Result started = m_runner.start(plan); !started)
        return started;
    emit runStarted(label);
    return {};
}

void LoadController::onFinished(const load::LoadResult &result)
{
    RunSummary summary;
    summary.label = m_label;
    summary.route = m_route;
    summary.variant = m_variant;
    summary.startedAt = result.startSteadyNs ? result.startSteadyNs : m_startedAt;
    if (const int index = m_host.modes().indexOf(m_route); index >= 0) {
        const trace::Nanos end
            = result.startSteadyNs ? result.startSteadyNs + result.elapsedNs : trace::nowNs();
        summary.variantChanges = m_host.modes().changesBetween(index, m_startedAt, end);
        // The list starts at m_startedAt, taken just before the variant was read: its first
        // flip says what ran first, even when it came between the two.
        if (!summary.variantChanges.empty())
            summary.variant = variantName(summary.variantChanges.front().from);
    }
    summary.stopped = result.stopped;
    summary.completed = result.completed;
    summary.failures = result.failed + result.non2xx;
    summary.requestsPerSecond = result.requestsPerSecond();
    summary.p50Ms = double(result.latency.valueAtPercentile(50)) / 1e6;
    summary.p99Ms = double(result.latency.valueAtPercentile(99)) / 1e6;
    summary.maxMs = double(result.latency.max()) / 1e6;
    summary.result = result;
    m_runs << summary;
    emit runEnding();
    emit runFinished(summary);
}

} // namespace loopscope
