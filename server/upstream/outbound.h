#pragma once

#include "core/result.h"

#include "datafiles.h"
#include "httpclient.h"
#include "outboundconfig.h"
#include "upstreamsimulator.h"

#include <QUrl>
#include <memory>

namespace loopscope::upstream {

// Everything the outbound routes reach, owned by the server runtime on the loop thread: the
// simulator (its own thread), the shared client, the upstream base URL, the host allow list,
// the data files.
class Outbound
{
public:
    explicit Outbound(OutboundConfig config);
    ~Outbound();

    // Starts the simulator and checks --upstream.
    Result start();

    const OutboundConfig &config() const { return m_config; }
    UpstreamSimulator *simulator() { return m_simulator.get(); }
    HttpClient &client() { return *m_client; }
    DataFiles &files() { return m_files; }

    // Where handlers send requests: --upstream, else the simulator.
    QUrl base() const { return m_base; }
    // base + path ("/users"). The path is taken as encoded: build any part that comes from a
    // request with pathSegment().
    QUrl endpoint(const QString &path) const;
    // A value as one path segment of an outgoing URL: all but unreserved characters
    // percent-encoded, so it can add no segment, query or fragment. None for "." and "..", which
    // stay dot segments however they are encoded (servers decode %2E before resolving them).
    static std::optional<QString> pathSegment(const QString &value);

    // Success when handlers may fetch `url`, else a BadArgument saying why not (for a 422).
    Result checkAllowed(const QUrl &url) const;
    QStringList allowedHosts() const;

    // Interned trace label for a call: "GET upstream/users".
    std::uint32_t label(const QUrl &url) const;

private:
    OutboundConfig m_config;
    std::unique_ptr<UpstreamSimulator> m_simulator;
    std::unique_ptr<HttpClient> m_client;
    DataFiles m_files;
    QUrl m_base;
};

} // namespace loopscope::upstream
