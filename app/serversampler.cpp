#include "serversampler.h"

#include "http/connectionstats.h"
#include "serverhost.h"

#include <QTimer>

namespace loopscope {

ServerSampler::ServerSampler(const ServerHost &host, QObject *parent)
    : QObject(parent)
    , m_host(host)
{
    auto *timer = new QTimer(this);
    connect(timer, &QTimer::timeout, this, &ServerSampler::sample);
    timer->start(kInterval);
}

void ServerSampler::sample()
{
    const http::ConnectionStats *stats = m_host.stats();
    if (!stats)
        return;
    ServerSample sample;
    sample.at = trace::nowNs();
    if (m_host.starts() != m_lastStarts) {
        m_answeredBefore += m_lastCount;
        m_lastCount = 0;
        m_lastStarts = m_host.starts();
    }
    const quint64 count = stats->requests.load();
    m_lastCount = count;
    sample.requests = m_answeredBefore + count;
    sample.inFlight = stats->inFlightRequests.load();
    // Stalled first: a lag read after the stall flag can only be the stall's own or later.
    sample.loopStalled = m_host.loopStalled();
    sample.loopLagNs = m_host.loopLagNs();
    m_latest = sample;
    emit sampled(m_latest);
}

} // namespace loopscope
