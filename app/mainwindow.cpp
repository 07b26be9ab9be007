#include "mainwindow.h"

#include "livecharts.h"
#include "loadcontroller.h"
#include "loadpanel.h"
#include "routespanel.h"
#include "runstable.h"
#include "scenariorunner.h"
#include "scenarios.h"
#include "serverhost.h"
#include "http/connectionstats.h"
#include "trace/tracehub.h"

#include <QApplication>
#include <QFile>
#include <QFileDialog>
#include <QJsonDocument>
#include <QLabel>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTime>
#include <QTimer>
#include <QVBoxLayout>

namespace loopscope {

MainWindow::MainWindow(ServerHost &host, QWidget *parent) : QMainWindow(parent), m_host(host)
{
    setWindowTitle(tr("Loopscope — %1").arg(host.url()));
    m_load = new LoadController(host, this);
    m_scenarios = new ScenarioRunner(*m_load, host.modes(), this);

    auto *left = new QSplitter(Qt::Vertical, this);
    m_routes = new RoutesPanel(host.modes(), left);
    m_loadPanel = new LoadPanel(*m_load, host.modes(), left);
    left->addWidget(m_routes);
    left->addWidget(m_loadPanel);

    auto *middle = new QSplitter(Qt::Vertical, this);
    middle->addWidget(createTimelineArea());
    m_bottomTabs = new QTabWidget(middle);
    m_log = new QPlainTextEdit(m_bottomTabs);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setPlaceholderText(tr("Server log: background task lines such as 'Product created' appear here"));
    m_runs = new RunsTable(m_bottomTabs);
    m_bottomTabs->addTab(m_runs, tr("Runs"));
    m_bottomTabs->addTab(m_log, tr("Log"));
    middle->addWidget(m_bottomTabs);
    middle->setStretchFactor(0, 3);
    middle->setStretchFactor(1, 1);

    auto *main = new QSplitter(Qt::Horizontal, this);
    main->addWidget(left);
    main->addWidget(middle);
    main->setStretchFactor(1, 1);
    main->setSizes({ 380, 1000 });
    setCentralWidget(main);

    m_status = new QLabel(this);
    statusBar()->addPermanentWidget(m_status, 1);
    createMenus();

    connect(&host.log(), &ServerLog::message, this, &MainWindow::appendLog);
    connect(m_load, &LoadController::runFinished, m_runs, &RunsTable::addRun);
    connect(m_loadPanel, &LoadPanel::message, this, [this](const QString &text) {
        statusBar()->showMessage(text, 5000);
    });
    connect(m_scenarios, &ScenarioRunner::modesChanged, m_routes, &RoutesPanel::refresh);
    connect(m_scenarios, &ScenarioRunner::stepStarted, this, [this](const QString &, const QString &step) {
        m_loadPanel->setRunning(true);
        statusBar()->showMessage(tr("Running: %1").arg(step));
    });
    connect(m_scenarios, &ScenarioRunner::finished, this, [this](const QString &title) {
        statusBar()->showMessage(tr("Scenario done: %1").arg(title), 5000);
        m_bottomTabs->setCurrentWidget(m_runs);
        emit scenarioFinished(title);
    });
    connect(m_scenarios, &ScenarioRunner::failed, this, [this](const QString &message) {
        statusBar()->showMessage(tr("Scenario stopped: %1").arg(message), 8000);
    });

    auto *statusTimer = new QTimer(this);
    connect(statusTimer, &QTimer::timeout, this, &MainWindow::refreshStatus);
    statusTimer->start(250);
    refreshStatus();

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
    m_scenarioBanner = new QLabel(area);
    m_scenarioBanner->setWordWrap(true);
    m_scenarioBanner->setVisible(false);
    m_scenarioBanner->setFrameShape(QFrame::StyledPanel);
    m_scenarioBanner->setMargin(6);
    layout->addWidget(m_scenarioBanner);
    m_charts = new LiveCharts(m_host, *m_load, area);
    layout->addWidget(m_charts, 1);
    return area;
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QMenu *exportMenu = file->addMenu(tr("&Export"));
    exportMenu->addAction(tr("Trace (Chrome JSON, opens in Perfetto)…"), this, &MainWindow::exportTrace);
    exportMenu->addAction(tr("Last load result (JSON)…"), this, &MainWindow::exportLastResult);
    exportMenu->addAction(tr("Runs table (CSV)…"), this, &MainWindow::exportRuns);
    exportMenu->addAction(tr("Window image (PNG)…"), this, &MainWindow::exportWindowImage);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);

    QMenu *scenarioMenu = menuBar()->addMenu(tr("&Scenarios"));
    for (const Scenario &scenario : scenarios()) {
        QAction *action = scenarioMenu->addAction(scenario.title);
        action->setToolTip(scenario.watch);
        connect(action, &QAction::triggered, this, [this, &scenario] {
            if (const QString error = runScenario(scenario); !error.isEmpty())
                statusBar()->showMessage(tr("Scenario not started: %1").arg(error), 8000);
        });
    }
    scenarioMenu->setToolTipsVisible(true);
}

QString MainWindow::runScenario(const Scenario &scenario)
{
    const QString error = m_scenarios->start(scenario);
    if (error.isEmpty()) {
        m_scenarioBanner->setText(u"<b>" + scenario.title.toHtmlEscaped() + u"</b><br>"
                                  + scenario.watch.toHtmlEscaped().replace(u'\n', QStringLiteral("<br>")));
        m_scenarioBanner->setVisible(true);
    }
    return error;
}

void MainWindow::appendLog(const QString &level, const QString &line)
{
    m_log->appendPlainText(QStringLiteral("%1  %2  %3")
                                   .arg(QTime::currentTime().toString(QStringLiteral("HH:mm:ss.zzz")),
                                        level, line));
}

void MainWindow::refreshStatus()
{
    const http::ConnectionStats *stats = m_host.stats();
    if (!stats)
        return;
    const auto &hub = trace::TraceHub::instance();
    m_status->setText(tr("Listening on %1  ·  database: in-memory course services  ·  in flight: %2  ·  "
                         "loop lag: %3 ms%4  ·  dropped trace events: %5")
                              .arg(m_host.url())
                              .arg(stats->inFlightRequests.load())
                              .arg(m_host.loopLagNs() / 1e6, 0, 'f', 1)
                              .arg(m_host.loopStalled() ? tr(" (STALLED)") : QString())
                              .arg(hub.droppedEvents() + hub.subscriberDroppedEvents()));
}

namespace {
bool writeFile(QWidget *parent, const QString &caption, const QString &defaultName,
               const QString &filter, const QByteArray &bytes)
{
    const QString path = QFileDialog::getSaveFileName(parent, caption, defaultName, filter);
    if (path.isEmpty())
        return false;
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}
} // namespace

void MainWindow::exportTrace()
{
    trace::TraceHub::instance().flush();
    writeFile(this, tr("Export trace"), QStringLiteral("loopscope-trace.json"), tr("JSON (*.json)"),
              trace::TraceHub::instance().chromeTraceJson());
}

void MainWindow::exportRuns()
{
    writeFile(this, tr("Export runs"), QStringLiteral("loopscope-runs.csv"), tr("CSV (*.csv)"),
              m_runs->toCsv().toUtf8());
}

void MainWindow::exportLastResult()
{
    if (m_load->runs().isEmpty()) {
        statusBar()->showMessage(tr("No load run yet"), 4000);
        return;
    }
    writeFile(this, tr("Export load result"), QStringLiteral("loopscope-load.json"), tr("JSON (*.json)"),
              QJsonDocument(m_load->runs().constLast().result.toJson()).toJson());
}

void MainWindow::exportWindowImage()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export image"),
                                                      QStringLiteral("loopscope.png"), tr("PNG (*.png)"));
    if (!path.isEmpty())
        grab().save(path);
}

} // namespace loopscope
