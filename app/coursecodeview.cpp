#include "coursecodeview.h"

#include "coursecode.h"
#include "timelinemodel.h"
#include "timelinepalette.h"

#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QSplitter>
#include <QTextBlock>
#include <QVBoxLayout>

namespace loopscope {

namespace {
// The marker the course-code file puts on a variant's changed lines.
const QLatin1StringView kChangeMarker("# <-");

QPlainTextEdit *codeEditor(QWidget *parent)
{
    auto *editor = new QPlainTextEdit(parent);
    editor->setReadOnly(true);
    editor->setLineWrapMode(QPlainTextEdit::NoWrap);
    editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return editor;
}

} // namespace

CourseCodeView::CourseCodeView(QWidget *parent)
    : QWidget(parent)
    , m_title(new QLabel(this))
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    m_title->setWordWrap(true);
    layout->addWidget(m_title);
    auto *split = new QSplitter(Qt::Horizontal, this);
    m_python = codeEditor(split);
    m_cpp = codeEditor(split);
    split->addWidget(m_python);
    split->addWidget(m_cpp);
    layout->addWidget(split, 1);
    m_title->setText(tr("Select a request on the timeline or a route in the routes panel to "
                        "see the course's Python beside the C++ that serves it."));
}

void CourseCodeView::showRoute(const QString &route, const QString &variant)
{
    const CourseCode code = courseCodeFor(route, variant);
    m_routeTitle = tr("<b>%1</b> · %2 variant — left: the course's Python (changed lines "
                      "highlighted); right: %3, which serves it here")
                       .arg(route.toHtmlEscaped(), variant, code.cppFile);
    m_python->setPlainText(code.python.isEmpty()
            ? tr("# The course has no code for %1 as %2.").arg(route, variant)
            : code.python);
    m_cpp->setPlainText(
        code.cpp.isEmpty() ? tr("// No C++ handler found for %1.").arg(route) : code.cpp);

    m_highlighted.clear();
    for (QTextBlock block = m_python->document()->begin(); block.isValid(); block = block.next()) {
        if (block.text().contains(kChangeMarker))
            m_highlighted.append(block.blockNumber());
    }
    m_waiting = code.python.isEmpty() ? -1 : pythonLineOfWait(code.python, m_waitLabel);
    applyMarks();
}

void CourseCodeView::showWaitingAt(const QString &waitLabel, viz::SegmentKind kind)
{
    if (waitLabel == m_waitLabel && kind == m_waitKind)
        return;
    m_waitLabel = waitLabel;
    m_waitKind = kind;
    m_waiting = waitLabel.isEmpty() ? -1 : pythonLineOfWait(python(), waitLabel);
    applyMarks();
}

void CourseCodeView::showWaitOf(const viz::TimelineSpan *span, std::optional<viz::Nanos> instant)
{
    const viz::Segment *segment = span && instant ? span->segmentAt(*instant) : nullptr;
    const bool waits = segment && segment->label
        && (segment->kind == viz::SegmentKind::Awaiting
            || segment->kind == viz::SegmentKind::Blocking);
    if (!waits) {
        showWaitingAt({}, viz::SegmentKind::Awaiting);
        return;
    }
    showWaitingAt(viz::TimelineModel::labelText(segment->label), segment->kind);
}

void CourseCodeView::applyMarks()
{
    const auto markLine = [this](int line, const QColor &background) {
        QTextEdit::ExtraSelection mark;
        mark.cursor = QTextCursor(m_python->document()->findBlockByNumber(line));
        mark.format.setBackground(background);
        mark.format.setProperty(QTextFormat::FullWidthSelection, true);
        return mark;
    };
    QList<QTextEdit::ExtraSelection> marks;
    QColor changed = palette().highlight().color();
    changed.setAlpha(60);
    for (const int line : std::as_const(m_highlighted))
        marks.append(markLine(line, changed));
    if (m_waiting >= 0) {
        // The colour of the bar the request is in on the timeline: suspended (awaiting) or
        // blocking the loop.
        QColor waiting = viz::TimelinePalette::from(palette()).segmentColor(m_waitKind, false);
        waiting.setAlpha(140);
        marks.append(markLine(m_waiting, waiting));
        m_python->setTextCursor(QTextCursor(m_python->document()->findBlockByNumber(m_waiting)));
        m_python->ensureCursorVisible();
    }
    m_python->setExtraSelections(marks);
    if (m_routeTitle.isEmpty())
        return; // no route shown yet: the title still says how to choose one
    // Said in words too: the mark's colour alone could pass for a changed line's.
    m_title->setText(m_waiting < 0 ? m_routeTitle
                                   : m_routeTitle
                + tr("<br>Marked in the bar's colour: where the selected request %1 at that moment "
                     "(<i>%2</i>)")
                      .arg(m_waitKind == viz::SegmentKind::Blocking ? tr("blocks the loop")
                                                                    : tr("is suspended"),
                          m_waitLabel.toHtmlEscaped()));
}

QString CourseCodeView::title() const
{
    return m_title->text();
}

QString CourseCodeView::python() const
{
    return m_python->toPlainText();
}

QString CourseCodeView::cpp() const
{
    return m_cpp->toPlainText();
}

QList<int> CourseCodeView::highlightedLines() const
{
    return m_highlighted;
}

} // namespace loopscope
