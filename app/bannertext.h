#pragma once

#include <QScrollArea>

class QLabel;

namespace loopscope {

// The banner's words: rich text that takes the height it needs up to a sixth of the window
// (three lines at least), and scrolls beyond. A finished lesson's claims run to ten lines; on a
// 1024×700 window they would otherwise push the timeline off. It asks the window for no more
// than three lines, so it never makes the window taller.
class BannerText : public QScrollArea
{
    Q_OBJECT
public:
    explicit BannerText(QWidget *parent = nullptr);

    void setText(const QString &text);
    QString text() const;
    QLabel *label() const { return m_label; }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

private:
    int threeLines() const;

    QLabel *m_label;
};

} // namespace loopscope
