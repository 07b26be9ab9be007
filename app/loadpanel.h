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
// duration, keep-alive; Start/Stop with progress, elapsed and ETA. A run a scenario starts shows
// here too: its fields, its step and its progress.
class LoadPanel : public QWidget
{
    Q_OBJECT
public:
    LoadPanel(LoadController &controller, const ModeTable &modes, QWidget *parent = nullptr);

    void setRunning(bool running);
    // The line under the progress bar: progress, the outcome, or why a run did not start.
    QString progressText() const;

    // Above this many requests the panel caps the count and says so.
    static constexpr int kMaxRequests = 10'000'000;
    // How far a run is, 0 to 1, by requests or by time, whichever bounds it first.
    static double progressFraction(
        qint64 done, qint64 total, double elapsedSeconds, double durationSeconds);

signals:
    void message(const QString &text);

private:
    void start();
    void onRouteChosen(int index);
    void onProgress(qint64 done, qint64 total, double elapsedSeconds, double etaSeconds);
    void onRunStarted(const QString &label);
    void onRunFinished(bool stopped, qint64 completed, double elapsedSeconds);
    void showPlan(const QString &route, const QByteArray &target);

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
    QString m_runLabel; // "manual" or the scenario step's label
    double m_runDurationSeconds = 0; // the running plan's duration bound, 0 when none
};

// An example request target for a route key: "GET /users/{user_id}" -> "/users/1".
QByteArray exampleTarget(const QString &routeKey);

} // namespace loopscope
