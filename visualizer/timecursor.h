#pragma once

#include "timemapping.h"

#include <QtCore/QObject>

#include <optional>

class QColor;
class QPainter;

namespace loopscope::viz {

// The instant the user points at, shared by every view that shows time: hovering the timeline
// or a chart sets it, clicking a time (a log line, an inspector row, a run) jumps to it, and each
// view draws a line there. One per window.
class TimeCursor : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    std::optional<Nanos> instant() const { return m_instant; } // trace clock
    // Hovering: the views redraw the line where it is.
    void setInstant(Nanos instant);
    // Clicking: the same, and views that scroll bring the instant on screen.
    void jumpTo(Nanos instant);
    void clear();

Q_SIGNALS:
    void changed();
    void jumped(qint64 instant);

private:
    std::optional<Nanos> m_instant;
};

// The cursor's line from top to bottom at its instant on the axis `m`, labelled with its session
// time at labelTop; nothing when the instant is off the axis.
void paintTimeCursor(QPainter &p, const TimeMapping &m, Nanos instant, int top, int bottom,
    int labelTop, const QColor &color);

} // namespace loopscope::viz
