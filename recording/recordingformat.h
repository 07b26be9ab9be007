#pragma once

#include <QtCore/QByteArrayView>

#include <cstdint>

// The .loopscope layout, version 3. docs/recording-format.md is its description for readers
// outside this code; this header is the one place the code takes it from.
//
//   file   = magic (8 bytes) · version (u16) · block* · end block
//   block  = type (u8) · stored size (u32) · raw size (u32) · stored bytes
//
// Every block but the end block is stored zlib-compressed; its raw size bounds what inflating
// may produce. All integers are little-endian; "varint" is unsigned LEB128, "svarint" zigzag.
namespace loopscope::recording::format {

inline constexpr QByteArrayView kMagic { "\x89LOOPSC\n", 8 };
inline constexpr std::uint16_t kVersion = 3;
// Version 1 is version 2 without the server's stop and start events (kinds 21 and 22), and
// version 2 is version 3 without client request blocks, so a version-3 reader reads both as they
// are.
inline constexpr std::uint16_t kOldestReadVersion = 1;

enum class BlockType : std::uint8_t
{
    Meta = 1, // JSON object: format_version, app_version, origin_ns, created, settings
    Labels = 2, // varint count · (varint id · bytes utf8)*
    Threads = 3, // varint count · (varint index · bytes utf8 name)*
    Events = 4, // varint count · event* (see eventcodec.h)
    Records = 5, // JSON array of the window's own records: runs, log lines, samples, flips
    // A built-in load run's requests as its client measured them: bytes run id · varint count ·
    // request* (see clientrequestcodec.h). A long run takes several blocks.
    ClientRequests = 6,
    End = 255, // stored raw: u64 events · u64 blocks · u64 events the recorder lost
};

// A block may inflate to at most this: a damaged or hostile size cannot make a reader allocate
// more. Writers cut event blocks far below it.
inline constexpr std::uint32_t kMaxRawBlockSize = 64u << 20;
inline constexpr int kBlockHeaderSize = 1 + 4 + 4;
inline constexpr int kEndBlockSize = 3 * 8;

} // namespace loopscope::recording::format
