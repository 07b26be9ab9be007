#include "csvitems.h"

#include <QJsonObject>
#include <cmath>
#include <optional>

namespace loopscope::db {

namespace {

// Splits one line into fields; nullopt when a quote is left open.
std::optional<QStringList> splitFields(const QString &line)
{
    QStringList fields;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line.at(i);
        if (quoted) {
            if (c == u'"' && i + 1 < line.size() && line.at(i + 1) == u'"') {
                field += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            fields << field;
            field.clear();
        } else {
            field += c;
        }
    }
    if (quoted)
        return std::nullopt;
    fields << field;
    return fields;
}

} // namespace

CsvItemsParse parseCsvItems(const QByteArray &body, int maxErrors)
{
    CsvItemsParse result;
    auto reject = [&result, maxErrors](int line, const QString &message, const QString &type) {
        ++result.badLines;
        if (result.errors.size() < maxErrors) {
            result.errors.append(QJsonObject {
                { QStringLiteral("loc"), QJsonArray { QStringLiteral("body"), line } },
                { QStringLiteral("msg"), message }, { QStringLiteral("type"), type } });
        }
    };
    const QList<QByteArray> lines = body.split('\n');
    for (qsizetype index = 0; index < lines.size(); ++index) {
        const int lineNumber = int(index) + 1;
        QString line = QString::fromUtf8(lines.at(index));
        if (line.endsWith(u'\r'))
            line.chop(1);
        if (line.trimmed().isEmpty())
            continue;
        const auto fields = splitFields(line);
        if (!fields) {
            reject(lineNumber, QStringLiteral("unterminated quoted field"),
                QStringLiteral("value_error.csv"));
            continue;
        }
        if (fields->size() != 2) {
            reject(lineNumber,
                QStringLiteral("expected 2 fields (name,price), got %1").arg(fields->size()),
                QStringLiteral("value_error.csv"));
            continue;
        }
        const QString name = fields->at(0).trimmed();
        const QString priceText = fields->at(1).trimmed();
        if (result.items.isEmpty() && result.badLines == 0
            && name.compare(u"name", Qt::CaseInsensitive) == 0
            && priceText.compare(u"price", Qt::CaseInsensitive) == 0) {
            continue; // the header
        }
        if (name.isEmpty()) {
            reject(
                lineNumber, QStringLiteral("name is empty"), QStringLiteral("value_error.missing"));
            continue;
        }
        bool ok = false;
        const double price = priceText.toDouble(&ok);
        if (!ok || !std::isfinite(price)) {
            reject(lineNumber, QStringLiteral("price '%1' is not a valid number").arg(priceText),
                QStringLiteral("type_error.float"));
            continue;
        }
        if (price < 0) {
            reject(lineNumber, QStringLiteral("price must be greater than or equal to 0"),
                QStringLiteral("value_error.number.not_ge"));
            continue;
        }
        result.items.append({ name, price });
    }
    return result;
}

} // namespace loopscope::db
