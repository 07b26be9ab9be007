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

#include <algorithm>
#include <functional>

namespace loopscope {

namespace {
// A request count typed past the maximum is taken as the maximum, and the panel says so, instead
// of the spin box silently refusing the digits that do not fit.
class RequestCountBox : public QSpinBox
{
public:
    using QSpinBox::QSpinBox;
    std::function<void(const QString &typed)> onCapped;

protected:
    QValidator::State validate(QString &input, int &pos) const override
    {
        return isPastMaximum(input) ? QValidator::Intermediate : QSpinBox::validate(input, pos);
    }
    void fixup(QString &input) const override
    {
        if (!isPastMaximum(input))
            return QSpinBox::fixup(input);
        if (onCapped)
            onCapped(input.trimmed());
        input = QString::number(maximum());
    }

private:
    bool isPastMaximum(const QString &input) const
    {
        bool isNumber = false;
        const qlonglong typed = input.trimmed().toLongLong(&isNumber);
        return isNumber && typed > maximum();
    }
};
} // namespace

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

    auto *requests = new RequestCountBox(this);
    requests->onCapped = [this](const QString &typed) {
        const QString text = tr("Requests capped at %1 (%2 asked)").arg(kMaxRequests).arg(typed);
        m_progressText->setText(text);
        emit message(text);
    };
    m_requests = requests;
    m_requests->setRange(0, kMaxRequests);
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
    m_progressText->setWordWrap(true);
    form->addRow(m_progress);
    form->addRow(m_progressText);

    connect(m_route, &QComboBox::currentIndexChanged, this, &LoadPanel::onRouteChosen);
    connect(m_openLoop, &QRadioButton::toggled, m_rate, &QWidget::setEnabled);
    connect(m_start, &QPushButton::clicked, this, &LoadPanel::start);
    connect(m_stop, &QPushButton::clicked, &m_controller, &LoadController::stop);
    connect(&m_controller, &LoadController::progress, this, &LoadPanel::onProgress);
    connect(&m_controller, &LoadController::runStarted, this, &LoadPanel::onRunStarted);
    connect(&m_controller, &LoadController::runFinished, this, [this](const RunSummary &run) {
        onRunFinished(run.stopped, run.completed, run.result.elapsedSeconds());
    });
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
    if (const Result started = m_controller.start(tr("manual"), route, plan); !started) {
        const QString text = tr("Load not started: %1").arg(started.message());
        m_progressText->setText(text);
        emit message(text);
    }
}

QString LoadPanel::progressText() const
{
    return m_progressText->text();
}

void LoadPanel::showPlan(const QString &route, const QByteArray &target)
{
    // The fields say what runs now, even when a scenario chose it.
    const QSignalBlocker blockRoute(m_route);
    if (const int index = m_route->findText(route); index >= 0)
        m_route->setCurrentIndex(index);
    m_target->setText(QString::fromUtf8(target));
    const load::LoadPlan &plan = m_controller.plan();
    m_requests->setValue(int(std::min<qint64>(plan.totalRequests, kMaxRequests)));
    m_concurrency->setValue(plan.concurrency);
    m_openLoop->setChecked(plan.isOpenLoop());
    m_closedLoop->setChecked(!plan.isOpenLoop());
    if (plan.isOpenLoop())
        m_rate->setValue(plan.rate);
    m_duration->setValue(double(plan.duration.count()) / 1e9);
    m_keepAlive->setChecked(plan.keepAlive);
}

void LoadPanel::onRunStarted(const QString &label)
{
    const load::LoadPlan &plan = m_controller.plan();
    showPlan(
        m_controller.route(), plan.requests.isEmpty() ? QByteArray() : plan.requests[0].target);
    m_runLabel = label;
    m_runDurationSeconds = double(plan.duration.count()) / 1e9;
    m_progress->setRange(0, 100);
    m_progress->setValue(0);
    m_progressText->setText(tr("%1: starting").arg(label));
    setRunning(true);
}

void LoadPanel::onRunFinished(bool stopped, qint64 completed, double elapsedSeconds)
{
    setRunning(false);
    const QString took = QString::number(elapsedSeconds, 'f', 1);
    if (stopped) {
        // The bar stays where Stop left it: the run did not do all it planned.
        m_progressText->setText(
            tr("%1: stopped after %2 requests, %3 s").arg(m_runLabel).arg(completed).arg(took));
        return;
    }
    m_progress->setValue(100);
    m_progressText->setText(
        tr("%1: done, %2 requests in %3 s").arg(m_runLabel).arg(completed).arg(took));
}

double LoadPanel::progressFraction(
    qint64 done, qint64 total, double elapsedSeconds, double durationSeconds)
{
    double fraction = 0;
    if (total > 0)
        fraction = double(done) / double(total);
    if (durationSeconds > 0)
        fraction = std::max(fraction, elapsedSeconds / durationSeconds);
    return std::clamp(fraction, 0.0, 1.0);
}

void LoadPanel::setRunning(bool running)
{
    m_start->setEnabled(!running);
    m_stop->setEnabled(running);
}

void LoadPanel::onProgress(qint64 done, qint64 total, double elapsedSeconds, double etaSeconds)
{
    m_progress->setValue(
        qRound(100 * progressFraction(done, total, elapsedSeconds, m_runDurationSeconds)));
    const QString counted
        = total > 0 ? tr("%1 / %2 requests").arg(done).arg(total) : tr("%1 requests").arg(done);
    QString text = tr("%1: %2 · %3 s elapsed")
                       .arg(m_runLabel, counted, QString::number(elapsedSeconds, 'f', 1));
    if (etaSeconds >= 0)
        text += tr(" · ETA %1 s").arg(etaSeconds, 0, 'f', 1);
    m_progressText->setText(text);
}

} // namespace loopscope
