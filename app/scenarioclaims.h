#pragma once

#include <QList>
#include <QString>

#include <limits>
#include <optional>

namespace loopscope {

struct RunSummary;

// What a claim reads off one of its scenario's runs.
enum class ClaimMeasure
{
    RequestsPerSecond,
    MedianLatency, // p50, seconds
    MaxLatency, // the last user's wait, seconds
    MinLatency, // the first user's wait, seconds
    FailedShare, // the share of requests that failed (an error status or no answer), 0 to 1
    LostTaskShare, // the share of the background tasks it started that were cancelled, 0 to 1
    // The share of its pool jobs' working time during which two or more worked at once (none
    // waiting for the GIL), 0 to 1.
    TogetherShare,
};

// One figure of one step's run.
struct ClaimFigure
{
    ClaimMeasure measure = ClaimMeasure::RequestsPerSecond;
    int step = 0; // index into the scenario's steps
};

// What the course says a scenario shows, as a figure with the range it is accepted in: one
// step's figure, or (with `over`) the ratio of two figures.
struct ScenarioClaim
{
    // Two figures whose ratio is printed beside the measurement, not judged: what the clients
    // measured, where the claim is judged on the trace.
    struct ShownRatio
    {
        QString what; // "requests/s"
        ClaimFigure figure;
        ClaimFigure over;
    };

    static constexpr double kUnbounded = std::numeric_limits<double>::infinity();

    QString text; // in the course's words
    ClaimFigure figure;
    std::optional<ClaimFigure> over; // set: the claim is figure / over
    double expected = 0; // the course's figure; 0 when it gives only a bound
    double low = 0; // accepted range, inclusive
    double high = kUnbounded;
    std::optional<ShownRatio> shown;
};

struct ClaimResult
{
    QString text;
    QString expected; // "≈ 20 s (19–25 s)"
    QString measured; // "20.03 s"; "no run" when its step did not run
    bool passed = false;
};

// Measures a claim on the runs of its scenario's steps (runs[i] is step i's).
ClaimResult checkClaim(const ScenarioClaim &claim, const QList<RunSummary> &runs);
QList<ClaimResult> checkClaims(const QList<ScenarioClaim> &claims, const QList<RunSummary> &runs);
// Whether a claim reads its runs' TracedFigures.
bool claimsReadTrace(const QList<ScenarioClaim> &claims);

// `--check`'s report: one line per claim, then "N passed, N failed".
QString checkReport(const QList<ClaimResult> &results);
// `--check`'s exit status: 0 when every claim passed, 1 otherwise.
int checkExitCode(const QList<ClaimResult> &results);

} // namespace loopscope
