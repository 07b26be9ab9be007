#pragma once

#include "timelinespan.h"

#include <QWidget>

#include <optional>

class QLabel;
class QPlainTextEdit;

namespace loopscope {

// The Code tab: for the route and variant last chosen (a request selected on the timeline, a
// route or variant picked in the routes panel), the course's Python beside the C++ coroutine
// that serves it, the variant's changed lines highlighted, and the line where the selected request
// waits at the time cursor (or the replay's play head) marked.
class CourseCodeView : public QWidget
{
    Q_OBJECT
public:
    explicit CourseCodeView(QWidget *parent = nullptr);

    void showRoute(const QString &route, const QString &variant);
    QString title() const;
    QString python() const;
    QString cpp() const;
    // The Python lines drawn highlighted: the variant's change from the course's code.
    QList<int> highlightedLines() const;
    // Marks the Python line of the wait labelled `waitLabel` (pythonLineOfWait) in the colour
    // the timeline draws `kind` in (awaiting, blocking), or none for an empty label or a wait
    // the course's code does not show.
    void showWaitingAt(const QString &waitLabel, viz::SegmentKind kind);
    int waitingLine() const { return m_waiting; } // -1: none marked
    // The same for what `span` (the selected request) was doing at `instant`: its wait's line
    // while it awaited or blocked, none while it ran, or without a span or an instant.
    void showWaitOf(const viz::TimelineSpan *span, std::optional<viz::Nanos> instant);

private:
    void applyMarks();

    QLabel *m_title;
    QString m_routeTitle; // the route's line of the title; applyMarks adds the wait's
    QPlainTextEdit *m_python;
    QPlainTextEdit *m_cpp;
    QList<int> m_highlighted;
    QString m_waitLabel;
    viz::SegmentKind m_waitKind = viz::SegmentKind::Awaiting;
    int m_waiting = -1;
};

} // namespace loopscope
