#pragma once

#include <QByteArrayView>
#include <QString>
#include <QStringList>
#include <optional>
#include <utility>
#include <vector>

namespace loopscope {

// A decoded application/x-www-form-urlencoded query string; keys may repeat (`?url=a&url=b`).
class QueryParams
{
public:
    QueryParams() = default;
    explicit QueryParams(QByteArrayView rawQuery);

    std::optional<QString> value(const QString &name) const; // the last one, like Starlette
    QStringList values(const QString &name) const;
    const std::vector<std::pair<QString, QString>> &items() const { return m_items; }

private:
    std::vector<std::pair<QString, QString>> m_items;
};

QString decodeFormComponent(QByteArrayView raw);

} // namespace loopscope
