// TimelineView's painting: the time axis, the loop-health strip with its stalls, the lane
// groups and each span's segments, from the model's lanes and the view's time mapping.
#include "timelineview.h"

#include "timecursor.h"
#include "timelinelegend.h"
#include "timelinemodel.h"

#include <QtGui/QPainter>

#include <algorithm>
#include <cmath>
#include <utility>

namespace loopscope::viz {

namespace {
QString groupTitle(LaneGroup group)
{
    switch (group) {
    case LaneGroup::Loop:
        return QStringLiteral("Server loop — requests");
    case LaneGroup::Pool:
        return QStringLiteral("Worker pools — jobs off the loop (thread pool, process pool)");
    case LaneGroup::Database:
        return QStringLiteral("Database workers");
    case LaneGroup::Tasks:
        return QStringLiteral("Background tasks");
    }
    return {};
}

} // namespace

void TimelineView::paintEvent(QPaintEvent *)
{
    QElapsedTimer timer;
    timer.start();
    m_sinceLastPaint.restart();
    m_dirty = false;
    ++m_paintCount;

    const Nanos now = m_model->now();
    const TimeMapping &m = m_zoom.mapping();
    QPainter p(this);
    // Boxes on pixel boundaries need no antialiasing, and it costs a lot.
    p.setRenderHint(QPainter::Antialiasing, false);
    p.fillRect(rect(), m_palette.background);

    m_visibleStalls.clear();
    m_headerTitles.clear();
    for (const LoopStall &s : m_model->stalls()) {
        if ((s.isOpen() ? now : s.end) >= m.start() && s.begin <= m.end())
            m_visibleStalls.push_back(&s);
    }

    relayout();
    const QRect viewport = lanesViewport();
    p.setClipRect(viewport);
    paintRowBackgrounds(p);
    p.setClipping(false);
    const int gridBottom = m_rows.empty()
        ? lanesBottom()
        : std::min(lanesBottom(), m_rows.back().y + m_rows.back().height);
    paintAxis(p, m, gridBottom);
    paintHealth(p, m, now);
    p.setClipRect(viewport);
    paintLanes(p, m, now);
    paintFlowArrows(p, m, now);
    p.setClipping(false);
    paintServerMarks(p, m, gridBottom);

    if (m_zoom.isFollowing()) {
        const int x = int(m.toX(now));
        p.setPen(m_palette.nowPen);
        p.drawLine(x, 0, x, gridBottom);
    }
    if (m_timeCursor && m_timeCursor->instant())
        paintTimeCursor(
            p, m, *m_timeCursor->instant(), 0, gridBottom, kHealthHeight + 2, m_palette.text);
    p.setClipRect(viewport);
    paintGroupTitles(p);
    p.setClipping(false);
    if (m_drag == Drag::Box) {
        QColor fill = m_palette.selection;
        fill.setAlpha(60);
        const int x0 = std::min(m_pressPos.x(), m_lastPos.x());
        const int x1 = std::max(m_pressPos.x(), m_lastPos.x());
        p.fillRect(QRect(x0, kHealthHeight, x1 - x0, gridBottom - kHealthHeight), fill);
        p.setPen(m_palette.selectionPen);
        p.drawRect(QRect(x0, kHealthHeight, x1 - x0, gridBottom - kHealthHeight));
    }
    paintTimelineLegend(
        p, QRect(0, lanesBottom(), width(), m_legendHeight), m_palette, QFontMetrics(font()));
    p.end();
    Q_EMIT painted(std::chrono::nanoseconds(timer.nsecsElapsed()));
}

void TimelineView::paintAxis(QPainter &p, const TimeMapping &m, int gridBottom)
{
    const int y = kHealthHeight;
    p.fillRect(QRect(0, y, width(), kAxisHeight), m_palette.headerBrush);
    const Nanos step = TimeMapping::niceTickStep(Nanos(std::ceil(m.nsPerPixel() * 110)));
    const Nanos origin = m_model->origin();
    Nanos t = origin + ((m.start() - origin) / step) * step;
    if (t < m.start())
        t += step;
    const QFontMetrics fm(font());
    for (; t <= m.end(); t += step) {
        const int x = int(m.toX(t));
        p.setPen(m_palette.gridPen);
        p.drawLine(x, y + kAxisHeight - 5, x, gridBottom);
        p.setPen(m_palette.textPen);
        p.drawText(x + 3, y + fm.ascent() + 2,
            TimeMapping::formatTick(t - origin, step, m.end() - origin));
    }
}

void TimelineView::paintHealth(QPainter &p, const TimeMapping &m, Nanos now)
{
    const QRect r = healthRect();
    p.fillRect(r, m_palette.stripeBrush);
    const QFontMetrics fm(font());
    p.setPen(m_palette.mutedPen);
    p.drawText(r.adjusted(4, 1, 0, 0), Qt::AlignTop | Qt::AlignLeft,
        QStringLiteral("loop lag (0–100 ms) · stalls"));
    const QRect bars = stallBarsRect();

    // Lag: worst sample per pixel column, on a 0..100 ms scale (beyond is a stall
    // and drawn as one).
    constexpr Nanos kScale = 100'000'000;
    const auto &lag = m_model->lagSamples();
    auto it = std::lower_bound(
        lag.begin(), lag.end(), m.start(), [](const LagSample &s, Nanos t) { return s.time < t; });
    int column = INT_MIN;
    Nanos worst = 0;
    const int barBottom = bars.bottom();
    const int barSpace = bars.height();
    const auto flush = [&] {
        if (column == INT_MIN || worst <= 0)
            return;
        const int h = std::max(1, int(double(std::min(worst, kScale)) / double(kScale) * barSpace));
        p.fillRect(QRect(column, barBottom - h + 1, 1, h), m_palette.lagBrush);
    };
    for (; it != lag.end() && it->time <= m.end(); ++it) {
        const int x = int(m.toX(it->time));
        if (x != column) {
            flush();
            column = x;
            worst = 0;
        }
        worst = std::max(worst, it->lag);
    }
    flush();

    for (const LoopStall *s : m_visibleStalls) {
        const Nanos end = s->isOpen() ? now : s->end;
        const int x0 = int(std::floor(m.toX(s->begin)));
        const int x1 = std::max(x0 + 2, int(std::ceil(m.toX(end))));
        const QRect box(x0, bars.top(), x1 - x0, bars.height());
        // Red only where a blocking call is to blame; a busy loop's stall blames no one.
        const bool busy = s->attributed && !s->blamesCall();
        p.fillRect(box, busy ? m_palette.busyStallBrush : m_palette.stallBrush);
        // The most that fits: what it was, how long and what it cost; what it was; who did it;
        // the call and how long; the call; how long.
        const QString what
            = s->attributed ? m_model->stallCauseText(*s) : QStringLiteral("loop stalled");
        const QString duration = TimeMapping::formatDuration(end - s->begin);
        const QString described = what + QStringLiteral(" — ") + duration;
        const QString victims = m_model->stallVictimsText(*s);
        const TimelineSpan *culprit = s->blamesCall() ? m_model->find(s->culprit) : nullptr;
        const QString call = s->blamesCall() && s->culpritLabel
            ? TimelineModel::labelText(s->culpritLabel)
            : QString();
        const QString texts[] = { victims.isEmpty() ? described
                                                    : described + QStringLiteral(" · ") + victims,
            described, what, culprit ? m_model->shortName(*culprit) : QString(),
            call.isEmpty() ? QString() : call + QStringLiteral(" — ") + duration, call, duration };
        for (const QString &text : texts) {
            if (!text.isEmpty() && fm.horizontalAdvance(text) + 6 <= box.width()) {
                p.setPen(QPen(Qt::white, 0));
                p.drawText(box.adjusted(3, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft, text);
                break;
            }
        }
    }
}

void TimelineView::paintRowBackgrounds(QPainter &p)
{
    const QRect viewport = lanesViewport();
    for (const Row &row : m_rows) {
        if (row.y >= viewport.top() + viewport.height())
            break;
        if (row.y + row.height <= viewport.top())
            continue;
        if (row.lane == kHeaderRow) {
            p.fillRect(QRect(0, row.y, width(), row.height), m_palette.headerBrush);
            p.setPen(m_palette.textPen);
            const bool folded = isGroupFolded(row.group);
            const QString title = (folded ? QStringLiteral("▸ ") : QStringLiteral("▾ "))
                + groupTitle(row.group) + QStringLiteral("  (")
                + QString::number(m_model->laneCount(row.group))
                + (folded ? QStringLiteral(" lanes in one row — click to unfold)")
                          : QStringLiteral(" lanes)"));
            const QRect written = p.boundingRect(
                QRect(4, row.y, width() - 8, row.height), Qt::AlignVCenter | Qt::AlignLeft, title);
            m_headerTitles.emplace_back(
                QRect(written.left(), row.y, written.width(), row.height), title);
        } else if (row.lane % 2 == 1 && row.height >= 6) {
            p.fillRect(QRect(0, row.y, width(), row.height), m_palette.stripeBrush);
        }
    }
}

void TimelineView::paintGroupTitles(QPainter &p)
{
    p.setPen(m_palette.textPen);
    for (const auto &[box, title] : m_headerTitles) {
        p.fillRect(box.adjusted(-2, 0, 2, 0), m_palette.headerBrush);
        p.drawText(box, Qt::AlignVCenter | Qt::AlignLeft, title);
    }
}

void TimelineView::paintLanes(QPainter &p, const TimeMapping &m, Nanos now)
{
    for (auto &rects : m_rects)
        rects.clear();
    m_markers.clear();
    m_unknownStarts.clear();
    m_texts.clear();
    m_outlines.clear();
    const TimelineSpan *selected = m_selected ? m_model->find(m_selected) : nullptr;
    m_selectedSlot
        = selected ? std::uint32_t(selected - m_model->spanStorage().data()) : UINT32_MAX;

    const QRect viewport = lanesViewport();
    for (const Row &row : m_rows) {
        if (row.y >= viewport.top() + viewport.height())
            break;
        if (row.y + row.height <= viewport.top() || row.lane == kHeaderRow)
            continue;
        if (row.lane != kFoldedRow) {
            paintLane(m, row, now);
            continue;
        }
        // A folded group: its lanes drawn over one another, without the texts that would
        // overprint each other.
        const bool labels = std::exchange(m_labels, false);
        for (int lane = 0; lane < m_model->laneCount(row.group); ++lane)
            paintLane(m, { row.group, lane, row.y, row.height }, now);
        m_labels = labels;
    }

    // One call per colour: the raster engine fills a batch of rectangles far
    // faster than the same rectangles one call at a time.
    p.setPen(Qt::NoPen);
    const QBrush *brushes[kBrushCount] = { &m_palette.unreadBrush, &m_palette.queuedBrush,
        &m_palette.runningBrush, &m_palette.workerBrush, &m_palette.awaitingBrush,
        &m_palette.foldedBrush, &m_palette.blockingBrush, &m_palette.collateralBrush };
    for (int b = 0; b < kBrushCount; ++b) {
        if (m_rects[b].empty())
            continue;
        p.setBrush(*brushes[b]);
        p.drawRects(m_rects[b].data(), int(m_rects[b].size()));
    }
    p.setBrush(Qt::NoBrush);
    if (!m_markers.empty()) {
        p.setPen(m_palette.markerPen);
        p.drawLines(m_markers.data(), int(m_markers.size()));
    }
    if (!m_unknownStarts.empty()) {
        p.setPen(m_palette.unknownStartPen);
        p.drawLines(m_unknownStarts.data(), int(m_unknownStarts.size()));
    }
    p.setPen(m_palette.textPen);
    for (const auto &[rect, text] : m_texts)
        p.drawText(rect, Qt::AlignVCenter | Qt::AlignLeft, text);
    if (!m_outlines.empty()) {
        p.setPen(m_palette.selectionPen);
        p.drawRects(m_outlines.data(), int(m_outlines.size()));
    }
}

int TimelineView::brushFor(SegmentKind kind, bool worker)
{
    switch (kind) {
    case SegmentKind::Unread:
        return UnreadBrush;
    case SegmentKind::Queued:
        return QueuedBrush;
    case SegmentKind::Awaiting:
        return AwaitingBrush;
    case SegmentKind::Blocking:
        return BlockingBrush;
    case SegmentKind::Running:
        break;
    }
    return worker ? WorkerBrush : RunningBrush;
}

void TimelineView::paintLane(const TimeMapping &m, const Row &row, Nanos now)
{
    const TimelineLane &lane = m_model->lane(row.group, row.lane);
    const auto &spans = m_model->spanStorage();
    const Nanos foldNs = Nanos(std::ceil(kFoldPixels * m.nsPerPixel()));
    const auto [first, last] = lane.visible(m.start() - foldNs, m.end(), now);
    // A gap above and below every bar, so full neighbouring lanes (twenty tasks of one burst)
    // read as twenty bars, not one block.
    const int inset = row.height >= 8 ? 2 : 1;
    const int y = row.y + inset;
    const int h = row.height - 2 * inset;
    const bool worker = row.group == LaneGroup::Pool || row.group == LaneGroup::Database;
    const double lo = m.left() - 2;
    const double hi = m.left() + m.width() + 2;
    const auto box = [&](Nanos b, Nanos e, int minWidth) {
        const int x0 = int(std::floor(std::max(m.toX(b), lo)));
        const int x1 = std::max(x0 + minWidth, int(std::ceil(std::min(m.toX(e), hi))));
        return QRect(x0, y, x1 - x0, h);
    };

    std::size_t i = first;
    while (i < last) {
        const TimelineLane::Item &item = lane[i];
        const Nanos end = item.endOr(now);
        if (end - item.begin >= foldNs) {
            const bool detail = item.end == 0 || item.slot == m_selectedSlot || lane.isBlocking(i)
                || m.toPixels(end - item.begin) >= kDetailPixels;
            // A bar of a few pixels cannot show its segments; its dominant state
            // is what the eye can read, and comes from the lane without a lookup.
            if (detail)
                paintSpan(m, spans[item.slot], y, h, now, worker);
            else
                m_rects[brushFor(item.dominant, worker)].push_back(box(item.begin, end, 1));
            ++i;
            continue;
        }
        // A run of narrow spans becomes one box. Jump with binary search: every
        // span ending within the next 3 px belongs to the box, however many.
        Nanos runEnd = end;
        std::size_t j = i + 1;
        for (;;) {
            const std::size_t k = lane.firstEndingAtOrAfter(j, last, runEnd + foldNs, now);
            if (k > j) {
                runEnd = std::max(runEnd, lane[k - 1].endOr(now));
                j = k;
            }
            if (j >= last)
                break;
            const TimelineLane::Item &next = lane[j];
            const Nanos nextEnd = next.endOr(now);
            if (nextEnd - next.begin < foldNs && next.begin - runEnd < foldNs) {
                runEnd = nextEnd;
                ++j;
                continue;
            }
            break;
        }
        const std::size_t count = j - i;
        if (count == 1) {
            const SegmentKind kind = lane.isBlocking(i) ? SegmentKind::Blocking : item.dominant;
            m_rects[brushFor(kind, worker)].push_back(box(item.begin, runEnd, 1));
            i = j;
            continue;
        }
        const QRect folded = box(item.begin, runEnd, 3);
        m_rects[FoldedBrush].push_back(folded);
        // Blocking stays visible inside a fold: the lane's index of blocking spans
        // visits only those, and one mark per pixel run is all a reader can see.
        int markedUpTo = INT_MIN;
        lane.forEachBlocking(i, j, [&](std::size_t k) {
            const TimelineLane::Item &b = lane[k];
            const QRect mark = box(b.begin, b.endOr(now), 2);
            if (mark.left() < markedUpTo)
                return; // this pixel is red already
            m_rects[BlockingBrush].push_back(mark);
            markedUpTo = mark.right() + 1;
        });
        if (m_labels && h >= 10 && folded.width() >= 28) {
            const QString text = QString::number(count);
            if (fontMetrics().horizontalAdvance(text) + 4 <= folded.width())
                m_texts.push_back({ folded.adjusted(2, 0, 0, 0), text });
        }
        i = j;
    }
}

void TimelineView::paintSpan(
    const TimeMapping &m, const TimelineSpan &s, int y, int h, Nanos now, bool worker)
{
    const double leftEdge = m.left() - 2;
    const double rightEdge = m.left() + m.width() + 2;
    int lastX = INT_MIN;
    const int bx0 = int(std::floor(std::max(m.toX(s.begin), leftEdge)));
    const int bx1 = int(std::ceil(std::min(m.toX(s.endOr(now)), rightEdge)));
    for (const Segment &seg : s.segments) {
        const double sx0 = std::max(m.toX(seg.begin), leftEdge);
        const double sx1 = std::min(m.toX(seg.end ? seg.end : s.endOr(now)), rightEdge);
        if (sx1 < leftEdge || sx0 > rightEdge)
            continue;
        int x0 = int(std::floor(sx0));
        const int x1 = std::max(int(std::ceil(sx1)), x0 + 1);
        // Blocking must stay visible even when a neighbour already claimed the pixel.
        if (x1 <= lastX && seg.kind != SegmentKind::Blocking)
            continue;
        if (seg.kind != SegmentKind::Blocking)
            x0 = std::max(x0, lastX);
        m_rects[brushFor(seg.kind, worker)].push_back(QRect(x0, y, x1 - x0, h));
        lastX = x1;
        if (seg.kind == SegmentKind::Awaiting && x1 - x0 >= 6 && h >= 6) {
            // The await point itself: a bracket where the handler suspended.
            m_markers.push_back(QLine(x0, y, x0, y + h - 1));
            m_markers.push_back(QLine(x0, y, x0 + 2, y));
            m_markers.push_back(QLine(x0, y + h - 1, x0 + 2, y + h - 1));
        }
    }
    if (s.kind == SpanKind::Request && s.issuedBy == IssuedBy::Unknown && bx0 > leftEdge) {
        // The bar starts where the server read it; when it was sent is not known: a dotted
        // start says the bar may have begun earlier.
        m_unknownStarts.push_back(QLine(bx0, y, bx0, y + h - 1));
    }
    if (s.collateral) {
        // Underline the stretch this span spent waiting for a stalled loop.
        const int uh = std::max(2, h / 3);
        for (const LoopStall *st : m_visibleStalls) {
            const Nanos b = std::max(st->begin, s.begin);
            const Nanos e = std::min(st->isOpen() ? now : st->end, s.endOr(now));
            if (e <= b || st->culprit == s.id)
                continue;
            const int x0 = int(std::floor(std::max(m.toX(b), leftEdge)));
            const int x1 = std::max(x0 + 1, int(std::ceil(std::min(m.toX(e), rightEdge))));
            m_rects[CollateralBrush].push_back(QRect(x0, y + h - uh, x1 - x0, uh));
        }
    }
    const bool cancelled = s.outcome == SpanOutcome::Cancelled;
    if (cancelled && bx1 - bx0 >= 3 && bx1 <= rightEdge) {
        // Cut short (a restart, a shutdown): a bar ending in a hard edge, and a cross where
        // the lane is tall enough to hold one.
        m_markers.push_back(QLine(bx1 - 1, y, bx1 - 1, y + h - 1));
        m_markers.push_back(QLine(bx1 - 2, y, bx1 - 2, y + h - 1));
        if (h >= 6 && bx1 - bx0 >= h + 2) {
            m_markers.push_back(QLine(bx1 - h - 2, y, bx1 - 3, y + h - 1));
            m_markers.push_back(QLine(bx1 - h - 2, y + h - 1, bx1 - 3, y));
        }
    }
    if (m_labels && bx1 - bx0 >= 140 && h >= 10 && m_texts.size() < kMaxLabels) {
        QString text = m_model->displayName(s);
        if (!s.isOpen())
            text += QStringLiteral("  ") + TimeMapping::formatDuration(s.end - s.begin);
        if (cancelled)
            text += QStringLiteral("  cancelled");
        const int visibleX0 = std::max(bx0, 0) + 4;
        const int room = std::min(bx1, width()) - visibleX0 - 3;
        if (room > 40)
            m_texts.push_back({ QRect(visibleX0, y, room, h),
                fontMetrics().elidedText(text, Qt::ElideRight, room) });
    }
    if (s.id == m_selected)
        m_outlines.push_back(QRect(bx0, y - 1, std::max(bx1 - bx0, 2), h + 1));
}

} // namespace loopscope::viz
