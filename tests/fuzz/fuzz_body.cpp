// Request bodies through the body parsers the routes call as functions: POST /items/import's CSV
// parser. The JSON bodies of the /_scope/ PUT routes are parsed inside file-local functions of
// their route files and are reached through fuzz_request instead.

#include "db/csvitems.h"

#include <QJsonObject>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using loopscope::db::CsvItemsParse;
using loopscope::db::parseCsvItems;

namespace {

[[noreturn]] void fail(const char *what, const QString &detail = {})
{
    std::fprintf(stderr, "fuzz_body: %s %s\n", what, qPrintable(detail));
    std::abort();
}

// What ItemService relies on before it inserts: only valid rows come out, every rejected line
// is counted, and the error list stays bounded whatever the body holds.
void checkCsvResult(const QByteArray &body, const CsvItemsParse &parsed, int maxErrors)
{
    const qsizetype lines = body.count('\n') + 1;
    if (parsed.items.size() + parsed.badLines > lines)
        fail("more rows than lines");
    if (parsed.errors.size() != qMin<qsizetype>(parsed.badLines, maxErrors))
        fail("error list does not match the bad line count");
    for (const loopscope::db::CsvItem &item : parsed.items) {
        if (item.name.isEmpty() || item.name != item.name.trimmed())
            fail("accepted an empty or untrimmed name", item.name);
        if (!std::isfinite(item.price) || item.price < 0)
            fail("accepted a price that is not a finite number >= 0", item.name);
    }
    qint64 previousLine = 0;
    for (const QJsonValue &error : parsed.errors) {
        const qint64 line
            = error.toObject().value(QStringLiteral("loc")).toArray().at(1).toInteger();
        if (line <= previousLine || line > lines)
            fail("error line numbers out of order or out of the body");
        previousLine = line;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray body = QByteArray::fromRawData(
        reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    checkCsvResult(body, parseCsvItems(body), 100); // ItemService::importCsv's default limit
    constexpr int tightLimit = 2; // the truncation of the error list, reached with short inputs
    checkCsvResult(body, parseCsvItems(body, tightLimit), tightLimit);
    return 0;
}
