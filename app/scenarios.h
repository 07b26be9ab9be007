#pragma once

#include "scenarioclaims.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <chrono>
#include <optional>

namespace loopscope {

// One load run of a scenario: the variants to set, then the load to fire.
struct ScenarioStep
{
    QString label; // shown in the runs table
    QStringList modes; // "ROUTE=VARIANT", applied before the run
    // "NAME=VALUE" of the server's settings (SettingTable: "gil.enabled=off",
    // "upstream.failure_rate=0.5"), applied before the run and kept for the next steps; the
    // user's values come back when the scenario ends.
    QStringList settings;
    QString route; // route key whose variant the run measures, e.g. "GET /async"
    QByteArray method = QByteArrayLiteral("GET");
    QByteArray target; // path and query
    qint64 requests = 100;
    int concurrency = 10;
    double rate = 0; // > 0: open loop
    bool keepAlive = false;
    // Variants switched while the load runs, once this many of its requests were answered: the
    // lesson seen live, with every client in flight at the switch. A count, not a time, so a slow
    // machine still switches inside the run.
    QStringList modesDuringRun;
    qint64 modesAfterCompleted = 0;
    // A deploy after the run: the server restarts (ServerHost::restart: its background tasks get
    // their grace, then are cancelled) before the next step, or before the lesson settles.
    bool restartServerAfter = false;
};

// A lesson of the course, reproduced with one click: variants, load, and what to watch.
struct Scenario
{
    QString name; // the --scenario argument
    QString title; // the menu entry
    QString watch; // two lines for the user
    QList<ScenarioStep> steps;
    QList<ScenarioClaim> claims; // what the course says the steps show, checked on their runs
};

const QList<Scenario> &scenarios();
const Scenario *findScenario(const QString &name);

} // namespace loopscope
