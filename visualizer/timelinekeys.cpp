#include "timelinekeys.h"

#include "zoomstate.h"

#include <QtCore/QStringList>
#include <QtGui/QKeySequence>

#include <algorithm>

namespace loopscope::viz {

void runTimelineCommand(ZoomState &zoom, TimelineCommand command)
{
    switch (command) {
    case TimelineCommand::ZoomIn:
        zoom.zoomCentered(1.5);
        return;
    case TimelineCommand::ZoomOut:
        zoom.zoomCentered(1 / 1.5);
        return;
    case TimelineCommand::PanEarlier:
        zoom.panByFraction(-0.1);
        return;
    case TimelineCommand::PanLater:
        zoom.panByFraction(0.1);
        return;
    case TimelineCommand::ShowAll:
        zoom.showAll();
        return;
    case TimelineCommand::GoToEnd:
        zoom.goToEnd();
        return;
    case TimelineCommand::Follow:
        zoom.setFollowing(true);
        return;
    case TimelineCommand::ToggleFollowing:
        zoom.setFollowing(!zoom.isFollowing());
        return;
    case TimelineCommand::LanesPageUp:
    case TimelineCommand::LanesPageDown:
        return;
    }
}

QString TimelineKey::keysText() const
{
    QStringList names;
    for (const int key : keys)
        names << QKeySequence(key).toString(QKeySequence::NativeText);
    return names.join(QStringLiteral(" or "));
}

const std::vector<TimelineKey> &timelineKeys()
{
    using C = TimelineCommand;
    static const std::vector<TimelineKey> keys {
        { C::ZoomIn, { Qt::Key_Plus, Qt::Key_Equal }, QStringLiteral("zoom in (pauses)") },
        { C::ZoomOut, { Qt::Key_Minus }, QStringLiteral("zoom out (pauses)") },
        { C::PanEarlier, { Qt::Key_Left }, QStringLiteral("look earlier (pauses)") },
        { C::PanLater, { Qt::Key_Right }, QStringLiteral("look later (pauses)") },
        { C::ShowAll, { Qt::Key_Home }, QStringLiteral("show everything retained (pauses)") },
        { C::GoToEnd, { Qt::Key_End }, QStringLiteral("show the newest data, paused") },
        { C::Follow, { Qt::Key_F }, QStringLiteral("jump to now and follow it (live)") },
        { C::ToggleFollowing, { Qt::Key_Space }, QStringLiteral("pause or go live") },
        { C::LanesPageUp, { Qt::Key_PageUp }, QStringLiteral("scroll the lanes up a page") },
        { C::LanesPageDown, { Qt::Key_PageDown }, QStringLiteral("scroll the lanes down a page") },
    };
    return keys;
}

const TimelineKey *findTimelineKey(int key)
{
    for (const TimelineKey &entry : timelineKeys()) {
        if (std::find(entry.keys.begin(), entry.keys.end(), key) != entry.keys.end())
            return &entry;
    }
    return nullptr;
}

const TimelineKey &timelineKeyFor(TimelineCommand command)
{
    const auto &keys = timelineKeys();
    return *std::find_if(
        keys.begin(), keys.end(), [command](const TimelineKey &k) { return k.command == command; });
}

const std::vector<TimelineGesture> &timelineGestures()
{
    static const std::vector<TimelineGesture> gestures {
        { QStringLiteral("Wheel"), QStringLiteral("zoom around the pointer (pauses)") },
        { QStringLiteral("Left-drag"), QStringLiteral("pan (pauses)") },
        { QStringLiteral("Shift+left-drag or right-drag"),
            QStringLiteral("zoom to the dragged span of time (pauses)") },
        { QStringLiteral("Click a bar"),
            QStringLiteral("select the request: the inspector shows it, and arrows link it to "
                           "the tasks and jobs it started") },
        { QStringLiteral("Shift+wheel or the scroll bar"),
            QStringLiteral("scroll the lanes when they do not all fit") },
        { QStringLiteral("Click a group's title"),
            QStringLiteral("fold its lanes into one row, or unfold them") },
        { QStringLiteral("Hover"), QStringLiteral("tooltip: the request, its states and stalls") },
    };
    return gestures;
}

} // namespace loopscope::viz
