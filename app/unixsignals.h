#pragma once

#include <QObject>
#include <QSocketNotifier>
#include <initializer_list>

namespace loopscope {

// Turns SIGINT/SIGTERM into a Qt signal on the thread that created this object, through a
// self-pipe: a signal handler may only write a byte, not touch Qt.
class UnixSignals : public QObject
{
    Q_OBJECT
public:
    explicit UnixSignals(std::initializer_list<int> signalNumbers, QObject *parent = nullptr);
    ~UnixSignals() override;

signals:
    void received(int signalNumber);

private:
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace loopscope
