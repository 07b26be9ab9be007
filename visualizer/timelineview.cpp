#include "timelineview.h"

#include "timecursor.h"
#include "timelinekeys.h"
#include "timelinelegend.h"
#include "timelinemodel.h"

#include <QtGui/QKeyEvent>
#include <QtGui/QMouseEvent>
#include <QtGui/QPainter>
#include <QtGui/QWheelEvent>
#include <QtWidgets/QToolTip>

#include <algorithm>
#include <cmath>

namespace loopscope::viz {

namespace {
QString groupTitle(LaneGroup group)
{
    switch (group) {
    case LaneGroup::Loop:
        return QStringLiteral("Server loop — requests");
    case LaneGroup::Pool:
        return QStringLiteral("Worker pool — thread-pool jobs");
    case LaneGroup::Database:
        return QStringLiteral("Database workers");
    case LaneGroup::Tasks:
        return QStringLiteral("Background tasks");
    }
    return {};
}

constexpr LaneGroup kGroups[]
    = { LaneGroup::Loop, LaneGroup::Pool, LaneGroup::Database, LaneGroup::Tasks };

} // namespace

TimelineView::TimelineView(TimelineModel *model, QWidget *parent)
    : QWidget(parent)
    , m_model(model)
    , m_palette(TimelinePalette::from(palette()))
{
    setFocusPolicy(Qt::StrongFocus);
    setMouseTracking(false);
    setAttribute(Qt::WA_OpaquePaintEvent);
    setMinimumSize(320, 200);
    m_throttle.setSingleShot(true);
    m_throttle.setTimerType(Qt::PreciseTimer);
    connect(&m_throttle, &QTimer::timeout, this, [this] {
        m_dirty = false;
        update();
    });
    m_sinceLastPaint.start();
    m_legendHeight = timelineLegendHeight(fontMetrics(), width());
    connect(m_model, &TimelineModel::changed, this, &TimelineView::onModelChanged);
    connect(m_model, &TimelineModel::reset, this, [this] { m_selected = 0; });
    connect(&m_zoom, &ZoomState::changed, this, &TimelineView::scheduleRepaint);
    connect(&m_zoom, &ZoomState::followingChanged, this, &TimelineView::scheduleRepaint);
    m_zoom.setGeometry(0, width());
    m_zoom.setBounds(m_model->earliest(), m_model->now());
    m_zoom.follow(m_model->now());
}

QSize TimelineView::sizeHint() const
{
    return { 1200, 600 };
}

void TimelineView::setFollowing(bool following)
{
    if (following != m_zoom.isFollowing())
        run(TimelineCommand::ToggleFollowing);
}

void TimelineView::setLabelsVisible(bool visible)
{
    if (visible == m_labels)
        return;
    m_labels = visible;
    scheduleRepaint();
}

void TimelineView::setTimeCursor(TimeCursor *cursor)
{
    m_timeCursor = cursor;
    setMouseTracking(cursor != nullptr);
    if (!cursor)
        return;
    connect(cursor, &TimeCursor::changed, this, &TimelineView::scheduleRepaint);
    connect(cursor, &TimeCursor::jumped, this, [this](qint64 instant) {
        m_zoom.setBounds(m_model->earliest(), m_model->now());
        m_zoom.reveal(instant);
    });
}

void TimelineView::selectSpan(std::uint64_t span)
{
    if (span == m_selected)
        return;
    m_selected = span;
    scheduleRepaint();
}

void TimelineView::onModelChanged()
{
    const Nanos now = m_model->now();
    m_zoom.setBounds(m_model->earliest(), now);
    if (m_zoom.isFollowing()) {
        m_zoom.follow(now); // emits changed() and so schedules when it moved
        scheduleRepaint();
        return;
    }
    // Paused: only a change inside the visible slice is worth a frame.
    const auto [b, e] = m_model->lastChange();
    const TimeMapping &m = m_zoom.mapping();
    if (e >= m.start() && b <= m.end())
        scheduleRepaint();
}

void TimelineView::scheduleRepaint()
{
    // At most one frame per display interval however many changes arrive, and
    // nothing at all when nothing asked for one.
    if (m_throttle.isActive())
        return;
    const auto elapsed = std::chrono::milliseconds(m_sinceLastPaint.elapsed());
    if (elapsed >= kFrameInterval) {
        update();
        return;
    }
    m_dirty = true;
    m_throttle.start(kFrameInterval - elapsed);
}

int TimelineView::lanesBottom() const
{
    return height() - m_legendHeight;
}

QRect TimelineView::healthRect() const
{
    return { 0, 0, width(), kHealthHeight };
}

void TimelineView::relayout() const
{
    if (m_layoutRevision == m_model->revision() && m_layoutSize == size())
        return;
    m_layoutRevision = m_model->revision();
    m_layoutSize = size();
    m_rows.clear();
    int groups = 0, lanes = 0;
    for (const LaneGroup g : kGroups) {
        if (m_model->laneCount(g) > 0) {
            ++groups;
            lanes += m_model->laneCount(g);
        }
    }
    const int top = kHealthHeight + kAxisHeight;
    const int available = lanesBottom() - top - groups * kHeaderHeight;
    m_laneHeight = lanes == 0 ? kMaxLaneHeight
                              : std::clamp(available / lanes, kMinLaneHeight, kMaxLaneHeight);
    int y = top;
    for (const LaneGroup g : kGroups) {
        const int count = m_model->laneCount(g);
        if (count == 0)
            continue;
        m_rows.push_back({ g, -1, y, kHeaderHeight });
        y += kHeaderHeight;
        for (int lane = 0; lane < count; ++lane) {
            m_rows.push_back({ g, lane, y, m_laneHeight });
            y += m_laneHeight;
        }
    }
}

const std::vector<TimelineView::Row> &TimelineView::rows() const
{
    relayout();
    return m_rows;
}

QRect TimelineView::laneRect(LaneGroup group, int lane) const
{
    for (const Row &r : rows()) {
        if (r.group == group && r.lane == lane)
            return { 0, r.y, width(), r.height };
    }
    return {};
}

std::uint64_t TimelineView::spanAt(QPoint pos) const
{
    for (const Row &r : rows()) {
        if (r.lane < 0 || pos.y() < r.y || pos.y() >= r.y + r.height)
            continue;
        const TimeMapping &m = m_zoom.mapping();
        const TimelineLane &lane = m_model->lane(r.group, r.lane);
        const Nanos t = m.toTime(pos.x());
        const Nanos tolerance = Nanos(std::ceil(m.nsPerPixel() * 2));
        const std::size_t i = lane.hit(t, tolerance, m_model->now());
        return i < lane.size() ? m_model->span(lane[i].slot).id : 0;
    }
    return 0;
}

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
    for (const LoopStall &s : m_model->stalls()) {
        if ((s.isOpen() ? now : s.end) >= m.start() && s.begin <= m.end())
            m_visibleStalls.push_back(&s);
    }

    relayout();
    paintRowBackgrounds(p);
    const int gridBottom = m_rows.empty()
        ? lanesBottom()
        : std::min(lanesBottom(), m_rows.back().y + m_rows.back().height);
    paintAxis(p, m, gridBottom);
    paintHealth(p, m, now);
    paintLanes(p, m, now);

    if (m_zoom.isFollowing()) {
        const int x = int(m.toX(now));
        p.setPen(m_palette.nowPen);
        p.drawLine(x, 0, x, gridBottom);
    }
    if (m_timeCursor && m_timeCursor->instant())
        paintTimeCursor(
            p, m, *m_timeCursor->instant(), 0, gridBottom, kHealthHeight + 2, m_palette.text);
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

    // Lag: worst sample per pixel column, on a 0..100 ms scale (beyond is a stall
    // and drawn as one).
    constexpr Nanos kScale = 100'000'000;
    const auto &lag = m_model->lagSamples();
    auto it = std::lower_bound(
        lag.begin(), lag.end(), m.start(), [](const LagSample &s, Nanos t) { return s.time < t; });
    int column = INT_MIN;
    Nanos worst = 0;
    const int barBottom = r.bottom() - 1;
    const int barSpace = r.height() - 4;
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
        const QRect box(x0, r.top() + 2, x1 - x0, r.height() - 4);
        // Red only where a blocking call is to blame; a busy loop's stall blames no one.
        const bool busy = s->attributed && !s->blamesCall();
        p.fillRect(box, busy ? m_palette.busyStallBrush : m_palette.stallBrush);
        // The most that fits: what it was, how long and what it cost; what it was; who did it.
        const QString what
            = s->attributed ? m_model->stallCauseText(*s) : QStringLiteral("loop stalled");
        const QString described
            = what + QStringLiteral(" — ") + TimeMapping::formatDuration(end - s->begin);
        const QString victims = m_model->stallVictimsText(*s);
        const TimelineSpan *culprit = s->blamesCall() ? m_model->find(s->culprit) : nullptr;
        const QString texts[]
            = { victims.isEmpty() ? described : described + QStringLiteral(" · ") + victims,
                  described, what, culprit ? m_model->shortName(*culprit) : QString() };
        for (const QString &text : texts) {
            if (!text.isEmpty() && fm.horizontalAdvance(text) + 6 <= box.width()) {
                p.setPen(QPen(Qt::white, 0));
                p.drawText(box.adjusted(3, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft, text);
                break;
            }
        }
    }
    p.setPen(m_palette.mutedPen);
    p.drawText(r.adjusted(4, 1, 0, 0), Qt::AlignTop | Qt::AlignLeft,
        QStringLiteral("loop lag (0–100 ms) · stalls"));
}

void TimelineView::paintRowBackgrounds(QPainter &p)
{
    const int bottom = lanesBottom();
    for (const Row &row : m_rows) {
        if (row.y >= bottom)
            break;
        if (row.lane < 0) {
            p.fillRect(QRect(0, row.y, width(), row.height), m_palette.headerBrush);
            p.setPen(m_palette.textPen);
            const QString title = groupTitle(row.group) + QStringLiteral("  (")
                + QString::number(m_model->laneCount(row.group)) + QStringLiteral(" lanes)");
            p.drawText(
                QRect(4, row.y, width() - 8, row.height), Qt::AlignVCenter | Qt::AlignLeft, title);
        } else if (row.lane % 2 == 1 && row.height >= 6) {
            p.fillRect(QRect(0, row.y, width(), row.height), m_palette.stripeBrush);
        }
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

    const int bottom = lanesBottom();
    for (const Row &row : m_rows) {
        if (row.y >= bottom)
            break;
        if (row.lane >= 0)
            paintLane(m, row, now);
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
    const int inset = row.height >= 8 ? 2 : 0;
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
    if (m_labels && bx1 - bx0 >= 140 && h >= 10 && m_texts.size() < kMaxLabels) {
        QString text = m_model->displayName(s);
        if (!s.isOpen())
            text += QStringLiteral("  ") + TimeMapping::formatDuration(s.end - s.begin);
        const int visibleX0 = std::max(bx0, 0) + 4;
        const int room = std::min(bx1, width()) - visibleX0 - 3;
        if (room > 40)
            m_texts.push_back({ QRect(visibleX0, y, room, h),
                fontMetrics().elidedText(text, Qt::ElideRight, room) });
    }
    if (s.id == m_selected)
        m_outlines.push_back(QRect(bx0, y - 1, std::max(bx1 - bx0, 2), h + 1));
}

void TimelineView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    m_legendHeight = timelineLegendHeight(fontMetrics(), width());
    m_zoom.setGeometry(0, width());
    scheduleRepaint();
}

void TimelineView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange
        || event->type() == QEvent::ApplicationPaletteChange) {
        m_palette = TimelinePalette::from(palette());
        scheduleRepaint();
    } else if (event->type() == QEvent::FontChange) {
        m_legendHeight = timelineLegendHeight(fontMetrics(), width());
        m_layoutRevision = UINT64_MAX;
        scheduleRepaint();
    }
    QWidget::changeEvent(event);
}

QString TimelineView::tooltipAt(QPoint pos) const
{
    const TimeMapping &m = m_zoom.mapping();
    const Nanos now = m_model->now();
    if (healthRect().contains(pos)) {
        const Nanos t = m.toTime(pos.x());
        const Nanos tol = Nanos(m.nsPerPixel() * 2);
        for (const LoopStall &s : m_model->stalls()) {
            const Nanos end = s.isOpen() ? now : s.end;
            if (t + tol < s.begin || t - tol > end)
                continue;
            QString text
                = QStringLiteral("Loop stalled for ") + TimeMapping::formatDuration(end - s.begin);
            if (s.attributed)
                text += QStringLiteral("\ncaused by ") + m_model->stallCauseText(s);
            const QString victims = m_model->stallVictimsText(s);
            text += QStringLiteral("\n")
                + (victims.isEmpty() ? QStringLiteral("no one else waited") : victims);
            return text;
        }
        return {};
    }
    const TimelineSpan *s = m_model->find(spanAt(pos));
    if (!s)
        return {};
    QString text = m_model->displayName(*s);
    if (s->status)
        text += QStringLiteral(" → ") + QString::number(s->status);
    if (s->variant)
        text += QStringLiteral("  [") + variantName(*s->variant) + QStringLiteral(" variant]");
    const Nanos end = s->endOr(now);
    text += QStringLiteral("\ntotal ") + TimeMapping::formatDuration(end - s->begin)
        + (s->isOpen() ? QStringLiteral(" (still open)") : QString());
    if (s->kind == SpanKind::Request && s->issuedBy == IssuedBy::Unknown)
        text += QStringLiteral("\nhow long it waited before the server read it: unknown");
    Nanos byKind[kSegmentKindCount] = {};
    for (const Segment &seg : s->segments)
        byKind[int(seg.kind)] += (seg.end ? seg.end : end) - seg.begin;
    static const QString kindNames[kSegmentKindCount]
        = { QStringLiteral("unread in socket"), QStringLiteral("queued"), QStringLiteral("running"),
              QStringLiteral("awaiting"), QStringLiteral("blocking") };
    for (int k = 0; k < kSegmentKindCount; ++k) {
        if (byKind[k] > 0)
            text += QStringLiteral("\n  ") + kindNames[k] + QStringLiteral(" ")
                + TimeMapping::formatDuration(byKind[k]);
    }
    for (const Segment &seg : s->segments) {
        if ((seg.kind == SegmentKind::Awaiting || seg.kind == SegmentKind::Blocking) && seg.label) {
            text += (seg.kind == SegmentKind::Awaiting ? QStringLiteral("\nawait ")
                                                       : QStringLiteral("\nblocking "))
                + TimelineModel::labelText(seg.label) + QStringLiteral(" — ")
                + TimeMapping::formatDuration((seg.end ? seg.end : end) - seg.begin);
        }
    }
    const QString collateral = m_model->collateralText(*s);
    if (!collateral.isEmpty())
        text += QStringLiteral("\n") + collateral;
    for (const LoopStall &st : m_model->stalls()) {
        if (st.culprit == s->id)
            text += QStringLiteral("\nstalled the loop ")
                + TimeMapping::formatDuration((st.end ? st.end : now) - st.begin)
                + (st.collateralTotal > 0 ? QStringLiteral(": ") + m_model->stallVictimsText(st)
                                          : QString());
    }
    return text;
}

bool TimelineView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        const auto *help = static_cast<QHelpEvent *>(event);
        const QString text = tooltipAt(help->pos());
        if (text.isEmpty())
            QToolTip::hideText();
        else
            QToolTip::showText(help->globalPos(), text, this);
        return true;
    }
    return QWidget::event(event);
}

void TimelineView::wheelEvent(QWheelEvent *event)
{
    const int delta
        = event->angleDelta().y() != 0 ? event->angleDelta().y() : event->angleDelta().x();
    if (delta == 0) {
        event->ignore();
        return;
    }
    m_zoom.setBounds(m_model->earliest(), m_model->now());
    // One notch (120) zooms by 1.25, smooth-scrolling touchpads proportionally less.
    m_zoom.zoomAt(event->position().x(), std::pow(1.25, delta / 120.0));
    event->accept();
}

void TimelineView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton && event->button() != Qt::RightButton) {
        QWidget::mousePressEvent(event);
        return;
    }
    m_pressPos = m_lastPos = event->position().toPoint();
    m_boxGesture = event->button() == Qt::RightButton || (event->modifiers() & Qt::ShiftModifier);
    m_drag = Drag::Pending;
    event->accept();
}

void TimelineView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_drag == Drag::None) {
        if (m_timeCursor)
            m_timeCursor->setInstant(m_zoom.mapping().toTime(event->position().x()));
        QWidget::mouseMoveEvent(event);
        return;
    }
    const QPoint pos = event->position().toPoint();
    if (m_drag == Drag::Pending && (pos - m_pressPos).manhattanLength() >= 4)
        m_drag = m_boxGesture ? Drag::Box : Drag::Pan;
    if (m_drag == Drag::Pan) {
        m_zoom.setBounds(m_model->earliest(), m_model->now());
        m_zoom.panBy(pos.x() - m_lastPos.x());
    } else if (m_drag == Drag::Box) {
        scheduleRepaint();
    }
    m_lastPos = pos;
    event->accept();
}

void TimelineView::mouseReleaseEvent(QMouseEvent *event)
{
    const Drag drag = m_drag;
    m_drag = Drag::None;
    const QPoint pos = event->position().toPoint();
    if (drag == Drag::Box) {
        const TimeMapping &m = m_zoom.mapping();
        const int x0 = std::min(m_pressPos.x(), pos.x());
        const int x1 = std::max(m_pressPos.x(), pos.x());
        if (x1 - x0 >= 4)
            m_zoom.setRange(m.toTime(x0), m.toTime(x1));
        scheduleRepaint();
    } else if (drag == Drag::Pending && event->button() == Qt::LeftButton) {
        const std::uint64_t span = spanAt(pos);
        selectSpan(span);
        if (span)
            Q_EMIT requestSelected(span);
    }
    event->accept();
}

void TimelineView::run(TimelineCommand command)
{
    m_zoom.setBounds(m_model->earliest(), m_model->now());
    runTimelineCommand(m_zoom, command);
}

void TimelineView::keyPressEvent(QKeyEvent *event)
{
    const TimelineKey *key = findTimelineKey(event->key());
    if (!key) {
        QWidget::keyPressEvent(event);
        return;
    }
    run(key->command);
    event->accept();
}

} // namespace loopscope::viz
