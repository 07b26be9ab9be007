// The selected span's flows, drawn as Perfetto draws them: an arrow from the request that
// spawned a background task or waited on a worker job, at the instant it did, to that task
// or job, so "who started this" is read off the picture rather than from ids.
#include "timelineview.h"

#include "timelinemodel.h"

#include <QtGui/QPainter>
#include <QtGui/QPolygonF>

#include <cmath>

namespace loopscope::viz {

namespace {
// A request that fanned out to thousands of jobs would otherwise hide its own lane under
// arrows; the first ones in view tell the story.
constexpr int kMaxFlows = 64;

} // namespace

void TimelineView::paintFlowArrows(QPainter &p, const TimeMapping &m, Nanos now)
{
    const TimelineSpan *selected = m_selected ? m_model->find(m_selected) : nullptr;
    if (!selected)
        return;
    std::vector<std::pair<const TimelineSpan *, const TimelineSpan *>> flows; // parent, child
    if (const TimelineSpan *parent = selected->parent ? m_model->find(selected->parent) : nullptr)
        flows.emplace_back(parent, selected);
    for (const LaneGroup group : { LaneGroup::Tasks, LaneGroup::Pool, LaneGroup::Database }) {
        for (int l = 0; l < m_model->laneCount(group) && int(flows.size()) < kMaxFlows; ++l) {
            const TimelineLane &lane = m_model->lane(group, l);
            const auto [first, last] = lane.visible(m.start(), m.end(), now);
            for (std::size_t i = first; i < last && int(flows.size()) < kMaxFlows; ++i) {
                const TimelineSpan &child = m_model->span(lane[i].slot);
                if (child.parent == selected->id)
                    flows.emplace_back(selected, &child);
            }
        }
    }
    if (flows.empty())
        return;
    p.save();
    p.setRenderHint(QPainter::Antialiasing, true);
    QPen pen = m_palette.selectionPen;
    pen.setWidthF(1.5);
    p.setPen(pen);
    p.setBrush(pen.color());
    for (const auto &[parent, child] : flows) {
        const QRect from = laneRect(parent->group, parent->lane);
        const QRect to = laneRect(child->group, child->lane);
        if (from.isEmpty() || to.isEmpty() || from == to)
            continue;
        const double x = std::round(m.toX(child->begin)) + 0.5;
        const bool down = to.center().y() > from.center().y();
        const double y0 = down ? from.bottom() : from.top();
        const double y1 = down ? to.top() : to.bottom() + 1;
        p.drawLine(QPointF(x, y0), QPointF(x, y1));
        const double head = down ? -5 : 5;
        p.drawPolygon(QPolygonF(
            { QPointF(x, y1), QPointF(x - 3.5, y1 + head), QPointF(x + 3.5, y1 + head) }));
    }
    p.restore();
}

} // namespace loopscope::viz
