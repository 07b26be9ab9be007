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

// Reads and validates path and query parameters in the order read, collecting every error
// into one FastAPI 422 (http::validationErrors).
class ParamReader
{
public:
    ParamReader(const PathParams &path, const QueryParams &query)
        : m_path(path)
        , m_query(query)
    { }

    // Reads a route's declared parameter as its declaration says: path or query, its type, its
    // bounds, its default. Handlers read through these, so what they accept is what
    // /openapi.json says.
    std::optional<qint64> integer(const Param &param);
    std::optional<double> number(const Param &param);
    std::optional<QString> string(const Param &param);
    // A Param::oneOf: the index of the given (or default) choice in param.choices.
    std::optional<qsizetype> choice(const Param &param);

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
    bool absentWithoutDefault(const Param &param) const;
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
