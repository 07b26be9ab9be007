#include "timecursor.h"

#include "sessionclock.h"

#include <QtGui/QFontMetrics>
#include <QtGui/QPainter>

namespace loopscope::viz {

void TimeCursor::setInstant(Nanos instant)
{
    if (m_instant == instant)
        return;
    m_instant = instant;
    Q_EMIT changed();
}

void TimeCursor::jumpTo(Nanos instant)
{
    setInstant(instant);
    Q_EMIT jumped(instant);
}

void TimeCursor::clear()
{
    if (!m_instant)
        return;
    m_instant.reset();
    Q_EMIT changed();
}

void paintTimeCursor(QPainter &p, const TimeMapping &m, Nanos instant, int top, int bottom,
    int labelTop, const QColor &color)
{
    if (instant < m.start() || instant > m.end())
        return;
    const int x = int(m.toX(instant));
    p.save();
    p.setPen(QPen(color, 1, Qt::DashLine));
    p.drawLine(x, top, x, bottom);
    const QString label = trace::formatSessionTime(instant);
    const QFontMetrics fm = p.fontMetrics();
    const int width = fm.horizontalAdvance(label) + 6;
    // Right of the line, or left of it near the right edge.
    const int left = x + width + 2 <= int(m.left() + m.width()) ? x + 2 : x - width - 2;
    const QRect box(left, labelTop, width, fm.height());
    QColor fill = color;
    fill.setAlpha(210);
    p.fillRect(box, fill);
    p.setPen(color.lightness() < 128 ? Qt::white : Qt::black);
    p.drawText(box, Qt::AlignCenter, label);
    p.restore();
}

} // namespace loopscope::viz
