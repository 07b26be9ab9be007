#include "mainwindow.h"

#include "aboutbox.h"
#include "applogging.h"
#include "appsettings.h"
#include "bannertext.h"
#include "clientmeasurements.h"
#include "core/gil.h"
#include "coursecodeview.h"
#include "exportfile.h"
#include "livecharts.h"
#include "loadcontroller.h"
#include "loadpanel.h"
#include "logview.h"
#include "recordingformat.h"
#include "recordingwindow.h"
#include "recordingwriter.h"
#include "requestinspector.h"
#include "routespanel.h"
#include "runstable.h"
#include "scenariorunner.h"
#include "scenarios.h"
#include "serverhost.h"
#include "serversampler.h"
#include "sessionrecords.h"
#include "timecursor.h"
#include "timelinecontrols.h"
#include "timelinekeysdialog.h"
#include "timelinemodel.h"
#include "timelineview.h"
#include "trace/sessionclock.h"
#include "trace/tracehub.h"

#include <QActionGroup>
#include <QApplication>
#include <QFileDialog>
#include <QFontDatabase>
#include <QFrame>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>

#include <limits>
#include <set>

namespace loopscope {

namespace {
// A log of a long session stays small; a recording keeps its newest lines.
constexpr qsizetype kLogRecordCapacity = 100'000;
// The charts' samples, four a second: the last hour of them.
constexpr qsizetype kSampleRecordCapacity = 4 * 3600;
} // namespace

MainWindow::MainWindow(ServerHost &host, QWidget *parent)
    : QMainWindow(parent)
    , m_host(host)
{
    setWindowTitle(tr("Loopscope — %1").arg(host.url()));
    m_cursor = new viz::TimeCursor(this);
    m_sampler = new ServerSampler(host, this);
    m_load = new LoadController(host, this);
    // A lesson ends with its last effect: its background tasks done and drawn.
    auto lessonSettled = [this] {
        return m_host.backgroundTasksRunning() == 0 && !m_timelineModel->hasOpenWork();
    };
    // A lesson's deploy: the window goes on drawing while the server restarts.
    auto restartServer = [this](std::function<void(Result)> done) {
        showMessage(tr("Restarting the server: its background tasks get %1 ms, then are cancelled")
                        .arg(m_host.config().taskGrace.count()));
        m_host.restart(std::move(done));
    };
    m_scenarios = new ScenarioRunner(
        *m_load, host.modes(), host.settings(), lessonSettled, restartServer, this);

    auto *left = new QSplitter(Qt::Vertical, this);
    m_routes = new RoutesPanel(host.modes(), left);
    m_loadPanel = new LoadPanel(*m_load, host.modes(), left);
    left->addWidget(m_routes);
    left->addWidget(m_loadPanel);

    auto *middle = new QSplitter(Qt::Vertical, this);
    m_middleSplit = middle;
    middle->addWidget(createTimelineArea());
    m_bottomTabs = new QTabWidget(middle);
    m_log = new LogView(*m_cursor, m_bottomTabs);
    m_runs = new RunsTable(*m_cursor, m_bottomTabs);
    QWidget *inspectorTab = createInspectorTab();
    m_bottomTabs->addTab(m_runs, tr("Runs"));
    m_bottomTabs->addTab(inspectorTab, tr("Inspector"));
    m_bottomTabs->addTab(m_log, tr("Log"));
    m_code = new CourseCodeView(m_bottomTabs);
    m_bottomTabs->addTab(m_code, tr("Code"));
    connect(m_routes, &RoutesPanel::routeChosen, m_code, &CourseCodeView::showRoute);
    connect(
        m_timeline, &viz::TimelineView::requestSelected, this, [this, inspectorTab](quint64 span) {
            m_inspector->showSpan(span);
            showExchange(span);
            m_bottomTabs->setCurrentWidget(inspectorTab);
            const viz::TimelineSpan *s = m_timelineModel->find(span);
            if (s && s->kind == viz::SpanKind::Request && s->variant)
                m_code->showRoute(
                    viz::TimelineModel::labelText(s->label), variantName(*s->variant));
            m_code->showWaitOf(s, m_cursor->instant());
        });
    // Where the selected request waits at the time the cursor points to.
    connect(m_cursor, &viz::TimeCursor::changed, m_code, [this] {
        m_code->showWaitOf(m_timelineModel->find(m_inspector->span()), m_cursor->instant());
    });
    // Queued: the inspector is still in the click on the row that asked.
    connect(
        m_inspector, &viz::RequestInspector::spanRequested, this,
        [this](quint64 span) {
            m_timeline->selectSpan(span);
            m_inspector->showSpan(span);
            showExchange(span);
        },
        Qt::QueuedConnection);
    middle->addWidget(m_bottomTabs);
    middle->setStretchFactor(0, 3);
    middle->setStretchFactor(1, 1);
    // At 1024×700 the runs table still shows a few runs and the inspector a few events.
    m_bottomTabs->setMinimumHeight(150);

    auto *main = new QSplitter(Qt::Horizontal, this);
    main->addWidget(left);
    main->addWidget(middle);
    main->setStretchFactor(1, 1);
    main->setSizes({ 380, 1000 });
    setCentralWidget(main);

    // Messages on the left, taking what the server's figures leave: a permanent widget stretched
    // over the whole bar would hide every message.
    m_message = new QLabel(this);
    m_message->setObjectName(QStringLiteral("statusMessage"));
    m_message->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    statusBar()->addWidget(m_message, 1);
    m_messageExpiry = new QTimer(this);
    m_messageExpiry->setSingleShot(true);
    connect(m_messageExpiry, &QTimer::timeout, m_message, &QLabel::clear);
    m_status = new QLabel(this);
    statusBar()->addPermanentWidget(m_status);
    createMenus();

    // One slot for the view and the recording's copy: a line on screen is a line saved.
    connect(&host.log(), &ServerLog::message, this,
        [this](const QString &level, const QString &line, qint64 at) {
            m_log->append(level, line, at);
            if (m_logRecords.size() >= kLogRecordCapacity)
                m_logRecords.removeFirst();
            m_logRecords.append(sessionrecords::logLine(level, line, at));
        });
    connect(m_load, &LoadController::runFinished, m_runs, &RunsTable::addRun);
    connect(m_load, &LoadController::runFinished, this,
        [this](const RunSummary &summary) { m_runRecords.append(sessionrecords::run(summary)); });
    connect(m_loadPanel, &LoadPanel::message, this,
        [this](const QString &text) { showMessage(text, 5000); });
    connect(m_scenarios, &ScenarioRunner::modesChanged, m_routes, &RoutesPanel::refresh);
    // New traffic the user started is what they want to watch: follow it even if they had paused.
    // A scenario's later steps leave a paused view alone, so a look back is not pulled away.
    // A manual run is not the scenario's (nor the first-run hint's): the banner goes.
    connect(m_load, &LoadController::runStarted, this, [this] {
        if (!m_scenarios->isRunning()) {
            m_timeline->setFollowing(true);
            m_banner->hide();
        }
    });
    connect(m_scenarios, &ScenarioRunner::started, m_timeline,
        [this] { m_timeline->setFollowing(true); });
    connect(m_scenarios, &ScenarioRunner::stepStarted, this,
        [this](const QString &, const QString &step) {
            m_loadPanel->setRunning(true);
            showMessage(tr("Running: %1").arg(step));
        });
    connect(m_scenarios, &ScenarioRunner::finished, this, [this](const QString &title) {
        showMessage(tr("Scenario done: %1").arg(title), 5000);
        m_bottomTabs->setCurrentWidget(m_runs);
        showScenarioOutcome(m_scenarios->outcome());
        emit scenarioFinished(title);
    });
    connect(m_scenarios, &ScenarioRunner::failed, this, [this](const QString &message) {
        showMessage(tr("Scenario stopped: %1").arg(message), 8000);
    });

    // The status bar and the charts show the same samples: one figure per instant.
    connect(m_sampler, &ServerSampler::sampled, this, &MainWindow::showStatus);
    // One load snapshot for the plot and the recording's copy: a point drawn is a point saved.
    connect(m_sampler, &ServerSampler::sampled, this, [this](const ServerSample &sample) {
        const load::LoadSnapshot load = m_load->snapshot();
        m_charts->addSampleWithLoad(sample, load);
        if (m_sampleRecords.size() >= kSampleRecordCapacity)
            m_sampleRecords.removeFirst();
        m_sampleRecords.append(sessionrecords::sample(sample, load));
    });
    connect(m_load, &LoadController::runEnding, m_sampler, &ServerSampler::sample);
    m_sampler->sample();

    const QSettings settings;
    if (!restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray()))
        resize(1440, 900);
}

MainWindow::~MainWindow()
{
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
}

QWidget *MainWindow::createTimelineArea()
{
    auto *area = new QWidget(this);
    auto *layout = new QVBoxLayout(area);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(createBanner(area));
    auto *split = new QSplitter(Qt::Vertical, area);
    m_timelineSplit = split;
    m_timelineModel = new viz::TimelineModel(this);
    // The model drains the trace once per frame on its own timer.
    m_timelineModel->attach(trace::TraceHub::instance().subscribe(1 << 20));
    m_timeline = new viz::TimelineView(m_timelineModel, split);
    m_timeline->setMinimumHeight(180);
    m_timeline->setTimeCursor(m_cursor);
    m_charts = new LiveCharts(*m_load, *m_cursor, split);
    layout->addWidget(new viz::TimelineControls(m_timeline, area));
    split->addWidget(m_timeline);
    split->addWidget(m_charts);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    // The same 3:2 from the start: the timeline's large size hint would otherwise squeeze the
    // charts on a large screen.
    split->setSizes({ 300, 200 });
    layout->addWidget(split, 1);
    return area;
}

QWidget *MainWindow::createBanner(QWidget *parent)
{
    m_banner = new QFrame(parent);
    m_banner->setObjectName(QStringLiteral("banner"));
    m_banner->setFrameShape(QFrame::StyledPanel);
    auto *row = new QHBoxLayout(m_banner);
    row->setContentsMargins(6, 4, 4, 4);
    m_bannerText = new BannerText(m_banner);
    connect(m_bannerText->label(), &QLabel::linkActivated, this, [this](const QString &link) {
        const Scenario *scenario = findScenario(link.section(u':', 1));
        if (!scenario)
            return;
        if (const Result started = runScenario(*scenario); !started)
            showMessage(tr("Scenario not started: %1").arg(started.message()), 8000);
    });
    auto *close = new QToolButton(m_banner);
    close->setObjectName(QStringLiteral("closeBanner"));
    close->setText(QStringLiteral("✕"));
    close->setToolTip(tr("Close"));
    close->setAutoRaise(true);
    connect(close, &QToolButton::clicked, m_banner, &QWidget::hide);
    row->addWidget(m_bannerText, 1);
    row->addWidget(close, 0, Qt::AlignTop);
    // Before anything ran, the banner says where to start.
    if (!scenarios().isEmpty()) {
        const Scenario &first = scenarios().constFirst();
        m_bannerText->setText(
            tr("<b>New here?</b> Start with the first lesson: <a href=\"scenario:%1\">Scenarios ▸ "
               "%2</a>")
                .arg(first.name, first.title.toHtmlEscaped()));
    } else {
        m_banner->hide();
    }
    return m_banner;
}

QString MainWindow::bannerText() const
{
    return m_banner->isVisible() ? m_bannerText->text() : QString();
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(
        tr("&Open recording…"), QKeySequence::Open, this, &MainWindow::openRecordingFile);
    file->addAction(tr("&Save recording…"), QKeySequence::Save, this, &MainWindow::saveRecordingAs);
    file->addAction(tr("&Replay the live session…"), this, [this] {
        RecordingWindow *replay = replayLiveSession();
        replay->setAttribute(Qt::WA_DeleteOnClose);
        replay->show();
    });
    file->addSeparator();
    QMenu *exportMenu = m_exportMenu = file->addMenu(tr("&Export"));
    exportMenu->addAction(
        tr("Trace (Chrome JSON, opens in Perfetto)…"), this, &MainWindow::exportTrace);
    exportMenu->addAction(tr("Last load result (JSON)…"), this, &MainWindow::exportLastResult);
    exportMenu->addAction(tr("Runs table (CSV)…"), this, &MainWindow::exportRuns);
    exportMenu->addAction(tr("Timeline image (PNG)…"), this, &MainWindow::exportTimelineImage);
    exportMenu->addAction(tr("Window image (PNG)…"), this, &MainWindow::exportWindowImage);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);

    createSettingsMenu();

    QMenu *scenarioMenu = menuBar()->addMenu(tr("&Scenarios"));
    for (const Scenario &scenario : scenarios()) {
        QAction *action = scenarioMenu->addAction(scenario.title);
        action->setToolTip(scenario.watch);
        connect(action, &QAction::triggered, this, [this, &scenario] {
            if (const Result started = runScenario(scenario); !started)
                showMessage(tr("Scenario not started: %1").arg(started.message()), 8000);
        });
    }
    scenarioMenu->setToolTipsVisible(true);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keys and mouse…"), this, [this] { viz::showTimelineKeys(this); });
    help->addAction(tr("&About Loopscope…"), this, [this] { showAbout(this); });
}

QWidget *MainWindow::createInspectorTab()
{
    auto *split = new QSplitter(Qt::Horizontal, this);
    m_inspector = new viz::RequestInspector(m_timelineModel, split);
    m_inspector->setTimeCursor(m_cursor);
    m_inspector->setClientLookup(clientMeasurements(m_load->runs()));
    m_exchange = new QPlainTextEdit(split);
    m_exchange->setReadOnly(true);
    m_exchange->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_exchange->setPlaceholderText(tr("Click a request in the timeline: its events on the left, "
                                      "its request and response here"));
    split->addWidget(m_inspector);
    split->addWidget(m_exchange);
    // Keeping heads and bodies costs the server a little per request: only while a window shows
    // them.
    m_host.exchanges().setEnabled(true);
    return split;
}

void MainWindow::showExchange(quint64 span)
{
    const std::optional<http::Exchange> exchange = m_host.exchanges().find(span);
    if (!exchange) {
        m_exchange->setPlainText(tr("No request/response kept for this span (only the last %1 "
                                    "answered requests are).")
                                     .arg(http::ExchangeLog::capacity));
        return;
    }
    QByteArray text = "── request " + exchange->requestId + " ──\n" + exchange->requestHead;
    if (!exchange->requestBody.isEmpty())
        text += '\n' + exchange->requestBody + '\n';
    text += "\n── response ──\n" + exchange->responseHead + '\n' + exchange->responseBody + '\n';
    m_exchange->setPlainText(QString::fromUtf8(text));
}

void MainWindow::createSettingsMenu()
{
    QMenu *menu = menuBar()->addMenu(tr("Se&ttings"));
    menu->addAction(tr("Server port…"), this, [this] {
        AppSettings settings = AppSettings::load();
        bool ok = false;
        const int port = QInputDialog::getInt(this, tr("Server port"),
            tr("Port for the next start (0 picks a free one):"), settings.port, 0, 65535, 1, &ok);
        if (ok) {
            settings.port = port;
            settings.save();
            showMessage(tr("Port %1 applies at the next start").arg(port), 5000);
        }
    });
    menu->addAction(tr("Database…"), this, [this] {
        AppSettings settings = AppSettings::load();
        bool ok = false;
        const QString url = QInputDialog::getText(this, tr("Database"),
            tr("Database URL for the next start (empty: SQLite in the data directory),\n"
               "e.g. postgresql://user:pass@127.0.0.1:5432/loopscope"),
            QLineEdit::Normal, settings.databaseUrl, &ok);
        if (ok) {
            settings.databaseUrl = url.trimmed();
            settings.save();
            showMessage(tr("The database applies at the next start"), 5000);
        }
    });
    menu->addAction(tr("Trace retention…"), this, [this] {
        AppSettings settings = AppSettings::load();
        bool ok = false;
        const int seconds = QInputDialog::getInt(this, tr("Trace retention"),
            tr("Seconds of trace kept for the timeline and exports:"), settings.retentionSeconds,
            10, 3600, 10, &ok);
        if (ok) {
            settings.retentionSeconds = seconds;
            settings.save();
            trace::TraceHub::instance().setRetention(std::chrono::seconds(seconds));
        }
    });
    // Live, like PUT /_scope/gil: the check follows whoever changed it last (a scenario step,
    // the API), so it is read each time the menu opens.
    QAction *gil = menu->addAction(tr("Python's GIL (CPU work on threads takes turns)"));
    gil->setObjectName(QStringLiteral("gilAction"));
    gil->setCheckable(true);
    const QString gilSetting = QStringLiteral("gil.enabled");
    connect(menu, &QMenu::aboutToShow, gil, [this, gil, gilSetting] {
        gil->setChecked(m_host.settings().value(gilSetting).value_or(true).toBool());
    });
    connect(gil, &QAction::toggled, this, [this, gilSetting](bool on) {
        if (on == m_host.settings().value(gilSetting).value_or(true).toBool())
            return;
        if (const Result set = m_host.settings().set(gilSetting, on); !set) {
            showMessage(set.message(), 5000);
            return;
        }
        showMessage(on ? tr("GIL on: CPU work on the thread pool takes turns")
                       : tr("GIL off: CPU work on the thread pool runs in parallel"),
            5000);
    });
    QMenu *themes = menu->addMenu(tr("Theme"));
    auto *group = new QActionGroup(themes);
    const QString current = AppSettings::load().theme;
    for (const auto &[name, label] :
        { std::pair { QStringLiteral("system"), tr("Follow the system") },
            { QStringLiteral("light"), tr("Light") }, { QStringLiteral("dark"), tr("Dark") } }) {
        QAction *action = themes->addAction(label);
        action->setCheckable(true);
        action->setChecked(name == current);
        group->addAction(action);
        // An init-capture: clang before 16 cannot capture a structured binding.
        connect(action, &QAction::triggered, this, [theme = name] {
            AppSettings settings = AppSettings::load();
            settings.theme = theme;
            settings.save();
            applyTheme(theme);
        });
    }
}

Result MainWindow::runScenario(const Scenario &scenario)
{
    Result started = m_scenarios->start(scenario);
    if (started) {
        m_bannerText->setText(u"<b>" + scenario.title.toHtmlEscaped() + u"</b><br>"
            + scenario.watch.toHtmlEscaped().replace(u'\n', QStringLiteral("<br>")));
        m_banner->setVisible(true);
    }
    return started;
}

const ScenarioOutcome &MainWindow::lastScenarioOutcome() const
{
    return m_scenarios->outcome();
}

void MainWindow::showScenarioOutcome(const ScenarioOutcome &outcome)
{
    // The whole lesson on the timeline, from its first request to its last effect.
    const trace::Nanos margin = (outcome.end - outcome.begin) / 20;
    m_timeline->zoom()->setRange(outcome.begin - margin, outcome.end + margin);
    QString claims;
    for (const ClaimResult &claim : outcome.claims) {
        claims += (claim.passed ? QStringLiteral("<br>&#x2713; ") : QStringLiteral("<br>&#x2717; "))
            + claim.text.toHtmlEscaped() + QStringLiteral(": expected ")
            + claim.expected.toHtmlEscaped() + QStringLiteral(", measured <b>")
            + claim.measured.toHtmlEscaped() + QStringLiteral("</b>");
    }
    m_bannerText->setText(m_bannerText->text() + claims);
    m_banner->setVisible(true);
}

QList<QAction *> MainWindow::exportActions() const
{
    return m_exportMenu->actions();
}

QString MainWindow::statusText() const
{
    return m_status->text();
}

void MainWindow::showMessage(const QString &text, int timeoutMs)
{
    m_message->setText(text);
    m_message->setToolTip(text); // the whole of it when the bar is too narrow
    if (timeoutMs > 0)
        m_messageExpiry->start(timeoutMs);
    else
        m_messageExpiry->stop();
}

QString MainWindow::messageText() const
{
    return m_message->text();
}

void MainWindow::showStatus(const ServerSample &sample)
{
    const auto &hub = trace::TraceHub::instance();
    const QString database = m_host.config().databaseUrl.isEmpty()
        ? tr("SQLite in the data directory")
        : QString(m_host.config().databaseUrl)
              .replace(QRegularExpression(QStringLiteral(":[^:@/]*@")), QStringLiteral(":***@"));
    // Short enough to leave the messages room at 1024 px; the rest is in the tooltip.
    m_status->setText(tr("%1  ·  in flight: %2  ·  loop lag: %3 ms%4  ·  dropped events: %5")
                          .arg(m_host.url())
                          .arg(sample.inFlight)
                          .arg(sample.loopLagNs / 1e6, 0, 'f', 1)
                          .arg(sample.loopStalled ? tr(" (STALLED)") : QString())
                          .arg(hub.droppedEvents() + hub.subscriberDroppedEvents()));
    m_status->setToolTip(tr("Listening on %1\nDatabase: %2\nDropped events: trace events lost "
                            "because a buffer was full")
                             .arg(m_host.url(), database));
}

} // namespace loopscope
