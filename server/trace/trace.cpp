#include "trace.h"

#include "labeltable.h"
#include "ringregistry.h"

#include <algorithm>
#include <chrono>
#include <cstring>

namespace loopscope::trace {

namespace {

constexpr std::uint32_t kNoIndex = UINT32_MAX;

// Trivially destructible so it is usable until the very end of the thread,
// including from other thread_local destructors.
struct ThreadSlot
{
    EventRing *ring = nullptr;
    std::uint32_t index = kNoIndex;
    std::size_t capacity = kDefaultRingCapacity;
    bool exited = false;
};
constinit thread_local ThreadSlot t_slot;

// Its destructor is the only portable "thread is exiting" hook; it hands the
// ring over to the collector, which frees it once drained.
struct ThreadExitGuard
{
    bool armed = false;
    ~ThreadExitGuard()
    {
        if (t_slot.ring)
            t_slot.ring->markOwnerExited();
        t_slot.ring = nullptr;
        t_slot.exited = true;
    }
};
thread_local ThreadExitGuard t_exitGuard;

std::uint32_t ensureThreadIndex()
{
    if (t_slot.index == kNoIndex) {
        t_slot.index = RingRegistry::instance().newThreadIndex();
        t_exitGuard.armed = true; // odr-use: constructs the guard, registers its destructor
    }
    return t_slot.index;
}

EventRing *currentRing() noexcept
{
    if (EventRing *ring = t_slot.ring) [[likely]]
        return ring;
    if (t_slot.exited)
        return nullptr; // recorded after this thread's teardown: nowhere to put it
    t_slot.ring = RingRegistry::instance().createRing(ensureThreadIndex(), t_slot.capacity);
    return t_slot.ring;
}

std::atomic<std::uint64_t> g_nextSpan { 1 };
std::atomic<bool> g_recording { true };

} // namespace

Nanos nowNs() noexcept
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

QLatin1StringView kindName(Kind kind) noexcept
{
    switch (kind) {
    case Kind::RequestAccepted:
        return QLatin1StringView("RequestAccepted");
    case Kind::RequestParsed:
        return QLatin1StringView("RequestParsed");
    case Kind::HandlerStarted:
        return QLatin1StringView("HandlerStarted");
    case Kind::AwaitSuspend:
        return QLatin1StringView("AwaitSuspend");
    case Kind::AwaitResume:
        return QLatin1StringView("AwaitResume");
    case Kind::BlockingBegin:
        return QLatin1StringView("BlockingBegin");
    case Kind::BlockingEnd:
        return QLatin1StringView("BlockingEnd");
    case Kind::ResponseWritten:
        return QLatin1StringView("ResponseWritten");
    case Kind::RequestClosed:
        return QLatin1StringView("RequestClosed");
    case Kind::TaskSpawned:
        return QLatin1StringView("TaskSpawned");
    case Kind::TaskFinished:
        return QLatin1StringView("TaskFinished");
    case Kind::TaskFailed:
        return QLatin1StringView("TaskFailed");
    case Kind::TaskCancelled:
        return QLatin1StringView("TaskCancelled");
    case Kind::JobQueued:
        return QLatin1StringView("JobQueued");
    case Kind::JobStarted:
        return QLatin1StringView("JobStarted");
    case Kind::JobFinished:
        return QLatin1StringView("JobFinished");
    case Kind::LoopStallBegin:
        return QLatin1StringView("LoopStallBegin");
    case Kind::LoopStallEnd:
        return QLatin1StringView("LoopStallEnd");
    case Kind::LoopLag:
        return QLatin1StringView("LoopLag");
    case Kind::RequestId:
        return QLatin1StringView("RequestId");
    case Kind::RequestArrived:
        return QLatin1StringView("RequestArrived");
    case Kind::ServerStopping:
        return QLatin1StringView("ServerStopping");
    case Kind::ServerStarted:
        return QLatin1StringView("ServerStarted");
    }
    return QLatin1StringView("Unknown");
}

void setRecording(bool on) noexcept
{
    g_recording.store(on, std::memory_order_relaxed);
}

bool isRecording() noexcept
{
    return g_recording.load(std::memory_order_relaxed);
}

std::uint64_t newSpanId() noexcept
{
    return g_nextSpan.fetch_add(1, std::memory_order_relaxed);
}

std::uint32_t label(std::string_view text)
{
    return LabelTable::instance().intern(text);
}

QString labelText(std::uint32_t id)
{
    return LabelTable::instance().text(id);
}

std::string_view labelView(std::uint32_t id) noexcept
{
    return LabelTable::instance().view(id);
}

void record(Kind kind, std::uint64_t span, std::uint32_t label, std::uint64_t link,
    std::int64_t value) noexcept
{
    if (!g_recording.load(std::memory_order_relaxed)) [[unlikely]]
        return;
    EventRing *ring = currentRing();
    if (!ring) [[unlikely]]
        return;
    Event *e = ring->beginWrite();
    if (!e)
        return;
    e->time = nowNs();
    e->span = span;
    e->link = link;
    e->value = value;
    e->label = label;
    e->thread = ring->thread();
    e->kind = kind;
    e->requestIdSize = 0;
    ring->commitWrite();
}

void recordRequestId(std::uint64_t span, QByteArrayView requestId) noexcept
{
    if (!g_recording.load(std::memory_order_relaxed)) [[unlikely]]
        return;
    EventRing *ring = currentRing();
    if (!ring) [[unlikely]]
        return;
    Event *e = ring->beginWrite();
    if (!e)
        return;
    const std::size_t size = std::min<std::size_t>(requestId.size(), Event::kRequestIdCapacity);
    e->time = nowNs();
    e->span = span;
    e->link = 0;
    e->value = 0;
    e->label = 0;
    e->thread = ring->thread();
    e->kind = Kind::RequestId;
    e->requestIdSize = std::uint8_t(size);
    if (size)
        std::memcpy(e->requestId, requestId.data(), size);
    ring->commitWrite();
}

std::uint32_t currentThreadIndex() noexcept
{
    if (t_slot.exited)
        return kNoIndex;
    return ensureThreadIndex();
}

void setThreadName(const QString &name)
{
    RingRegistry::instance().setThreadName(ensureThreadIndex(), name);
}

QString threadName(std::uint32_t thread)
{
    return RingRegistry::instance().threadName(thread);
}

std::vector<ThreadInfo> threads()
{
    return RingRegistry::instance().threads();
}

bool prepareRing()
{
    return currentRing() != nullptr;
}

std::size_t ringCapacity()
{
    return t_slot.ring ? t_slot.ring->capacity() : 0;
}

void setRingBudget(std::size_t bytes)
{
    RingRegistry::instance().setByteBudget(bytes);
}

std::size_t ringBudget()
{
    return RingRegistry::instance().byteBudget();
}

bool setRingCapacity(std::size_t events)
{
    if (t_slot.ring || t_slot.exited)
        return false;
    t_slot.capacity = events;
    return true;
}

} // namespace loopscope::trace
