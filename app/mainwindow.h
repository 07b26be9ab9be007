#pragma once

#include <QMainWindow>

class QLabel;
class QPlainTextEdit;
class QTableWidget;

namespace loopscope {

class ServerHost;

// The window: routes with their variant toggles, the server log and a status bar. The timeline,
// load panel and charts join it as they land.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(ServerHost &host, QWidget *parent = nullptr);

private:
    QWidget *createRoutesPanel();
    void appendLog(const QString &level, const QString &line);
    void refreshStatus();

    ServerHost &m_host;
    QPlainTextEdit *m_log = nullptr;
    QLabel *m_status = nullptr;
};

} // namespace loopscope
