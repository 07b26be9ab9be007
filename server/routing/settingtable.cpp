#include "settingtable.h"

#include "route.h"

#include <QJsonArray>

namespace loopscope {

namespace {

QJsonObject propertiesOf(const QJsonObject &bodySchema)
{
    return bodySchema.value(QStringLiteral("properties")).toObject();
}

// The text of an assignment as the JSON value its schema wants; text that fits no such value
// stays a string, for the schema to refuse with its own message.
QJsonValue parsed(const QString &text, const QJsonObject &schema)
{
    const QString type = schema.value(QStringLiteral("type")).toString();
    if (type == u"boolean") {
        const QString word = text.toLower();
        if (word == u"on" || word == u"true" || word == u"1")
            return true;
        if (word == u"off" || word == u"false" || word == u"0")
            return false;
    } else if (type == u"number" || type == u"integer") {
        bool ok = false;
        const double number = text.toDouble(&ok);
        if (ok)
            return number;
    }
    return text;
}

} // namespace

void SettingTable::add(Group group)
{
    std::lock_guard lock(m_mutex);
    std::erase_if(m_groups, [&](const Group &g) { return g.name == group.name; });
    m_groups.push_back(std::move(group));
}

void SettingTable::clear()
{
    std::lock_guard lock(m_mutex);
    m_groups.clear();
}

SettingTable::Found SettingTable::find(const QString &name) const
{
    const qsizetype dot = name.indexOf(u'.');
    if (dot <= 0)
        return {};
    const QString groupName = name.left(dot);
    const QString property = name.mid(dot + 1);
    for (const Group &group : m_groups) {
        if (group.name == groupName && propertiesOf(group.bodySchema).contains(property))
            return { &group, property };
    }
    return {};
}

QStringList SettingTable::names() const
{
    std::lock_guard lock(m_mutex);
    QStringList out;
    for (const Group &group : m_groups) {
        const QJsonObject properties = propertiesOf(group.bodySchema);
        for (auto it = properties.begin(); it != properties.end(); ++it)
            out << group.name + u'.' + it.key();
    }
    return out;
}

std::optional<QJsonValue> SettingTable::value(const QString &name) const
{
    std::lock_guard lock(m_mutex);
    const Found found = find(name);
    if (!found.group)
        return std::nullopt;
    return found.group->read().value(found.property);
}

Result SettingTable::set(const QString &name, const QJsonValue &value)
{
    // Held while writing: clear() waits, so a write never reaches what a stopped server owned.
    std::lock_guard lock(m_mutex);
    return setFound(name, find(name), value);
}

Result SettingTable::setFound(const QString &name, const Found &found, const QJsonValue &value)
{
    if (!found.group)
        return Result::failure(
            ErrorKind::BadArgument, QStringLiteral("no setting %1 on this server").arg(name));
    if (Result written = write(*found.group, { { found.property, value } }); !written)
        return Result::failure(
            ErrorKind::BadArgument, QStringLiteral("%1: %2").arg(name, written.message()));
    return {};
}

Result SettingTable::setGroup(const QString &groupName, const QJsonObject &body)
{
    std::lock_guard lock(m_mutex);
    for (const Group &group : m_groups) {
        if (group.name == groupName)
            return write(group, body);
    }
    return Result::failure(
        ErrorKind::BadArgument, QStringLiteral("no settings %1 on this server").arg(groupName));
}

Result SettingTable::write(const Group &group, const QJsonObject &body)
{
    const QJsonArray issues = schemaIssues(group.bodySchema, body, { QStringLiteral("body") });
    if (!issues.isEmpty())
        return Result::failure(ErrorKind::BadArgument,
            issues.first().toObject().value(QStringLiteral("msg")).toString());
    group.write(body);
    return {};
}

Result SettingTable::applyAssignment(const QString &assignment)
{
    const qsizetype equals = assignment.indexOf(u'=');
    if (equals <= 0)
        return Result::failure(
            ErrorKind::BadArgument, QStringLiteral("'%1' is not NAME=VALUE").arg(assignment));
    const QString name = assignment.left(equals);
    // One look-up under one lock: the value is read as the type of the setting it is written to.
    std::lock_guard lock(m_mutex);
    const Found found = find(name);
    const QJsonObject schema = found.group
        ? propertiesOf(found.group->bodySchema).value(found.property).toObject()
        : QJsonObject();
    return setFound(name, found, parsed(assignment.mid(equals + 1), schema));
}

} // namespace loopscope
