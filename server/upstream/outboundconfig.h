#pragma once

#include <QString>
#include <QStringList>
#include <QtGlobal>

namespace loopscope::upstream {

// What the simulator does to each request. Read and changed at run time from any thread
// (GET|PUT /_scope/upstream), so the simulator keeps its own copy under a lock.
struct SimulatorSettings
{
    int latencyMs = 100; // like a nearby public API
    int jitterMs = 0; // uniform in [-jitter, +jitter], never below zero
    double failureRate = 0.0; // 0..1: share of requests that fail
    // How a failure looks: "500", "reset" (connection reset), "hang" (never answers) or
    // "mixed" (one of the three at random).
    QString failureMode = QStringLiteral("mixed");
    // Added to the first answer on each new connection: what setting one up costs against a real
    // API (TCP and a TLS handshake, a few round trips), which a client that reuses connections
    // pays once. 0 by default: on loopback, without TLS, set-up is nearly free.
    int handshakeMs = 0;
    // Added to each 1 MiB read of GET /files: a disk that is slow, cold or across a network, where
    // the page cache answers in well under a millisecond. It waits where the read runs, on the
    // loop for a blocking read. 0 by default.
    int diskReadMs = 0;
    // CPU a client made per call costs the loop before its first request: httpx.AsyncClient()
    // builds an SSL context (loads the CA bundle) even for http:// URLs, 22 ms measured with
    // httpx 0.23 on the 2-core VM. So the per-call mistake costs what it costs in Python; 0 for
    // a client as cheap as this server's own.
    int clientSetupMs = 20;

    static QStringList failureModes()
    {
        return { QStringLiteral("mixed"), QStringLiteral("500"), QStringLiteral("reset"),
            QStringLiteral("hang") };
    }
};

// The outbound side of the server: the simulator, where handlers send requests, and what they
// may reach.
struct OutboundConfig
{
    SimulatorSettings simulator;
    bool startSimulator = true;
    // --upstream URL: the base the handlers call instead of the simulator (e.g.
    // https://jsonplaceholder.typicode.com). Empty: the simulator.
    QString upstreamUrl;
    QStringList allowedHosts; // --allow-host, beyond the upstream host and loopback
    QString filesDirectory; // empty: a cache directory of generated files
    int connectionsPerHost = 100; // httpx's default pool limit
    // --max-upstream-body-bytes: an upstream body larger than this fails that call (its
    // Content-Length at once, a chunked or close-delimited body when it passes the cap), so one
    // answer cannot take the server's memory. 10 MiB: far above the course's JSON, below what
    // a dozen concurrent /scrape URLs could make hurt.
    qint64 maxBodyBytes = 10 * 1024 * 1024;
};

} // namespace loopscope::upstream
