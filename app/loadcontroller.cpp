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

bool LoadController::start(
    const QString &label, const QString &route, load::LoadPlan plan, QString *error)
{
    if (m_runner.isRunning()) {
        *error = QStringLiteral("a run is already going");
        return false;
    }
    plan.host = m_host.address().toString();
    plan.port = m_host.port();
    if (const QString invalid = plan.validate(); !invalid.isEmpty()) {
        *error = invalid;
        return false;
    }
    m_label = label;
    m_route = route;
    const int index = m_host.modes().indexOf(route);
    m_variant = index < 0 ? QString() : variantName(m_host.modes().variant(index));
    if (!m_runner.start(plan)) {
        *error = m_runner.lastError();
        return false;
    }
    emit runStarted(label);
    return true;
}

void LoadController::onFinished(const load::LoadResult &result)
{
    RunSummary summary;
    summary.label = m_label;
    summary.route = m_route;
    summary.variant = m_variant;
    summary.completed = result.completed;
    summary.failures = result.failed + result.non2xx;
    summary.requestsPerSecond = result.requestsPerSecond();
    summary.p50Ms = double(result.latency.valueAtPercentile(50)) / 1e6;
    summary.p99Ms = double(result.latency.valueAtPercentile(99)) / 1e6;
    summary.result = result;
    m_runs << summary;
    emit runFinished(summary);
}

} // namespace loopscope
