#include "recordingwindow.h"

#include "chrometracereader.h"
#include "clientmeasurements.h"
#include "coursecodeview.h"
#include "handlervariant.h"
#include "livecharts.h"
#include "logview.h"
#include "replay.h"
#include "replaycontrols.h"
#include "requestinspector.h"
#include "runstable.h"
#include "sessionrecords.h"
#include "timecursor.h"
#include "timelinekeysdialog.h"
#include "timelinemodel.h"
#include "timelineview.h"
#include "trace/sessionclock.h"

#include <QApplication>
#include <QFileInfo>
#include <QMenuBar>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QVBoxLayout>

namespace loopscope {

RecordingWindow::RecordingWindow(
    recording::Recording recording, const QString &path, QWidget *parent)
    : QMainWindow(parent)
    , m_recording(std::move(recording))
{
    setWindowTitle(tr("%1 — Loopscope recording").arg(QFileInfo(path).fileName()));
    // On this process's clock, with the recording's session origin as this session's: every
    // view then reads the recorded session times (48.2 s live is 48.2 s here).
    const trace::Nanos shift = trace::sessionOrigin() - m_recording.origin;
    m_recording.rebase(trace::sessionOrigin());

    m_cursor = new viz::TimeCursor(this);
    m_model = new viz::TimelineModel(this);
    // All of it: the live timeline's retention would cut what the recording holds.
    m_model->setRetention(std::chrono::hours(24 * 365));
    // The replay feeds the model: all of it now, up to its play head once it plays.
    const std::size_t events = m_recording.events.size();
    m_replay = new viz::Replay(
        *m_model, std::move(m_recording.events), // the replay keeps them, in time order
        [this](std::uint32_t thread) { return m_recording.threadName(thread); }, this);

    auto *split = new QSplitter(Qt::Vertical, this);
    auto *timelineArea = new QWidget(split);
    auto *timelineLayout = new QVBoxLayout(timelineArea);
    timelineLayout->setContentsMargins(0, 0, 0, 0);
    m_timeline = new viz::TimelineView(m_model, timelineArea);
    m_timeline->setMinimumHeight(260);
    m_timeline->setTimeCursor(m_cursor);
    m_timeline->zoom()->setRange(m_model->earliest(), m_model->now());
    m_replayControls = new viz::ReplayControls(*m_replay, *m_timeline, timelineArea);
    timelineLayout->addWidget(m_timeline, 1);
    timelineLayout->addWidget(m_replayControls);
    m_tabs = new QTabWidget(split);
    m_inspector = new viz::RequestInspector(m_model, m_tabs);
    m_inspector->setTimeCursor(m_cursor);
    m_inspector->setClientLookup(clientMeasurements(m_runsRead));
    m_log = new LogView(*m_cursor, m_tabs);
    m_log->setRealtimeOffset(sessionrecords::realtimeOffset(m_recording.meta, shift));
    m_runs = new RunsTable(*m_cursor, m_tabs);
    m_charts = new LiveCharts(*m_cursor, m_tabs);
    // The play head on the charts and the runs, where the timeline's "now" is.
    auto *playHead = new viz::TimeCursor(this);
    connect(m_replay, &viz::Replay::positionChanged, playHead, &viz::TimeCursor::setInstant);
    m_charts->setPlayHead(playHead);
    m_runs->setPlayHead(playHead);
    m_tabs->addTab(m_inspector, tr("Inspector"));
    m_tabs->addTab(m_log, tr("Log"));
    m_tabs->addTab(m_runs, tr("Runs"));
    m_tabs->addTab(m_charts, tr("Charts"));
    m_code = new CourseCodeView(m_tabs);
    m_tabs->addTab(m_code, tr("Code"));
    // The selected request as it was at the play head, its client's rows too (they may fall
    // after the server's close).
    connect(m_replay, &viz::Replay::positionChanged, m_inspector, &viz::RequestInspector::refresh);
    // During replay, the line where the selected request is suspended at the play head.
    connect(m_replay, &viz::Replay::positionChanged, m_code, [this](qint64 position) {
        m_code->showWaitOf(m_model->find(m_inspector->span()), position);
    });
    split->addWidget(timelineArea);
    split->addWidget(m_tabs);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    setCentralWidget(split);
    connect(m_timeline, &viz::TimelineView::requestSelected, this, &RecordingWindow::showSpan);
    // Queued: the inspector is still in the click on the row that asked.
    connect(
        m_inspector, &viz::RequestInspector::spanRequested, this,
        [this](quint64 span) {
            m_timeline->selectSpan(span);
            m_inspector->showSpan(span);
        },
        Qt::QueuedConnection);

    for (const QJsonValue &value : std::as_const(m_recording.records)) {
        const QJsonObject record = value.toObject();
        if (const auto line = sessionrecords::readLogLine(record, m_recording.origin))
            m_log->append(line->level, line->text, line->at);
        else if (const auto run
            = sessionrecords::readRun(record, m_recording.origin, m_recording.clientRequests)) {
            m_runsRead.append(*run);
            m_runs->addRun(*run);
        } else if (const auto sample = sessionrecords::readSample(record, m_recording.origin))
            m_charts->addSampleWithLoad(sample->server, sample->load);
    }

    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Close"), QKeySequence::Close, this, &QWidget::close);
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keys and mouse…"), this, [this] { viz::showTimelineKeys(this); });
    const QJsonObject &meta = m_recording.meta;
    if (meta.value(QStringLiteral("source")).toString() == u"chrome_trace")
        statusBar()->showMessage(tr("Chrome trace export · %1 events").arg(events));
    else
        statusBar()->showMessage(
            tr("Recorded %1 from %2 · %3 events%4")
                .arg(meta.value(QStringLiteral("created")).toString(),
                    meta.value(QStringLiteral("server_url")).toString())
                .arg(events)
                .arg(m_recording.lostEvents
                        ? tr(" · %1 events lost while recording").arg(m_recording.lostEvents)
                        : QString()));
    resize(1440, 900);
}

RecordingWindow::~RecordingWindow() = default;

void RecordingWindow::showSpan(quint64 span)
{
    m_inspector->showSpan(span);
    m_tabs->setCurrentWidget(m_inspector);
    const viz::TimelineSpan *s = m_model->find(span);
    if (s && s->kind == viz::SpanKind::Request && s->variant)
        m_code->showRoute(viz::TimelineModel::labelText(s->label), variantName(*s->variant));
    m_code->showWaitOf(s, m_replay->position());
}

bool RecordingWindow::selectRequest(QByteArrayView requestId)
{
    for (const std::uint64_t id : m_model->requestOrder()) {
        const viz::TimelineSpan *s = m_model->find(id);
        if (s && s->requestId == requestId) {
            m_timeline->selectSpan(id);
            showSpan(id);
            return true;
        }
    }
    return false;
}

OpenedRecording openRecording(const QString &path)
{
    recording::ReadResult read = recording::readRecordingOrTrace(path);
    if (!read)
        return { read, nullptr };
    return { {}, std::make_unique<RecordingWindow>(std::move(read.recording), path) };
}

} // namespace loopscope
