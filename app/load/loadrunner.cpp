#include "loadrunner.h"

#include "loadengine.h"
#include "loadlogging.h"

#include <sys/eventfd.h>
#include <unistd.h>

namespace loopscope::load {

LoadRunner::LoadRunner(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<loopscope::load::LoadResult>();
    m_progressTimer.setInterval(std::chrono::milliseconds(100));
    connect(&m_progressTimer, &QTimer::timeout, this, &LoadRunner::emitProgress);
    m_doneFd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    m_doneNotifier = new QSocketNotifier(qintptr(m_doneFd), QSocketNotifier::Read, this);
    connect(m_doneNotifier, &QSocketNotifier::activated, this, [this] {
        quint64 value;
        [[maybe_unused]] const ssize_t n = ::read(m_doneFd, &value, sizeof value);
        onEngineDone();
    });
}

LoadRunner::~LoadRunner()
{
    if (m_engine)
        m_engine->requestStop();
    if (m_thread.joinable())
        m_thread.join();
    delete m_doneNotifier;
    ::close(m_doneFd);
}

Result LoadRunner::start(const LoadPlan &plan)
{
    if (isRunning())
        return Result::failure(ErrorKind::BadArgument, QStringLiteral("a run is already going"));
    if (Result valid = plan.validate(); !valid)
        return valid;

    LoadSnapshot initial;
    initial.running = true;
    initial.total = plan.plannedRequests();
    m_live->publish(initial);
    m_engine = std::make_unique<LoadEngine>(plan, m_live);
    m_thread = std::thread([this, engine = m_engine.get()] {
        LoadResult result = engine->run();
        {
            std::lock_guard lock(m_pendingMutex);
            m_pending = std::move(result);
        }
        const quint64 one = 1;
        [[maybe_unused]] const ssize_t n = ::write(m_doneFd, &one, sizeof one);
    });
    m_progressTimer.start();
    return {};
}

void LoadRunner::stop()
{
    if (m_engine)
        m_engine->requestStop();
}

LoadSnapshot LoadRunner::snapshot() const
{
    return m_live->snapshot();
}

void LoadRunner::emitProgress()
{
    const LoadSnapshot s = m_live->snapshot();
    emit progress(s.done, s.total, s.elapsedSeconds, s.etaSeconds);
}

void LoadRunner::onEngineDone()
{
    m_progressTimer.stop();
    if (!m_thread.joinable())
        return;
    m_thread.join(); // returns at once: the thread's last act was the wake-up
    m_engine.reset();
    {
        std::lock_guard lock(m_pendingMutex);
        m_result = std::move(m_pending);
        m_pending = LoadResult {};
    }
    qCDebug(lcLoad).noquote() << "run finished:"
                              << (m_result ? QStringLiteral("ok") : m_result.message());
    emitProgress();
    emit finished(m_result);
}

} // namespace loopscope::load
