#include "serverhost.h"

#include "serverruntime.h"
#include "trace/tracehub.h"

#include <QCoro/QCoroTask>

namespace loopscope {

ServerHost::ServerHost(ServerConfig config, QObject *parent)
    : QObject(parent), m_config(std::move(config))
{
    m_thread.setObjectName(QStringLiteral("server loop"));
}

ServerHost::~ServerHost()
{
    stop();
}

QString ServerHost::url() const
{
    const QString host = m_address.protocol() == QAbstractSocket::IPv6Protocol
            ? u'[' + m_address.toString() + u']'
            : m_address.toString();
    return QStringLiteral("http://%1:%2").arg(host).arg(m_port);
}

const http::ConnectionStats *ServerHost::stats() const
{
    return m_runtime ? &m_runtime->stats() : nullptr;
}

QObject *ServerHost::loopContext() const
{
    return m_runtime;
}

bool ServerHost::start()
{
    if (m_runtime)
        return true;
    if (!trace::TraceHub::instance().isRunning())
        trace::TraceHub::instance().start();
    // A plain object on the server thread to post work to; it exists before the thread's loop.
    m_anchor = new QObject;
    m_anchor->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_anchor, &QObject::deleteLater);
    m_thread.start();
    ServerRuntime *runtime = nullptr;
    ServerRuntime::StartResult result;
    // Build the runtime on its own thread so every QObject in it belongs to the server loop.
    QMetaObject::invokeMethod(
            m_anchor,
            [&] {
                runtime = new ServerRuntime(m_config, m_log, m_modes);
                result = runtime->start();
                if (result.error.isEmpty()) {
                    m_address = runtime->address();
                    m_port = runtime->port();
                } else {
                    delete runtime;
                    runtime = nullptr;
                }
            },
            Qt::BlockingQueuedConnection);
    if (!runtime) {
        m_error = result.error;
        m_startError = result.badArguments ? StartError::BadArguments : StartError::CannotListen;
        m_thread.quit();
        m_thread.wait();
        m_anchor = nullptr;
        return false;
    }
    m_runtime = runtime;
    return true;
}

void ServerHost::stop()
{
    if (!m_runtime) {
        if (m_thread.isRunning()) {
            m_thread.quit();
            m_thread.wait();
        }
        return;
    }
    ServerRuntime *runtime = m_runtime;
    m_runtime = nullptr;
    QMetaObject::invokeMethod(m_anchor, [runtime, this] {
        [](ServerRuntime *runtime, QThread *thread) -> QCoro::Task<> {
            co_await runtime->shutdown();
            delete runtime;
            thread->quit();
        }(runtime, &m_thread);
    });
    m_thread.wait();
    m_anchor = nullptr; // deleted as the thread finished
}

} // namespace loopscope
