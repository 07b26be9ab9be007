#pragma once

#include "trace/trace.h"

#include <QObject>
#include <QString>

namespace loopscope {

// The server's log, as a user reads it: background task lines ("Product created"), lifecycle
// messages, handler errors. Emitted from the server loop; receivers in other threads get it
// queued, so each line carries when it was written (trace clock), not when it was shown.
// Headless mode prints it to stdout.
class ServerLog : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    void info(const QString &line) { emit message(QStringLiteral("INFO"), line, trace::nowNs()); }
    void warning(const QString &line)
    {
        emit message(QStringLiteral("WARNING"), line, trace::nowNs());
    }
    void error(const QString &line) { emit message(QStringLiteral("ERROR"), line, trace::nowNs()); }

signals:
    void message(const QString &level, const QString &line, qint64 at);
};

} // namespace loopscope
