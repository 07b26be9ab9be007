#pragma once

#include "timelinespan.h"

#include <QtGui/QBrush>
#include <QtGui/QColor>
#include <QtGui/QPalette>
#include <QtGui/QPen>

namespace loopscope::viz {

// Colours and the pens/brushes built from them, once per palette change rather
// than per bar. Backgrounds and text follow the widget palette (so the system's
// light or dark theme); the semantic hues are fixed, in a light and a dark
// variant, because "red = blocking" must not depend on the desktop's accent.
struct TimelinePalette
{
    static TimelinePalette from(const QPalette &palette);

    bool dark = false;
    QColor background, stripe, header, text, mutedText, grid;
    // stall: a blocking call's stall (red, like the call); busyStall: the loop busy with its own
    // work, no one to blame.
    QColor running, worker, awaiting, queued, unread, blocking, folded, collateral, stall,
        busyStall, lag, selection, nowLine;

    QBrush runningBrush, workerBrush, awaitingBrush, queuedBrush, unreadBrush, blockingBrush,
        foldedBrush, collateralBrush, stallBrush, busyStallBrush, lagBrush, stripeBrush,
        headerBrush;
    // unknownStartPen: the lead-in of a request whose wait before the server read it is unknown.
    QPen gridPen, textPen, mutedPen, selectionPen, nowPen, markerPen, unknownStartPen;

    const QBrush &segmentBrush(SegmentKind kind, bool onWorker) const;
    const QColor &segmentColor(SegmentKind kind, bool onWorker) const;
};

} // namespace loopscope::viz
