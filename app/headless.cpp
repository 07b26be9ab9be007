#include "headless.h"

#include "commandline.h"
#include "exportfile.h"
#include "liverecorder.h"
#include "recordingreader.h"
#include "recordingsummary.h"
#include "serverhost.h"
#include "serversampler.h"
#include "sessionrecords.h"
#include "trace/sessionclock.h"
#include "trace/tracehub.h"
#include "unixsignals.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>

#include <QCoreApplication>
#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace loopscope {

namespace {

void printLine(const QString &line, FILE *stream = stdout)
{
    const QByteArray bytes = line.toUtf8();
    std::fprintf(stream, "%s\n", bytes.constData());
    std::fflush(stream);
}

} // namespace

int runHeadless(const AppOptions &options)
{
    // Handlers first: a client may send SIGTERM the moment it reads the listening line. The
    // signal is acted on once the event loop runs, so an early one still stops cleanly.
    UnixSignals stopSignals({ SIGINT, SIGTERM });
    QObject::connect(&stopSignals, &UnixSignals::received, qApp, [](int signalNumber) {
        printLine(QStringLiteral("received %1, shutting down")
                      .arg(signalNumber == SIGINT ? QStringLiteral("SIGINT")
                                                  : QStringLiteral("SIGTERM")));
        QCoreApplication::quit();
    });
    if (options.traceRetention)
        trace::TraceHub::instance().setRetention(*options.traceRetention);
    ServerHost host(options.server);
    // Direct: lines must appear even while the main thread waits for the server to drain. Each
    // at its session time, the clock of the trace --trace-out writes.
    QObject::connect(
        &host.log(), &ServerLog::message, &host.log(),
        [](const QString &level, const QString &line, qint64 at) {
            const bool info = level == u"INFO";
            const QString text = u'[' + trace::formatSessionTime(at) + QStringLiteral("] ")
                + (info ? line : QString(level + u": " + line));
            printLine(text, info ? stdout : stderr);
        },
        Qt::DirectConnection);
    recording::LiveRecorder recorder;
    if (!options.recordTo.isEmpty())
        recorder.capture(); // from before the first connection: a client need not wait for us
    if (const Result started = host.start(); !started) {
        printLine(QStringLiteral("loopscope: %1").arg(started.message()), stderr);
        if (started.kind() == ErrorKind::BadArgument)
            std::fprintf(stderr, "\n%s", qPrintable(usageText()));
        return exitCode(started.kind());
    }
    printLine(QStringLiteral("listening on %1").arg(host.url()));

    if (!options.recordTo.isEmpty()) {
        const auto started = recorder.start(options.recordTo,
            sessionrecords::meta(QStringLiteral("headless"), host.url(), host.modes()));
        if (!started) {
            printLine(QStringLiteral("loopscope: %1").arg(started.message()), stderr);
            host.stop();
            return 1;
        }
        // Queued: the recorder writes on this thread; the lines come from the server's.
        QObject::connect(&host.log(), &ServerLog::message, &recorder,
            [&recorder](const QString &level, const QString &line, qint64 at) {
                recorder.addRecord(sessionrecords::logLine(level, line, at));
            });
        // The server's samples, as the window's charts take them: the recording draws its charts.
        auto *sampler = new ServerSampler(host, &recorder);
        QObject::connect(
            sampler, &ServerSampler::sampled, &recorder, [&recorder](const ServerSample &sample) {
                recorder.addRecord(sessionrecords::sample(sample, load::LoadSnapshot {}));
            });
        QObject::connect(
            &recorder, &recording::LiveRecorder::failed, qApp, [](const QString &error) {
                printLine(QStringLiteral("loopscope: recording stopped: %1").arg(error), stderr);
            });
        printLine(QStringLiteral("recording to %1").arg(options.recordTo));
    }

    QCoreApplication::exec();
    if (!host.stop()) {
        // Something blocks the server loop past every grace period (a blocking handler that
        // cannot be cancelled): the promise to stop wins over waiting for it.
        printLine(QStringLiteral("loopscope: the server did not stop within %1 s; exiting")
                      .arg(options.server.stopDeadline().count() / 1000.0),
            stderr);
        std::_Exit(1);
    }
    int code = 0;
    if (recorder.isRecording()) {
        QCoreApplication::sendPostedEvents(&recorder); // the server's last log lines
        if (const auto stopped = recorder.stop(); !stopped) {
            printLine(QStringLiteral("loopscope: %1").arg(stopped.message()), stderr);
            code = 1;
        } else {
            printLine(QStringLiteral("recording written to %1 (%2 events, %3 bytes)")
                          .arg(options.recordTo)
                          .arg(recorder.writer().eventsWritten())
                          .arg(recorder.writer().bytesWritten()));
        }
    }
    if (!options.traceOut.isEmpty()) {
        if (const Result written = writeTrace(options.traceOut); !written) {
            printLine(QStringLiteral("loopscope: %1").arg(written.message()), stderr);
            code = exitCode(written.kind()); // the file asked for is not there: say so
        } else {
            printLine(QStringLiteral("trace written to %1").arg(options.traceOut));
        }
    }
    printLine(QStringLiteral("stopped"));
    return code;
}

int runInfoCommand(const QStringList &arguments)
{
    if (arguments.size() != 1 || arguments.constFirst().startsWith(u'-')) {
        printLine(QStringLiteral("usage: loopscope info FILE.loopscope"), stderr);
        return 2;
    }
    const QString path = arguments.constFirst();
    const recording::ReadResult read = recording::readRecording(path);
    if (!read) {
        printLine(QStringLiteral("loopscope: %1").arg(read.message()), stderr);
        return 1;
    }
    const QJsonObject summary = recording::summarize(read.recording, QFileInfo(path).size());
    printLine(QString::fromUtf8(QJsonDocument(summary).toJson(QJsonDocument::Compact)));
    return 0;
}

} // namespace loopscope
