#pragma once

#include <QObject>
#include <QString>

namespace loopscope {

// The server's log, as a user reads it: background task lines ("Product created"), lifecycle
// messages, handler errors. Emitted from the server loop; receivers in other threads get it
// queued. Headless mode prints it to stdout.
class ServerLog : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    void info(const QString &line) { emit message(QStringLiteral("INFO"), line); }
    void warning(const QString &line) { emit message(QStringLiteral("WARNING"), line); }
    void error(const QString &line) { emit message(QStringLiteral("ERROR"), line); }

signals:
    void message(const QString &level, const QString &line);
};

} // namespace loopscope
