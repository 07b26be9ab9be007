#include "replaycontrols.h"

#include "replay.h"
#include "sessionclock.h"
#include "timelinemodel.h"
#include "timelineview.h"
#include "zoomstate.h"

#include <QtWidgets/QComboBox>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QLabel>
#include <QtWidgets/QSlider>
#include <QtWidgets/QToolButton>

namespace loopscope::viz {

namespace {

constexpr int kScrubberSteps = 10'000;

QToolButton *button(const QString &text, const QString &tip, QWidget *parent)
{
    auto *b = new QToolButton(parent);
    b->setText(text);
    b->setToolTip(tip);
    b->setToolButtonStyle(Qt::ToolButtonTextOnly);
    return b;
}

} // namespace

ReplayControls::ReplayControls(Replay &replay, TimelineView &view, QWidget *parent)
    : QWidget(parent)
    , m_replay(replay)
    , m_view(view)
    , m_back(button(QStringLiteral("« Step"), tr("Step back to the previous event"), this))
    , m_play(button(QStringLiteral("▶ Replay"), tr("Play the recording from the play head"), this))
    , m_forward(button(QStringLiteral("Step »"), tr("Step to the next event"), this))
    , m_speed(new QComboBox(this))
    , m_scrubber(new QSlider(Qt::Horizontal, this))
    , m_state(new QLabel(this))
{
    m_play->setObjectName(QStringLiteral("replayPlay"));
    m_speed->setObjectName(QStringLiteral("replaySpeed"));
    m_scrubber->setObjectName(QStringLiteral("replayScrubber"));
    for (const double speed : Replay::kSpeeds)
        m_speed->addItem(QStringLiteral("%1×").arg(speed), speed);
    m_speed->setCurrentIndex(m_speed->findData(1.0));
    m_speed->setToolTip(tr("Replay speed: 0.1× shows one await handing the loop to another"));
    m_scrubber->setRange(0, kScrubberSteps);
    m_scrubber->setToolTip(tr("The play head: drag to any instant of the recording"));
    m_state->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->addWidget(m_back);
    layout->addWidget(m_play);
    layout->addWidget(m_forward);
    layout->addWidget(m_speed);
    layout->addWidget(m_scrubber, 1);
    layout->addWidget(m_state, 2);

    connect(m_play, &QToolButton::clicked, this, [this] {
        if (m_replay.isPlaying()) {
            m_replay.pause();
        } else {
            m_view.setFollowing(true); // the play head at the right edge, the past before it
            m_replay.play();
        }
    });
    connect(m_back, &QToolButton::clicked, this, [this] {
        m_view.setFollowing(true);
        m_replay.stepBack();
    });
    connect(m_forward, &QToolButton::clicked, this, [this] {
        m_view.setFollowing(true);
        m_replay.stepForward();
    });
    connect(m_speed, &QComboBox::currentIndexChanged, this,
        [this] { m_replay.setSpeed(m_speed->currentData().toDouble()); });
    connect(m_scrubber, &QSlider::sliderMoved, this, [this](int step) {
        const double share = double(step) / kScrubberSteps;
        seek(m_replay.begin() + Nanos(share * double(m_replay.end() - m_replay.begin())));
    });
    connect(&m_replay, &Replay::playingChanged, this, [this](bool playing) {
        m_play->setText(playing ? QStringLiteral("❚❚ Pause") : QStringLiteral("▶ Replay"));
    });
    connect(&m_replay, &Replay::positionChanged, this, &ReplayControls::showPosition);
    showPosition(m_replay.position());
}

void ReplayControls::seek(Nanos position)
{
    m_view.setFollowing(true);
    m_replay.seek(position);
}

void ReplayControls::setSpeed(double speed)
{
    m_replay.setSpeed(speed);
    const int index = m_speed->findData(m_replay.speed());
    if (index >= 0)
        m_speed->setCurrentIndex(index);
}

void ReplayControls::showPosition(qint64 position)
{
    const Nanos span = std::max<Nanos>(1, m_replay.end() - m_replay.begin());
    if (!m_scrubber->isSliderDown()) {
        const QSignalBlocker quiet(m_scrubber);
        m_scrubber->setValue(
            int(double(position - m_replay.begin()) / double(span) * kScrubberSteps));
    }
    m_state->setText(stateText());
}

QString ReplayControls::stateText() const
{
    const ReplayState state = m_replay.state();
    QString text = trace::formatSessionTime(state.at) + QStringLiteral(" · ")
        + tr("%n in flight", nullptr, state.inFlight());
    const TimelineModel &whole = m_replay.wholeRecording();
    const TimelineSpan *owner = state.onLoop ? whole.find(state.onLoop) : nullptr;
    text += owner ? QStringLiteral(": ")
            + tr("on the loop %1%2")
                  .arg(whole.displayName(*owner), state.loopBlocked ? tr(", blocking") : QString())
                  : QStringLiteral(": ") + tr("the loop is free");
    const auto add = [&text](std::size_t count, const QString &what) {
        if (count)
            text += QStringLiteral(" · %1 %2").arg(count).arg(what);
    };
    add(state.awaiting.size(), tr("awaiting"));
    add(state.onWorker.size(), tr("on a worker"));
    add(state.queued.size(), tr("queued"));
    add(state.unread.size(), tr("unread in socket"));
    return text;
}

} // namespace loopscope::viz
