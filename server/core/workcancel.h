#pragma once

#include <atomic>
#include <memory>

namespace loopscope {

// Whether the work done for one request should stop: its client left (set by its connection),
// or the server stopped waiting for it at shutdown. A value: copy it into pool jobs and check it
// between slices of CPU work, from any thread. QCoro 0.8 has no cancellation of its own, and a
// pool thread that keeps computing for a departed client starves every other `def` route.
class WorkCancel
{
public:
    using Flag = std::shared_ptr<const std::atomic<bool>>;

    WorkCancel() = default;
    WorkCancel(Flag clientGone, Flag serverStopping)
        : m_clientGone(std::move(clientGone))
        , m_serverStopping(std::move(serverStopping))
    { }

    bool requested() const { return isSet(m_clientGone) || isSet(m_serverStopping); }

private:
    static bool isSet(const Flag &flag) { return flag && flag->load(std::memory_order_relaxed); }

    Flag m_clientGone;
    Flag m_serverStopping;
};

} // namespace loopscope
