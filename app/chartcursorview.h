#pragma once

#include "timemapping.h"

#include <QChartView>

namespace loopscope {

namespace viz {
class TimeCursor;
}

// A live chart whose x axis is session seconds (the timeline's axis): it draws the window's time
// cursor, hovering sets it and clicking jumps the other views there; in a replay it draws the
// play head too.
class ChartCursorView : public QChartView
{
    Q_OBJECT
public:
    ChartCursorView(QChart *chart, viz::TimeCursor &cursor, QWidget *parent = nullptr);

    // The chart's plot area and x range as a time axis, in view coordinates.
    viz::TimeMapping timeAxis() const;
    // A replay's play head, drawn beside the cursor in the highlight colour; none when null.
    void setPlayHead(const viz::TimeCursor *playHead);

protected:
    void drawForeground(QPainter *painter, const QRectF &rect) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;

private:
    QRectF plotRect() const; // in view coordinates

    viz::TimeCursor &m_cursor;
    const viz::TimeCursor *m_playHead = nullptr;
};

} // namespace loopscope
