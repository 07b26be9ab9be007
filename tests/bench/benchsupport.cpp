#include "benchsupport.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <cstdio>
#include <unistd.h>

namespace loopscope::bench {

void figure(const QByteArray &name, double value, const char *unit)
{
    std::printf("%s: %.3f %s\n", name.constData(), value, unit);
    std::fflush(stdout);
}

void note(const QString &text)
{
    std::printf("# %s\n", qPrintable(text));
    std::fflush(stdout);
}

quint16 freePort()
{
    QTcpServer server;
    server.listen(QHostAddress::LocalHost, 0);
    return server.serverPort();
}

bool waitForPort(quint16 port, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        QTcpSocket probe;
        probe.connectToHost(QHostAddress::LocalHost, port);
        if (probe.waitForConnected(200))
            return true;
        QThread::msleep(100);
    }
    return false;
}

QString run(const QString &program, const QStringList &arguments, int timeoutMs)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
    }
    return QString::fromLocal8Bit(process.readAll());
}

void stopProcess(QProcess &process)
{
    process.terminate();
    if (!process.waitForFinished(20000))
        process.kill();
}

double captureNumber(const QString &text, const QString &pattern)
{
    const auto match = QRegularExpression(pattern).match(text);
    return match.hasMatch() ? match.captured(1).toDouble() : -1;
}

int openFdCount(qint64 pid)
{
    const QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
    if (!fds.exists())
        return -1;
    return int(fds.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot).size());
}

QMap<QString, int> openFdKinds(qint64 pid)
{
    QMap<QString, int> kinds;
    const QDir fds(QStringLiteral("/proc/%1/fd").arg(pid));
    for (const QString &fd :
        fds.entryList(QDir::AllEntries | QDir::System | QDir::NoDotAndDotDot)) {
        char target[4096];
        const ssize_t length
            = ::readlink(QFile::encodeName(fds.filePath(fd)).constData(), target, sizeof target);
        if (length <= 0)
            continue;
        QString kind = QString::fromLocal8Bit(target, length);
        // socket:[12345] and pipe:[678]: the inode tells one from another, not what it is.
        if (kind.startsWith(u"socket:") || kind.startsWith(u"pipe:"))
            kind = kind.section(u':', 0, 0);
        ++kinds[kind];
    }
    return kinds;
}

} // namespace loopscope::bench
