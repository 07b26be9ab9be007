#include "requestrecord.h"

#include <QStringBuilder>

namespace loopscope::load {

const char *errorKindName(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::None:
        return "none";
    case ErrorKind::Connect:
        return "connect";
    case ErrorKind::Timeout:
        return "timeout";
    case ErrorKind::Reset:
        return "reset";
    case ErrorKind::Status:
        return "status";
    case ErrorKind::Protocol:
        return "protocol";
    case ErrorKind::Cancelled:
        return "cancelled";
    }
    return "unknown";
}

QByteArray requestId(const QByteArray &runId, quint64 n)
{
    return QByteArrayLiteral("load-") + runId + '-' + QByteArray::number(n);
}

} // namespace loopscope::load
