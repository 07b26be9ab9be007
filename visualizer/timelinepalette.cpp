#include "timelinepalette.h"

namespace loopscope::viz {

TimelinePalette TimelinePalette::from(const QPalette &palette)
{
    TimelinePalette p;
    p.background = palette.color(QPalette::Base);
    p.dark = p.background.lightness() < 128;
    p.text = palette.color(QPalette::Text);
    p.mutedText = palette.color(QPalette::PlaceholderText);
    p.stripe = palette.color(QPalette::AlternateBase);
    if (p.stripe == p.background)
        p.stripe = p.dark ? p.background.lighter(115) : p.background.darker(104);
    p.header = palette.color(QPalette::Window);
    p.grid = p.dark ? p.background.lighter(140) : p.background.darker(112);
    p.selection = palette.color(QPalette::Highlight);

    if (p.dark) {
        p.running = QColor(0x5b, 0x9c, 0xf5);
        p.worker = QColor(0x46, 0xc0, 0x8a);
        p.awaiting = QColor(0x2c, 0x46, 0x6b);
        p.queued = QColor(0x6a, 0x6a, 0x6a);
        p.unread = QColor(0x7d, 0x5f, 0xb5);
        p.blocking = QColor(0xff, 0x3b, 0x30);
        p.collateral = QColor(0xff, 0xa6, 0x3d);
    } else {
        p.running = QColor(0x2f, 0x6f, 0xd6);
        p.worker = QColor(0x1f, 0x9d, 0x63);
        p.awaiting = QColor(0xb4, 0xcd, 0xf2);
        p.queued = QColor(0xb0, 0xb0, 0xb0);
        p.unread = QColor(0xb5, 0x97, 0xe3);
        p.blocking = QColor(0xe0, 0x1b, 0x1b);
        p.collateral = QColor(0xf0, 0x8c, 0x00);
    }
    p.folded = p.dark ? p.running.darker(130) : p.running.lighter(125);
    p.stall = p.blocking;
    p.stall.setAlpha(200);
    p.busyStall = p.dark ? QColor(0xa0, 0x86, 0x5a) : QColor(0x8a, 0x6d, 0x3b);
    p.lag = p.dark ? QColor(0x9a, 0x9a, 0x9a) : QColor(0x70, 0x70, 0x70);
    p.nowLine = p.text;

    p.runningBrush = QBrush(p.running);
    p.workerBrush = QBrush(p.worker);
    p.awaitingBrush = QBrush(p.awaiting);
    p.queuedBrush = QBrush(p.queued);
    p.unreadBrush = QBrush(p.unread);
    p.blockingBrush = QBrush(p.blocking);
    p.foldedBrush = QBrush(p.folded);
    p.collateralBrush = QBrush(p.collateral);
    p.stallBrush = QBrush(p.stall);
    p.busyStallBrush = QBrush(p.busyStall);
    p.lagBrush = QBrush(p.lag);
    p.stripeBrush = QBrush(p.stripe);
    p.headerBrush = QBrush(p.header);
    p.gridPen = QPen(p.grid, 0);
    p.textPen = QPen(p.text, 0);
    p.mutedPen = QPen(p.mutedText, 0);
    p.selectionPen = QPen(p.selection, 2);
    p.nowPen = QPen(p.nowLine, 1, Qt::DashLine);
    p.markerPen = QPen(p.dark ? p.background : p.running.darker(160), 0);
    p.unknownStartPen = QPen(p.markerPen.color(), 1, Qt::DotLine);
    return p;
}

const QBrush &TimelinePalette::segmentBrush(SegmentKind kind, bool onWorker) const
{
    switch (kind) {
    case SegmentKind::Unread:
        return unreadBrush;
    case SegmentKind::Queued:
        return queuedBrush;
    case SegmentKind::Awaiting:
        return awaitingBrush;
    case SegmentKind::Blocking:
        return blockingBrush;
    case SegmentKind::Running:
        break;
    }
    return onWorker ? workerBrush : runningBrush;
}

const QColor &TimelinePalette::segmentColor(SegmentKind kind, bool onWorker) const
{
    switch (kind) {
    case SegmentKind::Unread:
        return unread;
    case SegmentKind::Queued:
        return queued;
    case SegmentKind::Awaiting:
        return awaiting;
    case SegmentKind::Blocking:
        return blocking;
    case SegmentKind::Running:
        break;
    }
    return onWorker ? worker : running;
}

} // namespace loopscope::viz
