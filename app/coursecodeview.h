#pragma once

#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace loopscope {

// The Code tab: for the route and variant last chosen (a request selected on the timeline, a
// route or variant picked in the routes panel), the course's Python beside the C++ coroutine
// that serves it, the variant's changed lines highlighted.
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

private:
    QLabel *m_title;
    QPlainTextEdit *m_python;
    QPlainTextEdit *m_cpp;
    QList<int> m_highlighted;
};

} // namespace loopscope
