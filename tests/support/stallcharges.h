#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>

namespace loopscope::testing {

// What a GET /_scope/stalls report charges to the requests of one test (their X-Request-Id
// starts with a prefix), summed the way the clients' own waiting is.
struct StallCharges
{
    QList<QJsonObject> culprits; // of the blocking-call stalls ours caused, in report order
    QSet<QString> culpritIds;
    qint64 byBlockingCalls = 0; // ns charged to ours by blocking calls
    qint64 inSocket = 0; // the part of it they spent unread in the socket
    QSet<QString> socketVictims; // ours charged a wait in the socket
    qint64 byBusyLoop = 0; // by the loop's own work (a loaded machine's scheduler)
    bool totalsAgree = true; // each stall's waited_ns is the sum of its victims'
};

StallCharges stallCharges(const QJsonObject &report, const QByteArray &requestIdPrefix);

} // namespace loopscope::testing
