#include "appsettings.h"
#include "commandline.h"
#include "exportfile.h"
#include "headless.h"
#include "loadcommand.h"
#include "mainwindow.h"
#include "recordingwindow.h"
#include "replaycontrols.h"
#include "scenarios.h"
#include "serverhost.h"
#include "trace/sessionclock.h"
#include "trace/tracehub.h"
#include "unixsignals.h"

#include <QApplication>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTimer>
#include <csignal>
#include <cstdio>
#include <cstdlib>

using namespace loopscope;

namespace {

QElapsedTimer &startClock()
{
    static QElapsedTimer clock;
    return clock;
}

void setApplicationIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("Loopscope"));
    QCoreApplication::setApplicationName(QStringLiteral("loopscope"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LOOPSCOPE_VERSION));
}

// --screenshot: saves the window after `delay`, then quits with whether it was saved.
void saveWindowAfter(QWidget &window, const QString &path, std::chrono::milliseconds delay)
{
    QTimer::singleShot(delay, &window, [&window, path] {
        const bool saved = window.grab().save(path);
        std::printf("%s %s\n", saved ? "screenshot saved to" : "could not save screenshot to",
            qPrintable(path));
        std::fflush(stdout);
        QApplication::exit(saved ? 0 : 1);
    });
}

// --scenario and --screenshot: play the scenario, then save the window and quit.
void captureWhenAsked(MainWindow &window, const AppOptions &options)
{
    auto capture = [&window, path = options.screenshot] {
        // Let the last answers, log lines and a chart sample reach the screen first.
        if (!path.isEmpty())
            saveWindowAfter(window, path, std::chrono::milliseconds(1500));
    };
    if (options.scenario.isEmpty()) {
        capture();
        return;
    }
    QObject::connect(&window, &MainWindow::scenarioFinished, &window, capture);
    QTimer::singleShot(0, &window, [&window, name = options.scenario] {
        if (const QString error = window.runScenario(*findScenario(name)); !error.isEmpty()) {
            std::fprintf(stderr, "loopscope: scenario not started: %s\n", qPrintable(error));
            QApplication::exit(1);
        }
    });
}

// `loopscope FILE.loopscope`: the recording in its window, no server.
int runRecording(int argc, char **argv, const AppOptions &options)
{
    QApplication app(argc, argv);
    setApplicationIdentity();
    UnixSignals stopSignals({ SIGINT, SIGTERM });
    QObject::connect(&stopSignals, &UnixSignals::received, &app, &QApplication::quit);
    applyTheme(options.theme.isEmpty() ? AppSettings::load().theme : options.theme);
    OpenedRecording opened = openRecording(options.openRecording);
    if (!opened) {
        std::fprintf(stderr, "loopscope: %s\n", qPrintable(opened.message()));
        return exitCode(opened.kind());
    }
    RecordingWindow &window = *opened.window;
    if (options.windowSize.isValid())
        window.resize(options.windowSize);
    if (options.replaySpeed)
        window.replayControls().setSpeed(*options.replaySpeed);
    if (options.playHead)
        window.replayControls().seek(trace::fromSessionSeconds(*options.playHead));
    window.show();
    if (!options.screenshot.isEmpty())
        saveWindowAfter(*opened.window, options.screenshot, {}); // all of it is there at once
    return QApplication::exec();
}

int runWindow(int argc, char **argv, const AppOptions &options)
{
    QApplication app(argc, argv);
    setApplicationIdentity();
    // SIGINT/SIGTERM close the window the same way the Quit action does.
    UnixSignals stopSignals({ SIGINT, SIGTERM });
    QObject::connect(&stopSignals, &UnixSignals::received, &app, &QApplication::quit);
    const AppSettings settings = AppSettings::load();
    applyTheme(options.theme.isEmpty() ? settings.theme : options.theme);
    trace::TraceHub::instance().setRetention(
        options.traceRetention.value_or(std::chrono::seconds(settings.retentionSeconds)));
    ServerConfig config = options.server;
    if (!options.portGiven)
        config.port = static_cast<quint16>(settings.port);
    if (!options.databaseGiven)
        config.databaseUrl = settings.databaseUrl;
    ServerHost host(config);
    if (const Result started = host.start(); !started) {
        std::fprintf(stderr, "loopscope: %s\n", qPrintable(started.message()));
        return exitCode(started.kind());
    }
    std::printf("listening on %s\n", qPrintable(host.url()));
    std::fflush(stdout);
    MainWindow window(host);
    if (options.windowSize.isValid())
        window.resize(options.windowSize);
    window.show();
    // The first loop iteration after show() is when the window is on screen: report start-up time.
    QTimer::singleShot(0, &window, [] {
        std::printf("window shown %lld ms after start\n", startClock().elapsed());
        std::fflush(stdout);
    });
    captureWhenAsked(window, options);
    const int code = QApplication::exec();
    if (!host.stop()) {
        // A blocking handler holds the server loop past every grace period: quit regardless.
        std::fprintf(stderr, "loopscope: the server did not stop within %.0f s; exiting\n",
            options.server.stopDeadline().count() / 1000.0);
        std::_Exit(1);
    }
    if (!options.traceOut.isEmpty()) {
        if (const Result written = writeTrace(options.traceOut); !written) {
            std::fprintf(stderr, "loopscope: %s\n", qPrintable(written.message()));
            return code ? code : exitCode(written.kind());
        }
    }
    return code;
}

} // namespace

int main(int argc, char **argv)
{
    startClock().start();
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments << QString::fromLocal8Bit(argv[i]);

    if (arguments.size() > 1 && arguments.at(1) == u"load") {
        QCoreApplication app(argc, argv);
        setApplicationIdentity();
        return load::runLoadCommand(arguments.mid(2));
    }

    if (arguments.size() > 1 && arguments.at(1) == u"info") {
        QCoreApplication app(argc, argv);
        setApplicationIdentity();
        return runInfoCommand(arguments.mid(2));
    }

    const CommandLineResult parsed = parseCommandLine(arguments);
    switch (parsed.action) {
    case CommandLineResult::Action::UsageError:
        std::fprintf(
            stderr, "loopscope: %s\n\n%s", qPrintable(parsed.message), qPrintable(usageText()));
        return 2;
    case CommandLineResult::Action::ShowHelp:
        std::printf("%s", qPrintable(parsed.message));
        return 0;
    case CommandLineResult::Action::ListScenarios:
        for (const Scenario &scenario : scenarios())
            std::printf("%-18s %s\n", qPrintable(scenario.name), qPrintable(scenario.title));
        return 0;
    case CommandLineResult::Action::ShowVersion:
        std::printf("loopscope %s\n", LOOPSCOPE_VERSION);
        return 0;
    case CommandLineResult::Action::Run:
        break;
    }

    if (!parsed.options.openRecording.isEmpty())
        return runRecording(argc, argv, parsed.options);
    if (parsed.options.headless) {
        QCoreApplication app(argc, argv);
        setApplicationIdentity();
        return runHeadless(parsed.options);
    }
    return runWindow(argc, argv, parsed.options);
}
