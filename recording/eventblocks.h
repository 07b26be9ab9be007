#pragma once

#include "core/result.h"
#include "trace.h"

#include <QtCore/QByteArrayView>

#include <cstdint>
#include <span>
#include <vector>

namespace loopscope::recording {

// One Events block as the file stores it.
struct StoredEventBlock
{
    qsizetype at = 0; // the block's byte in the file, for messages
    QByteArrayView stored; // its compressed bytes
    std::uint32_t rawSize = 0;
};

// Inflates and decodes a recording's event blocks into `out` (which it replaces), a block at a
// time on each of the machine's cores: each block reads alone, and a million-request recording
// is nine million events. Fails as reading them one by one would, with the first problem in
// file order: "block at byte N: " and what is wrong, a damaged block or an event that goes back
// in time on its thread (a thread records its events in order).
Result decodeEventBlocks(
    std::span<const StoredEventBlock> blocks, trace::Nanos origin, std::vector<trace::Event> &out);

} // namespace loopscope::recording
