#include "requestrecord.h"

#include <QStringBuilder>

namespace loopscope::load {

const char *requestErrorName(RequestError kind)
{
    switch (kind) {
    case RequestError::None:
        return "none";
    case RequestError::Connect:
        return "connect";
    case RequestError::Timeout:
        return "timeout";
    case RequestError::Reset:
        return "reset";
    case RequestError::Status:
        return "status";
    case RequestError::Protocol:
        return "protocol";
    case RequestError::Cancelled:
        return "cancelled";
    }
    return "unknown";
}

QByteArray requestId(const QByteArray &runId, quint64 n)
{
    return QByteArrayLiteral("load-") + runId + '-' + QByteArray::number(n);
}

} // namespace loopscope::load
