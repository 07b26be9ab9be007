#pragma once

#include "httpresponse.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace loopscope::http {

// FastAPI's 422 for a request it could not validate, in the pydantic v1 shape of Debian's
// python3-fastapi: {"detail": [{"loc": ["query", "email"], "msg": "field required", "type":
// "value_error.missing"}]}. Every 422 of the server is built here, so clients parse one shape.

// One entry of the list; `context` ("ctx") carries a rule's parameters, such as a bound.
QJsonObject validationIssue(const QJsonArray &location, const QString &message, const QString &type,
    const QJsonObject &context = {});

// A value outside an Enum's members, as pydantic words it, listing them in "ctx".
QJsonObject enumIssue(const QJsonArray &location, const QJsonArray &members);

// The 422 of one or more entries made by validationIssue().
HttpResponse validationErrors(const QJsonArray &issues);

// The 422 of a single entry.
HttpResponse validationError(const QJsonArray &location, const QString &message,
    const QString &type = QStringLiteral("value_error"));

// Where a request body's problem is: ["body"] for the whole body, ["body", field] for one field.
QJsonArray bodyLocation(const QString &field = {});

} // namespace loopscope::http
