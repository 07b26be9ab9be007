#include "eventcodec.h"

#include "bytecodec.h"
#include "recording.h"

#include <algorithm>
#include <cstring>

namespace loopscope::recording {

namespace {

// Version 2 knows these kinds (version 1 those up to RequestArrived); a kind added to
// trace::Kind needs a new format version.
constexpr auto kKindCount = std::uint8_t(trace::Kind::ServerStarted) + 1;
static_assert(kKindCount == 23, "a new event kind: raise format::kVersion and document it");

// 0 stays "unknown"; a known time is stored from the event's own time, so it stays small.
std::uint64_t encodeTime(trace::Nanos time, trace::Nanos eventTime)
{
    return time == 0 ? 0 : zigzag(wrappingSub(time, eventTime)) + 1;
}

trace::Nanos decodeTime(std::uint64_t code, trace::Nanos eventTime)
{
    return code == 0 ? 0 : wrappingAdd(eventTime, unzigzag(code - 1));
}

} // namespace

QByteArray encodeEvents(std::span<const trace::Event> events, trace::Nanos origin)
{
    QByteArray out;
    out.reserve(qsizetype(events.size()) * 12 + 8);
    ByteWriter w(out);
    w.varint(events.size());
    trace::Nanos previousTime = origin;
    std::uint64_t previousSpan = 0;
    for (const trace::Event &e : events) {
        w.u8(std::uint8_t(e.kind));
        w.varint(e.thread);
        w.svarint(wrappingSub(e.time, previousTime));
        w.svarint(std::int64_t(e.span - previousSpan));
        w.varint(e.label);
        if (linkIsSpan(e.kind))
            w.svarint(std::int64_t(e.link - e.span));
        else if (linkIsTime(e.kind))
            w.varint(encodeTime(trace::Nanos(e.link), e.time));
        else
            w.varint(e.link);
        if (valueIsTime(e.kind))
            w.varint(encodeTime(e.value, e.time));
        else
            w.svarint(e.value);
        if (e.kind == trace::Kind::RequestId)
            w.bytes(e.requestIdView());
        previousTime = e.time;
        previousSpan = e.span;
    }
    return out;
}

std::optional<std::uint64_t> eventCount(QByteArrayView payload)
{
    ByteReader r(payload);
    const auto count = r.varint();
    if (!count || *count > std::uint64_t(r.remaining()) / 7)
        return std::nullopt;
    return count;
}

Result decodeEventsInto(QByteArrayView payload, trace::Nanos origin, std::span<trace::Event> out)
{
    ByteReader r(payload);
    const auto count = r.varint();
    if (!count || *count != out.size())
        return Result::failure(ErrorKind::BadData, QStringLiteral("event block: bad event count"));
    trace::Nanos previousTime = origin;
    std::uint64_t previousSpan = 0;
    for (std::uint64_t i = 0; i < *count; ++i) {
        const auto fail = [&](const char *what) {
            return Result::failure(ErrorKind::BadData,
                QStringLiteral("event block: event %1 of %2: %3")
                    .arg(i + 1)
                    .arg(*count)
                    .arg(QLatin1StringView(what)));
        };
        trace::Event &e = out[i];
        e = {};
        const auto kind = r.u8();
        if (!kind)
            return fail("cut off");
        if (*kind >= kKindCount)
            return fail("unknown event kind");
        e.kind = trace::Kind(*kind);
        const auto thread = r.varint();
        const auto time = r.svarint();
        const auto span = r.svarint();
        const auto label = r.varint();
        if (!thread || !time || !span || !label)
            return fail("cut off");
        if (*thread > 0xffff || *label > 0xffffffffu)
            return fail("thread or label out of range");
        e.thread = std::uint32_t(*thread);
        e.time = wrappingAdd(previousTime, *time);
        e.span = previousSpan + std::uint64_t(*span);
        e.label = std::uint32_t(*label);
        const auto link = r.varint();
        const auto value = r.varint();
        if (!link || !value)
            return fail("cut off");
        if (linkIsSpan(e.kind))
            e.link = e.span + std::uint64_t(unzigzag(*link));
        else if (linkIsTime(e.kind))
            e.link = std::uint64_t(decodeTime(*link, e.time));
        else
            e.link = *link;
        e.value = valueIsTime(e.kind) ? decodeTime(*value, e.time) : unzigzag(*value);
        if (e.kind == trace::Kind::RequestId) {
            const auto id = r.bytes(qsizetype(trace::Event::kRequestIdCapacity));
            if (!id)
                return fail("request id cut off or too long");
            e.requestIdSize = std::uint8_t(id->size());
            std::memcpy(e.requestId, id->data(), std::size_t(id->size()));
        }
        previousTime = e.time;
        previousSpan = e.span;
    }
    if (!r.atEnd())
        return Result::failure(ErrorKind::BadData,
            QStringLiteral("event block: %1 bytes after its last event").arg(r.remaining()));
    return {};
}

Result decodeEvents(QByteArrayView payload, trace::Nanos origin, std::vector<trace::Event> &out)
{
    const std::optional<std::uint64_t> count = eventCount(payload);
    if (!count)
        return Result::failure(ErrorKind::BadData, QStringLiteral("event block: bad event count"));
    const std::size_t first = out.size();
    // Geometric growth: an exact reserve per block would copy everything read so far each time.
    if (const std::size_t needed = first + *count; needed > out.capacity())
        out.reserve(std::max(needed, out.capacity() * 2));
    out.resize(first + *count);
    Result decoded = decodeEventsInto(payload, origin, std::span(out).subspan(first));
    if (!decoded)
        out.resize(first);
    return decoded;
}

} // namespace loopscope::recording
