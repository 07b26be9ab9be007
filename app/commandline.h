#pragma once

#include "core/result.h"
#include "serverconfig.h"

#include <QSize>
#include <QStringList>
#include <chrono>
#include <optional>

namespace loopscope {

// The app's own command line (the `load` subcommand parses its own).
struct AppOptions
{
    bool headless = false;
    bool portGiven = false; // the window falls back to its saved settings for what is not given
    bool databaseGiven = false;
    ServerConfig server;
    QString traceOut; // Chrome trace of the retained window, written on exit
    QString recordTo; // --record: the headless session as a .loopscope recording, as it happens
    QString openRecording; // `loopscope FILE.loopscope`: shown in the window instead of a server
    std::optional<double> playHead; // --at: the recording's play head, in session seconds
    std::optional<double> replaySpeed; // --speed: the replay speed, 0.05 to 4
    QByteArray selectRequest; // --select: the X-Request-Id of the recorded request to inspect
    // Overrides the window's saved setting for this run (not saved); the hub's default otherwise.
    std::optional<std::chrono::seconds> traceRetention;
    QString scenario; // played once the window is up
    QString screenshot; // PNG of the window, taken after the scenario ran; then the app quits
    bool check = false; // --check: print the scenario's claims checked, quit with whether all held
    QString theme; // --theme light|dark|system for this run (not saved); empty: the saved one
    QSize windowSize; // --size WxH: the window's size, so a screenshot is reproducible
};

struct CommandLineResult
{
    enum class Action
    {
        Run,
        ShowHelp,
        ShowVersion,
        ListScenarios,
        UsageError
    };
    Action action = Action::Run;
    AppOptions options;
    QString message; // usage error text or help text
};

CommandLineResult parseCommandLine(const QStringList &arguments);
QString usageText();
// The process's exit code when it cannot run: 2 when the command line is at fault (as for a usage
// error), 1 when the machine or the input is.
int exitCode(ErrorKind kind);

} // namespace loopscope
