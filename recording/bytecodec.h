#pragma once

#include <QtCore/QByteArray>
#include <QtCore/QByteArrayView>

#include <cstdint>
#include <optional>

namespace loopscope::recording {

// Little-endian fixed and LEB128 variable-length integers: the building blocks of the recording
// layout (docs/recording-format.md). Zigzag maps small negative deltas to small codes.
inline std::uint64_t zigzag(std::int64_t v)
{
    return (std::uint64_t(v) << 1) ^ std::uint64_t(v >> 63);
}
inline std::int64_t unzigzag(std::uint64_t v)
{
    return std::int64_t(v >> 1) ^ -std::int64_t(v & 1);
}

// Times and their deltas wrap instead of overflowing: a hostile delta gives a wrong time (which
// the reader's order check then refuses), never undefined behaviour, and whatever was read
// encodes back to the same bytes.
inline std::int64_t wrappingAdd(std::int64_t a, std::int64_t b)
{
    return std::int64_t(std::uint64_t(a) + std::uint64_t(b));
}
inline std::int64_t wrappingSub(std::int64_t a, std::int64_t b)
{
    return std::int64_t(std::uint64_t(a) - std::uint64_t(b));
}

class ByteWriter
{
public:
    explicit ByteWriter(QByteArray &out)
        : m_out(out)
    { }

    void u8(std::uint8_t v) { m_out.append(char(v)); }
    void u16(std::uint16_t v) { fixed(v, 2); }
    void u32(std::uint32_t v) { fixed(v, 4); }
    void u64(std::uint64_t v) { fixed(v, 8); }
    void varint(std::uint64_t v)
    {
        while (v >= 0x80) {
            m_out.append(char(v | 0x80));
            v >>= 7;
        }
        m_out.append(char(v));
    }
    void svarint(std::int64_t v) { varint(zigzag(v)); }
    void bytes(QByteArrayView b)
    {
        varint(std::uint64_t(b.size()));
        m_out.append(b);
    }

private:
    void fixed(std::uint64_t v, int size)
    {
        for (int i = 0; i < size; ++i)
            m_out.append(char(v >> (8 * i)));
    }

    QByteArray &m_out;
};

// Reads what ByteWriter wrote; every read fails (nullopt) rather than run past the end or
// accept a varint longer than 64 bits, so a damaged file is an error, never a wild read.
class ByteReader
{
public:
    explicit ByteReader(QByteArrayView in)
        : m_in(in)
    { }

    bool atEnd() const { return m_pos >= m_in.size(); }
    qsizetype position() const { return m_pos; }
    qsizetype remaining() const { return m_in.size() - m_pos; }

    std::optional<std::uint8_t> u8()
    {
        if (remaining() < 1)
            return std::nullopt;
        return std::uint8_t(m_in[m_pos++]);
    }
    std::optional<std::uint16_t> u16() { return fixed<std::uint16_t>(2); }
    std::optional<std::uint32_t> u32() { return fixed<std::uint32_t>(4); }
    std::optional<std::uint64_t> u64() { return fixed<std::uint64_t>(8); }
    std::optional<std::uint64_t> varint()
    {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (remaining() < 1)
                return std::nullopt;
            const auto byte = std::uint8_t(m_in[m_pos++]);
            if (shift == 63 && byte > 1)
                return std::nullopt; // more than 64 bits
            v |= std::uint64_t(byte & 0x7f) << shift;
            if (!(byte & 0x80))
                return v;
        }
        return std::nullopt;
    }
    std::optional<std::int64_t> svarint()
    {
        const auto v = varint();
        return v ? std::optional(unzigzag(*v)) : std::nullopt;
    }
    // A length-prefixed run of bytes, at most maxSize long.
    std::optional<QByteArrayView> bytes(qsizetype maxSize)
    {
        const auto size = varint();
        if (!size || *size > std::uint64_t(maxSize) || *size > std::uint64_t(remaining()))
            return std::nullopt;
        const QByteArrayView b = m_in.sliced(m_pos, qsizetype(*size));
        m_pos += qsizetype(*size);
        return b;
    }
    std::optional<QByteArrayView> raw(qsizetype size)
    {
        if (size < 0 || size > remaining())
            return std::nullopt;
        const QByteArrayView b = m_in.sliced(m_pos, size);
        m_pos += size;
        return b;
    }

private:
    template <typename T> std::optional<T> fixed(int size)
    {
        if (remaining() < size)
            return std::nullopt;
        std::uint64_t v = 0;
        for (int i = 0; i < size; ++i)
            v |= std::uint64_t(std::uint8_t(m_in[m_pos + i])) << (8 * i);
        m_pos += size;
        return T(v);
    }

    QByteArrayView m_in;
    qsizetype m_pos = 0;
};

} // namespace loopscope::recording
