#include "headlessserver.h"

#include <QDeadlineTimer>
#include <QRegularExpression>

namespace loopscope::testing {

quint16 startHeadless(
    QProcess &process, const QString &binary, const QStringList &arguments, int timeoutMs)
{
    process.start(binary,
        QStringList { QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0") }
            + arguments);
    if (!process.waitForStarted(5000))
        return 0;
    const QRegularExpression listening(
        QStringLiteral("^listening on http://127\\.0\\.0\\.1:(\\d+)$"));
    const QDeadlineTimer deadline(timeoutMs);
    QByteArray output;
    while (!deadline.hasExpired() && process.waitForReadyRead(int(deadline.remainingTime()))) {
        output += process.readAllStandardOutput();
        for (const QByteArray &line : output.split('\n')) {
            const auto match = listening.match(QString::fromUtf8(line));
            if (match.hasMatch())
                return static_cast<quint16>(match.captured(1).toUInt());
        }
    }
    return 0;
}

} // namespace loopscope::testing
