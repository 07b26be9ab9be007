#pragma once

#include <array>
#include <atomic>
#include <cstdint>

namespace loopscope::http {

// Why a request was answered before it reached a route. Each is counted in /_scope/metrics.
enum class Rejection
{
    Malformed, // 400, 501, 505
    UriTooLong, // 414
    HeadersTooLarge, // 431
    BodyTooLarge, // 413
    RequestTimeout, // 408: the client sent too slowly
    Count
};

Rejection rejectionForStatus(int status);
const char *rejectionName(Rejection rejection); // the metric's `reason` label

// Written by the server loop, read from any thread (status bar, /_scope/health, tests).
struct ConnectionStats
{
    std::atomic<int> openConnections { 0 };
    std::atomic<int> inFlightRequests { 0 };
    std::atomic<std::uint64_t> acceptedConnections { 0 };
    std::atomic<std::uint64_t> refusedConnections { 0 };
    std::atomic<std::uint64_t> requests { 0 };
    std::atomic<std::uint64_t> responsesDropped { 0 }; // client left before its answer
    std::atomic<std::uint64_t> idleTimeouts { 0 }; // keep-alive connections closed for idling
    std::atomic<std::uint64_t> acceptErrors { 0 }; // accept() failed, e.g. out of descriptors
    std::array<std::atomic<std::uint64_t>, std::size_t(Rejection::Count)> rejections {};

    void countRejection(int status) { ++rejections[std::size_t(rejectionForStatus(status))]; }
    std::uint64_t rejected(Rejection rejection) const
    {
        return rejections[std::size_t(rejection)].load();
    }
};

} // namespace loopscope::http
