#include "scenarioclaims.h"

#include "loadcontroller.h"

#include <algorithm>
#include <cmath>

namespace loopscope {

namespace {

bool isLatency(ClaimMeasure measure)
{
    switch (measure) {
    case ClaimMeasure::MedianLatency:
    case ClaimMeasure::MaxLatency:
    case ClaimMeasure::MinLatency:
        return true;
    case ClaimMeasure::RequestsPerSecond:
    case ClaimMeasure::FailedShare:
    case ClaimMeasure::LostTaskShare:
        break;
    }
    return false;
}

std::optional<double> measure(const ClaimFigure &figure, const QList<RunSummary> &runs)
{
    if (figure.step < 0 || figure.step >= runs.size())
        return std::nullopt;
    const RunSummary &run = runs.at(figure.step);
    if (run.completed == 0)
        return std::nullopt;
    const load::LatencyHistogram &latency = run.result.latency;
    switch (figure.measure) {
    case ClaimMeasure::RequestsPerSecond:
        return run.requestsPerSecond;
    case ClaimMeasure::MedianLatency:
        return double(latency.valueAtPercentile(50)) / 1e9;
    case ClaimMeasure::MaxLatency:
        return double(latency.max()) / 1e9;
    case ClaimMeasure::MinLatency:
        return double(latency.min()) / 1e9;
    case ClaimMeasure::FailedShare:
        return double(run.failures) / double(run.completed);
    case ClaimMeasure::LostTaskShare:
        if (run.tasksStarted == 0)
            return std::nullopt;
        return double(run.tasksCancelled) / double(run.tasksStarted);
    }
    return std::nullopt;
}

// Three significant digits at most, no trailing zeros: "20", "2.5", "0.105".
QString number(double value)
{
    return QString::number(value, 'g', value >= 100 ? 4 : 3);
}

// A value in the claim's unit, without the unit: seconds under 1 s are shown in ms.
QString valueText(double value, const ScenarioClaim &claim)
{
    if (claim.over)
        return number(value) + u'x';
    if (claim.figure.measure == ClaimMeasure::FailedShare)
        return number(value * 100.0) + QStringLiteral("% failed");
    if (claim.figure.measure == ClaimMeasure::LostTaskShare)
        return number(value * 100.0) + QStringLiteral("% of its tasks lost");
    if (!isLatency(claim.figure.measure))
        return number(value) + QStringLiteral(" req/s");
    if (value < 1.0)
        return number(value * 1000.0) + QStringLiteral(" ms");
    return number(value) + QStringLiteral(" s");
}

QString expectedText(const ScenarioClaim &claim)
{
    if (claim.low == claim.high)
        return valueText(claim.low, claim);
    QString range;
    if (claim.high == ScenarioClaim::kUnbounded)
        range = QStringLiteral("at least ") + valueText(claim.low, claim);
    else if (claim.low <= 0)
        range = QStringLiteral("at most ") + valueText(claim.high, claim);
    else
        range = valueText(claim.low, claim) + QStringLiteral(" to ") + valueText(claim.high, claim);
    if (claim.expected <= 0)
        return range;
    return QStringLiteral("about ") + valueText(claim.expected, claim) + QStringLiteral(" (")
        + range + u')';
}

} // namespace

ClaimResult checkClaim(const ScenarioClaim &claim, const QList<RunSummary> &runs)
{
    ClaimResult result;
    result.text = claim.text;
    result.expected = expectedText(claim);
    std::optional<double> value = measure(claim.figure, runs);
    if (value && claim.over) {
        const std::optional<double> base = measure(*claim.over, runs);
        value = base && *base > 0 ? std::optional<double>(*value / *base) : std::nullopt;
    }
    if (!value || !std::isfinite(*value)) {
        const bool ran = claim.figure.step >= 0 && claim.figure.step < runs.size()
            && runs.at(claim.figure.step).completed > 0;
        result.measured = ran && claim.figure.measure == ClaimMeasure::LostTaskShare
            ? QStringLiteral("no background task started")
            : QStringLiteral("no run");
        return result;
    }
    result.measured = valueText(*value, claim);
    result.passed = *value >= claim.low && *value <= claim.high;
    // A figure measured on failed requests says nothing of the lesson, unless the failures
    // are the lesson.
    if (claim.figure.measure == ClaimMeasure::FailedShare)
        return result;
    qint64 failures = runs.at(claim.figure.step).failures;
    if (claim.over)
        failures += runs.at(claim.over->step).failures;
    if (failures > 0) {
        result.measured += QStringLiteral(", %1 requests failed").arg(failures);
        result.passed = false;
    }
    return result;
}

QList<ClaimResult> checkClaims(const QList<ScenarioClaim> &claims, const QList<RunSummary> &runs)
{
    QList<ClaimResult> results;
    for (const ScenarioClaim &claim : claims)
        results << checkClaim(claim, runs);
    return results;
}

bool claimsReadTasks(const QList<ScenarioClaim> &claims)
{
    return std::any_of(claims.begin(), claims.end(), [](const ScenarioClaim &claim) {
        return claim.figure.measure == ClaimMeasure::LostTaskShare
            || (claim.over && claim.over->measure == ClaimMeasure::LostTaskShare);
    });
}

QString checkReport(const QList<ClaimResult> &results)
{
    QString report;
    int passed = 0;
    for (const ClaimResult &result : results) {
        passed += result.passed ? 1 : 0;
        report += result.text + QStringLiteral(" | expected ") + result.expected
            + QStringLiteral(" | measured ") + result.measured + QStringLiteral(" | ")
            + (result.passed ? QStringLiteral("PASS") : QStringLiteral("FAIL")) + u'\n';
    }
    report += QStringLiteral("%1 passed, %2 failed\n").arg(passed).arg(results.size() - passed);
    return report;
}

int checkExitCode(const QList<ClaimResult> &results)
{
    for (const ClaimResult &result : results) {
        if (!result.passed)
            return 1;
    }
    return 0;
}

} // namespace loopscope
