#pragma once

#include <QtCore/QString>

#include <vector>

namespace loopscope::viz {

class ZoomState;

// What the timeline can be told to do from the keyboard or its controls.
enum class TimelineCommand
{
    ZoomIn,
    ZoomOut,
    PanEarlier,
    PanLater,
    ShowAll,
    GoToEnd,
    Follow,
    ToggleFollowing,
    LanesPageUp, // the lanes, not time: TimelineView::run scrolls them
    LanesPageDown,
};

// The commands that move time; the lanes' commands leave the zoom state alone.
void runTimelineCommand(ZoomState &zoom, TimelineCommand command);

// Every key the timeline accepts: the key handler looks keys up here and Help > Keys lists this
// same table, so the two cannot drift apart.
struct TimelineKey
{
    TimelineCommand command;
    std::vector<int> keys; // Qt::Key values, any of which does it; modifiers are ignored
    QString action;

    // "+ or =", as the keyboard names them.
    QString keysText() const;
};

const std::vector<TimelineKey> &timelineKeys();
// The entry `key` triggers, or nullptr.
const TimelineKey *findTimelineKey(int key);
const TimelineKey &timelineKeyFor(TimelineCommand command);

// What each mouse gesture does; the view's mouse handlers implement them.
struct TimelineGesture
{
    QString gesture;
    QString action;
};

const std::vector<TimelineGesture> &timelineGestures();

} // namespace loopscope::viz
