#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>

#include <cstdint>

namespace loopscope::recording {

// Inflates one stored block (zlib, RFC 1950) into `raw`, reusing its allocation: true when all
// of `stored` inflates to exactly `rawSize` bytes, false when the data is corrupt.
bool inflateBlock(QByteArrayView stored, std::uint32_t rawSize, QByteArray &raw);

} // namespace loopscope::recording
