#include "offloader.h"

#include "serverlog.h"

namespace loopscope {

void Offloader::forget(PythonAwaitable python) const
{
    const QString coroutine
        = python.coroutine.isEmpty() ? QStringLiteral("coroutine") : QString(python.coroutine);
    const QString warning = QStringLiteral("coroutine '%1' was never awaited").arg(coroutine);
    const QByteArray text = warning.toUtf8();
    const std::uint32_t label = trace::label(std::string_view(text.constData(), text.size()));
    const std::uint64_t dropped = trace::newSpanId();
    trace::record(trace::Kind::TaskSpawned, dropped, label, m_span);
    trace::record(trace::Kind::TaskCancelled, dropped, label);
    if (m_log)
        m_log->warning(QStringLiteral("RuntimeWarning: ") + warning);
}

QString Offloader::usedError(PythonAwaitable python)
{
    return python.errorWhenUsed.isEmpty()
        ? QStringLiteral("TypeError: a coroutine object was used as its result")
        : QString(python.errorWhenUsed);
}

} // namespace loopscope
