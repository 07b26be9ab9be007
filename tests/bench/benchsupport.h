#pragma once

#include <QByteArray>
#include <QMap>
#include <QProcess>
#include <QString>
#include <QStringList>

#include "support/processstatus.h"

// What every benchmark needs: figure lines, loopback ports, child processes, output parsing.
namespace loopscope::bench {

// One `name: value unit` line, the benchmarks' output contract.
void figure(const QByteArray &name, double value, const char *unit);
// A `# text` line: context for the figures, never a figure.
void note(const QString &text);

quint16 freePort(); // a free loopback port (the listener is closed again at once)
bool waitForPort(quint16 port, int timeoutMs); // true once 127.0.0.1:port accepts

// Runs a program to completion (killed after the timeout); its merged output.
QString run(const QString &program, const QStringList &arguments, int timeoutMs);
// SIGTERM, then SIGKILL after 20 s.
void stopProcess(QProcess &process);

// The first capture group of `pattern` in `text` as a number; -1 when absent.
double captureNumber(const QString &text, const QString &pattern);
using testing::rssKb; // resident set size of a process in KiB; -1 when unknown
// Open file descriptors of a process (entries of /proc/PID/fd); -1 when unknown.
int openFdCount(qint64 pid);
// What those descriptors are, counted by kind: "socket", "pipe", "anon_inode:[eventfd]", or a
// file's path.
QMap<QString, int> openFdKinds(qint64 pid);
using testing::cpuSeconds; // user plus system CPU time of a process in seconds; -1 when unknown

} // namespace loopscope::bench
