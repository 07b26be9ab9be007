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
