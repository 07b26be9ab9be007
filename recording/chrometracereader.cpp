#include "chrometracereader.h"

#include "eventdecoder.h"
#include "spanindex.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QJsonParseError>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace loopscope::recording {

namespace {

using trace::Event;
using trace::Kind;
using trace::Nanos;
using trace::SpanKind;
using trace::SpanOutcome;

// A whole export is parsed in memory, as JSON: a file larger than this is not one the window's
// retention could have produced, and parsing it would take the memory of several.
constexpr qint64 kMaxTraceFileBytes = qint64(1) << 30;
// `ts` is microseconds since the session began: beyond a year of session it is damage.
constexpr double kMaxMicros = 365.0 * 86400.0 * 1e6;

// A request, task or job as the export described it, with what the slices tell beyond a
// SpanRecord: whether its own slice was read yet, and which of its slices is open.
struct ExportedSpan
{
    trace::SpanRecord record;
    bool described = false; // its "b" slice with args (the request's or task's own) was read
    bool ended = false;
    bool unreadOpen = false; // inside its "unread in socket" slice
    bool awaitOpen = false;
    bool fallbackName = false; // its slice bore the exporter's name for "no label"
    Nanos lastRunEnd = 0;
};

struct ExportedStall
{
    Nanos begin = 0;
    Nanos duration = 0;
    std::uint32_t thread = 0;
};

// Reads one event object's fields; the first one missing or of the wrong type is the error.
class Fields
{
public:
    Fields(const QJsonObject &object, QString &error)
        : m_object(object)
        , m_error(error)
    { }

    bool has(const char *key) const { return m_object.contains(QLatin1StringView(key)); }
    QString text(const char *key) { return value(key, QJsonValue::String, "a string").toString(); }
    double number(const char *key) { return value(key, QJsonValue::Double, "a number").toDouble(); }
    qint64 integer(const char *key)
    {
        const QJsonValue v = value(key, QJsonValue::Double, "a number");
        const double d = v.toDouble();
        if (m_error.isEmpty() && (d != std::floor(d) || std::abs(d) > 9.0e15))
            m_error = QStringLiteral("\"%1\" is not an integer").arg(QLatin1StringView(key));
        return m_error.isEmpty() ? v.toInteger() : 0;
    }
    std::uint32_t thread(const char *key)
    {
        const qint64 v = integer(key);
        if (m_error.isEmpty() && (v < 0 || v > qint64(UINT32_MAX)))
            m_error = QStringLiteral("\"%1\" is not a thread index").arg(QLatin1StringView(key));
        return std::uint32_t(v);
    }
    // A span id as the exporter writes it: "0x" and hexadecimal digits; 0 only for a parent
    // (a span with none).
    std::uint64_t parentSpan(const char *key)
    {
        const QString s = text(key);
        return s == u"0x0" ? 0 : span(s, key);
    }
    std::uint64_t span(const char *key) { return span(text(key), key); }

private:
    std::uint64_t span(const QString &s, const char *key)
    {
        bool ok = false;
        const std::uint64_t id = s.startsWith(QLatin1StringView("0x")) && s.size() <= 18
            ? QStringView(s).mid(2).toULongLong(&ok, 16)
            : 0;
        if (m_error.isEmpty() && (!ok || id == 0))
            m_error
                = QStringLiteral("\"%1\" is not a span id (\"0x…\")").arg(QLatin1StringView(key));
        return m_error.isEmpty() ? id : 0;
    }

public:
    Fields args()
    {
        m_args = value("args", QJsonValue::Object, "an object").toObject();
        return Fields(m_args, m_error);
    }

private:
    QJsonValue value(const char *key, QJsonValue::Type type, const char *what)
    {
        const QJsonValue v = m_object.value(QLatin1StringView(key));
        if (!m_error.isEmpty())
            return {};
        if (v.isUndefined())
            m_error = QStringLiteral("no \"%1\"").arg(QLatin1StringView(key));
        else if (v.type() != type)
            m_error = QStringLiteral("\"%1\" is not %2")
                          .arg(QLatin1StringView(key), QLatin1StringView(what));
        return m_error.isEmpty() ? v : QJsonValue();
    }

    const QJsonObject &m_object;
    QString &m_error;
    QJsonObject m_args;
};

class TraceParser
{
public:
    explicit TraceParser(const QString &name)
        : m_name(name)
    { }

    ReadResult run(QByteArrayView bytes);

private:
    ReadResult failed(const QString &what) const
    {
        return { Result::failure(ErrorKind::BadData, m_name + QStringLiteral(": ") + what), {} };
    }
    // Each returns false with m_error set when the event is not one the exporter writes.
    bool readEvent(const QJsonObject &object);
    bool readAsync(Fields &f, bool begins, const QString &cat);
    bool readComplete(Fields &f, const QString &cat);
    bool readCounter(Fields &f);
    bool readServerMark(Fields &f, const QString &name);
    bool unknown(const QString &what)
    {
        m_error = what + QStringLiteral(", which the Loopscope export does not write");
        return false;
    }

    Nanos timeOf(double micros)
    {
        if (!(std::abs(micros) <= kMaxMicros)) {
            if (m_error.isEmpty())
                m_error = QStringLiteral("\"ts\" %1 is out of range").arg(micros);
            return m_origin; // never computed from a value out of range
        }
        return m_origin + Nanos(std::llround(micros * 1000.0));
    }
    Nanos durationOf(double micros)
    {
        if (!(micros >= 0 && micros <= kMaxMicros)) {
            if (m_error.isEmpty())
                m_error = QStringLiteral("\"dur\" %1 is out of range").arg(micros);
            return 0;
        }
        return Nanos(std::llround(micros * 1000.0));
    }
    // The recorded label id of a slice's name; 0 for the exporter's name of "no label".
    std::uint32_t labelOf(const QString &name, QLatin1StringView fallback)
    {
        if (name.isEmpty() || name == fallback)
            return 0;
        const auto [it, added] = m_labelIds.try_emplace(name, std::uint32_t(m_labelIds.size() + 1));
        if (added)
            m_recording.labels.emplace_back(it->second, name);
        return it->second;
    }
    ExportedSpan &spanFor(std::uint64_t id)
    {
        const auto [it, added] = m_spanIndex.try_emplace(id, m_spans.size());
        if (added) {
            m_spans.emplace_back();
            m_spans.back().record.span = id;
        }
        return m_spans[it->second];
    }
    bool setKind(ExportedSpan &s, SpanKind kind)
    {
        if (s.record.kind != SpanKind::Unknown && s.record.kind != kind) {
            m_error = QStringLiteral("span 0x%1 is given two kinds")
                          .arg(QString::number(s.record.span, 16));
            return false;
        }
        s.record.kind = kind;
        return true;
    }

    void emitSpan(const ExportedSpan &s);
    void add(Kind kind, Nanos time, std::uint32_t thread, std::uint64_t span,
        std::uint32_t label = 0, std::uint64_t link = 0, std::int64_t value = 0)
    {
        Event e {};
        e.kind = kind;
        e.time = time;
        e.thread = thread;
        e.span = span;
        e.label = label;
        e.link = link;
        e.value = value;
        m_recording.events.push_back(e);
    }

    const QString &m_name;
    QString m_error;
    Nanos m_origin = 0;
    Recording m_recording;
    std::unordered_map<QString, std::uint32_t> m_labelIds;
    std::vector<ExportedSpan> m_spans; // by first sight, as the exporter wrote them
    std::unordered_map<std::uint64_t, std::size_t> m_spanIndex;
    std::vector<ExportedStall> m_stalls;
};

ReadResult TraceParser::run(QByteArrayView bytes)
{
    QJsonParseError parseError;
    const QJsonDocument document
        = QJsonDocument::fromJson(QByteArray::fromRawData(bytes.data(), bytes.size()), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return failed(QStringLiteral("neither a Loopscope recording nor JSON (at byte %1: %2)")
                          .arg(parseError.offset)
                          .arg(parseError.errorString()));
    }
    const QJsonObject top = document.object();
    const QJsonValue events = top.value(QLatin1StringView("traceEvents"));
    const QJsonObject other = top.value(QLatin1StringView("otherData")).toObject();
    const QJsonValue origin = other.value(QLatin1StringView("time_origin_steady_ns"));
    // A steady clock's reading: positive, and far enough from the end of the range that every
    // time of the session fits beside it.
    const bool originFits = origin.isDouble() && origin.toDouble() >= 0
        && origin.toDouble() <= double(std::int64_t(1) << 62);
    if (!document.isObject() || !events.isArray() || !originFits) {
        return failed(QStringLiteral("not a Loopscope trace export: a Chrome trace from "
                                     "/_scope/trace has \"traceEvents\" and "
                                     "\"otherData\".\"time_origin_steady_ns\""));
    }
    m_origin = origin.toInteger();
    m_recording.origin = m_origin;
    m_recording.meta.insert(QStringLiteral("source"), QStringLiteral("chrome_trace"));

    const QJsonArray array = events.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QJsonValue value = array.at(i);
        if (!value.isObject())
            return failed(QStringLiteral("event %1 is not an object").arg(i));
        if (!readEvent(value.toObject()))
            return failed(QStringLiteral("event %1: %2").arg(i).arg(m_error));
    }

    for (const ExportedSpan &s : m_spans)
        emitSpan(s);
    std::uint64_t stallId = 0;
    for (const ExportedStall &stall : m_stalls) {
        // Stall ids only pair a stall's two events: any id no span has will do.
        const std::uint64_t id = (std::uint64_t(1) << 63) | ++stallId;
        add(Kind::LoopStallBegin, stall.begin, stall.thread, id, 0, 0, stall.begin);
        add(Kind::LoopStallEnd, stall.begin + stall.duration, stall.thread, id, 0, 0,
            stall.duration);
    }
    // Each span's events were added in the order they happen: a stable sort keeps that order
    // where two share a time.
    std::stable_sort(m_recording.events.begin(), m_recording.events.end(),
        [](const Event &a, const Event &b) { return a.time < b.time; });
    ReadResult result;
    result.recording = std::move(m_recording);
    return result;
}

bool TraceParser::readEvent(const QJsonObject &object)
{
    Fields f(object, m_error);
    const QString ph = f.text("ph");
    const QString name = f.text("name");
    f.thread("tid");
    f.number("ts");
    if (!m_error.isEmpty())
        return false;
    if (ph == u"M") {
        Fields args = f.args();
        const QString text = args.text("name");
        if (name == u"thread_name")
            m_recording.threads.push_back({ f.thread("tid"), text });
        else if (name != u"process_name")
            return unknown(QStringLiteral("metadata \"%1\"").arg(name));
        return m_error.isEmpty();
    }
    if (ph == u"C")
        return readCounter(f);
    if (ph == u"i")
        return readServerMark(f, name);
    if (ph != u"b" && ph != u"e" && ph != u"X" && ph != u"s" && ph != u"f")
        return unknown(QStringLiteral("phase \"%1\"").arg(ph));
    const QString cat = f.text("cat");
    if (!m_error.isEmpty())
        return false;
    if (ph == u"b" || ph == u"e")
        return readAsync(f, ph == u"b", cat);
    if (ph == u"X")
        return readComplete(f, cat);
    // "s" and "f": the flow from the run that queued a job to the job's execution.
    if (cat != u"job")
        return unknown(QStringLiteral("a flow of category \"%1\"").arg(cat));
    ExportedSpan &job = spanFor(f.span("id"));
    if (!m_error.isEmpty() || !setKind(job, SpanKind::Job))
        return false;
    if (ph == u"s") {
        job.record.accepted = timeOf(f.number("ts"));
        job.record.thread = f.thread("tid");
        job.record.label = labelOf(name, QLatin1StringView("job"));
    }
    return m_error.isEmpty();
}

// A global instant of category "server": a server stopping or starting.
bool TraceParser::readServerMark(Fields &f, const QString &name)
{
    const QString cat = f.text("cat");
    if (!m_error.isEmpty())
        return false;
    for (const auto &[step, kind] : { std::pair { trace::Step::ServerStop, Kind::ServerStopping },
             std::pair { trace::Step::ServerStart, Kind::ServerStarted } }) {
        if (cat == u"server" && name == QLatin1StringView(trace::serverMarkName(step))) {
            add(kind, timeOf(f.number("ts")), f.thread("tid"), 0);
            return m_error.isEmpty();
        }
    }
    return unknown(QStringLiteral("an instant \"%1\" of category \"%2\"").arg(name, cat));
}

bool TraceParser::readAsync(Fields &f, bool begins, const QString &cat)
{
    const bool request = cat == u"request";
    if (!request && cat != u"task")
        return unknown(QStringLiteral("an async slice of category \"%1\"").arg(cat));
    ExportedSpan &s = spanFor(f.span("id"));
    const Nanos time = timeOf(f.number("ts"));
    const QString name = f.text("name");
    if (!m_error.isEmpty() || !setKind(s, request ? SpanKind::Request : SpanKind::Task))
        return false;
    trace::SpanRecord &r = s.record;
    if (s.ended)
        return unknown(
            QStringLiteral("a slice of span 0x%1 after its end").arg(QString::number(r.span, 16)));
    if (!begins) {
        if (s.awaitOpen) {
            r.awaits.back().resume = time;
            s.awaitOpen = false;
        } else if (s.described) {
            r.closed = time;
            s.ended = true;
        } else if (s.unreadOpen) {
            s.unreadOpen = false;
        } else {
            return unknown(QStringLiteral("an end of span 0x%1 before its begin")
                               .arg(QString::number(r.span, 16)));
        }
        return true;
    }
    if (s.described) { // an await nested in the span's own slice
        if (s.awaitOpen)
            return unknown(QStringLiteral("an await inside an await"));
        r.awaits.push_back({ labelOf(name, QLatin1StringView("await")), time, 0 });
        s.awaitOpen = true;
        return true;
    }
    if (!f.has("args")) { // before the server read it: the wait in its socket
        if (!request || s.unreadOpen)
            return unknown(QStringLiteral("a slice of span 0x%1 with no args")
                               .arg(QString::number(r.span, 16)));
        s.unreadOpen = true;
        return true;
    }
    s.described = true;
    r.accepted = time;
    r.thread = f.thread("tid");
    const QLatin1StringView fallback(request ? "request" : "task");
    r.label = labelOf(name, fallback);
    s.fallbackName = name == fallback;
    Fields args = f.args();
    if (request) {
        r.status = int(args.integer("status"));
        r.bytes = args.integer("bytes");
        r.requestId = args.text("request_id").toUtf8().left(Event::kRequestIdCapacity);
        r.connection = args.integer("connection");
        r.variant = variantFromCode(args.integer("variant"));
        if (args.has("sent_ns"))
            r.sent = args.integer("sent_ns");
        if (args.has("arrived_ns"))
            r.arrived = args.integer("arrived_ns");
        return m_error.isEmpty();
    }
    r.parent = args.parentSpan("parent");
    const QString outcome = args.text("outcome");
    if (outcome == u"finished")
        r.outcome = SpanOutcome::Done;
    else if (outcome == u"failed")
        r.outcome = SpanOutcome::Failed;
    else if (outcome == u"cancelled")
        r.outcome = SpanOutcome::Cancelled;
    else if (outcome != u"open" && m_error.isEmpty())
        return unknown(QStringLiteral("a task outcome \"%1\"").arg(outcome));
    return m_error.isEmpty();
}

bool TraceParser::readComplete(Fields &f, const QString &cat)
{
    const Nanos begin = timeOf(f.number("ts"));
    const Nanos end = begin + durationOf(f.number("dur"));
    const std::uint32_t thread = f.thread("tid");
    const QString name = f.text("name");
    if (!m_error.isEmpty())
        return false;
    if (cat == u"stall") {
        m_stalls.push_back({ begin, end - begin, thread });
        return true;
    }
    Fields args = f.args();
    if (cat == u"run") { // a request or task on its thread between awaits
        ExportedSpan &s = spanFor(args.span("span"));
        if (!m_error.isEmpty())
            return false;
        if (!s.record.started || begin < s.record.started)
            s.record.started = begin;
        s.lastRunEnd = std::max(s.lastRunEnd, end);
        return true;
    }
    if (cat == u"blocking") {
        ExportedSpan &s = spanFor(args.span("span"));
        s.record.blocking.push_back(
            { labelOf(name, QLatin1StringView("blocking")), begin, end, thread });
        return m_error.isEmpty();
    }
    if (cat == u"job") {
        ExportedSpan &job = spanFor(args.span("job"));
        if (!m_error.isEmpty() || !setKind(job, SpanKind::Job))
            return false;
        trace::SpanRecord &r = job.record;
        r.parent = args.parentSpan("parent");
        r.label = labelOf(name, QLatin1StringView("job"));
        r.workerThread = thread;
        r.started = begin;
        r.closed = end;
        job.described = true;
        return m_error.isEmpty();
    }
    return unknown(QStringLiteral("a slice of category \"%1\"").arg(cat));
}

bool TraceParser::readCounter(Fields &f)
{
    const QString name = f.text("name");
    Fields args = f.args();
    if (name == u"in-flight requests") {
        args.integer("requests"); // rebuilt from the requests: checked, not kept
        return m_error.isEmpty();
    }
    if (name != u"loop lag")
        return unknown(QStringLiteral("a counter \"%1\"").arg(name));
    const double ms = args.number("ms");
    const Nanos time = timeOf(f.number("ts"));
    if (m_error.isEmpty() && !(ms >= 0 && ms <= kMaxMicros / 1000))
        m_error = QStringLiteral("loop lag %1 ms is out of range").arg(ms);
    if (!m_error.isEmpty())
        return false;
    add(Kind::LoopLag, time, f.thread("tid"), 0, 0, 0, std::llround(ms * 1e6));
    return true;
}

// The events a span's slices stand for, in the order they happened.
void TraceParser::emitSpan(const ExportedSpan &s)
{
    const trace::SpanRecord &r = s.record;
    const auto awaitsAndBlocking = [&] {
        for (const trace::AwaitRecord &a : r.awaits) {
            add(Kind::AwaitSuspend, a.suspend, r.thread, r.span, a.label);
            // An await still open when exported ended where its span's slice did.
            const Nanos resume = a.resume ? a.resume : std::max(a.suspend, r.closed);
            add(Kind::AwaitResume, resume, r.thread, r.span, a.label);
        }
        for (const trace::BlockingRecord &b : r.blocking) {
            add(Kind::BlockingBegin, b.begin, b.thread, r.span, b.label);
            add(Kind::BlockingEnd, b.end, b.thread, r.span, b.label);
        }
    };
    switch (r.kind) {
    case SpanKind::Request: {
        if (!s.described)
            break; // runs or blocking calls of a request whose own slice is missing
        add(Kind::RequestAccepted, r.accepted, r.thread, r.span, 0, 0, r.connection);
        if (r.sent || r.arrived)
            add(Kind::RequestArrived, r.accepted, r.thread, r.span, 0, std::uint64_t(r.sent),
                r.arrived);
        if (!r.requestId.isEmpty()) {
            add(Kind::RequestId, r.accepted, r.thread, r.span);
            Event &e = m_recording.events.back();
            e.requestIdSize = std::uint8_t(r.requestId.size());
            std::memcpy(e.requestId, r.requestId.constData(), std::size_t(r.requestId.size()));
        }
        // The route is known just before its handler starts; a request never routed bears the
        // exporter's fallback name and no variant.
        if (r.variant || !s.fallbackName) {
            add(Kind::RequestParsed, r.started ? r.started : r.accepted, r.thread, r.span, r.label,
                0, r.variant ? std::int64_t(*r.variant) : -1);
        }
        if (r.started)
            add(Kind::HandlerStarted, r.started, r.thread, r.span);
        awaitsAndBlocking();
        // A status is there only when a response was written: where the last run ended.
        if (r.status > 0) {
            const Nanos written = s.lastRunEnd ? s.lastRunEnd : (s.ended ? r.closed : r.accepted);
            add(Kind::ResponseWritten, written, r.thread, r.span, 0, std::uint64_t(r.bytes),
                r.status);
        }
        if (s.ended)
            add(Kind::RequestClosed, r.closed, r.thread, r.span, 0, 0, r.status);
        break;
    }
    case SpanKind::Task:
        if (!s.described)
            break;
        add(Kind::TaskSpawned, r.accepted, r.thread, r.span, r.label, r.parent);
        awaitsAndBlocking();
        switch (s.ended ? r.outcome : SpanOutcome::Open) {
        case SpanOutcome::Open:
            break;
        case SpanOutcome::Done:
            add(Kind::TaskFinished, r.closed, r.thread, r.span);
            break;
        case SpanOutcome::Failed:
            add(Kind::TaskFailed, r.closed, r.thread, r.span);
            break;
        case SpanOutcome::Cancelled:
            add(Kind::TaskCancelled, r.closed, r.thread, r.span);
            break;
        }
        break;
    case SpanKind::Job:
        if (r.accepted)
            add(Kind::JobQueued, r.accepted, r.thread, r.span, r.label, r.parent);
        if (s.described) {
            add(Kind::JobStarted, r.started, r.workerThread, r.span, r.label);
            add(Kind::JobFinished, r.closed, r.workerThread, r.span, r.label);
        }
        break;
    case SpanKind::Unknown: // its defining event had left the window; its blocking calls had not
        awaitsAndBlocking();
        break;
    }
}

} // namespace

ReadResult parseChromeTrace(QByteArrayView bytes, const QString &name)
{
    return TraceParser(name).run(bytes);
}

ReadResult readRecordingOrTrace(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return { Result::failure(ErrorKind::Io, path + QStringLiteral(": ") + file.errorString()),
            {} };
    }
    if (looksLikeRecording(file.peek(16)))
        return readRecording(path);
    if (file.size() > kMaxTraceFileBytes) {
        return { Result::failure(ErrorKind::BadData,
                     path
                         + QStringLiteral(": %1 bytes, more than a trace export this opens (%2)")
                               .arg(file.size())
                               .arg(kMaxTraceFileBytes)),
            {} };
    }
    return parseChromeTrace(file.readAll(), path);
}

} // namespace loopscope::recording
