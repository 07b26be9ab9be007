#pragma once

#include <QCoro/QCoroTask>
#include <QJsonObject>
#include <map>
#include <optional>

namespace loopscope {

struct RequestContext;

// The course's async UserService: an in-memory "database" with a 100 ms write and a 50 ms read.
// Its data is touched only on the server loop (the waits may run elsewhere, the map never).
class UserService
{
public:
    QCoro::Task<QJsonObject> createUser(RequestContext &context, QString username, QString email);
    QCoro::Task<std::optional<QJsonObject>> getUser(RequestContext &context, qint64 userId);

private:
    std::map<qint64, QJsonObject> m_users;
};

} // namespace loopscope
