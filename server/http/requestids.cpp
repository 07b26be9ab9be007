#include "requestids.h"

#include <QRandomGenerator>
#include <atomic>

namespace loopscope::http {

bool isAcceptableRequestId(const QByteArray &id)
{
    if (id.isEmpty() || id.size() > 64)
        return false;
    for (char c : id) {
        if (c < 0x21 || c > 0x7e)
            return false;
    }
    return true;
}

QByteArray generateRequestId()
{
    // A random per-process prefix keeps ids from two runs apart; the counter keeps them cheap.
    static const QByteArray prefix =
            QByteArray::number(QRandomGenerator::global()->generate() & 0xffffff, 16)
                    .rightJustified(6, '0');
    static std::atomic<quint64> counter { 0 };
    QByteArray id = prefix;
    id += '-';
    id += QByteArray::number(++counter);
    return id;
}

} // namespace loopscope::http
