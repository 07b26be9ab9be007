#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>

namespace loopscope::http {

// Compact JSON straight into bytes. QJsonDocument::toJson converts through QCborValue and was a
// fifth of the server's CPU time per request; this writes the same text directly.
void appendJson(QByteArray &out, const QJsonValue &value);
QByteArray toJson(const QJsonObject &object);
QByteArray toJson(const QJsonArray &array);

} // namespace loopscope::http
