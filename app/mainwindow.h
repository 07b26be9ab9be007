#pragma once

#include "core/result.h"

#include <QJsonArray>
#include <QMainWindow>

#include <functional>

class QFrame;
class QSplitter;
class QLabel;
class QMenu;
class QPlainTextEdit;
class QTabWidget;
class QTimer;

namespace loopscope {

class BannerText;
class CourseCodeView;
class LiveCharts;
class LoadController;
class LoadPanel;
class LogView;
class RecordingWindow;
class RoutesPanel;
class RunsTable;
class ScenarioRunner;
class ServerHost;
class ServerSampler;
struct Scenario;
struct ScenarioOutcome;
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

    // Plays a scenario; a failure says why it did not start.
    Result runScenario(const Scenario &scenario);
    // The claims and time range of the scenario that finished last.
    const ScenarioOutcome &lastScenarioOutcome() const;
    LoadController &loadController() { return *m_load; }
    RunsTable &runsTable() { return *m_runs; }
    LoadPanel &loadPanel() { return *m_loadPanel; }
    viz::TimelineView &timeline() { return *m_timeline; }
    LiveCharts &charts() { return *m_charts; }
    LogView &log() { return *m_log; }
    CourseCodeView &courseCode() { return *m_code; }
    RoutesPanel &routesPanel() { return *m_routes; }
    ServerSampler &sampler() { return *m_sampler; }
    viz::TimeCursor &timeCursor() { return *m_cursor; }
    QString statusText() const;
    // A message in the status bar, left of the server's figures; 0 keeps it until the next one.
    void showMessage(const QString &text, int timeoutMs = 0);
    QString messageText() const;
    // What the banner over the timeline says; empty when it is closed or hidden.
    QString bannerText() const;
    // File > Save recording…: what the window shows (the retained trace, the log, the runs and
    // the charts) as a .loopscope file.
    Result saveRecording(const QString &path);
    // File > Replay the live session…: what a saved recording would hold, as it is now, in a
    // recording window (not shown yet) with its replay bar; the live window goes on.
    RecordingWindow *replayLiveSession();

    // File > Export's actions, for tests to trigger.
    QList<QAction *> exportActions() const;
    // Replaces the save dialog of File > Export (given its caption) for tests; the failure
    // dialog and the log line are the real ones.
    void setExportPathForTest(std::function<QString(const QString &caption)> choose)
    {
        m_exportPathForTest = std::move(choose);
    }

signals:
    void scenarioFinished(const QString &title);

protected:
    void resizeEvent(QResizeEvent *event) override;

private:
    // Below this window height the charts move into a tab beside the runs, and the timeline
    // keeps the room: at 1024×700 (a projector) they would otherwise squeeze both.
    static constexpr int kChartsBesideTimelineFromHeight = 820;
    // The charts beside the timeline or in a tab, for the window's height.
    void fitToHeight();
    void createMenus();
    QWidget *createTimelineArea();
    QWidget *createBanner(QWidget *parent);
    void showStatus(const ServerSample &sample);
    void exportTrace();
    void saveRecordingAs();
    void openRecordingFile();
    void exportRuns();
    void exportLastResult();
    void exportWindowImage();
    void exportTimelineImage();
    QString askExportPath(
        const QString &caption, const QString &defaultName, const QString &filter);
    // A failed export is shown (a warning naming the file and the reason) and logged.
    void reportExport(const QString &what, const QString &path, const Result &written);
    void createSettingsMenu();
    // Frames the lesson's time range and adds its checked claims to the banner.
    void showScenarioOutcome(const ScenarioOutcome &outcome);
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
    CourseCodeView *m_code = nullptr;
    QTabWidget *m_bottomTabs = nullptr;
    QSplitter *m_middleSplit = nullptr; // the timeline area over the tabs
    QSplitter *m_timelineSplit = nullptr; // the timeline over the charts, on a tall window
    QFrame *m_banner = nullptr; // the first-run hint, then the scenario's lesson; closable
    BannerText *m_bannerText = nullptr;
    QLabel *m_status = nullptr; // the server's figures, always shown
    QLabel *m_message = nullptr; // what just happened
    QTimer *m_messageExpiry = nullptr;
    QJsonArray m_logRecords; // the log as a recording keeps it, newest kLogRecordCapacity
    QJsonArray m_runRecords; // the runs table's rows, as a recording keeps them
    QJsonArray m_sampleRecords; // the charts' samples, newest kSampleRecordCapacity
    QMenu *m_exportMenu = nullptr;
    std::function<QString(const QString &caption)> m_exportPathForTest;
};

} // namespace loopscope
