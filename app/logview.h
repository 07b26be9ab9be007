#pragma once

#include "trace/trace.h"

#include <QPlainTextEdit>

#include <optional>

namespace loopscope {

namespace viz {
class TimeCursor;
}

// The Log tab: the server's lines, each at its session time (the timeline's axis, the charts'
// x) with the wall clock beside it. Clicking a line moves the window's time cursor to it.
class LogView : public QPlainTextEdit
{
    Q_OBJECT
public:
    explicit LogView(viz::TimeCursor &cursor, QWidget *parent = nullptr);

    // `at` is when the line was written, on the trace clock.
    void append(const QString &level, const QString &line, qint64 at);
    // How the wall-clock column is read off the trace clock: realtime = trace + offset. This
    // process's (trace::realtimeOffsetNs()) unless the lines come from a recording.
    void setRealtimeOffset(trace::Nanos offset) { m_realtimeOffset = offset; }
    // When the line holding the given text block was written; none for a block of no line.
    std::optional<trace::Nanos> instantOf(const QTextBlock &block) const;

protected:
    void mouseReleaseEvent(QMouseEvent *event) override;

private:
    viz::TimeCursor &m_cursor;
    trace::Nanos m_realtimeOffset;
};

} // namespace loopscope
