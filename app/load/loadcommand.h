#pragma once

#include "loadplan.h"

#include <QString>
#include <QStringList>

namespace loopscope::load {

// A BadArgument when the arguments are invalid.
struct LoadCommandLine : Result
{
    LoadPlan plan;
    QString jsonPath;
    bool help = false;
};

// Parses `loopscope load` arguments (without the program name and "load").
LoadCommandLine parseLoadCommandLine(const QStringList &args);
QString loadCommandUsage();

// `loopscope load URL [-n N] [-c C] [-k] [--rate R] [--duration S] [-m METHOD]
// [-H HEADER]... [-b BODY] [--timeout S] [--json FILE]`: runs on a thread of its
// own, prints an ab-like summary on stdout. Exit code 0 when the run happened
// (failed requests included, as ab), 1 when it could not (e.g. connection
// refused, JSON not writable), 2 for invalid arguments (usage on stderr).
int runLoadCommand(const QStringList &args);

} // namespace loopscope::load
