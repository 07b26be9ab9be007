#pragma once

#include <QObject>
#include <exception>

namespace loopscope {

// QCoro 0.8 has no cancellation: long waits of background tasks take one of these so shutdown
// can stop them after their grace period.
class CancelToken : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;
    bool isCancelled() const { return m_cancelled; }
    void cancel()
    {
        if (m_cancelled)
            return;
        m_cancelled = true;
        emit cancelled();
    }

signals:
    void cancelled();

private:
    bool m_cancelled = false;
};

struct TaskCancelled : std::exception
{
    const char *what() const noexcept override { return "cancelled"; }
};

} // namespace loopscope
