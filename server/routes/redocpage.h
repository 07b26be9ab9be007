#pragma once

#include <QByteArray>
#include <QJsonObject>

namespace loopscope {

// GET /redoc: a reference page in the manner of ReDoc, made from the OpenAPI document (and so
// from the route table): a side index, and per route its parameters, body, responses and
// variants, each under its own anchor, then the schemas. Self-contained (no script, no remote
// style), every text from the document escaped.
QByteArray referencePage(const QJsonObject &openApi);

} // namespace loopscope
