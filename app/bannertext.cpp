#include "bannertext.h"

#include <QLabel>
#include <QScrollBar>

#include <algorithm>

namespace loopscope {

BannerText::BannerText(QWidget *parent)
    : QScrollArea(parent)
    , m_label(new QLabel(this))
{
    setFrameShape(QFrame::NoFrame);
    setWidgetResizable(true);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Preferred);
    m_label->setObjectName(QStringLiteral("bannerText"));
    m_label->setWordWrap(true);
    m_label->setTextFormat(Qt::RichText);
    m_label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    setWidget(m_label);
}

void BannerText::setText(const QString &text)
{
    m_label->setText(text);
    updateGeometry();
}

QString BannerText::text() const
{
    return m_label->text();
}

int BannerText::threeLines() const
{
    return 3 * fontMetrics().lineSpacing();
}

QSize BannerText::sizeHint() const
{
    // Its text at the width it has, up to a sixth of the window.
    const int width = std::max(1, viewport()->width() - verticalScrollBar()->sizeHint().width());
    const int cap = std::max(threeLines(), window()->height() / 6);
    return { QScrollArea::sizeHint().width(), std::min(m_label->heightForWidth(width), cap) };
}

QSize BannerText::minimumSizeHint() const
{
    return { QScrollArea::minimumSizeHint().width(),
        std::min(threeLines(), std::max(1, m_label->heightForWidth(std::max(1, width())))) };
}

} // namespace loopscope
