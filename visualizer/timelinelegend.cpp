#include "timelinelegend.h"

#include <QtGui/QFontMetrics>
#include <QtGui/QPainter>

namespace loopscope::viz {

namespace {
constexpr int kMargin = 6;
constexpr int kSwatchWidth = 14;
constexpr int kSwatchGap = 4;
constexpr int kEntryGap = 14;

int entryWidth(const QFontMetrics &fm, const QString &text)
{
    return kSwatchWidth + kSwatchGap + fm.horizontalAdvance(text);
}

// Where each entry goes: left to right, a new row when the next one would not fit.
std::vector<QPoint> layout(
    const std::vector<LegendEntry> &entries, const QFontMetrics &fm, int width, int *rows)
{
    std::vector<QPoint> at;
    int x = kMargin;
    int row = 0;
    for (const LegendEntry &e : entries) {
        const int w = entryWidth(fm, e.text);
        if (x > kMargin && x + w > width - kMargin) {
            x = kMargin;
            ++row;
        }
        at.emplace_back(x, row);
        x += w + kEntryGap;
    }
    *rows = row + 1;
    return at;
}
} // namespace

std::vector<LegendEntry> timelineLegend(const TimelinePalette &palette)
{
    using Swatch = LegendEntry::Swatch;
    // The states of a request in the order it lives them, then what marks them.
    return {
        { palette.unread, QStringLiteral("unread in socket"), Swatch::Fill },
        { palette.queued, QStringLiteral("queued"), Swatch::Fill },
        { palette.running, QStringLiteral("running on the loop"), Swatch::Fill },
        { palette.awaiting, QStringLiteral("awaiting (loop free)"), Swatch::Fill },
        { palette.blocking, QStringLiteral("blocking the loop"), Swatch::Fill },
        { palette.worker, QStringLiteral("running on a worker"), Swatch::Fill },
        { palette.collateral, QStringLiteral("delayed by a stall"), Swatch::Fill },
        { palette.busyStall, QStringLiteral("loop busy, no one to blame"), Swatch::Fill },
        { palette.folded, QStringLiteral("many short requests (count)"), Swatch::Fill },
        { palette.unknownStartPen.color(), QStringLiteral("sent when? unknown"),
            Swatch::DottedEdge },
    };
}

int timelineLegendHeight(const QFontMetrics &fm, int width)
{
    int rows = 1;
    layout(timelineLegend(TimelinePalette()), fm, width, &rows);
    return rows * kLegendRowHeight;
}

void paintTimelineLegend(
    QPainter &p, const QRect &r, const TimelinePalette &palette, const QFontMetrics &fm)
{
    p.fillRect(r, palette.headerBrush);
    const std::vector<LegendEntry> entries = timelineLegend(palette);
    int rows = 1;
    const std::vector<QPoint> at = layout(entries, fm, r.width(), &rows);
    const auto top = [&](int row) { return r.top() + 1 + row * kLegendRowHeight; };
    const auto baseline
        = [&](int row) { return top(row) + (kLegendRowHeight + fm.ascent() - fm.descent()) / 2; };
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const LegendEntry &e = entries[i];
        const QRect swatch(
            r.left() + at[i].x(), top(at[i].y()) + (kLegendRowHeight - 10) / 2, kSwatchWidth, 10);
        if (e.swatch == LegendEntry::Swatch::Fill) {
            p.fillRect(swatch, e.color);
        } else {
            p.fillRect(swatch, palette.queued);
            p.setPen(palette.unknownStartPen);
            p.drawLine(swatch.topLeft(), swatch.bottomLeft());
        }
        p.setPen(palette.textPen);
        p.drawText(QPoint(swatch.right() + 1 + kSwatchGap, baseline(at[i].y())), e.text);
    }
}

} // namespace loopscope::viz
