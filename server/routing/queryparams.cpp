#include "queryparams.h"

#include <QUrl>

namespace loopscope {

QString decodeFormComponent(QByteArrayView raw)
{
    if (!raw.contains('%') && !raw.contains('+'))
        return QString::fromUtf8(raw);
    QByteArray bytes = raw.toByteArray();
    bytes.replace('+', ' ');
    return QUrl::fromPercentEncoding(bytes);
}

QueryParams::QueryParams(QByteArrayView rawQuery)
{
    qsizetype start = 0;
    while (start < rawQuery.size()) {
        qsizetype amp = rawQuery.indexOf('&', start);
        if (amp < 0)
            amp = rawQuery.size();
        const QByteArrayView pair = rawQuery.sliced(start, amp - start);
        start = amp + 1;
        if (pair.isEmpty())
            continue;
        const qsizetype equals = pair.indexOf('=');
        if (equals < 0)
            m_items.emplace_back(decodeFormComponent(pair), QString());
        else
            m_items.emplace_back(decodeFormComponent(pair.first(equals)),
                decodeFormComponent(pair.sliced(equals + 1)));
    }
}

std::optional<QString> QueryParams::value(const QString &name) const
{
    for (auto it = m_items.rbegin(); it != m_items.rend(); ++it) {
        if (it->first == name)
            return it->second;
    }
    return std::nullopt;
}

QStringList QueryParams::values(const QString &name) const
{
    QStringList result;
    for (const auto &[key, value] : m_items) {
        if (key == name)
            result << value;
    }
    return result;
}

} // namespace loopscope
