#pragma once

#include "core/result.h"
#include "loadcontroller.h"
#include "recording.h"

#include <QMainWindow>

#include <memory>

class QTabWidget;

namespace loopscope {

class CourseCodeView;
class LiveCharts;
class LogView;
class RunsTable;
namespace viz {
class Replay;
class ReplayControls;
class RequestInspector;
class TimeCursor;
class TimelineModel;
class TimelineView;
} // namespace viz

// A recording opened for a second look: the timeline, the inspector, the log, the runs and the
// charts as they were live, on the recording's own session clock, with no server behind them. The
// whole recording is in view when it opens; the replay bar plays it again at any speed from any
// instant.
class RecordingWindow : public QMainWindow
{
    Q_OBJECT
public:
    RecordingWindow(recording::Recording recording, const QString &path, QWidget *parent = nullptr);
    ~RecordingWindow() override;

    viz::TimelineModel &model() { return *m_model; }
    viz::TimelineView &timeline() { return *m_timeline; }
    LogView &log() { return *m_log; }
    RunsTable &runsTable() { return *m_runs; }
    LiveCharts &charts() { return *m_charts; }
    viz::Replay &replay() { return *m_replay; }
    viz::ReplayControls &replayControls() { return *m_replayControls; }
    CourseCodeView &code() { return *m_code; }
    viz::RequestInspector &inspector() { return *m_inspector; }
    // Selects the recorded request with this X-Request-Id and shows it in the inspector; false
    // when the recording holds none.
    bool selectRequest(QByteArrayView requestId);
    const QList<RunSummary> &runs() const { return m_runsRead; }

private:
    void showSpan(quint64 span);

    recording::Recording m_recording; // its events moved to the replay
    QList<RunSummary> m_runsRead; // with their requests as their client measured them
    viz::TimeCursor *m_cursor = nullptr;
    viz::TimelineModel *m_model = nullptr;
    viz::Replay *m_replay = nullptr;
    viz::ReplayControls *m_replayControls = nullptr;
    viz::TimelineView *m_timeline = nullptr;
    viz::RequestInspector *m_inspector = nullptr;
    LogView *m_log = nullptr;
    RunsTable *m_runs = nullptr;
    LiveCharts *m_charts = nullptr;
    CourseCodeView *m_code = nullptr;
    QTabWidget *m_tabs = nullptr;
};

// On failure, as recording::readRecording: the message names the file and the problem.
struct OpenedRecording : Result
{
    std::unique_ptr<RecordingWindow> window;
};
// Reads a .loopscope file, or a Chrome trace that /_scope/trace exported, into a window (not
// shown yet).
OpenedRecording openRecording(const QString &path);

} // namespace loopscope
