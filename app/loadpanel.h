#pragma once

#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QRadioButton;
class QSpinBox;

namespace loopscope {

class LoadController;
class ModeTable;

// Fire load at the embedded server from the window: target, closed or open loop, n, c, rate,
// duration, keep-alive; Start/Stop with progress, elapsed and ETA.
class LoadPanel : public QWidget
{
    Q_OBJECT
public:
    LoadPanel(LoadController &controller, const ModeTable &modes, QWidget *parent = nullptr);

    void setRunning(bool running);

signals:
    void message(const QString &text);

private:
    void start();
    void onRouteChosen(int index);
    void onProgress(qint64 done, qint64 total, double elapsedSeconds, double etaSeconds);

    LoadController &m_controller;
    QComboBox *m_route = nullptr;
    QLineEdit *m_target = nullptr;
    QRadioButton *m_closedLoop = nullptr;
    QRadioButton *m_openLoop = nullptr;
    QSpinBox *m_requests = nullptr;
    QSpinBox *m_concurrency = nullptr;
    QDoubleSpinBox *m_rate = nullptr;
    QDoubleSpinBox *m_duration = nullptr;
    QCheckBox *m_keepAlive = nullptr;
    QPushButton *m_start = nullptr;
    QPushButton *m_stop = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_progressText = nullptr;
};

// An example request target for a route key: "GET /users/{user_id}" -> "/users/1".
QByteArray exampleTarget(const QString &routeKey);

} // namespace loopscope
