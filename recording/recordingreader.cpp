#include "recordingreader.h"

#include "blockinflate.h"
#include "bytecodec.h"
#include "clientrequestcodec.h"
#include "eventblocks.h"
#include "recordingformat.h"

#include <QtCore/QFile>
#include <QtCore/QJsonDocument>

#include <algorithm>
#include <optional>

namespace loopscope::recording {

namespace {

using format::BlockType;

// Whatever is wrong inside the bytes is BadData: the file was read, it is not a recording.
Result bad(QString what)
{
    return Result::failure(ErrorKind::BadData, std::move(what));
}

// The end block's counts (format::BlockType::End), from its stored bytes.
struct EndCounts
{
    std::uint64_t events = 0;
    std::uint64_t blocks = 0;
    std::uint64_t lost = 0;
};

class Parser
{
public:
    Parser(QByteArrayView bytes, const QString &name)
        : m_reader(bytes)
        , m_name(name)
    { }

    ReadResult run();

private:
    // The file's answer: its name, then what is wrong, from the first problem found.
    ReadResult failed(const QString &what)
    {
        m_result.setOutcome(bad(m_name + QStringLiteral(": ") + what));
        return std::move(m_result);
    }
    Result readBlock(BlockType type, QByteArrayView raw, qsizetype at);
    Result readMeta(QByteArrayView raw);
    Result readLabels(QByteArrayView raw);
    Result readThreads(QByteArrayView raw);
    Result readClientRequests(QByteArrayView raw);
    Result readEventsAndCheckEnd(const EndCounts &end);

    ByteReader m_reader;
    const QString &m_name;
    ReadResult m_result;
    bool m_haveMeta = false;
    std::uint64_t m_blocks = 0;
    std::vector<StoredEventBlock> m_eventBlocks;
};

std::optional<EndCounts> readEndCounts(QByteArrayView stored)
{
    if (stored.size() != format::kEndBlockSize)
        return std::nullopt;
    ByteReader end(stored);
    return EndCounts { *end.u64(), *end.u64(), *end.u64() };
}

ReadResult Parser::run()
{
    const auto magic = m_reader.raw(format::kMagic.size());
    if (!magic || *magic != format::kMagic) {
        return failed(QStringLiteral("not a Loopscope recording"));
    }
    const auto version = m_reader.u16();
    if (!version) {
        return failed(QStringLiteral("truncated: the file ends in its header"));
    }
    if (*version < format::kOldestReadVersion || *version > format::kVersion) {
        return failed(
            QStringLiteral("format version %1, but this Loopscope reads versions %2 to %3")
                .arg(*version)
                .arg(format::kOldestReadVersion)
                .arg(format::kVersion));
    }
    m_result.recording.formatVersion = *version;
    while (true) {
        const qsizetype at = m_reader.position();
        const auto type = m_reader.u8();
        const auto storedSize = m_reader.u32();
        const auto rawSize = m_reader.u32();
        if (!type || !storedSize || !rawSize) {
            return failed(QStringLiteral("truncated at byte %1: no end block (was the recording "
                                         "stopped before it finished?)")
                              .arg(at));
        }
        const auto stored = m_reader.raw(qsizetype(*storedSize));
        if (!stored) {
            return failed(QStringLiteral("truncated in the block at byte %1").arg(at));
        }
        if (BlockType(*type) == BlockType::End) {
            const std::optional<EndCounts> end = readEndCounts(*stored);
            if (!end)
                return failed(QStringLiteral("damaged end block at byte %1").arg(at));
            if (!m_reader.atEnd())
                return failed(
                    QStringLiteral("%1 bytes after the end block").arg(m_reader.remaining()));
            if (const Result read = readEventsAndCheckEnd(*end); !read)
                return failed(read.message());
            m_result.recording.lostEvents = end->lost;
            return std::move(m_result);
        }
        // Deflate never shrinks data more than about 1032 to 1: a larger claim is damage, and
        // must not cost the allocation it asks for.
        if (*rawSize > format::kMaxRawBlockSize
            || *rawSize > std::uint64_t(*storedSize) * 1100 + 64) {
            return failed(QStringLiteral("the block at byte %1 claims %2 bytes, more than any "
                                         "recording block may hold")
                              .arg(at)
                              .arg(*rawSize));
        }
        if (BlockType(*type) == BlockType::Events && m_haveMeta) {
            // Read once every block is found: each reads alone, so they are decoded together.
            m_eventBlocks.push_back({ at, *stored, *rawSize });
            ++m_blocks;
            continue;
        }
        QByteArray raw;
        const Result read = inflateBlock(*stored, *rawSize, raw)
            ? readBlock(BlockType(*type), raw, at)
            : bad(QStringLiteral("its compressed data is corrupt"));
        if (!read)
            return failed(QStringLiteral("block at byte %1: %2").arg(at).arg(read.message()));
        ++m_blocks;
    }
}

Result Parser::readBlock(BlockType type, QByteArrayView raw, qsizetype at)
{
    if (type != BlockType::Meta && !m_haveMeta)
        return bad(QStringLiteral("the first block must be the meta block"));
    switch (type) {
    case BlockType::Meta:
        if (m_haveMeta)
            return bad(QStringLiteral("a second meta block"));
        m_haveMeta = true;
        return readMeta(raw);
    case BlockType::Labels:
        return readLabels(raw);
    case BlockType::Threads:
        return readThreads(raw);
    case BlockType::Events:
        break; // taken by run() once the meta block is read
    case BlockType::Records: {
        const QJsonDocument doc = QJsonDocument::fromJson(raw.toByteArray());
        if (!doc.isArray())
            return bad(QStringLiteral("records are not a JSON array"));
        for (const QJsonValue &record : doc.array())
            m_result.recording.records.append(record);
        return {};
    }
    case BlockType::ClientRequests:
        return readClientRequests(raw);
    case BlockType::End:
        break; // handled by run()
    }
    return bad(QStringLiteral("unknown block type %1 (at byte %2)").arg(int(type)).arg(at));
}

Result Parser::readMeta(QByteArrayView raw)
{
    const QJsonDocument doc = QJsonDocument::fromJson(raw.toByteArray());
    if (!doc.isObject())
        return bad(QStringLiteral("the meta block is not a JSON object"));
    Recording &rec = m_result.recording;
    rec.meta = doc.object();
    bool ok = false;
    rec.origin = rec.meta.value(QStringLiteral("origin_ns")).toString().toLongLong(&ok);
    if (!ok)
        return bad(QStringLiteral("the meta block has no origin_ns"));
    return {};
}

// Labels and threads are both a count of (varint number, bytes name): numbers in [lowest,
// highest], names at most 4 KiB, each handed to `take`.
template <typename Take>
Result readNumberedNames(
    QByteArrayView raw, const char *what, std::uint64_t lowest, std::uint64_t highest, Take take)
{
    const QLatin1StringView name(what);
    ByteReader r(raw);
    const auto count = r.varint();
    if (!count || *count > std::uint64_t(r.remaining()))
        return bad(QStringLiteral("bad %1 count").arg(name));
    for (std::uint64_t i = 0; i < *count; ++i) {
        const auto number = r.varint();
        const auto text = r.bytes(4096);
        if (!number || !text || *number < lowest || *number > highest)
            return bad(QStringLiteral("%1 %2 is damaged").arg(name).arg(i + 1));
        take(std::uint32_t(*number), QString::fromUtf8(*text));
    }
    return r.atEnd() ? Result() : bad(QStringLiteral("bytes after the last %1").arg(name));
}

Result Parser::readLabels(QByteArrayView raw)
{
    return readNumberedNames(raw, "label", 1, 0xffffffffu, [this](std::uint32_t id, QString text) {
        m_result.recording.labels.emplace_back(id, std::move(text));
    });
}

Result Parser::readThreads(QByteArrayView raw)
{
    return readNumberedNames(raw, "thread", 0, 0xffff, [this](std::uint32_t index, QString name) {
        m_result.recording.threads.push_back({ index, std::move(name) });
    });
}

Result Parser::readClientRequests(QByteArrayView raw)
{
    RunRequests block;
    if (Result read = decodeClientRequests(raw, block); !read)
        return read;
    // A long run's requests take several blocks: they join the ones read before.
    std::vector<RunRequests> &runs = m_result.recording.clientRequests;
    const auto run = std::find_if(runs.begin(), runs.end(),
        [&block](const RunRequests &r) { return r.runId == block.runId; });
    if (run == runs.end())
        runs.push_back(std::move(block));
    else
        run->requests.append(block.requests);
    return {};
}

Result Parser::readEventsAndCheckEnd(const EndCounts &end)
{
    if (!m_haveMeta)
        return bad(QStringLiteral("no meta block"));
    std::vector<trace::Event> &events = m_result.recording.events;
    if (Result read = decodeEventBlocks(m_eventBlocks, m_result.recording.origin, events); !read)
        return read;
    if (end.events != events.size() || end.blocks != m_blocks)
        return bad(QStringLiteral("the end block counts %1 events in %2 blocks, the file holds "
                                  "%3 in %4")
                       .arg(end.events)
                       .arg(end.blocks)
                       .arg(events.size())
                       .arg(m_blocks));
    return {};
}

} // namespace

ReadResult parseRecording(QByteArrayView bytes, const QString &name)
{
    return Parser(bytes, name).run();
}

ReadResult readRecording(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        return { Result::failure(ErrorKind::Io, path + QStringLiteral(": ") + file.errorString()),
            {} };
    }
    // Mapped, not read: a recording of a long session opens without a second copy.
    const qint64 size = file.size();
    const uchar *mapped = size > 0 ? file.map(0, size) : nullptr;
    if (mapped)
        return parseRecording(QByteArrayView(mapped, size), path);
    return parseRecording(file.readAll(), path);
}

bool looksLikeRecording(QByteArrayView head)
{
    return head.startsWith(format::kMagic);
}

} // namespace loopscope::recording
