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

QByteArray requestIdFor(const QByteArray &fromClient)
{
    return isAcceptableRequestId(fromClient) ? fromClient : generateRequestId();
}

QByteArray generateRequestId()
{
    // A random per-process prefix keeps ids from two runs apart; the counter keeps them cheap:
    // one allocation, no formatting library.
    static const QByteArray prefix = [] {
        // Built step by step: Qt 6.4's QStringBuilder for QByteArray + char reads past the end.
        QByteArray text = QByteArray::number(QRandomGenerator::global()->generate() & 0xffffff, 16)
                              .rightJustified(6, '0');
        text.append('-');
        return text;
    }();
    static std::atomic<quint64> counter { 0 };
    char digits[20];
    int length = 0;
    for (quint64 n = ++counter; n > 0; n /= 10)
        digits[length++] = char('0' + n % 10);
    QByteArray id(prefix.size() + length, Qt::Uninitialized);
    char *out = std::copy(prefix.cbegin(), prefix.cend(), id.data());
    while (length > 0)
        *out++ = digits[--length];
    return id;
}

} // namespace loopscope::http
