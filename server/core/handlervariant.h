#pragma once

#include <QString>
#include <QStringList>
#include <cstdint>
#include <optional>

namespace loopscope {

// How a route does its waiting (the README's variants table).
enum class HandlerVariant : std::uint8_t
{
    Async, // `async def` + `await`: the coroutine suspends, the loop serves others
    ThreadPool, // `def` route: synchronous code on the 40-thread pool, the loop awaits it
    Blocking, // `async def` + `time.sleep`: synchronous code on the loop, the loop stalls
};

inline constexpr std::uint8_t variantBit(HandlerVariant v)
{
    return std::uint8_t(1u << static_cast<unsigned>(v));
}
inline constexpr std::uint8_t allVariants = variantBit(HandlerVariant::Async)
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
    }
    return {};
}

inline std::optional<HandlerVariant> variantFromName(const QString &name)
{
    for (auto v : { HandlerVariant::Async, HandlerVariant::ThreadPool, HandlerVariant::Blocking }) {
        if (variantName(v) == name)
            return v;
    }
    return std::nullopt;
}

inline QStringList variantNames(std::uint8_t mask)
{
    QStringList names;
    for (auto v : { HandlerVariant::Async, HandlerVariant::ThreadPool, HandlerVariant::Blocking }) {
        if (mask & variantBit(v))
            names << variantName(v);
    }
    return names;
}

} // namespace loopscope
