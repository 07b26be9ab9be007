#pragma once

#include "timemapping.h"

#include <QtWidgets/QWidget>

class QComboBox;
class QLabel;
class QSlider;
class QToolButton;

namespace loopscope::viz {

class Replay;
class TimelineView;

// The replay bar under a recording's timeline: step back, play/pause, step forward, the speed
// (0.05× to 4×), a scrubber over the whole recording, and what the session was doing at the
// play head ("12.345 s · 5 in flight: on the loop GET /async #7, blocking · 2 awaiting · …").
class ReplayControls : public QWidget
{
    Q_OBJECT
public:
    ReplayControls(Replay &replay, TimelineView &view, QWidget *parent = nullptr);

    QToolButton *playButton() const { return m_play; }
    QComboBox *speedBox() const { return m_speed; }
    QSlider *scrubber() const { return m_scrubber; }
    QString stateText() const;
    // What the controls do, for a caller that sets the replay up (the command line): the play
    // head at an instant with the view following it, and the speed, shown in the box.
    void seek(Nanos position);
    void setSpeed(double speed);

private:
    void showPosition(qint64 position);

    Replay &m_replay;
    TimelineView &m_view;
    QToolButton *m_back;
    QToolButton *m_play;
    QToolButton *m_forward;
    QComboBox *m_speed;
    QSlider *m_scrubber;
    QLabel *m_state;
};

} // namespace loopscope::viz
