#pragma once

#include "core/serverlog.h"

#include <QObject>
#include <QStringList>
#include <algorithm>

namespace loopscope::testing {

// Collects the server log on the test thread (queued: the log is emitted on the server loop), so
// a suite waits for a line with QTRY_VERIFY(logged.contains(...)).
class LogCollector : public QObject
{
public:
    explicit LogCollector(ServerLog &log)
    {
        connect(&log, &ServerLog::message, this,
            [this](const QString &, const QString &line) { m_lines << line; });
    }
    bool contains(const QString &text) const { return count(text) > 0; }
    int count(const QString &text) const
    {
        return int(std::count_if(m_lines.begin(), m_lines.end(),
            [&text](const QString &line) { return line.contains(text); }));
    }

private:
    QStringList m_lines;
};

} // namespace loopscope::testing
