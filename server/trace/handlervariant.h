#pragma once

#include <QString>
#include <QStringList>
#include <array>
#include <cstdint>
#include <optional>

namespace loopscope {

// How a route does its waiting (the README's variants table). It lives with the trace because a
// trace event carries it (RouteEntered's value), and the timeline and the exporters name it.
// Every `switch` over it has no `default`, so the compiler lists each place a new one must reach.
enum class HandlerVariant : std::uint8_t
{
    Async, // `async def` + `await`: the coroutine suspends, the loop serves others
    ThreadPool, // `def` route: synchronous code on the 40-thread pool, the loop awaits it
    Blocking, // `async def` + `time.sleep`: synchronous code on the loop, the loop stalls
    NoAwait, // `async def` calling a coroutine without `await`: created, dropped, never run
    ProcessPool, // `await loop.run_in_executor(process_pool, f)`: CPU work in worker processes
};

// Every variant, in the order of the README's table and the routes panel's columns.
inline constexpr std::array allHandlerVariants
    = { HandlerVariant::Async, HandlerVariant::ThreadPool, HandlerVariant::Blocking,
          HandlerVariant::NoAwait, HandlerVariant::ProcessPool };

inline constexpr std::uint8_t variantBit(HandlerVariant v)
{
    return std::uint8_t(1u << static_cast<unsigned>(v));
}
inline constexpr std::uint8_t allVariants = [] {
    std::uint8_t mask = 0;
    for (HandlerVariant v : allHandlerVariants)
        mask |= variantBit(v);
    return mask;
}();
// The ways a route's code can be written to wait; `no-await` (the forgotten `await`) is offered
// only by the routes that show that mistake, `processpool` only by CPU-bound work.
inline constexpr std::uint8_t standardVariants = variantBit(HandlerVariant::Async)
    | variantBit(HandlerVariant::ThreadPool) | variantBit(HandlerVariant::Blocking);

inline QString variantName(HandlerVariant v)
{
    switch (v) {
    case HandlerVariant::Async:
        return QStringLiteral("async");
    case HandlerVariant::ThreadPool:
        return QStringLiteral("threadpool");
    case HandlerVariant::Blocking:
        return QStringLiteral("blocking");
    case HandlerVariant::NoAwait:
        return QStringLiteral("no-await");
    case HandlerVariant::ProcessPool:
        return QStringLiteral("processpool");
    }
    return {};
}

// A variant's code in a trace event; nullopt for a code no variant has (a newer recording).
inline std::optional<HandlerVariant> variantFromCode(std::int64_t code)
{
    for (HandlerVariant v : allHandlerVariants) {
        if (static_cast<std::int64_t>(v) == code)
            return v;
    }
    return std::nullopt;
}

inline std::optional<HandlerVariant> variantFromName(const QString &name)
{
    for (HandlerVariant v : allHandlerVariants) {
        if (variantName(v) == name)
            return v;
    }
    return std::nullopt;
}

inline QStringList variantNames(std::uint8_t mask)
{
    QStringList names;
    for (HandlerVariant v : allHandlerVariants) {
        if (mask & variantBit(v))
            names << variantName(v);
    }
    return names;
}

} // namespace loopscope
