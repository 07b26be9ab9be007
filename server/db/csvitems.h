#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QList>
#include <QString>

namespace loopscope::db {

struct CsvItem
{
    QString name;
    double price = 0;
};

struct CsvItemsParse
{
    QList<CsvItem> items;
    QJsonArray errors; // {"loc": ["body", LINE], "msg": ..., "type": ...}, 1-based line numbers
    int badLines = 0;
};

// `name,price` rows, an optional `name,price` header, blank lines ignored, RFC 4180 quoting
// within a line. Names must be non-empty, prices finite and >= 0. At most `maxErrors` errors are
// listed (`badLines` counts them all).
CsvItemsParse parseCsvItems(const QByteArray &body, int maxErrors = 100);

} // namespace loopscope::db
