#include "timelinecontrols.h"

#include "timelinekeys.h"
#include "timelinekeysdialog.h"
#include "timelinemodel.h"
#include "timelineview.h"

#include <QtCore/QLocale>
#include <QtWidgets/QHBoxLayout>
#include <QtWidgets/QToolButton>

namespace loopscope::viz {

namespace {
QToolButton *textButton(const QString &text, QWidget *parent)
{
    auto *button = new QToolButton(parent);
    button->setText(text);
    button->setToolButtonStyle(Qt::ToolButtonTextOnly);
    button->setAutoRaise(false);
    return button;
}
} // namespace

TimelineControls::TimelineControls(TimelineView *view, QWidget *parent)
    : QWidget(parent)
    , m_view(view)
    , m_live(textButton(QString(), this))
    , m_jump(textButton(tr("Jump to now"), this))
    , m_keys(textButton(tr("Keys and mouse…"), this))
{
    m_live->setObjectName(QStringLiteral("timelineLive"));
    m_jump->setObjectName(QStringLiteral("timelineJumpToNow"));
    m_keys->setObjectName(QStringLiteral("timelineKeys"));
    m_live->setCheckable(true);
    m_jump->setToolTip(tr("Show the newest activity and follow it (%1)")
                           .arg(timelineKeyFor(TimelineCommand::Follow).keysText()));
    m_keys->setToolTip(tr("Every key and mouse gesture the timeline accepts"));

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 2, 0, 2);
    layout->addWidget(m_live);
    layout->addWidget(m_jump);
    layout->addStretch(1);
    layout->addWidget(m_keys);

    connect(m_live, &QToolButton::clicked, this,
        [this] { m_view->run(TimelineCommand::ToggleFollowing); });
    connect(m_jump, &QToolButton::clicked, this, [this] { m_view->run(TimelineCommand::Follow); });
    connect(m_keys, &QToolButton::clicked, this, [this] { showTimelineKeys(window()); });
    connect(view->zoom(), &ZoomState::followingChanged, this, [this](bool following) {
        if (following)
            m_waiting = 0;
        refresh();
    });
    // Recording goes on while paused: say how much is waiting at the live edge.
    connect(view->model(), &TimelineModel::requestsAppended, this, [this](int count) {
        if (m_view->zoom()->isFollowing())
            return;
        m_waiting += count;
        refresh();
    });
    refresh();
}

void TimelineControls::refresh()
{
    const bool following = m_view->zoom()->isFollowing();
    const QString toggleKey = timelineKeyFor(TimelineCommand::ToggleFollowing).keysText();
    m_live->setChecked(following);
    m_jump->setEnabled(!following);
    if (following) {
        m_live->setText(tr("● Live"));
        m_live->setToolTip(
            tr("Following the newest activity. Drag, zoom or press %1 to pause.").arg(toggleKey));
        return;
    }
    m_live->setText(m_waiting > 0 ? tr("❚❚ Paused · +%1 new %2")
                                        .arg(QLocale().toString(m_waiting),
                                            m_waiting == 1 ? tr("request") : tr("requests"))
                                  : tr("❚❚ Paused"));
    m_live->setToolTip(tr("Paused; recording goes on. Click or press %1 to follow the newest "
                          "activity again.")
                           .arg(toggleKey));
}

} // namespace loopscope::viz
