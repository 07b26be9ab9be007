#pragma once

#include "timelinepalette.h"

#include <QtCore/QString>

#include <vector>

class QFontMetrics;
class QPainter;
class QRect;

namespace loopscope::viz {

// The timeline's key: what each colour and mark means.
struct LegendEntry
{
    enum class Swatch
    {
        Fill, // a box of the colour
        DottedEdge // the dotted start of a request whose wait before the read is unknown
    };
    QColor color;
    QString text;
    Swatch swatch = Swatch::Fill;
};

std::vector<LegendEntry> timelineLegend(const TimelinePalette &palette);

// The key flows onto as many rows as the width needs, so no entry is ever cut off.
inline constexpr int kLegendRowHeight = 20;
int timelineLegendHeight(const QFontMetrics &fm, int width);
// Draws the key in r. Live or paused is not drawn here: the controls above the timeline show it
// at every width.
void paintTimelineLegend(
    QPainter &p, const QRect &r, const TimelinePalette &palette, const QFontMetrics &fm);

} // namespace loopscope::viz
