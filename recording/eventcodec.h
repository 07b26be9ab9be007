#pragma once

#include "core/result.h"
#include "trace.h"

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>
#include <QtCore/QString>

#include <optional>
#include <span>
#include <vector>

namespace loopscope::recording {

// One Events block's payload. Each event is
//   kind (u8) · thread (varint) · time (svarint, from the previous event's, the first from the
//   origin) · span (svarint, from the previous event's) · label (varint) · link · value
// where link is an svarint from the event's span when it names a span (linkIsSpan), an svarint
// from the event's time plus one when it is a time (0 = unknown), else a varint; value is the
// same for a time (valueIsTime), else an svarint; a RequestId event adds its id (bytes, at most
// Event::kRequestIdCapacity). Deltas start again in every block, so each block reads alone.
QByteArray encodeEvents(std::span<const trace::Event> events, trace::Nanos origin);

// How many events a block's payload holds; nullopt when its count is damaged or claims more
// events than the payload can hold (each takes at least 7 bytes).
std::optional<std::uint64_t> eventCount(QByteArrayView payload);

// Decodes the block's events into `out`, which is exactly eventCount() long. Fails
// (ErrorKind::BadData, naming the event of the block) on anything the encoder cannot have
// written: an unknown kind, a cut-off field, an over-long request id, bytes left over.
Result decodeEventsInto(QByteArrayView payload, trace::Nanos origin, std::span<trace::Event> out);
// The same, appended to `out`.
Result decodeEvents(QByteArrayView payload, trace::Nanos origin, std::vector<trace::Event> &out);

} // namespace loopscope::recording
