#include "headless.h"

#include "commandline.h"
#include "serverhost.h"
#include "trace/sessionclock.h"
#include "trace/tracehub.h"
#include "unixsignals.h"

#include <QFile>

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

QString writeTrace(const QString &path)
{
    auto &hub = trace::TraceHub::instance();
    hub.flush();
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QStringLiteral("cannot write the trace to %1: %2").arg(path, file.errorString());
    const QByteArray json = hub.chromeTraceJson();
    if (file.write(json) != json.size())
        return QStringLiteral("cannot write the trace to %1: %2").arg(path, file.errorString());
    return {};
}

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
    if (!host.start()) {
        printLine(QStringLiteral("loopscope: %1").arg(host.errorString()), stderr);
        if (host.startError() == ServerHost::StartError::BadArguments) {
            std::fprintf(stderr, "\n%s", qPrintable(usageText()));
            return 2;
        }
        return 1;
    }
    printLine(QStringLiteral("listening on %1").arg(host.url()));

    QCoreApplication::exec();
    if (!host.stop()) {
        // Something blocks the server loop past every grace period (a blocking handler that
        // cannot be cancelled): the promise to stop wins over waiting for it.
        printLine(QStringLiteral("loopscope: the server did not stop within %1 s; exiting")
                      .arg(options.server.stopDeadline().count() / 1000.0),
            stderr);
        std::_Exit(1);
    }
    if (!options.traceOut.isEmpty()) {
        if (const QString error = writeTrace(options.traceOut); !error.isEmpty())
            printLine(QStringLiteral("loopscope: %1").arg(error), stderr);
        else
            printLine(QStringLiteral("trace written to %1").arg(options.traceOut));
    }
    printLine(QStringLiteral("stopped"));
    return 0;
}

} // namespace loopscope
