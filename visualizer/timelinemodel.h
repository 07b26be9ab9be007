#pragma once

#include "laneallocator.h"
#include "loophealth.h"
#include "spanslotindex.h"
#include "timelinelane.h"
#include "timelinespan.h"

#include <QtCore/QObject>
#include <QtCore/QString>
#include <QtCore/QTimer>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <unordered_map>
#include <vector>

namespace loopscope::trace {
struct Event;
class Subscription;
} // namespace loopscope::trace

namespace loopscope::viz {

// Everything the timeline shows, built incrementally from trace events: spans
// packed into lanes per group, their segments, loop stalls with the collateral
// damage they caused, and lag samples. Knows no widgets; the view reads it.
//
// Feeding: either ingest() one batch per frame (tests, benchmarks, an app that
// drains itself), or attach() a subscription and let the model drain it on its
// own frame timer. Either way one batch is one change notification.
class TimelineModel : public QObject
{
    Q_OBJECT
public:
    static constexpr std::chrono::seconds kDefaultRetention { 120 };
    static constexpr std::chrono::milliseconds kFrameInterval { 16 };
    static constexpr std::chrono::milliseconds kIdleInterval { 100 };

    explicit TimelineModel(QObject *parent = nullptr);
    ~TimelineModel() override;

    void attach(std::shared_ptr<trace::Subscription> subscription);
    void detach();
    bool isAttached() const { return m_subscription != nullptr; }
    // Drains the attached subscription once; the frame timer calls it.
    void poll();

    void ingest(std::span<const trace::Event> events);
    void clear();
    // The clock moved with no new events (a replay between two events): open spans and the
    // now-line grew, so the views repaint.
    void clockMoved();

    void setRetention(std::chrono::nanoseconds window);
    std::chrono::nanoseconds retention() const { return std::chrono::nanoseconds(m_retention); }
    // "Now" for open spans and the now-line. Live (attached) it is the trace
    // clock; otherwise the newest event time, so fed histories are deterministic.
    void setClock(std::function<Nanos()> clock);
    // Names of trace threads, to route jobs on "database*" threads to their group.
    void setThreadNameResolver(std::function<QString(std::uint32_t)> resolver);

    Nanos now() const;
    // The axis' zero: the session's origin, shared with the charts, the log and the export.
    static Nanos origin();
    Nanos earliest() const; // oldest retained data
    std::uint64_t revision() const { return m_revision; }
    // Time range touched by the last batch; a paused view repaints only if it sees it.
    std::pair<Nanos, Nanos> lastChange() const { return { m_changeBegin, m_changeEnd }; }
    bool hasOpenWork() const
    {
        return m_openSpans > 0 || (!m_stalls.empty() && m_stalls.back().isOpen());
    }

    int laneCount(LaneGroup group) const { return int(m_groups[int(group)].lanes.size()); }
    const TimelineLane &lane(LaneGroup group, int index) const
    {
        return m_groups[int(group)].lanes[std::size_t(index)];
    }
    const std::vector<TimelineSpan> &spanStorage() const { return m_spans; }
    const TimelineSpan &span(std::uint32_t slot) const { return m_spans[slot]; }
    const TimelineSpan *find(std::uint64_t id) const;
    std::size_t spanCount() const { return m_byId.size(); }

    const std::deque<LoopStall> &stalls() const { return m_stalls; }
    const LoopStall *findStall(std::uint64_t id) const;
    const std::deque<LagSample> &lagSamples() const { return m_lag; }
    const std::deque<ServerMark> &serverMarks() const { return m_serverMarks; }
    // Requests in arrival order, for list facades; ids may refer to expired spans.
    const std::deque<std::uint64_t> &requestOrder() const { return m_requestOrder; }
    std::uint64_t requestOrderBase() const
    {
        return m_requestOrderBase;
    } // arrival number of its front

    // "GET /async #1234" (the X-Request-Id when there is one, else the span id).
    QString displayName(const TimelineSpan &span) const;
    // "#1234": the part of it that tells requests of one route apart.
    QString shortName(const TimelineSpan &span) const;
    // "delayed 1.8 s by GET /async #1234, blocking in sleep 2s"; empty when none.
    QString collateralText(const TimelineSpan &span) const;
    // What a stall was: "GET /async #7, blocking in sleep 0.5s" or "loop busy: 80 arrivals".
    QString stallCauseText(const LoopStall &stall) const;
    // What it cost: "9 others waited 22.5 s (22.5 s of it unread in socket)"; empty when nothing.
    QString stallVictimsText(const LoopStall &stall) const;

    // One stall's charge to one span: how long it made the span wait, and where.
    struct StallCharge
    {
        const LoopStall *stall;
        Nanos waited;
        trace::WaitPlace where;
    };
    // Every stall that charged the span, in time order.
    std::vector<StallCharge> stallCharges(const TimelineSpan &span) const;
    // "unread in socket, stalled by GET /async #7, blocking in sleep 0.5s (1.503 s – 2.003 s on
    // the timeline)"
    QString chargeText(const StallCharge &charge) const;
    static QString labelText(std::uint32_t label);

Q_SIGNALS:
    void changed();
    void requestsAppended(int count);
    void requestsDropped(int count); // from the front of requestOrder()
    void requestsUpdated(int firstRow); // rows from firstRow to the end may have changed
    void reset();

private:
    struct Group
    {
        std::vector<TimelineLane> lanes;
        LaneAllocator free; // when each lane's last span ended
    };

    void apply(const trace::Event &e); // timelineevents.cpp
    void open(const trace::Event &e, SpanKind kind);
    void reserveForOpens(std::span<const trace::Event> events);
    std::uint32_t create(const trace::Event &e, SpanKind kind, LaneGroup group);
    std::uint32_t slotFor(const trace::Event &e, SpanKind kind, LaneGroup group);
    void place(std::uint32_t slot);
    void unplace(std::uint32_t slot);
    void transition(std::uint32_t slot, Nanos time, SegmentKind kind, std::uint32_t label);
    void close(std::uint32_t slot, Nanos time);
    void setIssued(std::uint32_t slot, const trace::Event &arrived);
    LaneGroup jobGroup(std::uint32_t label, std::uint32_t thread) const;
    void attributeStall(std::uint64_t watchedId);
    void summariseCollateral(const std::vector<std::uint64_t> &spans);
    trace::LoopSpan loopSpan(const TimelineSpan &span) const;
    void prune();
    void touched(std::uint32_t slot);

    std::vector<TimelineSpan> m_spans;
    std::vector<std::uint32_t> m_freeSlots;
    SpanSlotIndex m_byId;
    Group m_groups[kLaneGroupCount];
    std::deque<LoopStall> m_stalls;
    std::deque<LagSample> m_lag;
    std::deque<ServerMark> m_serverMarks;
    std::deque<std::uint64_t> m_requestOrder;
    std::uint64_t m_requestOrderBase = 0; // arrival number of m_requestOrder.front()
    std::vector<std::uint64_t> m_stallsToAttribute; // ids of watchdog stalls that ended

    std::shared_ptr<trace::Subscription> m_subscription;
    std::vector<trace::Event> m_buffer;
    QTimer m_pollTimer;
    int m_idlePolls = 0;

    std::function<Nanos()> m_clock;
    std::function<QString(std::uint32_t)> m_threadName;
    mutable std::unordered_map<std::uint32_t, bool> m_databaseThread;

    Nanos m_retention;
    Nanos m_latest = 0;
    Nanos m_lastPrune = 0;
    Nanos m_changeBegin = 0;
    Nanos m_changeEnd = 0;
    std::uint64_t m_revision = 0;
    std::int64_t m_openSpans = 0;
    std::uint64_t m_arrivals = 0;
    std::uint64_t m_firstUpdatedArrival = UINT64_MAX;
};

} // namespace loopscope::viz
