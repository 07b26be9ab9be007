#include "gilroutes.h"

#include "core/gil.h"
#include "routing/requestcontext.h"
#include "routing/router.h"
#include "routing/settingtable.h"

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

QJsonObject readGil()
{
    return { { enabledField, Gil::process().enabled() } };
}

void writeGil(const QJsonObject &change)
{
    Gil::process().setEnabled(change.value(enabledField).toBool());
}

HttpResponse describe()
{
    const Gil &gil = Gil::process();
    return HttpResponse::json(QJsonObject { { enabledField, gil.enabled() },
        { QStringLiteral("switch_interval_s"),
            std::chrono::duration<double>(Gil::switchInterval).count() } });
}

} // namespace

void addGilRoutes(Router &router, SettingTable &settings)
{
    settings.add({ QStringLiteral("gil"), gilChange.schema, readGil, writeGil });
    router.add(Route::control("GET", QStringLiteral("/_scope/gil"),
        QStringLiteral("Whether CPython's GIL applies, and its switch interval"),
        [](RequestContext &) -> QCoro::Task<HttpResponse> {
            co_return describe();
        }).answering(gilState));
    router.add(Route::control("PUT", QStringLiteral("/_scope/gil"),
        QStringLiteral("Switch the GIL on or off: {\"enabled\": false} runs CPU work on threads "
                       "in parallel, as C++ (or a free-threaded Python) does"),
        [&settings](RequestContext &context) -> QCoro::Task<HttpResponse> {
            BodyReader reader(context.route, context.incoming.request);
            const QJsonObject body = reader.object();
            if (!reader.ok())
                co_return reader.errorResponse();
            if (const Result written = settings.setGroup(QStringLiteral("gil"), body); !written)
                co_return HttpResponse::detail(503, written.message());
            co_return describe();
        })
                   .accepting(gilChange)
                   .answering(gilState));
}

} // namespace loopscope
