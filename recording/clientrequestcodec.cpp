#include "clientrequestcodec.h"

#include "bytecodec.h"

#include <limits>

namespace loopscope::recording {

namespace {

// The longest run id a block may name: the engine's are a few characters.
constexpr qsizetype kMaxRunIdSize = 256;
// The fewest bytes one request takes: nine varints and two bytes.
constexpr qsizetype kMinRequestSize = 11;

// A point a request may never have reached (-1) after a base: 0 when it did not, else its
// zigzagged distance plus one. Wrapping keeps every qint64 pair exact and free of overflow.
std::uint64_t pointAfter(qint64 point, qint64 base)
{
    return point == -1 ? 0 : zigzag(wrappingSub(point, base)) + 1;
}
qint64 pointFrom(std::uint64_t code, qint64 base)
{
    return code == 0 ? -1 : wrappingAdd(base, unzigzag(code - 1));
}

Result damaged(QString what)
{
    return Result::failure(ErrorKind::BadData, std::move(what));
}

} // namespace

QByteArray encodeClientRequests(QByteArrayView runId, std::span<const load::RequestRecord> requests)
{
    QByteArray raw;
    ByteWriter w(raw);
    w.bytes(runId);
    w.varint(requests.size());
    quint64 previousId = 0;
    qint64 previousIntended = 0;
    for (const load::RequestRecord &r : requests) {
        w.svarint(qint64(r.id - previousId));
        w.svarint(wrappingSub(r.intendedStartNs, previousIntended));
        w.svarint(wrappingSub(r.startNs, r.intendedStartNs));
        w.varint(pointAfter(r.connectNs, r.startNs));
        w.varint(pointAfter(r.firstByteNs, r.startNs));
        w.svarint(wrappingSub(r.endNs, r.startNs));
        w.svarint(r.bytes);
        w.varint(r.status);
        w.varint(r.templateIndex);
        w.u8(std::uint8_t(r.error));
        w.u8(r.reusedConnection ? 1 : 0);
        previousId = r.id;
        previousIntended = r.intendedStartNs;
    }
    return raw;
}

Result decodeClientRequests(QByteArrayView raw, RunRequests &out)
{
    ByteReader r(raw);
    const auto runId = r.bytes(kMaxRunIdSize);
    const auto count = r.varint();
    if (!runId || runId->isEmpty() || !count)
        return damaged(QStringLiteral("client requests without a run id or a count"));
    if (*count > std::uint64_t(r.remaining() / kMinRequestSize))
        return damaged(
            QStringLiteral("client requests count %1, more than the block holds").arg(*count));
    out.runId = runId->toByteArray();
    out.requests.reserve(out.requests.size() + qsizetype(*count));
    quint64 previousId = 0;
    qint64 previousIntended = 0;
    for (std::uint64_t i = 0; i < *count; ++i) {
        const auto id = r.svarint();
        const auto intended = r.svarint();
        const auto start = r.svarint();
        const auto connect = r.varint();
        const auto firstByte = r.varint();
        const auto end = r.svarint();
        const auto bytes = r.svarint();
        const auto status = r.varint();
        const auto templateIndex = r.varint();
        const auto error = r.u8();
        const auto reused = r.u8();
        const bool complete = id && intended && start && connect && firstByte && end && bytes
            && status && templateIndex && error && reused;
        if (!complete || *status > std::numeric_limits<quint16>::max()
            || *templateIndex > std::numeric_limits<quint16>::max()
            || *error >= load::kRequestErrorCount || *reused > 1)
            return damaged(QStringLiteral("client request %1 is damaged").arg(i + 1));
        load::RequestRecord record;
        record.id = previousId + quint64(*id);
        record.intendedStartNs = wrappingAdd(previousIntended, *intended);
        record.startNs = wrappingAdd(record.intendedStartNs, *start);
        record.connectNs = pointFrom(*connect, record.startNs);
        record.firstByteNs = pointFrom(*firstByte, record.startNs);
        record.endNs = wrappingAdd(record.startNs, *end);
        record.bytes = *bytes;
        record.status = quint16(*status);
        record.templateIndex = quint16(*templateIndex);
        record.error = load::RequestError(*error);
        record.reusedConnection = *reused == 1;
        out.requests.append(record);
        previousId = record.id;
        previousIntended = record.intendedStartNs;
    }
    return r.atEnd() ? Result() : damaged(QStringLiteral("bytes after the last client request"));
}

} // namespace loopscope::recording
