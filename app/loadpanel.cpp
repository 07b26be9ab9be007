#include "loadpanel.h"

#include "core/modetable.h"
#include "loadcontroller.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QSpinBox>

namespace loopscope {

QByteArray exampleTarget(const QString &routeKey)
{
    static const QHash<QString, QByteArray> examples {
        { QStringLiteral("GET /sync"), "/sync?delay=0.5" },
        { QStringLiteral("GET /async"), "/async?delay=0.5" },
        { QStringLiteral("POST /users/"), "/users/?username=ada&email=ada%40example.com" },
        { QStringLiteral("POST /products/"), "/products/?name=lamp&price=9.5" },
        { QStringLiteral("POST /signup"), "/signup?username=ada&email=ada%40example.com" },
        { QStringLiteral("GET /cpu"), "/cpu?n=300000" },
    };
    if (const auto it = examples.find(routeKey); it != examples.end())
        return *it;
    QString path = routeKey.section(u' ', 1);
    path.replace(QRegularExpression(QStringLiteral("\\{[^}]+\\}")), QStringLiteral("1"));
    return path.toUtf8();
}

LoadPanel::LoadPanel(LoadController &controller, const ModeTable &modes, QWidget *parent)
    : QWidget(parent)
    , m_controller(controller)
{
    auto *form = new QFormLayout(this);
    m_route = new QComboBox(this);
    for (int i = 0; i < modes.size(); ++i)
        m_route->addItem(modes.entry(i).route);
    m_target = new QLineEdit(this);
    form->addRow(tr("Route"), m_route);
    form->addRow(tr("Target"), m_target);

    m_closedLoop = new QRadioButton(tr("Closed loop (like ab)"), this);
    m_openLoop = new QRadioButton(tr("Open loop (like wrk2)"), this);
    m_closedLoop->setChecked(true);
    auto *models = new QHBoxLayout;
    models->addWidget(m_closedLoop);
    models->addWidget(m_openLoop);
    form->addRow(tr("Model"), models);

    m_requests = new QSpinBox(this);
    m_requests->setRange(0, 10'000'000);
    m_requests->setValue(100);
    m_requests->setSpecialValueText(tr("no limit"));
    m_concurrency = new QSpinBox(this);
    m_concurrency->setRange(1, 10000);
    m_concurrency->setValue(10);
    m_rate = new QDoubleSpinBox(this);
    m_rate->setRange(1, 1'000'000);
    m_rate->setValue(100);
    m_rate->setSuffix(tr(" req/s"));
    m_rate->setEnabled(false);
    m_duration = new QDoubleSpinBox(this);
    m_duration->setRange(0, 3600);
    m_duration->setSuffix(tr(" s"));
    m_duration->setSpecialValueText(tr("no limit"));
    m_keepAlive = new QCheckBox(tr("Keep-alive (-k)"), this);
    form->addRow(tr("Requests (-n)"), m_requests);
    form->addRow(tr("Concurrency (-c)"), m_concurrency);
    form->addRow(tr("Rate"), m_rate);
    form->addRow(tr("Duration"), m_duration);
    form->addRow(QString(), m_keepAlive);

    m_start = new QPushButton(tr("Start"), this);
    m_stop = new QPushButton(tr("Stop"), this);
    m_stop->setEnabled(false);
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_start);
    buttons->addWidget(m_stop);
    form->addRow(buttons);
    m_progress = new QProgressBar(this);
    m_progressText = new QLabel(tr("idle"), this);
    form->addRow(m_progress);
    form->addRow(m_progressText);

    connect(m_route, &QComboBox::currentIndexChanged, this, &LoadPanel::onRouteChosen);
    connect(m_openLoop, &QRadioButton::toggled, m_rate, &QWidget::setEnabled);
    connect(m_start, &QPushButton::clicked, this, &LoadPanel::start);
    connect(m_stop, &QPushButton::clicked, &m_controller, &LoadController::stop);
    connect(&m_controller, &LoadController::progress, this, &LoadPanel::onProgress);
    connect(&m_controller, &LoadController::runFinished, this, [this] { setRunning(false); });
    onRouteChosen(m_route->currentIndex());
}

void LoadPanel::onRouteChosen(int index)
{
    if (index >= 0)
        m_target->setText(QString::fromUtf8(exampleTarget(m_route->itemText(index))));
}

void LoadPanel::start()
{
    const QString route = m_route->currentText();
    load::LoadPlan plan;
    load::RequestTemplate request;
    request.method = route.section(u' ', 0, 0).toLatin1();
    request.target = m_target->text().toUtf8();
    plan.requests = { request };
    plan.totalRequests = m_requests->value();
    plan.duration = std::chrono::milliseconds(qRound64(m_duration->value() * 1000));
    plan.concurrency = m_concurrency->value();
    plan.keepAlive = m_keepAlive->isChecked();
    plan.rate = m_openLoop->isChecked() ? m_rate->value() : 0;
    QString error;
    if (!m_controller.start(tr("manual"), route, plan, &error)) {
        emit message(tr("Load not started: %1").arg(error));
        return;
    }
    m_progress->setRange(0, plan.totalRequests > 0 ? 100 : 0);
    m_progress->setValue(0);
    setRunning(true);
}

void LoadPanel::setRunning(bool running)
{
    m_start->setEnabled(!running);
    m_stop->setEnabled(running);
    if (!running) {
        if (m_progress->maximum() == 0)
            m_progress->setRange(0, 100);
        m_progress->setValue(100);
        m_progressText->setText(tr("done"));
    }
}

void LoadPanel::onProgress(qint64 done, qint64 total, double elapsedSeconds, double etaSeconds)
{
    if (total > 0) {
        m_progress->setRange(0, 100);
        m_progress->setValue(int(100 * done / total));
    }
    m_progressText->setText(etaSeconds >= 0
            ? tr("%1 / %2 requests · %3 s elapsed · ETA %4 s")
                  .arg(done)
                  .arg(total)
                  .arg(elapsedSeconds, 0, 'f', 1)
                  .arg(etaSeconds, 0, 'f', 1)
            : tr("%1 requests · %2 s elapsed").arg(done).arg(elapsedSeconds, 0, 'f', 1));
}

} // namespace loopscope
