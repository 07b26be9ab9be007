// The server's stops and starts, drawn across every lane: a restart's two lines bracket its
// tasks' grace, so a task cut short lines up with the deploy that cut it.
#include "timelineview.h"

#include "eventdecoder.h"
#include "timelinemodel.h"

#include <QtGui/QPainter>

#include <algorithm>
#include <vector>

namespace loopscope::viz {

void TimelineView::paintServerMarks(QPainter &p, const TimeMapping &m, int gridBottom)
{
    const std::deque<ServerMark> &marks = m_model->serverMarks();
    p.save();
    const QFontMetrics fm(font());
    const int labelTop = kHealthHeight + kAxisHeight + 1;
    const int labelHeight = fm.height() + 2;
    const int right = int(m.left() + m.width());
    // Drawn so far, the group titles first: a label that would cover one goes a row lower.
    std::vector<QRect> labels;
    for (const auto &title : m_headerTitles)
        labels.push_back(title.first);
    bool stopSeen = false;
    for (const ServerMark &mark : marks) {
        // The session's first start is its beginning, which the axis' zero already shows; a
        // start after a stop is a restart's second half.
        const bool sessionStart = mark.starts && !stopSeen;
        stopSeen = stopSeen || !mark.starts;
        if (sessionStart || mark.time < m.start() || mark.time > m.end())
            continue;
        const int x = int(m.toX(mark.time));
        p.setPen(QPen(m_palette.text, 2, Qt::DashDotLine));
        p.drawLine(x, kHealthHeight, x, gridBottom);
        const QString label = QString::fromLatin1(trace::serverMarkName(
            mark.starts ? trace::Step::ServerStart : trace::Step::ServerStop));
        const int width = fm.horizontalAdvance(label) + 8;
        // A stop's label left of its line, a start's right of it, so a restart's two read apart;
        // either flips where the view's edge would cut it.
        const bool leftOfLine = mark.starts ? x + 3 + width > right : x - 3 - width >= 0;
        QRect box(leftOfLine ? x - 3 - width : x + 3, labelTop, width, labelHeight);
        while (std::any_of(labels.begin(), labels.end(),
            [&box](const QRect &drawn) { return drawn.intersects(box); }))
            box.translate(0, labelHeight + 1);
        labels.push_back(box);
        p.fillRect(box, m_palette.text);
        p.setPen(m_palette.background);
        p.drawText(box, Qt::AlignCenter, label);
    }
    p.restore();
}

} // namespace loopscope::viz
