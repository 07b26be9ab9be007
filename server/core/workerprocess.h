#pragma once

#include "workcancel.h"

#include <QString>
#include <QtGlobal>
#include <optional>
#include <sys/types.h>

namespace loopscope {

// One worker process of the process pool (loopscope-cpu-worker), driven by one pool thread: the
// thread sends it a call and blocks until the answer, as a ProcessPoolExecutor's management
// thread waits on its workers' pipes, holding no GIL. Started at the first call, and started
// again after it died or was killed.
class WorkerProcess
{
public:
    WorkerProcess() = default;
    ~WorkerProcess(); // kills and reaps the process
    WorkerProcess(const WorkerProcess &) = delete;
    WorkerProcess &operator=(const WorkerProcess &) = delete;

    // The calling pool thread's own process.
    static WorkerProcess &forThisThread();
    // The worker executable: beside the running application, else where the build made it.
    static QString program();

    // The number of primes below n, counted in the process; nullopt when `cancel` asked first
    // (the process is then killed: a count nobody awaits must not hold a core). Throws
    // std::runtime_error when the process cannot start or dies.
    std::optional<qint64> countPrimes(qint64 n, const WorkCancel &cancel);

    pid_t pid() const { return m_pid; }

private:
    void start();
    void kill();

    pid_t m_pid = 0;
    int m_socket = -1; // the process's stdin and stdout
};

} // namespace loopscope
