#include "chrometrace.h"

#include "sessionclock.h"
#include "spanindex.h"

#include <algorithm>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace loopscope::trace {

namespace {

// Streams one event object at a time; string escaping per RFC 8259.
class JsonWriter
{
public:
    explicit JsonWriter(Nanos origin)
        : m_origin(origin)
    { }
    // Where the next events go: each slice of a streamed export is its own array.
    void setOutput(QByteArray *out) { m_out = out; }

    void begin(
        const char *ph, std::string_view name, const char *cat, std::uint32_t tid, Nanos time)
    {
        *m_out += m_first ? "\n{" : ",\n{";
        m_first = false;
        *m_out += "\"ph\":\"";
        *m_out += ph;
        *m_out += "\",\"name\":";
        string(name);
        if (cat) {
            *m_out += ",\"cat\":\"";
            *m_out += cat;
            *m_out += '"';
        }
        *m_out += ",\"pid\":1,\"tid\":" + QByteArray::number(tid) + ",\"ts\":";
        micros(time - m_origin);
    }
    void id(std::uint64_t span)
    {
        *m_out += ",\"id\":\"0x" + QByteArray::number(quint64(span), 16) + '"';
    }
    void dur(Nanos d)
    {
        *m_out += ",\"dur\":";
        micros(std::max<Nanos>(0, d));
    }
    void raw(const char *text) { *m_out += text; }
    void argsBegin()
    {
        *m_out += ",\"args\":{";
        m_firstArg = true;
    }
    void arg(const char *key, std::int64_t v)
    {
        key_(key);
        *m_out += QByteArray::number(qint64(v));
    }
    void arg(const char *key, double v)
    {
        key_(key);
        *m_out += QByteArray::number(v, 'f', 3);
    }
    void arg(const char *key, std::string_view v)
    {
        key_(key);
        string(v);
    }
    void argSpan(const char *key, std::uint64_t span)
    {
        key_(key);
        *m_out += "\"0x" + QByteArray::number(quint64(span), 16) + '"';
    }
    void argsEnd() { *m_out += '}'; }
    void end() { *m_out += '}'; }

    void string(std::string_view s)
    {
        *m_out += '"';
        for (const char c : s) {
            const auto u = static_cast<unsigned char>(c);
            if (c == '"' || c == '\\') {
                *m_out += '\\';
                *m_out += c;
            } else if (u < 0x20) {
                static const char hex[] = "0123456789abcdef";
                *m_out += "\\u00";
                *m_out += hex[u >> 4];
                *m_out += hex[u & 15];
            } else {
                *m_out += c; // UTF-8 passes through unchanged
            }
        }
        *m_out += '"';
    }

private:
    void key_(const char *key)
    {
        if (!m_firstArg)
            *m_out += ',';
        m_firstArg = false;
        *m_out += '"';
        *m_out += key;
        *m_out += "\":";
    }
    void micros(Nanos ns) { *m_out += QByteArray::number(double(ns) / 1000.0, 'f', 3); }

    QByteArray *m_out = nullptr;
    const Nanos m_origin;
    bool m_first = true;
    bool m_firstArg = true;
};

std::string_view nameOr(std::uint32_t label, std::string_view fallback)
{
    const std::string_view text = labelView(label);
    return text.empty() ? fallback : text;
}

const char *outcomeName(SpanOutcome outcome)
{
    switch (outcome) {
    case SpanOutcome::Open:
        return "open";
    case SpanOutcome::Done:
        return "finished";
    case SpanOutcome::Failed:
        return "failed";
    case SpanOutcome::Cancelled:
        return "cancelled";
    }
    return "open";
}

void writeAsyncSpan(JsonWriter &w, const SpanRecord &r, Nanos lastTime)
{
    const bool request = r.kind == SpanKind::Request;
    const char *cat = request ? "request" : "task";
    const std::string_view name = nameOr(r.label, request ? "request" : "task");
    const Nanos begin = r.begin();
    const Nanos end = r.closed ? r.closed : std::max(r.end(), lastTime);

    // Before the server read it, the request waited in its socket (sent by its client, or at
    // least arrived): a slice of its own on the request's track, ending where the request's
    // own slice begins.
    if (request && r.issued() && r.issued() < begin) {
        w.begin("b", "unread in socket", cat, r.thread, r.issued());
        w.id(r.span);
        w.end();
        w.begin("e", "unread in socket", cat, r.thread, begin);
        w.id(r.span);
        w.end();
    }

    w.begin("b", name, cat, r.thread, begin);
    w.id(r.span);
    w.argsBegin();
    if (request) {
        w.arg("status", std::int64_t(r.status));
        w.arg("bytes", r.bytes);
        w.arg("request_id",
            std::string_view(r.requestId.constData(), std::size_t(r.requestId.size())));
        w.arg("connection", r.connection);
        w.arg("variant", r.variant ? std::int64_t(*r.variant) : std::int64_t(-1));
        // On the trace clock like /_scope/stalls, not rebased like ts; absent when not known.
        if (r.sent)
            w.arg("sent_ns", r.sent);
        if (r.arrived)
            w.arg("arrived_ns", r.arrived);
    } else {
        w.argSpan("parent", r.parent);
        w.arg("outcome", std::string_view(outcomeName(r.outcome)));
    }
    w.argsEnd();
    w.end();

    // Awaits nest inside their span: same category and id, inner timestamps.
    for (const AwaitRecord &a : r.awaits) {
        const std::string_view awaitName = nameOr(a.label, "await");
        w.begin("b", awaitName, cat, r.thread, a.suspend);
        w.id(r.span);
        w.end();
        w.begin("e", awaitName, cat, r.thread, a.resume ? a.resume : end);
        w.id(r.span);
        w.end();
    }

    w.begin("e", name, cat, r.thread, end);
    w.id(r.span);
    w.end();
}

// The stretches a request or task actually ran on its thread: from handler start
// to the first await, from each resume to the next suspend, then to the response.
void writeRuns(JsonWriter &w, const SpanRecord &r, Nanos lastTime)
{
    Nanos cursor = r.started;
    if (!cursor)
        return;
    const std::string_view name = nameOr(r.label, r.kind == SpanKind::Request ? "request" : "task");
    const auto run = [&](Nanos from, Nanos to) {
        if (to < from)
            return;
        w.begin("X", name, "run", r.thread, from);
        w.dur(to - from);
        w.argsBegin();
        w.argSpan("span", r.span);
        w.argsEnd();
        w.end();
    };
    std::vector<AwaitRecord> awaits = r.awaits;
    std::sort(awaits.begin(), awaits.end(),
        [](const auto &a, const auto &b) { return a.suspend < b.suspend; });
    for (const AwaitRecord &a : awaits) {
        if (cursor == 0 || a.suspend < cursor)
            continue; // overlapping awaits (gather): the outer one already closed the run
        run(cursor, a.suspend);
        cursor = a.resume;
    }
    if (cursor) {
        const Nanos stop = r.written ? r.written : (r.closed ? r.closed : lastTime);
        run(cursor, std::max(cursor, stop));
    }
}

void writeJob(JsonWriter &w, const SpanRecord &r, Nanos lastTime)
{
    const std::string_view name = nameOr(r.label, "job");
    if (r.started) {
        w.begin("X", name, "job", r.workerThread, r.started);
        w.dur((r.closed ? r.closed : lastTime) - r.started);
        w.argsBegin();
        w.argSpan("job", r.span);
        w.argSpan("parent", r.parent);
        if (r.accepted)
            w.arg("queued_ms", double(r.started - r.accepted) / 1e6);
        w.argsEnd();
        w.end();
        // What the job waited for on its thread (the GIL), nested in its slice.
        for (const AwaitRecord &a : r.awaits) {
            w.begin("X", nameOr(a.label, "await"), "job", r.workerThread, a.suspend);
            w.dur((a.resume ? a.resume : (r.closed ? r.closed : lastTime)) - a.suspend);
            w.end();
        }
    }
    if (r.accepted && r.started) {
        // Flow from the run that queued the job to the job's execution slice.
        w.begin("s", name, "job", r.thread, r.accepted);
        w.id(r.span);
        w.end();
        w.begin("f", name, "job", r.workerThread, r.started);
        w.id(r.span);
        w.raw(",\"bp\":\"e\"");
        w.end();
    }
}

} // namespace

struct ChromeTraceWriter::State
{
    enum class Phase
    {
        Head,
        Spans,
        LoopWide,
        Tail,
        Done
    };

    ChromeTraceWriter::Source source;
    std::vector<Event> events; // those of the loop-wide pass only
    Phase phase = Phase::Head;
    const Nanos origin = sessionOrigin(); // ts 0
    JsonWriter w { origin };
    Nanos lastTime = 0;
    SpanIndex index;
    std::size_t record = 0; // next span record to write
    std::size_t event = 0; // next event of the loop-wide pass
    std::unordered_set<std::uint64_t> open;
    std::unordered_map<std::uint64_t, const Event *> stalls;

    void writeHead(QByteArray &out);
    void writeRecord(const SpanRecord &r);
    void writeLoopWide(const Event &e);
    void inFlight(const Event &e);
    void stallSlice(const Event &begin, Nanos duration);
    void writeTail(QByteArray &out) const;
};

// The events the loop-wide pass writes (see writeLoopWide): the loop-wide ones (watchdog, lag
// samples), and what opens and ends a request, for the in-flight counter.
static bool isLoopWidePass(const DecodedEvent &d)
{
    if (isLoopWide(d.step))
        return true;
    return d.span == SpanKind::Request
        && (d.step == Step::Open || d.step == Step::Respond || d.step == Step::Close);
}

void ChromeTraceWriter::State::writeHead(QByteArray &out)
{
    out += "{\"traceEvents\":[";
    std::set<std::uint32_t> lanes;
    std::vector<Event> page;
    while (source(page)) {
        for (const Event &e : page) {
            lastTime = std::max(lastTime, e.time);
            lanes.insert(e.thread);
            if (isLoopWidePass(decode(e)))
                events.push_back(e);
        }
        index.add(page);
        page.clear();
    }
    source = {};
    w.begin("M", "process_name", nullptr, 0, origin);
    w.argsBegin();
    w.arg("name", std::string_view("loopscope"));
    w.argsEnd();
    w.end();
    for (const std::uint32_t lane : lanes) {
        w.begin("M", "thread_name", nullptr, lane, origin);
        w.argsBegin();
        const QByteArray name = threadName(lane).toUtf8();
        w.arg("name", std::string_view(name.constData(), std::size_t(name.size())));
        w.argsEnd();
        w.end();
    }
}

void ChromeTraceWriter::State::writeRecord(const SpanRecord &r)
{
    switch (r.kind) {
    case SpanKind::Request:
    case SpanKind::Task:
        writeAsyncSpan(w, r, lastTime);
        writeRuns(w, r, lastTime);
        break;
    case SpanKind::Job:
        writeJob(w, r, lastTime);
        break;
    case SpanKind::Unknown:
        break; // its defining event fell out of the window
    }
    for (const BlockingRecord &b : r.blocking) {
        w.begin("X", nameOr(b.label, "blocking"), "blocking", b.thread, b.begin);
        w.dur((b.end ? b.end : lastTime) - b.begin);
        w.argsBegin();
        w.argSpan("span", r.span);
        w.argsEnd();
        w.end();
    }
}

void ChromeTraceWriter::State::inFlight(const Event &e)
{
    w.begin("C", "in-flight requests", nullptr, e.thread, e.time);
    w.argsBegin();
    w.arg("requests", std::int64_t(open.size()));
    w.argsEnd();
    w.end();
}

void ChromeTraceWriter::State::stallSlice(const Event &begin, Nanos duration)
{
    w.begin("X", "loop stall", "stall", begin.thread, std::max(origin, stallStart(begin)));
    w.dur(duration - std::max<Nanos>(0, origin - stallStart(begin)));
    w.end();
}

// Where ts 0 is, for a reader lining this file up with the window or a log: in otherData, which
// Perfetto and chrome://tracing show as the trace's metadata.
void ChromeTraceWriter::State::writeTail(QByteArray &out) const
{
    out += "\n],\"displayTimeUnit\":\"ms\",\"otherData\":{\"time_origin\":\"session start: ts 0 "
           "is when this loopscope process started, the zero of its timeline, charts, log and "
           "inspector\"";
    out += ",\"time_origin_steady_ns\":" + QByteArray::number(qint64(origin));
    out += ",\"clock\":\"steady (CLOCK_MONOTONIC), nanoseconds\"}}\n";
}

// Loop-wide events: counters and watchdog stalls, in event order.
void ChromeTraceWriter::State::writeLoopWide(const Event &e)
{
    switch (decode(e).step) {
    case Step::Open:
        if (open.insert(e.span).second)
            inFlight(e);
        break;
    case Step::Respond:
    case Step::Close:
        if (open.erase(e.span))
            inFlight(e);
        break;
    case Step::Lag:
        w.begin("C", "loop lag", nullptr, e.thread, e.time);
        w.argsBegin();
        w.arg("ms", double(lag(e)) / 1e6);
        w.argsEnd();
        w.end();
        break;
    case Step::StallBegin:
        stalls[stallId(e)] = &e;
        break;
    case Step::StallEnd:
        if (const auto it = stalls.find(stallId(e)); it != stalls.end()) {
            stallSlice(*it->second, stallDuration(e));
            stalls.erase(it);
        }
        break;
    case Step::ServerStop:
    case Step::ServerStart:
        // A global instant: Perfetto draws it as a line across every track.
        w.begin("i", serverMarkName(decode(e).step), "server", e.thread, e.time);
        w.raw(",\"s\":\"g\"");
        w.end();
        break;
    case Step::Parse:
    case Step::RequestId:
    case Step::Arrive:
    case Step::StartHandler:
    case Step::StartOnWorker:
    case Step::Suspend:
    case Step::Resume:
    case Step::BlockBegin:
    case Step::BlockEnd:
        break; // not kept for this pass (isLoopWidePass)
    }
}

ChromeTraceWriter::ChromeTraceWriter(Source source)
    : m_state(std::make_unique<State>())
{
    m_state->source = std::move(source);
}

ChromeTraceWriter::ChromeTraceWriter(std::vector<Event> events)
    : ChromeTraceWriter(Source([events = std::move(events)](std::vector<Event> &page) mutable {
        if (events.empty())
            return false;
        page = std::move(events);
        events.clear();
        return true;
    }))
{ }

ChromeTraceWriter::~ChromeTraceWriter() = default;

bool ChromeTraceWriter::atEnd() const
{
    return m_state->phase == State::Phase::Done;
}

QByteArray ChromeTraceWriter::next(qsizetype bytes)
{
    State &s = *m_state;
    QByteArray out;
    out.reserve(bytes + 4096);
    s.w.setOutput(&out);
    while (out.size() < bytes && s.phase != State::Phase::Done) {
        switch (s.phase) {
        case State::Phase::Head:
            s.writeHead(out);
            s.phase = State::Phase::Spans;
            break;
        case State::Phase::Spans:
            if (s.record < s.index.records().size()) {
                s.writeRecord(s.index.records()[s.record++]);
            } else {
                s.index.clear(); // its records are written: give their memory back now
                s.phase = State::Phase::LoopWide;
            }
            break;
        case State::Phase::LoopWide:
            if (s.event < s.events.size()) {
                s.writeLoopWide(s.events[s.event++]);
            } else {
                for (const auto &[span, begin] : s.stalls)
                    s.stallSlice(*begin, s.lastTime - begin->value); // still stalled at the end
                s.phase = State::Phase::Tail;
            }
            break;
        case State::Phase::Tail:
            s.writeTail(out);
            s.events = {};
            s.stalls.clear();
            s.phase = State::Phase::Done;
            break;
        case State::Phase::Done:
            break;
        }
    }
    s.w.setOutput(nullptr);
    return out;
}

QByteArray chromeTraceJson(std::span<const Event> events)
{
    ChromeTraceWriter writer({ events.begin(), events.end() });
    QByteArray out;
    while (!writer.atEnd())
        out += writer.next(1 << 20);
    return out;
}

} // namespace loopscope::trace
