#pragma once

#include <QProcess>
#include <QStringList>

namespace loopscope::testing {

// Starts `binary --headless --port 0 ARGUMENTS...` and waits for its `listening on` line, the
// contract a user (and a script) relies on. Returns the port it printed, or 0 when the process
// did not start or never listened within `timeoutMs`.
quint16 startHeadless(
    QProcess &process, const QString &binary, const QStringList &arguments, int timeoutMs = 20000);

} // namespace loopscope::testing
