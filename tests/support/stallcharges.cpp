#include "stallcharges.h"

#include <QJsonArray>

namespace loopscope::testing {

StallCharges stallCharges(const QJsonObject &report, const QByteArray &requestIdPrefix)
{
    const QString prefix = QString::fromLatin1(requestIdPrefix);
    const auto ours = [&prefix](const QJsonValue &who) {
        return who.toObject().value(QStringLiteral("request_id")).toString().startsWith(prefix);
    };
    StallCharges charges;
    for (const QJsonValue &value : report.value(QStringLiteral("stalls")).toArray()) {
        const QJsonObject stall = value.toObject();
        const QJsonValue culprit = stall.value(QStringLiteral("culprit"));
        const bool blocking = stall.value(QStringLiteral("cause")).toString() == u"blocking call";
        if (blocking && ours(culprit)) {
            charges.culprits.append(culprit.toObject());
            charges.culpritIds.insert(culprit[QStringLiteral("request_id")].toString());
        }
        qint64 stallTotal = 0;
        for (const QJsonValue &victim : stall.value(QStringLiteral("victims")).toArray()) {
            const qint64 waited = victim[QStringLiteral("waited_ns")].toInteger();
            stallTotal += waited;
            if (!ours(victim))
                continue;
            (blocking ? charges.byBlockingCalls : charges.byBusyLoop) += waited;
            if (blocking && victim[QStringLiteral("where")].toString() == u"socket") {
                charges.inSocket += waited;
                charges.socketVictims.insert(victim[QStringLiteral("request_id")].toString());
            }
        }
        if (stall.value(QStringLiteral("waited_ns")).toInteger(-1) != stallTotal)
            charges.totalsAgree = false;
    }
    return charges;
}

} // namespace loopscope::testing
