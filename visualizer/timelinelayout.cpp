// TimelineView's vertical layout: which rows the lane groups take, how tall a lane is, the
// lanes' scroll and folded groups, and what lies under a point.
#include "timelineview.h"

#include "timelinemodel.h"

#include <QtWidgets/QScrollBar>

#include <algorithm>
#include <cmath>

namespace loopscope::viz {

namespace {
constexpr LaneGroup kGroups[]
    = { LaneGroup::Loop, LaneGroup::Pool, LaneGroup::Database, LaneGroup::Tasks };

unsigned groupBit(LaneGroup group)
{
    return 1u << unsigned(group);
}

} // namespace

QRect TimelineView::lanesViewport() const
{
    const int top = kHealthHeight + kAxisHeight;
    return { 0, top, width(), std::max(0, lanesBottom() - top) };
}

void TimelineView::relayout() const
{
    if (m_layoutRevision == m_model->revision() && m_layoutSize == size()
        && m_layoutScroll == m_lanesScroll && m_layoutFolded == m_foldedGroups)
        return;
    m_layoutRevision = m_model->revision();
    m_layoutSize = size();
    m_layoutScroll = m_lanesScroll;
    m_layoutFolded = m_foldedGroups;
    m_rows.clear();
    int headers = 0, laneRows = 0;
    for (const LaneGroup g : kGroups) {
        const int count = m_model->laneCount(g);
        if (count == 0)
            continue;
        ++headers;
        laneRows += isGroupFolded(g) ? 1 : count;
    }
    const QRect viewport = lanesViewport();
    const int available = viewport.height() - headers * kHeaderHeight;
    m_laneHeight = laneRows == 0 ? kMaxLaneHeight
                                 : std::clamp(available / laneRows, kMinLaneHeight, kMaxLaneHeight);
    m_lanesContentHeight = headers * kHeaderHeight + laneRows * m_laneHeight;
    const int scrollMaximum = std::max(0, m_lanesContentHeight - viewport.height());
    int y = viewport.top() - std::min(m_lanesScroll, scrollMaximum);
    for (const LaneGroup g : kGroups) {
        const int count = m_model->laneCount(g);
        if (count == 0)
            continue;
        m_rows.push_back({ g, kHeaderRow, y, kHeaderHeight });
        y += kHeaderHeight;
        if (isGroupFolded(g)) {
            m_rows.push_back({ g, kFoldedRow, y, m_laneHeight });
            y += m_laneHeight;
            continue;
        }
        for (int lane = 0; lane < count; ++lane) {
            m_rows.push_back({ g, lane, y, m_laneHeight });
            y += m_laneHeight;
        }
    }
}

int TimelineView::lanesScrollMaximum() const
{
    relayout();
    return std::max(0, m_lanesContentHeight - lanesViewport().height());
}

void TimelineView::scrollLanesTo(int y)
{
    const int clamped = std::clamp(y, 0, lanesScrollMaximum());
    if (clamped == m_lanesScroll)
        return;
    m_lanesScroll = clamped;
    syncLanesScrollBar();
    scheduleRepaint();
}

bool TimelineView::isGroupFolded(LaneGroup group) const
{
    return (m_foldedGroups & groupBit(group)) != 0;
}

void TimelineView::setGroupFolded(LaneGroup group, bool folded)
{
    if (folded == isGroupFolded(group))
        return;
    m_foldedGroups ^= groupBit(group);
    m_lanesScroll = std::min(m_lanesScroll, lanesScrollMaximum());
    syncLanesScrollBar();
    scheduleRepaint();
}

void TimelineView::syncLanesScrollBar()
{
    const int maximum = lanesScrollMaximum();
    const QRect viewport = lanesViewport();
    const bool needed = maximum > 0;
    if (needed) {
        const int barWidth = m_lanesScrollBar->sizeHint().width();
        m_lanesScrollBar->setGeometry(
            viewport.right() - barWidth + 1, viewport.top(), barWidth, viewport.height());
        m_lanesScrollBar->setRange(0, maximum);
        m_lanesScrollBar->setPageStep(viewport.height());
        m_lanesScrollBar->setSingleStep(std::max(m_laneHeight, 1) * 3);
        m_lanesScrollBar->setValue(std::min(m_lanesScroll, maximum));
    }
    if (needed != m_lanesScrollBar->isVisible())
        m_lanesScrollBar->setVisible(needed);
    // Time ends left of the bar, so the newest instant is never under it.
    m_zoom.setGeometry(0, width() - (needed ? m_lanesScrollBar->width() : 0));
}

const std::vector<TimelineView::Row> &TimelineView::rows() const
{
    relayout();
    return m_rows;
}

QRect TimelineView::laneRect(LaneGroup group, int lane) const
{
    if (lane < 0 || lane >= m_model->laneCount(group))
        return {};
    for (const Row &r : rows()) {
        if (r.group == group && (r.lane == lane || r.lane == kFoldedRow))
            return { 0, r.y, width(), r.height };
    }
    return {};
}

const TimelineView::Row *TimelineView::rowAt(QPoint pos) const
{
    if (!lanesViewport().contains(pos))
        return nullptr;
    const std::vector<Row> &all = rows();
    // Rows are sorted by y: the last one starting at or above pos holds it.
    auto it = std::upper_bound(
        all.begin(), all.end(), pos.y(), [](int y, const Row &r) { return y < r.y; });
    if (it == all.begin())
        return nullptr;
    --it;
    return pos.y() < it->y + it->height ? &*it : nullptr;
}

std::uint64_t TimelineView::spanAt(QPoint pos) const
{
    const Row *row = rowAt(pos);
    if (!row || row->lane == kHeaderRow)
        return 0;
    const TimeMapping &m = m_zoom.mapping();
    const Nanos t = m.toTime(pos.x());
    const Nanos tolerance = Nanos(std::ceil(m.nsPerPixel() * 2));
    const int first = row->lane == kFoldedRow ? 0 : row->lane;
    const int last = row->lane == kFoldedRow ? m_model->laneCount(row->group) : row->lane + 1;
    for (int l = first; l < last; ++l) {
        const TimelineLane &lane = m_model->lane(row->group, l);
        const std::size_t i = lane.hit(t, tolerance, m_model->now());
        if (i < lane.size())
            return m_model->span(lane[i].slot).id;
    }
    return 0;
}

} // namespace loopscope::viz
