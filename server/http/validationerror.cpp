#include "validationerror.h"

namespace loopscope::http {

QJsonObject validationIssue(const QJsonArray &location, const QString &message, const QString &type,
    const QJsonObject &context)
{
    QJsonObject issue { { QStringLiteral("loc"), location }, { QStringLiteral("msg"), message },
        { QStringLiteral("type"), type } };
    if (!context.isEmpty())
        issue.insert(QStringLiteral("ctx"), context);
    return issue;
}

QJsonObject enumIssue(const QJsonArray &location, const QJsonArray &members)
{
    QStringList quoted;
    for (const QJsonValue &member : members)
        quoted << u'\'' + member.toString() + u'\'';
    return validationIssue(location,
        QStringLiteral("value is not a valid enumeration member; permitted: %1")
            .arg(quoted.join(QStringLiteral(", "))),
        QStringLiteral("type_error.enum"), { { QStringLiteral("enum_values"), members } });
}

HttpResponse validationErrors(const QJsonArray &issues)
{
    return HttpResponse::json(QJsonObject { { QStringLiteral("detail"), issues } }, 422);
}

HttpResponse validationError(
    const QJsonArray &location, const QString &message, const QString &type)
{
    return validationErrors(QJsonArray { validationIssue(location, message, type) });
}

QJsonArray bodyLocation(const QString &field)
{
    QJsonArray location { QStringLiteral("body") };
    if (!field.isEmpty())
        location.append(field);
    return location;
}

} // namespace loopscope::http
