#pragma once

#include "loadplan.h"
#include "loadresult.h"
#include "loadsnapshot.h"

#include <memory>

namespace loopscope::load {

// Runs one plan to completion on the calling thread, which must be a thread of
// its own (LoadRunner and the CLI give it one): never the server loop or the GUI.
//
// Why raw non-blocking POSIX sockets and epoll rather than QTcpSocket on a
// QThread: the issue measures the generator in requests per CPU-second against
// wrk, and wrk is exactly this design. Per request this engine makes one
// sendmsg, usually one recv and a share of one epoll_wait, allocates nothing
// (requests are pre-rendered, only the request-id digits change; the response
// parser counts body bytes without keeping them), and timestamps with the vDSO
// clock. QTcpSocket would add a QIODevice buffer copy each way, signal
// dispatch and several heap allocations per request. One engine thread is
// enough here: on the shared two-core machine the server under test needs the
// other core, and a single epoll thread outruns the servers we point it at.
class LoadEngine
{
public:
    explicit LoadEngine(LoadPlan plan, std::shared_ptr<LoadLiveState> live = {});
    ~LoadEngine();
    LoadEngine(const LoadEngine &) = delete;
    LoadEngine &operator=(const LoadEngine &) = delete;

    // Blocks until the run ends by its bounds or by requestStop().
    LoadResult run();
    // Thread-safe, and safe before or after run(): in-flight requests end as Cancelled.
    void requestStop();

private:
    struct Private;
    std::unique_ptr<Private> d;
};

} // namespace loopscope::load
