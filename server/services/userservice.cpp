#include "userservice.h"

#include "routing/requestcontext.h"

namespace loopscope {

using namespace std::chrono_literals;

QCoro::Task<QJsonObject> UserService::createUser(
    RequestContext &context, QString username, QString email)
{
    // Named, not a temporary inside co_await: GCC 12 can destroy such temporaries twice.
    static const QString label = QStringLiteral("db.insert users");
    co_await context.simulatedIo(100ms, label);
    const qint64 userId = static_cast<qint64>(m_users.size()) + 1;
    QJsonObject user { { QStringLiteral("id"), userId }, { QStringLiteral("username"), username },
        { QStringLiteral("email"), email } };
    m_users[userId] = user;
    co_return user;
}

QCoro::Task<std::optional<QJsonObject>> UserService::getUser(RequestContext &context, qint64 userId)
{
    static const QString label = QStringLiteral("db.fetchrow users");
    co_await context.simulatedIo(50ms, label);
    const auto it = m_users.find(userId);
    if (it == m_users.end())
        co_return std::nullopt;
    // A copy: QCoro 0.8 moves a returned lvalue of another type, emptying the stored user.
    co_return std::optional<QJsonObject>(it->second);
}

} // namespace loopscope
