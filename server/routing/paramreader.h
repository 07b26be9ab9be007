#pragma once

#include "http/httpresponse.h"
#include "queryparams.h"
#include "router.h"

#include <QJsonArray>
#include <optional>

namespace loopscope {

struct Bounds
{
    std::optional<double> ge;
    std::optional<double> le;
};

// Reads and validates path and query parameters in declaration order, collecting every error
// into FastAPI's 422 body (the pydantic v1 shape of Debian's python3-fastapi:
// {"detail": [{"loc": ["query", "email"], "msg": "field required", "type":
// "value_error.missing"}]}).
class ParamReader
{
public:
    ParamReader(const PathParams &path, const QueryParams &query)
        : m_path(path)
        , m_query(query)
    { }

    std::optional<qint64> pathInt(const QString &name, Bounds bounds = {});
    std::optional<QString> pathString(const QString &name);
    // No default means required.
    std::optional<QString> queryString(
        const QString &name, std::optional<QString> defaultValue = std::nullopt);
    std::optional<qint64> queryInt(
        const QString &name, std::optional<qint64> defaultValue = std::nullopt, Bounds bounds = {});
    std::optional<double> queryNumber(
        const QString &name, std::optional<double> defaultValue = std::nullopt, Bounds bounds = {});

    // A rule across parameters that failed (two that exclude each other, a range the wrong way
    // round), reported in the same 422 as the others.
    void rejectQuery(const QString &name, const QString &message,
        const QString &type = QStringLiteral("value_error"));

    bool ok() const { return m_errors.isEmpty(); }
    http::HttpResponse errorResponse() const;

private:
    std::optional<QString> pathRaw(const QString &name);
    template <typename T, typename Parse>
    std::optional<T> queryTyped(const QString &name, std::optional<T> defaultValue, Bounds bounds,
        Parse parse, const QString &invalidMessage, const QString &invalidType);
    template <typename T>
    std::optional<T> checkBounds(
        const QString &location, const QString &name, T value, Bounds bounds);
    void addError(const QString &location, const QString &name, const QString &message,
        const QString &type, const QJsonObject &context = {});

    const PathParams &m_path;
    const QueryParams &m_query;
    QJsonArray m_errors;
};

} // namespace loopscope
