#include "coursecodeview.h"

#include "coursecode.h"

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
    m_title->setText(tr("<b>%1</b> · %2 variant — left: the course's Python (changed lines "
                        "highlighted); right: %3, which serves it here")
                         .arg(route.toHtmlEscaped(), variant, code.cppFile));
    m_python->setPlainText(code.python.isEmpty()
            ? tr("# The course has no code for %1 as %2.").arg(route, variant)
            : code.python);
    m_cpp->setPlainText(
        code.cpp.isEmpty() ? tr("// No C++ handler found for %1.").arg(route) : code.cpp);

    m_highlighted.clear();
    QList<QTextEdit::ExtraSelection> marks;
    QColor background = palette().highlight().color();
    background.setAlpha(60);
    for (QTextBlock block = m_python->document()->begin(); block.isValid(); block = block.next()) {
        if (!block.text().contains(kChangeMarker))
            continue;
        QTextEdit::ExtraSelection mark;
        mark.cursor = QTextCursor(block);
        mark.format.setBackground(background);
        mark.format.setProperty(QTextFormat::FullWidthSelection, true);
        marks.append(mark);
        m_highlighted.append(block.blockNumber());
    }
    m_python->setExtraSelections(marks);
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
