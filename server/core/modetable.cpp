#include "modetable.h"

namespace loopscope {

int ModeTable::add(const QString &route, std::uint8_t allowed, HandlerVariant defaultVariant)
{
    auto entry = std::make_unique<Entry>();
    entry->route = route;
    entry->allowed = allowed;
    entry->defaultVariant = defaultVariant;
    entry->current.store(defaultVariant);
    m_entries.push_back(std::move(entry));
    return size() - 1;
}

int ModeTable::indexOf(const QString &route) const
{
    for (int i = 0; i < size(); ++i) {
        if (m_entries[i]->route == route)
            return i;
    }
    return -1;
}

ModeTable::SetResult ModeTable::set(const QString &route, const QString &variantText)
{
    const int index = indexOf(route);
    if (index < 0)
        return SetResult::UnknownRoute;
    const auto variant = variantFromName(variantText);
    if (!variant)
        return SetResult::UnknownVariant;
    if (!(m_entries[index]->allowed & variantBit(*variant)))
        return SetResult::NotAllowed;
    store(index, *variant);
    return SetResult::Ok;
}

Result ModeTable::applyAssignment(const QString &assignment)
{
    const qsizetype equals = assignment.lastIndexOf(u'=');
    if (equals <= 0)
        return Result::failure(ErrorKind::BadArgument,
            QStringLiteral("expected ROUTE=VARIANT, got '%1'").arg(assignment));
    const QString route = assignment.left(equals).trimmed();
    const QString variantText = assignment.mid(equals + 1).trimmed();
    const auto variant = variantFromName(variantText);
    if (!variant)
        return Result::failure(ErrorKind::BadArgument,
            QStringLiteral("unknown variant '%1' (%2)")
                .arg(variantText, variantNames(allVariants).join(QStringLiteral(", "))));

    int matched = 0;
    for (int index = 0; index < size(); ++index) {
        const Entry *entry = m_entries[index].get();
        const QString path = entry->route.section(u' ', 1);
        const bool selected = route == u"*" || entry->route == route || path == route;
        if (!selected || !(entry->allowed & variantBit(*variant)))
            continue;
        store(index, *variant);
        ++matched;
    }
    if (matched == 0)
        return Result::failure(ErrorKind::BadArgument,
            QStringLiteral("no route '%1' offers the variant '%2'").arg(route, variantText));
    return {};
}

void ModeTable::store(int index, HandlerVariant variant)
{
    // Timed before the switch (a request that reads the new variant comes after `at`), and under
    // the lock so the history stays in time order when two flips race.
    const std::lock_guard lock(m_historyMutex);
    const trace::Nanos at = trace::nowNs();
    const HandlerVariant before = m_entries[index]->current.exchange(variant);
    if (before == variant)
        return;
    m_history.push_back({ index, { before, variant, at } });
    if (m_history.size() > kHistoryCapacity)
        m_history.pop_front();
}

std::vector<ModeTable::VariantChange> ModeTable::changesBetween(
    int route, trace::Nanos from, trace::Nanos to) const
{
    std::vector<VariantChange> changes;
    const std::lock_guard lock(m_historyMutex);
    for (const LoggedChange &logged : m_history) {
        if (logged.route == route && logged.change.at >= from && logged.change.at <= to)
            changes.push_back(logged.change);
    }
    return changes;
}

} // namespace loopscope
