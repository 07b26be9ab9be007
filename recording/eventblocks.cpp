#include "eventblocks.h"

#include "blockinflate.h"
#include "core/hugepages.h"
#include "eventcodec.h"

#include <QtCore/QString>

#include <algorithm>
#include <atomic>
#include <functional>
#include <optional>
#include <thread>
#include <unordered_map>

namespace loopscope::recording {

namespace {

struct DecodedBlock
{
    QByteArray raw; // inflated, until decoded
    std::size_t offset = 0; // its first event's index in the whole
    std::size_t count = 0;
    QString error; // inflating or decoding it
    bool outOfOrder = false; // one of its threads goes back in time inside it
    // Each thread's first and last time in the block: how it joins the blocks before it.
    struct ThreadSpan
    {
        std::uint32_t thread;
        trace::Nanos first;
        trace::Nanos last;
    };
    std::vector<ThreadSpan> threads;
};

// Runs work(b) for every block, on up to one thread per core.
void forEachBlockInParallel(std::size_t blocks, const std::function<void(std::size_t)> &work)
{
    std::atomic<std::size_t> next { 0 };
    const auto run = [&] {
        for (std::size_t b; (b = next.fetch_add(1)) < blocks;)
            work(b);
    };
    const std::size_t workers
        = std::min<std::size_t>(blocks, std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
    std::vector<std::jthread> helpers;
    for (std::size_t i = 1; i < workers; ++i)
        helpers.emplace_back(run);
    run();
}

// Where each thread's events of the block begin and end in time, and whether they stay in
// order inside it. `slotOf` maps a thread to its entry (all -1 between calls).
void summariseThreads(
    std::span<const trace::Event> events, DecodedBlock &block, std::vector<std::int32_t> &slotOf)
{
    for (const trace::Event &e : events) {
        std::int32_t &slot = slotOf[e.thread];
        if (slot < 0) {
            slot = std::int32_t(block.threads.size());
            block.threads.push_back({ e.thread, e.time, e.time });
            continue;
        }
        auto &t = block.threads[std::size_t(slot)];
        block.outOfOrder = block.outOfOrder || e.time < t.last;
        t.last = e.time;
    }
    for (const auto &t : block.threads)
        slotOf[t.thread] = -1;
}

// The block's first event that goes back in time on its thread, given each thread's last time
// before it, in the words of the one-by-one check; nullopt when there is none. Updates `last`.
std::optional<QString> firstStepBack(std::span<const trace::Event> events, std::size_t offset,
    std::unordered_map<std::uint32_t, trace::Nanos> &last)
{
    for (std::size_t i = 0; i < events.size(); ++i) {
        const trace::Event &e = events[i];
        const auto [it, inserted] = last.try_emplace(e.thread, e.time);
        if (!inserted && e.time < it->second) {
            return QStringLiteral("events out of order: event %1 on thread %2 goes back %3 ns")
                .arg(offset + i + 1)
                .arg(e.thread)
                .arg(it->second - e.time);
        }
        it->second = e.time;
    }
    return std::nullopt;
}

} // namespace

Result decodeEventBlocks(
    std::span<const StoredEventBlock> blocks, trace::Nanos origin, std::vector<trace::Event> &out)
{
    out.clear();
    std::vector<DecodedBlock> decoded(blocks.size());
    // Inflated first, so that every count is read from bytes the file really holds: the
    // events are then allocated once, at their true number, and each block decodes in place.
    forEachBlockInParallel(blocks.size(), [&](std::size_t b) {
        if (!inflateBlock(blocks[b].stored, blocks[b].rawSize, decoded[b].raw))
            decoded[b].error = QStringLiteral("its compressed data is corrupt");
    });
    std::size_t total = 0;
    std::size_t decodable = 0; // blocks [0, decodable) inflated and counted
    for (; decodable < blocks.size(); ++decodable) {
        DecodedBlock &block = decoded[decodable];
        if (!block.error.isEmpty())
            break;
        const std::optional<std::uint64_t> count = eventCount(block.raw);
        if (!count) {
            block.error = QStringLiteral("event block: bad event count");
            break;
        }
        block.offset = total;
        block.count = std::size_t(*count);
        total += block.count;
    }
    out.reserve(total);
    preferHugePages(out);
    out.resize(total);
    forEachBlockInParallel(decodable, [&](std::size_t b) {
        DecodedBlock &block = decoded[b];
        const auto events = std::span(out).subspan(block.offset, block.count);
        if (const Result r = decodeEventsInto(block.raw, origin, events); !r) {
            block.error = r.message();
        } else {
            thread_local std::vector<std::int32_t> slotOf(0x10000, -1);
            summariseThreads(events, block, slotOf);
        }
        block.raw = QByteArray();
    });

    // In file order: the first block that failed, or the first event that goes back in time on
    // its thread, inside a block or across two.
    std::unordered_map<std::uint32_t, trace::Nanos> last;
    for (std::size_t b = 0; b < blocks.size(); ++b) {
        const DecodedBlock &block = decoded[b];
        std::optional<QString> error;
        if (!block.error.isEmpty()) {
            error = block.error;
        } else if (block.outOfOrder
            || std::any_of(block.threads.begin(), block.threads.end(), [&](const auto &t) {
                   const auto it = last.find(t.thread);
                   return it != last.end() && t.first < it->second;
               })) {
            error = firstStepBack(
                std::span(out).subspan(block.offset, block.count), block.offset, last);
        } else {
            for (const auto &t : block.threads)
                last[t.thread] = t.last;
        }
        if (error) {
            out.clear();
            return Result::failure(ErrorKind::BadData,
                QStringLiteral("block at byte %1: %2").arg(blocks[b].at).arg(*error));
        }
    }
    return {};
}

} // namespace loopscope::recording
