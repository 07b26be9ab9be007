#include "databaseserver.h"

#include "serverhost.h"

#include <QJsonObject>

namespace loopscope::testing {

std::unique_ptr<ServerHost> startDatabaseServer(
    const QString &databaseUrl, int poolMin, int poolMax)
{
    ServerConfig config;
    config.port = 0;
    config.databaseUrl = databaseUrl;
    config.databasePoolMin = poolMin;
    config.databasePoolMax = poolMax;
    auto host = std::make_unique<ServerHost>(config);
    if (const Result started = host->start(); !started)
        qWarning("server did not start: %s", qPrintable(started.message()));
    return host;
}

bool setRouteVariant(quint16 port, const QString &route, const QString &variant)
{
    const QByteArray body = QJsonDocument(QJsonObject {
                                              { QStringLiteral("route"), route },
                                              { QStringLiteral("variant"), variant },
                                          })
                                .toJson(QJsonDocument::Compact);
    return fetch(port, "PUT", "/_scope/modes", body).status == 200;
}

bool isDatabaseUnavailable(const TestResponse &response)
{
    return response.status == 503
        && response.json().object().value(u"detail").toString().startsWith(
            u"Database unavailable: ");
}

} // namespace loopscope::testing
