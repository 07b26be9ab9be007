#include "loadrunner.h"

#include "loadengine.h"

namespace loopscope::load {

LoadRunner::LoadRunner(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<loopscope::load::LoadResult>();
    m_progressTimer.setInterval(std::chrono::milliseconds(100));
    connect(&m_progressTimer, &QTimer::timeout, this, &LoadRunner::emitProgress);
}

LoadRunner::~LoadRunner()
{
    if (m_engine)
        m_engine->requestStop();
    if (m_thread.joinable())
        m_thread.join();
    // A queued onEngineDone() for this object is discarded with it.
}

bool LoadRunner::start(const LoadPlan &plan)
{
    if (isRunning()) {
        m_lastError = QStringLiteral("a run is already in progress");
        return false;
    }
    m_lastError = plan.validate();
    if (!m_lastError.isEmpty())
        return false;

    LoadSnapshot initial;
    initial.running = true;
    initial.total = plan.plannedRequests();
    m_live->publish(initial);
    m_engine = std::make_unique<LoadEngine>(plan, m_live);
    m_thread = std::thread([this, engine = m_engine.get()] {
        LoadResult result = engine->run();
        // Hand the result to this object's thread; m_result is only touched there.
        QMetaObject::invokeMethod(
            this, [this, result = std::move(result)]() mutable {
                m_result = std::move(result);
                onEngineDone();
            },
            Qt::QueuedConnection);
    });
    m_progressTimer.start();
    return true;
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
    if (m_thread.joinable())
        m_thread.join(); // returns at once: the thread only posted this call
    m_engine.reset();
    if (!m_result)
        m_lastError = m_result.errorMessage;
    emitProgress();
    emit finished(m_result);
}

} // namespace loopscope::load
