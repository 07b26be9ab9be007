#include "mainwindow.h"

#include "serverhost.h"
#include "http/connectionstats.h"

#include <QButtonGroup>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QRadioButton>
#include <QSplitter>
#include <QStatusBar>
#include <QTableWidget>
#include <QTime>
#include <QTimer>

namespace loopscope {

MainWindow::MainWindow(ServerHost &host, QWidget *parent) : QMainWindow(parent), m_host(host)
{
    setWindowTitle(QStringLiteral("Loopscope — %1").arg(host.url()));
    auto *splitter = new QSplitter(Qt::Vertical, this);
    splitter->addWidget(createRoutesPanel());
    m_log = new QPlainTextEdit(splitter);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(5000);
    m_log->setPlaceholderText(QStringLiteral("Server log: background task lines appear here"));
    splitter->addWidget(m_log);
    setCentralWidget(splitter);

    m_status = new QLabel(this);
    statusBar()->addPermanentWidget(m_status, 1);
    connect(&host.log(), &ServerLog::message, this, &MainWindow::appendLog);
    auto *statusTimer = new QTimer(this);
    connect(statusTimer, &QTimer::timeout, this, &MainWindow::refreshStatus);
    statusTimer->start(250);
    refreshStatus();
    resize(900, 640);
}

QWidget *MainWindow::createRoutesPanel()
{
    ModeTable &modes = m_host.modes();
    auto *table = new QTableWidget(modes.size(), 4, this);
    table->setHorizontalHeaderLabels({ QStringLiteral("Route"), QStringLiteral("async"),
                                       QStringLiteral("threadpool"), QStringLiteral("blocking") });
    table->verticalHeader()->hide();
    table->setSelectionMode(QAbstractItemView::NoSelection);
    table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int row = 0; row < modes.size(); ++row) {
        const ModeTable::Entry &entry = modes.entry(row);
        auto *name = new QTableWidgetItem(entry.route);
        name->setFlags(Qt::ItemIsEnabled);
        table->setItem(row, 0, name);
        auto *group = new QButtonGroup(table);
        for (auto variant : { HandlerVariant::Async, HandlerVariant::ThreadPool, HandlerVariant::Blocking }) {
            auto *button = new QRadioButton(table);
            button->setEnabled(entry.allowed & variantBit(variant));
            button->setChecked(entry.current.load() == variant);
            button->setToolTip(QStringLiteral("Run %1 as %2").arg(entry.route, variantName(variant)));
            group->addButton(button);
            table->setCellWidget(row, 1 + static_cast<int>(variant), button);
            connect(button, &QRadioButton::toggled, this, [this, route = entry.route, variant](bool on) {
                if (on)
                    m_host.modes().set(route, variantName(variant));
            });
        }
    }
    return table;
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
    m_status->setText(QStringLiteral("Listening on %1   ·   in flight: %2   ·   connections: %3   ·   requests: %4")
                              .arg(m_host.url())
                              .arg(stats->inFlightRequests.load())
                              .arg(stats->openConnections.load())
                              .arg(stats->requests.load()));
}

} // namespace loopscope
