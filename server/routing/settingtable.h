#pragma once

#include "core/result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QStringList>

#include <functional>
#include <mutex>
#include <optional>
#include <vector>

namespace loopscope {

// The server's live settings by name, read and changed from any thread. A group is what one PUT
// of the control API changes (PUT /_scope/upstream is the group "upstream"); each property of its
// body is a setting ("upstream.latency_ms", "database.pooling", "gil.enabled"). A value is
// checked against the same body schema the PUT checks, and written by the same function, so the
// API, the window and the lessons change a setting one way.
class SettingTable
{
public:
    struct Group
    {
        QString name;
        QJsonObject bodySchema; // a closed object: its properties are the settings
        std::function<QJsonObject()> read; // every setting's value, in the body's shape
        std::function<void(const QJsonObject &)> write; // a body that fits bodySchema
    };

    // At wiring, by the area that owns the state; replaces a group of the same name.
    void add(Group group);
    // When the server stops: the groups' functions reference what it owned.
    void clear();

    QStringList names() const;
    std::optional<QJsonValue> value(const QString &name) const;
    // A BadArgument for an unknown name or a value its schema refuses (pydantic's words).
    Result set(const QString &name, const QJsonValue &value);
    // A whole PUT body for `group`, as its route applies it: one writer at a time, whoever calls.
    Result setGroup(const QString &group, const QJsonObject &body);
    // "upstream.latency_ms=1000", "gil.enabled=off": the text read as the setting's type.
    Result applyAssignment(const QString &assignment);

private:
    struct Found
    {
        const Group *group = nullptr;
        QString property;
    };
    Found find(const QString &name) const; // under m_mutex
    Result setFound(const QString &name, const Found &found, const QJsonValue &value); // likewise
    static Result write(const Group &group, const QJsonObject &body); // under m_mutex

    mutable std::mutex m_mutex;
    std::vector<Group> m_groups;
};

} // namespace loopscope
