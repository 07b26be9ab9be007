#include "itemservice.h"

#include "csvitems.h"
#include "dbcall.h"

namespace loopscope::db {

namespace {

QJsonObject itemJson(const Row &row)
{
    return { { QStringLiteral("id"), row.at(0).toLongLong() },
        { QStringLiteral("name"), row.at(1).toString() },
        { QStringLiteral("price"), row.at(2).toDouble() } };
}

} // namespace

QCoro::Task<DbResult<std::optional<QJsonObject>>> ItemService::getItem(
    RequestContext &context, qint64 id, double delay)
{
    static const std::uint32_t label = trace::label("db.fetchrow items");
    return dbCall(context, m_pool, label, Access::Read,
        [id, delay](DbConnection &c) -> std::optional<QJsonObject> {
            c.simulateLatency(delay);
            const auto rows
                = c.query(QStringLiteral("SELECT id, name, price FROM items WHERE id = ?"), { id });
            if (rows.isEmpty())
                return std::nullopt;
            return itemJson(rows.constFirst());
        });
}

QCoro::Task<DbResult<ItemService::ImportOutcome>> ItemService::importCsv(
    RequestContext &context, QByteArray csv)
{
    static const std::uint32_t label = trace::label("db.import items");
    return dbCall(context, m_pool, label, Access::Write, [csv = std::move(csv)](DbConnection &c) {
        ImportOutcome outcome;
        const CsvItemsParse parsed = parseCsvItems(csv);
        if (parsed.badLines > 0) {
            outcome.errors = parsed.errors;
            return outcome;
        }
        c.beginWrite();
        for (const CsvItem &item : parsed.items) {
            c.execute(QStringLiteral("INSERT INTO items (name, price) VALUES (?, ?)"),
                { item.name, item.price });
        }
        c.commit();
        outcome.imported = parsed.items.size();
        return outcome;
    });
}

} // namespace loopscope::db
