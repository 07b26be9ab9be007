#pragma once

#include <atomic>
#include <cstdint>

namespace loopscope::http {

// Written by the server loop, read from any thread (status bar, /_scope/health, tests).
struct ConnectionStats
{
    std::atomic<int> openConnections { 0 };
    std::atomic<int> inFlightRequests { 0 };
    std::atomic<std::uint64_t> acceptedConnections { 0 };
    std::atomic<std::uint64_t> refusedConnections { 0 };
    std::atomic<std::uint64_t> requests { 0 };
    std::atomic<std::uint64_t> responsesDropped { 0 }; // client left before its answer
    std::atomic<std::uint64_t> protocolErrors { 0 };
    std::atomic<std::uint64_t> timedOutConnections { 0 };
};

} // namespace loopscope::http
