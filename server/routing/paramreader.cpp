#include "paramreader.h"

#include "http/validationerror.h"

#include <QJsonObject>
#include <QRegularExpression>
#include <cmath>
#include <type_traits>

namespace loopscope {

namespace {

const QString pathLocation = QStringLiteral("path");
const QString queryLocation = QStringLiteral("query");

std::optional<qint64> parseInteger(const QString &text)
{
    bool ok = false;
    const qint64 value = text.trimmed().toLongLong(&ok, 10);
    return ok ? std::optional<qint64>(value) : std::nullopt;
}

std::optional<double> parseNumber(const QString &text)
{
    const QString trimmed = text.trimmed();
    bool ok = false;
    const double value = trimmed.toDouble(&ok);
    // An overflow ("1e999") fails with an infinity: a number, just not a finite one. Python
    // also spells infinity out, which Qt does not parse; both are reported as not finite.
    if (ok || std::isinf(value))
        return value;
    static const QRegularExpression spelledOut(
        QStringLiteral("^[+-]?infinity$"), QRegularExpression::CaseInsensitiveOption);
    if (spelledOut.match(trimmed).hasMatch())
        return trimmed.startsWith(u'-') ? -qInf() : qInf();
    return std::nullopt;
}

QJsonValue limitValue(double limit)
{
    if (limit == std::floor(limit) && std::abs(limit) < 1e15)
        return qint64(limit);
    return limit;
}

} // namespace

void ParamReader::addError(const QString &location, const QString &name, const QString &message,
    const QString &type, const QJsonObject &context)
{
    m_errors.append(http::validationIssue(QJsonArray { location, name }, message, type, context));
}

void ParamReader::rejectQuery(const QString &name, const QString &message, const QString &type)
{
    addError(QStringLiteral("query"), name, message, type);
}

template <typename T>
std::optional<T> ParamReader::checkBounds(
    const QString &location, const QString &name, T value, Bounds bounds)
{
    // Written as "not within" so that NaN, which compares false with everything, fails both
    // bounds, as pydantic's `not value >= ge` does.
    if (bounds.ge && !(double(value) >= *bounds.ge)) {
        addError(location, name,
            QStringLiteral("ensure this value is greater than or equal to %1")
                .arg(limitValue(*bounds.ge).toVariant().toString()),
            QStringLiteral("value_error.number.not_ge"),
            { { QStringLiteral("limit_value"), limitValue(*bounds.ge) } });
        return std::nullopt;
    }
    if (bounds.le && !(double(value) <= *bounds.le)) {
        addError(location, name,
            QStringLiteral("ensure this value is less than or equal to %1")
                .arg(limitValue(*bounds.le).toVariant().toString()),
            QStringLiteral("value_error.number.not_le"),
            { { QStringLiteral("limit_value"), limitValue(*bounds.le) } });
        return std::nullopt;
    }
    return value;
}

std::optional<QString> ParamReader::pathRaw(const QString &name)
{
    for (const auto &[key, value] : m_path) {
        if (key == name)
            return value;
    }
    addError(pathLocation, name, QStringLiteral("field required"),
        QStringLiteral("value_error.missing"));
    return std::nullopt;
}

std::optional<QString> ParamReader::pathString(const QString &name)
{
    return pathRaw(name);
}

std::optional<qint64> ParamReader::pathInt(const QString &name, Bounds bounds)
{
    const auto raw = pathRaw(name);
    if (!raw)
        return std::nullopt;
    const auto value = parseInteger(*raw);
    if (!value) {
        addError(pathLocation, name, QStringLiteral("value is not a valid integer"),
            QStringLiteral("type_error.integer"));
        return std::nullopt;
    }
    return checkBounds(pathLocation, name, *value, bounds);
}

std::optional<QString> ParamReader::queryString(
    const QString &name, std::optional<QString> defaultValue)
{
    if (auto value = m_query.value(name))
        return value;
    if (!defaultValue)
        addError(queryLocation, name, QStringLiteral("field required"),
            QStringLiteral("value_error.missing"));
    return defaultValue;
}

template <typename T, typename Parse>
std::optional<T> ParamReader::queryTyped(const QString &name, std::optional<T> defaultValue,
    Bounds bounds, Parse parse, const QString &invalidMessage, const QString &invalidType)
{
    const auto raw = m_query.value(name);
    if (!raw) {
        if (!defaultValue)
            addError(queryLocation, name, QStringLiteral("field required"),
                QStringLiteral("value_error.missing"));
        return defaultValue;
    }
    const std::optional<T> value = parse(*raw);
    if (!value) {
        addError(queryLocation, name, invalidMessage, invalidType);
        return std::nullopt;
    }
    if constexpr (std::is_floating_point_v<T>) {
        // nan, inf and overflows parse, but no route can store or compute with them (JSON has
        // no such numbers: a stored price would come back as null). pydantic's finite check.
        if (!std::isfinite(*value)) {
            addError(queryLocation, name, QStringLiteral("ensure this value is a finite number"),
                QStringLiteral("value_error.number.not_finite_number"));
            return std::nullopt;
        }
    }
    return checkBounds(queryLocation, name, *value, bounds);
}

std::optional<qint64> ParamReader::queryInt(
    const QString &name, std::optional<qint64> defaultValue, Bounds bounds)
{
    return queryTyped<qint64>(name, defaultValue, bounds, parseInteger,
        QStringLiteral("value is not a valid integer"), QStringLiteral("type_error.integer"));
}

std::optional<double> ParamReader::queryNumber(
    const QString &name, std::optional<double> defaultValue, Bounds bounds)
{
    return queryTyped<double>(name, defaultValue, bounds, parseNumber,
        QStringLiteral("value is not a valid float"), QStringLiteral("type_error.float"));
}

bool ParamReader::absentWithoutDefault(const Param &param) const
{
    return param.in == Param::In::Query && param.optionalWithoutDefault()
        && !m_query.value(param.name);
}

std::optional<qint64> ParamReader::integer(const Param &param)
{
    const Bounds bounds { param.minimum, param.maximum };
    if (param.in == Param::In::Path)
        return pathInt(param.name, bounds);
    if (absentWithoutDefault(param))
        return std::nullopt;
    return queryInt(
        param.name, param.required ? std::nullopt : parseInteger(param.defaultValue), bounds);
}

std::optional<double> ParamReader::number(const Param &param)
{
    const Bounds bounds { param.minimum, param.maximum };
    if (absentWithoutDefault(param))
        return std::nullopt;
    return queryNumber(
        param.name, param.required ? std::nullopt : parseNumber(param.defaultValue), bounds);
}

std::optional<QString> ParamReader::string(const Param &param)
{
    if (param.in == Param::In::Path)
        return pathString(param.name);
    if (absentWithoutDefault(param))
        return std::nullopt;
    return queryString(
        param.name, param.required ? std::nullopt : std::optional<QString>(param.defaultValue));
}

std::optional<qsizetype> ParamReader::choice(const Param &param)
{
    const std::optional<QString> given = string(param);
    if (!given)
        return std::nullopt;
    if (const qsizetype index = param.choices.indexOf(*given); index >= 0)
        return index;
    m_errors.append(http::enumIssue(
        { QStringLiteral("query"), param.name }, QJsonArray::fromStringList(param.choices)));
    return std::nullopt;
}

http::HttpResponse ParamReader::errorResponse() const
{
    return http::validationErrors(m_errors);
}

} // namespace loopscope
