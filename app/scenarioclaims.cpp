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
    case ClaimMeasure::TogetherShare:
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
        if (run.traced.tasksStarted == 0)
            return std::nullopt;
        return double(run.traced.tasksCancelled) / double(run.traced.tasksStarted);
    case ClaimMeasure::TogetherShare:
        if (run.traced.jobsWorking == 0)
            return std::nullopt;
        return double(run.traced.jobsWorkingTogether) / double(run.traced.jobsWorking);
    }
    return std::nullopt;
}

std::optional<double> ratio(
    const ClaimFigure &figure, const ClaimFigure &over, const QList<RunSummary> &runs)
{
    const std::optional<double> value = measure(figure, runs);
    const std::optional<double> base = measure(over, runs);
    if (!value || !base || *base <= 0)
        return std::nullopt;
    return *value / *base;
}

// Why a step measured nothing.
QString noMeasurement(const ClaimFigure &figure, const QList<RunSummary> &runs)
{
    const bool ran
        = figure.step >= 0 && figure.step < runs.size() && runs.at(figure.step).completed > 0;
    if (!ran)
        return QStringLiteral("no run");
    switch (figure.measure) {
    case ClaimMeasure::LostTaskShare:
        return QStringLiteral("no background task started");
    case ClaimMeasure::TogetherShare:
        return QStringLiteral("no pool job ran");
    case ClaimMeasure::RequestsPerSecond:
    case ClaimMeasure::MedianLatency:
    case ClaimMeasure::MaxLatency:
    case ClaimMeasure::MinLatency:
    case ClaimMeasure::FailedShare:
        break;
    }
    return QStringLiteral("no measurement");
}

// Three significant digits at most, no trailing zeros: "20", "2.5", "0.105".
QString number(double value)
{
    return QString::number(value, 'g', value >= 100 ? 4 : 3);
}

// What a share claim's percentage is of ("failed"); empty for a claim that is not a share.
QString shareOf(const ScenarioClaim &claim)
{
    if (claim.over)
        return {};
    switch (claim.figure.measure) {
    case ClaimMeasure::FailedShare:
        return QStringLiteral("failed");
    case ClaimMeasure::LostTaskShare:
        return QStringLiteral("of its tasks lost");
    case ClaimMeasure::TogetherShare:
        return QStringLiteral("of the work two at once");
    case ClaimMeasure::RequestsPerSecond:
    case ClaimMeasure::MedianLatency:
    case ClaimMeasure::MaxLatency:
    case ClaimMeasure::MinLatency:
        break;
    }
    return {};
}

QString percent(double share)
{
    return number(share * 100.0) + u'%';
}

// A value in the claim's unit: seconds under 1 s are shown in ms.
QString valueText(double value, const ScenarioClaim &claim)
{
    if (claim.over)
        return number(value) + u'x';
    if (const QString of = shareOf(claim); !of.isEmpty())
        return percent(value) + u' ' + of;
    if (!isLatency(claim.figure.measure))
        return number(value) + QStringLiteral(" req/s");
    if (value < 1.0)
        return number(value * 1000.0) + QStringLiteral(" ms");
    return number(value) + QStringLiteral(" s");
}

// "about 20 s (19 s to 25 s)"; a share names what it is of once: "at most 20% of the work ...".
QString expectedText(const ScenarioClaim &claim)
{
    const QString of = shareOf(claim);
    auto text
        = [&](double value) { return of.isEmpty() ? valueText(value, claim) : percent(value); };
    const QString ofSuffix = of.isEmpty() ? QString() : u' ' + of;
    if (claim.low == claim.high)
        return text(claim.low) + ofSuffix;
    QString range;
    if (claim.high == ScenarioClaim::kUnbounded)
        range = QStringLiteral("at least ") + text(claim.low);
    else if (claim.low <= 0)
        range = QStringLiteral("at most ") + text(claim.high);
    else
        range = text(claim.low) + QStringLiteral(" to ") + text(claim.high);
    if (claim.expected <= 0)
        return range + ofSuffix;
    return QStringLiteral("about ") + text(claim.expected) + QStringLiteral(" (") + range + u')'
        + ofSuffix;
}

} // namespace

ClaimResult checkClaim(const ScenarioClaim &claim, const QList<RunSummary> &runs)
{
    ClaimResult result;
    result.text = claim.text;
    result.expected = expectedText(claim);
    const std::optional<double> value
        = claim.over ? ratio(claim.figure, *claim.over, runs) : measure(claim.figure, runs);
    if (!value || !std::isfinite(*value)) {
        result.measured = noMeasurement(claim.figure, runs);
        return result;
    }
    result.measured = valueText(*value, claim);
    result.passed = *value >= claim.low && *value <= claim.high;
    if (claim.shown) {
        if (const std::optional<double> shown = ratio(claim.shown->figure, claim.shown->over, runs))
            result.measured += QStringLiteral("; %1 %2x").arg(claim.shown->what, number(*shown));
    }
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

bool claimsReadTrace(const QList<ScenarioClaim> &claims)
{
    auto traced = [](const ClaimFigure &figure) {
        return figure.measure == ClaimMeasure::LostTaskShare
            || figure.measure == ClaimMeasure::TogetherShare;
    };
    return std::any_of(claims.begin(), claims.end(), [&](const ScenarioClaim &claim) {
        return traced(claim.figure) || (claim.over && traced(*claim.over));
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
