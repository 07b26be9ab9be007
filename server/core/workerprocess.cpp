#include "workerprocess.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QString>
#include <cerrno>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace loopscope {

namespace {
// How often a waiting thread looks whether its request was cancelled.
constexpr int cancelPollMs = 20;
} // namespace

WorkerProcess::~WorkerProcess()
{
    kill();
}

WorkerProcess &WorkerProcess::forThisThread()
{
    thread_local WorkerProcess process;
    return process;
}

QString WorkerProcess::program()
{
    static const QString name = QStringLiteral("loopscope-cpu-worker");
    if (QCoreApplication::instance()) {
        const QFileInfo beside(QCoreApplication::applicationDirPath() + u'/' + name);
        if (beside.isExecutable())
            return beside.filePath();
    }
    return QStringLiteral(LOOPSCOPE_CPU_WORKER_BUILT);
}

void WorkerProcess::start()
{
    int ends[2];
    // A socket pair, not pipes: send() with MSG_NOSIGNAL to a dead worker is an error, where a
    // pipe's write would raise SIGPIPE and end the server.
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ends) != 0)
        throw std::runtime_error("socketpair for a worker process failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, ends[1], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, ends[1], STDOUT_FILENO);
    const std::string path = program().toStdString();
    char *argv[] = { const_cast<char *>(path.c_str()), nullptr };
    const int spawned = posix_spawn(&m_pid, path.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(ends[1]);
    if (spawned != 0) {
        ::close(ends[0]);
        m_pid = 0;
        throw std::runtime_error("worker process " + path + " did not start");
    }
    m_socket = ends[0];
}

void WorkerProcess::kill()
{
    if (m_pid > 0) {
        ::kill(m_pid, SIGKILL);
        while (waitpid(m_pid, nullptr, 0) < 0 && errno == EINTR) { }
    }
    if (m_socket >= 0)
        ::close(m_socket);
    m_pid = 0;
    m_socket = -1;
}

std::optional<qint64> WorkerProcess::countPrimes(qint64 n, const WorkCancel &cancel)
{
    if (m_pid <= 0)
        start();
    const std::string call = std::to_string(n) + '\n';
    if (::send(m_socket, call.data(), call.size(), MSG_NOSIGNAL) != ssize_t(call.size())) {
        kill();
        throw std::runtime_error("worker process went away");
    }
    std::string answer;
    while (answer.find('\n') == std::string::npos) {
        pollfd ready { m_socket, POLLIN, 0 };
        const int polled = ::poll(&ready, 1, cancelPollMs);
        if (cancel.requested()) {
            kill();
            return std::nullopt;
        }
        if (polled <= 0)
            continue;
        char buffer[64];
        const ssize_t got = ::recv(m_socket, buffer, sizeof buffer, 0);
        if (got <= 0) {
            kill();
            throw std::runtime_error("worker process died during a call");
        }
        answer.append(buffer, std::size_t(got));
    }
    return std::stoll(answer);
}

} // namespace loopscope
