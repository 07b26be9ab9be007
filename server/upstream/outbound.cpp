#include "outbound.h"

#include "trace/trace.h"

#include <QHostAddress>

namespace loopscope::upstream {

Outbound::Outbound(OutboundConfig config)
    : m_config(std::move(config))
    , m_client(std::make_unique<HttpClient>(m_config.connectionsPerHost))
    , m_files(m_config.filesDirectory)
{ }

Outbound::~Outbound()
{
    m_client.reset();
    if (m_simulator)
        m_simulator->stop();
}

Result Outbound::start()
{
    if (!m_config.upstreamUrl.isEmpty()) {
        const QUrl url(m_config.upstreamUrl, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty()
            || (url.scheme() != u"http" && url.scheme() != u"https"))
            return Result::failure(ErrorKind::BadArgument,
                QStringLiteral("--upstream expects an http:// or https:// URL, got '%1'")
                    .arg(m_config.upstreamUrl));
        m_base = url.adjusted(QUrl::StripTrailingSlash | QUrl::RemoveQuery | QUrl::RemoveFragment);
    }
    if (m_config.startSimulator) {
        m_simulator = std::make_unique<UpstreamSimulator>(m_config.simulator);
        if (!m_simulator->start(0))
            return Result::failure(ErrorKind::Io,
                QStringLiteral("upstream simulator: %1").arg(m_simulator->errorString()));
        if (m_base.isEmpty())
            m_base = m_simulator->url();
    }
    if (m_base.isEmpty())
        return Result::failure(ErrorKind::BadArgument,
            QStringLiteral("no upstream: the simulator is off and --upstream is not set"));
    return {};
}

QUrl Outbound::endpoint(const QString &path) const
{
    QUrl url = m_base;
    url.setPath(m_base.path(QUrl::FullyEncoded) + path, QUrl::StrictMode);
    return url;
}

std::optional<QString> Outbound::pathSegment(const QString &value)
{
    if (value == u"." || value == u"..")
        return std::nullopt;
    return QString::fromLatin1(QUrl::toPercentEncoding(value));
}

QStringList Outbound::allowedHosts() const
{
    QStringList hosts { QStringLiteral("127.0.0.1"), QStringLiteral("localhost"),
        QStringLiteral("::1") };
    if (!m_base.host().isEmpty() && !hosts.contains(m_base.host()))
        hosts << m_base.host();
    for (const QString &host : m_config.allowedHosts) {
        if (!hosts.contains(host.toLower()))
            hosts << host.toLower();
    }
    return hosts;
}

Result Outbound::checkAllowed(const QUrl &url) const
{
    const auto refuse
        = [](QString why) { return Result::failure(ErrorKind::BadArgument, std::move(why)); };
    if (!url.isValid() || url.host().isEmpty())
        return refuse(QStringLiteral("invalid or missing URL"));
    const QString host = url.host().toLower();
    const bool loopback = QHostAddress(host).isLoopback() || host == u"localhost";
    const bool listed = allowedHosts().contains(host);
    if (!loopback && !listed)
        return refuse(QStringLiteral("host '%1' is not allowed (allowed: loopback, the upstream "
                                     "host, --allow-host)")
                          .arg(host));
    if (url.scheme() == u"http")
        return {};
    if (url.scheme() == u"https" && !loopback)
        return {};
    return refuse(
        QStringLiteral("scheme '%1' is not allowed (http:// only, https:// for allowed hosts)")
            .arg(url.scheme()));
}

std::uint32_t Outbound::label(const QUrl &url) const
{
    const QByteArray text = requestLabelText(url, m_base.authority()).toUtf8();
    return trace::label(std::string_view(text.constData(), size_t(text.size())));
}

} // namespace loopscope::upstream
