#include "logview.h"

#include "timecursor.h"
#include "trace/realtimeclock.h"
#include "trace/sessionclock.h"

#include <QDateTime>
#include <QMouseEvent>
#include <QTextBlock>

namespace loopscope {

namespace {

// A line's trace time, on each text block the line fills.
class LineInstant : public QTextBlockUserData
{
public:
    explicit LineInstant(trace::Nanos at)
        : at(at)
    { }
    const trace::Nanos at;
};

} // namespace

LogView::LogView(viz::TimeCursor &cursor, QWidget *parent)
    : QPlainTextEdit(parent)
    , m_cursor(cursor)
    , m_realtimeOffset(trace::realtimeOffsetNs())
{
    setReadOnly(true);
    setMaximumBlockCount(5000);
    setPlaceholderText(
        tr("Server log: background task lines such as 'Product created' appear here, each at its "
           "session time (the timeline's axis) and wall-clock time; click one to find it on the "
           "timeline"));
}

void LogView::append(const QString &level, const QString &line, qint64 at)
{
    // The wall clock of the moment the line was written, not of the moment it is shown, by the
    // one offset sampled per process: the same instant always reads the same.
    const QDateTime wall = QDateTime::fromMSecsSinceEpoch((at + m_realtimeOffset) / 1'000'000);
    const QString text = QStringLiteral("%1  %2  %3  %4")
                             .arg(trace::formatSessionTime(at), 10)
                             .arg(wall.toString(QStringLiteral("HH:mm:ss.zzz")), level, line);
    appendPlainText(text);
    QTextBlock block = document()->lastBlock();
    for (qsizetype lines = text.count(u'\n') + 1; lines > 0 && block.isValid(); --lines) {
        block.setUserData(new LineInstant(at));
        block = block.previous();
    }
}

std::optional<trace::Nanos> LogView::instantOf(const QTextBlock &block) const
{
    if (const auto *instant = dynamic_cast<const LineInstant *>(block.userData()))
        return instant->at;
    return std::nullopt;
}

void LogView::mouseReleaseEvent(QMouseEvent *event)
{
    QPlainTextEdit::mouseReleaseEvent(event);
    // A click, not the end of a selection.
    if (event->button() != Qt::LeftButton || textCursor().hasSelection())
        return;
    if (const auto at = instantOf(cursorForPosition(event->position().toPoint()).block()))
        m_cursor.jumpTo(*at);
}

} // namespace loopscope
