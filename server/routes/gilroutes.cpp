#include "gilroutes.h"

#include "core/gil.h"
#include "routing/requestcontext.h"
#include "routing/router.h"

#include <QJsonObject>

namespace loopscope {

using http::HttpResponse;

namespace {

const QString enabledField = QStringLiteral("enabled");

const QJsonObject enabledSchema
    = schema::boolean(QStringLiteral("CPU work on threads takes turns under one lock"));
const Payload gilState = Payload::json(QStringLiteral("Gil"),
    schema::object({ { enabledField, enabledSchema },
                       { QStringLiteral("switch_interval_s"),
                           schema::number(QStringLiteral("sys.getswitchinterval()")) } },
        { enabledField, QStringLiteral("switch_interval_s") }));
const Payload gilChange = Payload::json(QStringLiteral("GilChange"),
    schema::closedObject({ { enabledField, enabledSchema } }, { enabledField }),
    QJsonObject { { enabledField, false } });

HttpResponse describe()
{
    const Gil &gil = Gil::process();
    return HttpResponse::json(QJsonObject { { enabledField, gil.enabled() },
        { QStringLiteral("switch_interval_s"),
            std::chrono::duration<double>(Gil::switchInterval).count() } });
}

} // namespace

void addGilRoutes(Router &router)
{
    router.add(Route::control("GET", QStringLiteral("/_scope/gil"),
        QStringLiteral("Whether CPython's GIL applies, and its switch interval"),
        [](RequestContext &) -> QCoro::Task<HttpResponse> {
            co_return describe();
        }).answering(gilState));
    router.add(Route::control("PUT", QStringLiteral("/_scope/gil"),
        QStringLiteral("Switch the GIL on or off: {\"enabled\": false} runs CPU work on threads "
                       "in parallel, as C++ (or a free-threaded Python) does"),
        [](RequestContext &context) -> QCoro::Task<HttpResponse> {
            BodyReader reader(context.route, context.incoming.request);
            const QJsonObject body = reader.object();
            if (!reader.ok())
                co_return reader.errorResponse();
            Gil::process().setEnabled(body.value(enabledField).toBool());
            co_return describe();
        })
                   .accepting(gilChange)
                   .answering(gilState));
}

} // namespace loopscope
