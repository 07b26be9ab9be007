#pragma once

#include <QJsonArray>
#include <QMainWindow>

class QLabel;
class QPlainTextEdit;
class QTabWidget;

namespace loopscope {

class LiveCharts;
class LoadController;
class LoadPanel;
class LogView;
class RoutesPanel;
class RunsTable;
class ScenarioRunner;
class ServerHost;
class ServerSampler;
struct Scenario;
struct ServerSample;
namespace viz {
class RequestInspector;
class TimeCursor;
class TimelineModel;
class TimelineView;
} // namespace viz

// The window: routes with variant toggles and the load panel on the left, the timeline and
// live charts in the middle, log and runs below, scenarios and exports in the menus.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(ServerHost &host, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Plays a scenario; returns an error text, empty when it started.
    QString runScenario(const Scenario &scenario);
    LoadController &loadController() { return *m_load; }
    RunsTable &runsTable() { return *m_runs; }
    LoadPanel &loadPanel() { return *m_loadPanel; }
    viz::TimelineView &timeline() { return *m_timeline; }
    LiveCharts &charts() { return *m_charts; }
    LogView &log() { return *m_log; }
    ServerSampler &sampler() { return *m_sampler; }
    viz::TimeCursor &timeCursor() { return *m_cursor; }
    QString statusText() const;
    // File > Save recording…: what the window shows (the retained trace and the log) as a
    // .loopscope file. Returns an error text naming the file, empty when written.
    QString saveRecording(const QString &path);

signals:
    void scenarioFinished(const QString &title);

private:
    void createMenus();
    QWidget *createTimelineArea();
    void showStatus(const ServerSample &sample);
    void exportTrace();
    void saveRecordingAs();
    void openRecordingFile();
    void exportRuns();
    void exportLastResult();
    void exportWindowImage();
    void exportTimelineImage();
    void createSettingsMenu();
    QWidget *createInspectorTab();
    void showExchange(quint64 span);

    ServerHost &m_host;
    viz::TimeCursor *m_cursor = nullptr;
    ServerSampler *m_sampler = nullptr;
    LoadController *m_load = nullptr;
    ScenarioRunner *m_scenarios = nullptr;
    RoutesPanel *m_routes = nullptr;
    LoadPanel *m_loadPanel = nullptr;
    LiveCharts *m_charts = nullptr;
    viz::TimelineModel *m_timelineModel = nullptr;
    viz::TimelineView *m_timeline = nullptr;
    viz::RequestInspector *m_inspector = nullptr;
    QPlainTextEdit *m_exchange = nullptr; // the selected request's headers and answer
    RunsTable *m_runs = nullptr;
    LogView *m_log = nullptr;
    QTabWidget *m_bottomTabs = nullptr;
    QLabel *m_scenarioBanner = nullptr;
    QLabel *m_status = nullptr;
    QJsonArray m_logRecords; // the log as a recording keeps it, newest kLogRecordCapacity
};

} // namespace loopscope
