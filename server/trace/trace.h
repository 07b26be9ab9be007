#pragma once

// Producer API of the tracing library. Everything here is safe to call from any
// thread; record() and friends never lock, never allocate and never wait: when
// the collector falls behind, events are dropped and counted instead.

#include <QtCore/QByteArrayView>
#include <QtCore/QString>

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace loopscope::trace {

using Nanos = std::int64_t;

// Steady (monotonic) clock in nanoseconds; the same clock as QElapsedTimer.
Nanos nowNs() noexcept;

// The values are stored in recordings (docs/recording-format.md): a new kind goes at the end,
// with a new recording format version.
enum class Kind : std::uint8_t
{
    RequestAccepted, // span=request, value=connection id
    RequestParsed, // span, label=route label e.g. "GET /async" (or "GET <unmatched>"),
                   // value=variant index (0 async, 1 threadpool, 2 blocking, 3 no-await,
                   // 4 processpool)
    HandlerStarted, // span
    AwaitSuspend, // span, label e.g. "sleep 2s", "GET upstream/users", "db.fetchrow items"
    AwaitResume, // span, label
    BlockingBegin, // span, label (a known blocking call on the loop thread)
    BlockingEnd, // span, label
    ResponseWritten, // span, value=status, link=bytes
    RequestClosed, // span (client gone or response done)
    TaskSpawned, // span=task id, link=parent request span, label=task name
    TaskFinished, // span=task id
    TaskFailed, // span=task id
    TaskCancelled, // span=task id
    JobQueued, // span=job id, link=awaiting request/task span, label (thread-pool or database job)
    JobStarted, // span=job id (recorded on the worker thread)
    JobFinished, // span=job id (recorded on the worker thread)
    LoopStallBegin, // recorded by the watchdog; span=stall id, value = stall start time ns
    LoopStallEnd, // span=stall id, value = stall duration ns
    LoopLag, // value = lag ns (heartbeat sample)
    RequestId, // span=request; Event::requestId holds the (truncated) X-Request-Id
    RequestArrived, // span=request, recorded right after RequestAccepted when either is known:
                    // value = when its first byte reached this machine (the kernel's receive
                    // timestamp), link = when its client sent it (the X-Loopscope-Sent header);
                    // both on the trace clock, 0 = unknown
    ServerStopping, // loop-wide: a server began to stop, or to restart (its tasks get their grace)
    ServerStarted, // loop-wide: a server listens (at the start, and after a restart)
};

QLatin1StringView kindName(Kind kind) noexcept;

// Unique for the process, never 0; cheap enough to call per request/task/job.
std::uint64_t newSpanId() noexcept;

// Interned label id, stable for the process. Looking up a known text is lock-free
// and does not allocate; only the first sight of a text allocates. 0 = no label
// (also returned for an empty text or once the label table is full). Callers on
// hot paths should still keep the id in a static when the text is constant.
std::uint32_t label(std::string_view text);
QString labelText(std::uint32_t id);
// The interned UTF-8 text; valid for the whole process (labels are never freed).
std::string_view labelView(std::uint32_t id) noexcept;

void record(Kind kind, std::uint64_t span, std::uint32_t label = 0, std::uint64_t link = 0,
    std::int64_t value = 0) noexcept;

// Off: record() and recordRequestId() return at once, on every thread (--no-trace: what the
// trace costs a request is the difference). On from the start.
void setRecording(bool on) noexcept;
bool isRecording() noexcept;

// Records a Kind::RequestId event; ids longer than Event::kRequestIdCapacity are truncated.
void recordRequestId(std::uint64_t span, QByteArrayView requestId) noexcept;

struct Event
{
    static constexpr std::size_t kRequestIdCapacity = 22; // keeps an Event at one cache line

    Nanos time;
    std::uint64_t span;
    std::uint64_t link;
    std::int64_t value;
    std::uint32_t label;
    std::uint32_t thread; // dense thread index, see threadName()
    Kind kind;
    std::uint8_t requestIdSize; // only for Kind::RequestId
    char requestId[kRequestIdCapacity];

    QByteArrayView requestIdView() const noexcept
    {
        return { requestId, qsizetype(requestIdSize) };
    }
};
static_assert(sizeof(Event) == 64);

// --- threads ---------------------------------------------------------------
// Each producer thread gets a small dense index (0, 1, 2, ...; never reused) the
// first time it records or calls one of these. Exporters name lanes after it.

std::uint32_t currentThreadIndex() noexcept;
void setThreadName(const QString &name); // for the calling thread, e.g. "server loop"
QString threadName(std::uint32_t thread); // "thread N" when none was set
struct ThreadInfo
{
    std::uint32_t index;
    QString name;
};
std::vector<ThreadInfo> threads(); // every thread that ever registered

// Ring capacity (events, rounded up to a power of two) of the calling thread's
// ring. Only effective before the thread's first event; returns whether it was.
// Busy threads (the server loop) should ask for more than the default. The ring gets less
// when the rings' byte budget is short, down to kMinRingCapacity.
inline constexpr std::size_t kDefaultRingCapacity = 16384;
inline constexpr std::size_t kMinRingCapacity = 1024;
bool setRingCapacity(std::size_t events);
// The calling thread's ring capacity in events: what it was granted; 0 before it has one.
std::size_t ringCapacity();
// Bytes for every thread's ring together (rings made before a change keep their size). The
// default is a 64th of the machine's memory, 32 MiB to 256 MiB: room for the loop's 16 MiB and
// the default 1 MiB of each of 40 pool threads, on a machine that has it.
std::size_t defaultRingBudget();
void setRingBudget(std::size_t bytes); // 0: the default
std::size_t ringBudget();
// Makes the calling thread's ring now rather than at its first event. Every page of a ring is
// made resident when it is made (the server loop's 16 MiB took 60 ms on a 2-core VM): a thread
// that serves requests prepares it when it starts, so no request waits for it. Returns whether
// the thread has a ring (not after its teardown).
bool prepareRing();

} // namespace loopscope::trace
