// bench_app: the window's start-up time and its idle CPU, against the headless server's idle CPU
// measured in the same run. Usage: bench_app [--idle-seconds S] [--runs N]
#include "benchsupport.h"

#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QThread>
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <unistd.h>

using namespace loopscope::bench;

namespace {

// The loopscope process itself (xvfb-run starts it as a child).
qint64 findLoopscope(qint64 parent)
{
    for (int attempt = 0; attempt < 50; ++attempt) {
        QProcess pgrep;
        pgrep.start(QStringLiteral("pgrep"),
            { QStringLiteral("-f"), QStringLiteral("^") + QStringLiteral(LOOPSCOPE_BINARY) });
        pgrep.waitForFinished();
        const QList<QByteArray> pids = pgrep.readAllStandardOutput().split('\n');
        for (const QByteArray &pid : pids) {
            if (!pid.isEmpty() && pid.toLongLong() != parent)
                return pid.toLongLong();
        }
        QThread::msleep(100);
    }
    return parent;
}

struct Started
{
    double shownMs = -1;
    double idleCpuPercent = -1;
};

Started measure(const QStringList &arguments, bool window, int idleSeconds)
{
    QProcess process;
    QStringList command = arguments;
    QString program = QStringLiteral(LOOPSCOPE_BINARY);
    const QString xvfb = QStandardPaths::findExecutable(QStringLiteral("xvfb-run"));
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    if (window && !xvfb.isEmpty()) {
        command = QStringList { QStringLiteral("-a"), QStringLiteral("-s"),
            QStringLiteral("-screen 0 1600x1000x24"), program }
            + arguments;
        program = xvfb;
        environment.remove(QStringLiteral("QT_QPA_PLATFORM"));
    } else if (window) {
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
    }
    process.setProcessEnvironment(environment);
    process.start(program, command);
    Started result;
    QByteArray output;
    const QRegularExpression shown(QStringLiteral("window shown (\\d+) ms"));
    while (process.waitForReadyRead(15000)) {
        output += process.readAllStandardOutput();
        if (window) {
            const auto match = shown.match(QString::fromUtf8(output));
            if (match.hasMatch()) {
                result.shownMs = match.captured(1).toDouble();
                break;
            }
        } else if (output.contains("listening on")) {
            break;
        }
    }
    const qint64 pid = findLoopscope(process.processId());
    QThread::sleep(2); // let start-up work (database seed, first paints) finish
    const double before = cpuSeconds(pid);
    QThread::sleep(idleSeconds);
    const double after = cpuSeconds(pid);
    result.idleCpuPercent = 100.0 * (after - before) / idleSeconds;
    ::kill(static_cast<pid_t>(pid), SIGTERM);
    if (!process.waitForFinished(20000))
        process.kill();
    return result;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int idleSeconds = 10;
    int runs = 3;
    const QStringList args = app.arguments();
    for (qsizetype i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == u"--idle-seconds")
            idleSeconds = args[i + 1].toInt();
        else if (args[i] == u"--runs")
            runs = args[i + 1].toInt();
    }
    const QStringList common { QStringLiteral("--port"), QStringLiteral("0"),
        QStringLiteral("--database"), QStringLiteral("sqlite::memory:") };
    std::vector<double> shown;
    double windowIdle = 0;
    for (int run = 0; run < runs; ++run) {
        const Started started = measure(common, true, run == 0 ? idleSeconds : 1);
        shown.push_back(started.shownMs);
        if (run == 0)
            windowIdle = started.idleCpuPercent;
    }
    std::sort(shown.begin(), shown.end());
    const Started headless
        = measure(QStringList { QStringLiteral("--headless") } + common, false, idleSeconds);
    figure("window_shown_after_start_median", shown[shown.size() / 2], "ms");
    figure("window_shown_after_start_max", shown.back(), "ms");
    figure("window_idle_cpu", windowIdle, "% of one core");
    figure("headless_idle_cpu", headless.idleCpuPercent, "% of one core");
    figure("window_idle_cpu_minus_headless", windowIdle - headless.idleCpuPercent, "% of one core");
    return 0;
}
