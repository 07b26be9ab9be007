#pragma once

#include <QtWidgets/QWidget>

class QToolButton;

namespace loopscope::viz {

class TimelineView;

// The bar above the timeline: Live/Paused, jump to now, and the keys. Always on screen: its
// minimum width is its buttons', so no window width hides them (the legend used to drop the
// paused hint when it was too wide). While paused it counts the requests recorded meanwhile.
class TimelineControls : public QWidget
{
    Q_OBJECT
public:
    explicit TimelineControls(TimelineView *view, QWidget *parent = nullptr);

    QToolButton *liveButton() const { return m_live; }
    QToolButton *jumpButton() const { return m_jump; }
    QToolButton *keysButton() const { return m_keys; }
    // Requests that arrived since the timeline paused; 0 while it follows.
    qint64 waitingRequests() const { return m_waiting; }

private:
    void refresh();

    TimelineView *m_view;
    QToolButton *m_live;
    QToolButton *m_jump;
    QToolButton *m_keys;
    qint64 m_waiting = 0;
};

} // namespace loopscope::viz
