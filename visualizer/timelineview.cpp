#include "timelineview.h"

#include "timecursor.h"
#include "timelinekeys.h"
#include "timelinelegend.h"
#include "timelinemodel.h"

#include <QtGui/QKeyEvent>
#include <QtGui/QMouseEvent>
#include <QtGui/QPainter>
#include <QtGui/QWheelEvent>
#include <QtWidgets/QScrollBar>
#include <QtWidgets/QToolTip>

#include <algorithm>
#include <cmath>

namespace loopscope::viz {

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
    m_lanesScrollBar = new QScrollBar(Qt::Vertical, this);
    m_lanesScrollBar->hide();
    connect(m_lanesScrollBar, &QScrollBar::valueChanged, this, &TimelineView::scrollLanesTo);
    m_legendHeight = timelineLegendHeight(fontMetrics(), width());
    connect(m_model, &TimelineModel::changed, this, &TimelineView::onModelChanged);
    connect(m_model, &TimelineModel::reset, this, [this] { m_selected = 0; });
    connect(&m_zoom, &ZoomState::changed, this, &TimelineView::scheduleRepaint);
    connect(&m_zoom, &ZoomState::followingChanged, this, &TimelineView::scheduleRepaint);
    m_zoom.setGeometry(0, width());
    m_zoom.setBounds(m_model->earliest(), m_model->now());
    m_zoom.setOrigin(m_model->origin());
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
    syncLanesScrollBar();
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

QRect TimelineView::stallBarsRect() const
{
    // The strip's title has a row of its own, so no stall covers it and it covers no stall.
    const int titleHeight = fontMetrics().height() + 2;
    return healthRect().adjusted(0, titleHeight, 0, -2);
}

void TimelineView::resizeEvent(QResizeEvent *event)
{
    QWidget::resizeEvent(event);
    m_legendHeight = timelineLegendHeight(fontMetrics(), width());
    syncLanesScrollBar();
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
    if (const TimelineSpan *parent = s->parent ? m_model->find(s->parent) : nullptr)
        text += (s->kind == SpanKind::Task ? QStringLiteral("\nspawned by ")
                                           : QStringLiteral("\nawaited by "))
            + m_model->displayName(*parent);
    const Nanos end = s->endOr(now);
    text += QStringLiteral("\ntotal ") + TimeMapping::formatDuration(end - s->begin)
        + (s->isOpen() ? QStringLiteral(" (still open)") : QString())
        + (s->outcome == SpanOutcome::Cancelled ? QStringLiteral(", cancelled before it ended")
                                                : QString());
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
    if (event->modifiers() & Qt::ShiftModifier) {
        // One notch scrolls three lanes, as a list view does.
        scrollLanesTo(m_lanesScroll - delta * 3 * m_laneHeight / 120);
        event->accept();
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
        if (const Row *row = rowAt(pos); row && row->lane == kHeaderRow) {
            setGroupFolded(row->group, !isGroupFolded(row->group));
            event->accept();
            return;
        }
        const std::uint64_t span = spanAt(pos);
        selectSpan(span);
        if (span)
            Q_EMIT requestSelected(span);
    }
    event->accept();
}

void TimelineView::run(TimelineCommand command)
{
    if (command == TimelineCommand::LanesPageUp || command == TimelineCommand::LanesPageDown) {
        const int page = std::max(lanesViewport().height() - m_laneHeight, m_laneHeight);
        scrollLanesTo(m_lanesScroll + (command == TimelineCommand::LanesPageUp ? -page : page));
        return;
    }
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
