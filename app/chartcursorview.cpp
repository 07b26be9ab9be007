#include "chartcursorview.h"

#include "timecursor.h"
#include "trace/sessionclock.h"

#include <QMouseEvent>
#include <QValueAxis>

namespace loopscope {

ChartCursorView::ChartCursorView(QChart *chart, viz::TimeCursor &cursor, QWidget *parent)
    : QChartView(chart, parent)
    , m_cursor(cursor)
{
    viewport()->setMouseTracking(true); // mouse events land on the viewport
    // The cursor is drawn over everything: a partial update would leave pieces of the old line.
    setViewportUpdateMode(QGraphicsView::FullViewportUpdate);
    connect(&cursor, &viz::TimeCursor::changed, viewport(), qOverload<>(&QWidget::update));
}

viz::TimeMapping ChartCursorView::timeAxis() const
{
    const auto axes = chart()->axes(Qt::Horizontal);
    const auto *x = axes.isEmpty() ? nullptr : qobject_cast<const QValueAxis *>(axes.first());
    if (!x)
        return {};
    const QRectF area = plotRect();
    return { trace::fromSessionSeconds(x->min()), trace::fromSessionSeconds(x->max()), area.left(),
        area.width() };
}

void ChartCursorView::setPlayHead(const viz::TimeCursor *playHead)
{
    m_playHead = playHead;
    if (playHead)
        connect(playHead, &viz::TimeCursor::changed, viewport(), qOverload<>(&QWidget::update));
    viewport()->update();
}

QRectF ChartCursorView::plotRect() const
{
    return mapFromScene(chart()->mapToScene(chart()->plotArea())).boundingRect();
}

void ChartCursorView::drawForeground(QPainter *painter, const QRectF &rect)
{
    QChartView::drawForeground(painter, rect);
    const viz::TimeMapping axis = timeAxis();
    if (!axis.isValid())
        return;
    // The foreground is painted in scene coordinates; the axis is in view coordinates.
    painter->save();
    painter->setTransform(QTransform());
    const QRectF area = plotRect();
    if (const auto head = m_playHead ? m_playHead->instant() : std::nullopt)
        viz::paintTimeCursor(*painter, axis, *head, int(area.top()), int(area.bottom()),
            int(area.bottom()) - painter->fontMetrics().height(), palette().highlight().color());
    if (const auto instant = m_cursor.instant())
        viz::paintTimeCursor(*painter, axis, *instant, int(area.top()), int(area.bottom()),
            int(area.top()), palette().text().color());
    painter->restore();
}

void ChartCursorView::mouseMoveEvent(QMouseEvent *event)
{
    const viz::TimeMapping axis = timeAxis();
    if (axis.isValid() && plotRect().contains(event->position()))
        m_cursor.setInstant(axis.toTime(event->position().x()));
    QChartView::mouseMoveEvent(event);
}

void ChartCursorView::mouseReleaseEvent(QMouseEvent *event)
{
    const viz::TimeMapping axis = timeAxis();
    if (event->button() == Qt::LeftButton && axis.isValid()
        && plotRect().contains(event->position()))
        m_cursor.jumpTo(axis.toTime(event->position().x()));
    QChartView::mouseReleaseEvent(event);
}

} // namespace loopscope
