#include "recordingwriter.h"

#include "bytecodec.h"
#include "clientrequestcodec.h"
#include "eventcodec.h"

#include <QtCore/QJsonDocument>

#include <algorithm>
#include <zlib.h>

namespace loopscope::recording {

namespace {

// An event block holds at most this many events, so that its raw size stays far below
// format::kMaxRawBlockSize (an event encodes to at most about 60 bytes).
constexpr std::size_t kEventsPerBlock = 256 * 1024;
// The same for client requests, which encode to at most about 80 bytes each.
constexpr std::size_t kClientRequestsPerBlock = 256 * 1024;

QByteArray deflated(const QByteArray &raw)
{
    uLongf size = compressBound(uLong(raw.size()));
    QByteArray out(qsizetype(size), Qt::Uninitialized);
    if (compress2(reinterpret_cast<Bytef *>(out.data()), &size,
            reinterpret_cast<const Bytef *>(raw.constData()), uLong(raw.size()), 1)
        != Z_OK)
        return {};
    out.truncate(qsizetype(size));
    return out;
}

} // namespace

Result RecordingWriter::open(const QString &path, QJsonObject meta, trace::Nanos origin)
{
    m_file.setFileName(path);
    if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return Result::failure(
            ErrorKind::Io, QStringLiteral("cannot write %1: %2").arg(path, m_file.errorString()));
    m_origin = origin;
    meta.insert(QStringLiteral("format_version"), format::kVersion);
    meta.insert(QStringLiteral("origin_ns"), QString::number(origin));
    QByteArray header;
    ByteWriter w(header);
    header.append(format::kMagic);
    w.u16(format::kVersion);
    if (Result r = writeRaw(header); !r)
        return r;
    return writeBlock(format::BlockType::Meta, QJsonDocument(meta).toJson(QJsonDocument::Compact));
}

Result RecordingWriter::writeEvents(std::span<const trace::Event> events)
{
    while (!events.empty()) {
        const auto block = events.first(std::min(events.size(), kEventsPerBlock));
        if (Result r = writeNewThreads(); !r)
            return r;
        if (Result r = writeNewLabels(block); !r)
            return r;
        if (Result r = writeBlock(format::BlockType::Events, encodeEvents(block, m_origin)); !r)
            return r;
        m_events += block.size();
        events = events.subspan(block.size());
    }
    return {};
}

Result RecordingWriter::writeRecords(const QJsonArray &records)
{
    if (records.isEmpty())
        return {};
    return writeBlock(
        format::BlockType::Records, QJsonDocument(records).toJson(QJsonDocument::Compact));
}

Result RecordingWriter::writeClientRequests(
    QByteArrayView runId, std::span<const load::RequestRecord> requests)
{
    while (!requests.empty()) {
        const auto block = requests.first(std::min(requests.size(), kClientRequestsPerBlock));
        if (Result r
            = writeBlock(format::BlockType::ClientRequests, encodeClientRequests(runId, block));
            !r)
            return r;
        requests = requests.subspan(block.size());
    }
    return {};
}

Result RecordingWriter::finish(std::uint64_t lostEvents)
{
    if (!m_file.isOpen())
        return Result::failure(
            ErrorKind::Io, QStringLiteral("%1 is not open for writing").arg(m_file.fileName()));
    QByteArray end;
    ByteWriter w(end);
    w.u8(std::uint8_t(format::BlockType::End));
    w.u32(format::kEndBlockSize);
    w.u32(format::kEndBlockSize);
    w.u64(m_events);
    w.u64(m_blocks);
    w.u64(lostEvents);
    Result r = writeRaw(end);
    if (r && !m_file.flush())
        r = cannotWrite();
    m_file.close();
    return r;
}

Result RecordingWriter::writeBlock(format::BlockType type, const QByteArray &raw)
{
    const QByteArray stored = deflated(raw);
    if (stored.isEmpty())
        return Result::failure(
            ErrorKind::Io, QStringLiteral("cannot compress a block of %1").arg(m_file.fileName()));
    QByteArray block;
    block.reserve(format::kBlockHeaderSize + stored.size());
    ByteWriter w(block);
    w.u8(std::uint8_t(type));
    w.u32(std::uint32_t(stored.size()));
    w.u32(std::uint32_t(raw.size()));
    block.append(stored);
    ++m_blocks;
    return writeRaw(block);
}

Result RecordingWriter::writeRaw(const QByteArray &bytes)
{
    if (m_file.write(bytes) != bytes.size())
        return cannotWrite();
    m_bytes += bytes.size();
    return {};
}

Result RecordingWriter::cannotWrite() const
{
    return Result::failure(ErrorKind::Io,
        QStringLiteral("cannot write %1: %2").arg(m_file.fileName(), m_file.errorString()));
}

Result RecordingWriter::writeNewLabels(std::span<const trace::Event> events)
{
    QByteArray raw;
    ByteWriter w(raw);
    std::vector<std::uint32_t> fresh;
    for (const trace::Event &e : events) {
        if (e.label == 0)
            continue;
        if (e.label >= m_labelWritten.size())
            m_labelWritten.resize(e.label + 1);
        if (!m_labelWritten[e.label]) {
            m_labelWritten[e.label] = true;
            fresh.push_back(e.label);
        }
    }
    if (fresh.empty())
        return {};
    w.varint(fresh.size());
    for (const std::uint32_t id : fresh) {
        w.varint(id);
        const std::string_view text = trace::labelView(id);
        w.bytes(QByteArrayView(text.data(), qsizetype(text.size())));
    }
    return writeBlock(format::BlockType::Labels, raw);
}

Result RecordingWriter::writeNewThreads()
{
    const std::vector<trace::ThreadInfo> threads = trace::threads();
    if (threads.size() <= m_threadsWritten)
        return {};
    QByteArray raw;
    ByteWriter w(raw);
    w.varint(threads.size() - m_threadsWritten);
    for (std::size_t i = m_threadsWritten; i < threads.size(); ++i) {
        w.varint(threads[i].index);
        w.bytes(threads[i].name.toUtf8());
    }
    m_threadsWritten = threads.size();
    return writeBlock(format::BlockType::Threads, raw);
}

} // namespace loopscope::recording
