#include "appsettings.h"
#include "chrometracereader.h"
#include "commandline.h"
#include "exportfile.h"
#include "headless.h"
#include "loadcommand.h"
#include "mainwindow.h"
#include "recordingwindow.h"
#include "replaycontrols.h"
#include "scenariorunner.h"
#include "scenarios.h"
#include "serverhost.h"
#include "serversampler.h"
#include "sessionrecords.h"
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

// --screenshot: saves the window as it is now; false when the file could not be written.
bool saveWindow(QWidget &window, const QString &path)
{
    // The layout the last change asked for (a banner that grew), before the picture.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::LayoutRequest);
    const bool saved = window.grab().save(path);
    std::printf("%s %s\n", saved ? "screenshot saved to" : "could not save screenshot to",
        qPrintable(path));
    std::fflush(stdout);
    return saved;
}

// --scenario, --check and --screenshot: play the scenario; once its last effect is on screen,
// print its claims, save the window, and quit with whether all of it went well.
void captureWhenAsked(MainWindow &window, const AppOptions &options)
{
    if (options.scenario.isEmpty()) {
        if (!options.screenshot.isEmpty()) { // once the charts have a sample
            QObject::connect(
                &window.sampler(), &ServerSampler::sampled, &window,
                [&window, path = options.screenshot] {
                    QApplication::exit(saveWindow(window, path) ? 0 : 1);
                },
                Qt::SingleShotConnection);
        }
        return;
    }
    const bool quitWhenDone = options.check || !options.screenshot.isEmpty();
    auto report = [&window, quitWhenDone, check = options.check, path = options.screenshot] {
        int code = 0;
        if (check) {
            const QList<ClaimResult> &claims = window.lastScenarioOutcome().claims;
            std::printf("%s", qPrintable(checkReport(claims)));
            std::fflush(stdout);
            code = checkExitCode(claims);
        }
        if (!path.isEmpty() && !saveWindow(window, path))
            code = 1;
        if (quitWhenDone)
            QApplication::exit(code);
    };
    // After the next sample, so the charts and the status bar show the lesson's end too.
    QObject::connect(&window, &MainWindow::scenarioFinished, &window, [&window, report] {
        QObject::connect(
            &window.sampler(), &ServerSampler::sampled, &window, report, Qt::SingleShotConnection);
    });
    QTimer::singleShot(0, &window, [&window, name = options.scenario] {
        if (const Result started = window.runScenario(*findScenario(name)); !started) {
            std::fprintf(
                stderr, "loopscope: scenario not started: %s\n", qPrintable(started.message()));
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
    recording::ReadResult read = recording::readRecordingOrTrace(options.openRecording);
    if (!read) {
        std::fprintf(stderr, "loopscope: %s\n", qPrintable(read.message()));
        return exitCode(read.kind());
    }
    // Drawn as it was, unless --theme says otherwise: the charts take their theme from the
    // palette when they are made.
    applyTheme(
        options.theme.isEmpty() ? sessionrecords::theme(read.recording.meta) : options.theme);
    RecordingWindow window(std::move(read.recording), options.openRecording);
    if (options.windowSize.isValid())
        window.resize(options.windowSize);
    if (options.replaySpeed)
        window.replayControls().setSpeed(*options.replaySpeed);
    if (options.playHead)
        window.replayControls().seek(trace::fromSessionSeconds(*options.playHead));
    if (!options.selectRequest.isEmpty() && !window.selectRequest(options.selectRequest)) {
        std::fprintf(stderr, "loopscope: %s: no request with X-Request-Id %s\n",
            qPrintable(options.openRecording), options.selectRequest.constData());
        return exitCode(ErrorKind::BadArgument);
    }
    window.show();
    if (!options.screenshot.isEmpty()) { // all of it is there at once
        QTimer::singleShot(0, &window, [&window, path = options.screenshot] {
            QApplication::exit(saveWindow(window, path) ? 0 : 1);
        });
    }
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
