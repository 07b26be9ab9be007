#include "eventorder.h"

#include "core/hugepages.h"

#include <algorithm>
#include <cstdint>
#include <queue>
#include <unordered_map>

namespace loopscope::viz {

namespace {

bool earlier(const trace::Event &a, const trace::Event &b)
{
    return a.time < b.time;
}

// The events of each thread, as positions in the whole, if each thread's are in time order.
std::vector<std::vector<std::uint32_t>> orderedThreads(const std::vector<trace::Event> &events)
{
    std::unordered_map<std::uint32_t, std::size_t> threadAt;
    std::vector<std::vector<std::uint32_t>> threads;
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto [it, inserted] = threadAt.try_emplace(events[i].thread, threads.size());
        if (inserted)
            threads.emplace_back();
        std::vector<std::uint32_t> &positions = threads[it->second];
        if (!positions.empty() && earlier(events[i], events[positions.back()]))
            return {};
        positions.push_back(std::uint32_t(i));
    }
    return threads;
}

} // namespace

std::vector<trace::Event> inTimeOrder(std::vector<trace::Event> events)
{
    if (std::is_sorted(events.begin(), events.end(), earlier))
        return events;
    const std::vector<std::vector<std::uint32_t>> threads
        = events.size() <= UINT32_MAX ? orderedThreads(events) : decltype(threads) {};
    if (threads.empty()) {
        std::stable_sort(events.begin(), events.end(), earlier);
        return events;
    }
    // A k-way merge of the threads. Ties go to the event given first, as a stable sort would.
    struct Cursor
    {
        trace::Nanos time;
        std::uint32_t position; // in events
        std::uint32_t thread; // in threads
        std::uint32_t next; // in threads[thread]
    };
    const auto later = [](const Cursor &a, const Cursor &b) {
        return a.time != b.time ? a.time > b.time : a.position > b.position;
    };
    std::priority_queue<Cursor, std::vector<Cursor>, decltype(later)> heads(later);
    for (std::uint32_t t = 0; t < threads.size(); ++t)
        heads.push({ events[threads[t][0]].time, threads[t][0], t, 1 });
    std::vector<trace::Event> ordered;
    ordered.reserve(events.size());
    preferHugePages(ordered);
    while (!heads.empty()) {
        Cursor head = heads.top();
        heads.pop();
        ordered.push_back(events[head.position]);
        const std::vector<std::uint32_t> &positions = threads[head.thread];
        if (head.next < positions.size()) {
            head.position = positions[head.next++];
            head.time = events[head.position].time;
            heads.push(head);
        }
    }
    return ordered;
}

} // namespace loopscope::viz
