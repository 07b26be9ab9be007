#include "laneallocator.h"

#include <algorithm>

namespace loopscope::viz {

int LaneAllocator::lowestFreeAt(Nanos begin) const
{
    if (m_size == 0 || m_tree[1] > begin)
        return -1;
    // Descend towards the leftmost leaf whose time fits: a node holds its subtree's minimum.
    std::size_t node = 1;
    while (node < std::size_t(m_capacity))
        node = m_tree[2 * node] <= begin ? 2 * node : 2 * node + 1;
    return int(node) - m_capacity;
}

int LaneAllocator::add(Nanos freeSince)
{
    if (m_size == m_capacity)
        grow();
    const int lane = m_size++;
    setFreeSince(lane, freeSince);
    return lane;
}

void LaneAllocator::setFreeSince(int lane, Nanos freeSince)
{
    std::size_t node = std::size_t(m_capacity) + std::size_t(lane);
    m_tree[node] = freeSince;
    for (node /= 2; node >= 1; node /= 2)
        m_tree[node] = std::min(m_tree[2 * node], m_tree[2 * node + 1]);
}

void LaneAllocator::truncate(int lanes)
{
    while (m_size > lanes)
        setFreeSince(--m_size, kBusy);
}

void LaneAllocator::grow()
{
    const int capacity = std::max(8, m_capacity * 2);
    std::vector<Nanos> tree(std::size_t(2 * capacity), kBusy);
    for (int lane = 0; lane < m_size; ++lane)
        tree[std::size_t(capacity) + std::size_t(lane)] = freeSince(lane);
    for (std::size_t node = std::size_t(capacity) - 1; node >= 1; --node)
        tree[node] = std::min(tree[2 * node], tree[2 * node + 1]);
    m_tree = std::move(tree);
    m_capacity = capacity;
}

} // namespace loopscope::viz
