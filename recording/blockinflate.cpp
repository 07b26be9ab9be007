#include "blockinflate.h"

#include <zlib.h>

namespace loopscope::recording {

bool inflateBlock(QByteArrayView stored, std::uint32_t rawSize, QByteArray &raw)
{
    raw.resize(qsizetype(rawSize));
    uLongf size = rawSize;
    uLong consumed = uLong(stored.size());
    return uncompress2(reinterpret_cast<Bytef *>(raw.data()), &size,
               reinterpret_cast<const Bytef *>(stored.data()), &consumed)
        == Z_OK
        && size == rawSize && consumed == uLong(stored.size());
}

} // namespace loopscope::recording
