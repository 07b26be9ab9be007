#pragma once

#include "loophealth.h"
#include "timelinekeys.h"
#include "timelinepalette.h"
#include "zoomstate.h"

#include <QtCore/QElapsedTimer>
#include <QtCore/QTimer>
#include <QtWidgets/QWidget>

class QScrollBar;

#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

namespace loopscope::viz {

class TimeCursor;
class TimelineModel;

// Paints a TimelineModel through a ZoomState and turns mouse and keyboard input
// into zoom-state changes. Holds no data of its own beyond layout and caches.
//
// The keys and mouse gestures it accepts are listed in timelinekeys.h (timelineKeys(),
// timelineGestures()), which Help > Keys shows.
class TimelineView : public QWidget
{
    Q_OBJECT
public:
    static constexpr int kHealthHeight = 52;
    static constexpr int kAxisHeight = 20;
    static constexpr int kHeaderHeight = 18;
    static constexpr int kMaxLaneHeight = 20;
    // Below this the lanes scroll rather than shrink: a thinner bar cannot be told from its
    // neighbours or hit with the mouse.
    static constexpr int kMinLaneHeight = 6;
    static constexpr double kFoldPixels = 3.0;
    static constexpr double kDetailPixels = 12.0; // narrower bars show their dominant state only
    static constexpr std::size_t kMaxLabels = 200; // text is the costliest thing a frame draws
    static constexpr std::chrono::milliseconds kFrameInterval { 16 };

    explicit TimelineView(TimelineModel *model, QWidget *parent = nullptr);

    TimelineModel *model() const { return m_model; }
    ZoomState *zoom() { return &m_zoom; }
    const TimelinePalette &timelinePalette() const { return m_palette; }
    std::uint64_t selectedSpan() const { return m_selected; }
    bool isRepaintPending() const { return m_throttle.isActive() || m_dirty; }
    std::uint64_t paintCount() const { return m_paintCount; }
    // Text inside bars and folds; off gives exact colours for pixel tests and
    // screenshots of very dense traffic.
    bool labelsVisible() const { return m_labels; }
    void setLabelsVisible(bool visible);
    // The window's shared cursor: hovering sets it, and the view draws it wherever it was set.
    void setTimeCursor(TimeCursor *cursor);

    // Layout queries, public for tests and for the app's overlays. A row's y is where it is
    // drawn, the lanes' scroll included: rows scrolled out of lanesViewport() are listed too.
    static constexpr int kHeaderRow = -1;
    static constexpr int kFoldedRow = -2; // every lane of a folded group, drawn in one row
    struct Row
    {
        LaneGroup group;
        int lane; // a lane's index, kHeaderRow or kFoldedRow
        int y;
        int height;
    };
    const std::vector<Row> &rows() const;
    // The lane's row, or the folded row holding it; empty when its group has no such lane.
    QRect laneRect(LaneGroup group, int lane) const;
    QRect healthRect() const;
    // The part of the health strip under its title, where the lag and the stalls are drawn.
    QRect stallBarsRect() const;
    QRect lanesViewport() const;

    // Lanes that do not fit scroll (scroll bar, Shift+wheel, Page Up/Down); a group folds
    // into one row by a click on its title.
    int lanesScroll() const { return m_lanesScroll; }
    int lanesScrollMaximum() const;
    void scrollLanesTo(int y);
    bool isGroupFolded(LaneGroup group) const;
    void setGroupFolded(LaneGroup group, bool folded);
    // The span drawn at pos, or 0.
    std::uint64_t spanAt(QPoint pos) const;

    QSize sizeHint() const override;

    // What a key or a control asks for; the one way they move the zoom state.
    void run(TimelineCommand command);

public Q_SLOTS:
    void setFollowing(bool following);
    void selectSpan(std::uint64_t span);

Q_SIGNALS:
    void requestSelected(quint64 span);
    void painted(std::chrono::nanoseconds duration);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void changeEvent(QEvent *event) override;
    bool event(QEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;

private:
    void onModelChanged();
    void scheduleRepaint();
    void relayout() const;
    int lanesBottom() const;
    void syncLanesScrollBar();
    const Row *rowAt(QPoint pos) const;

    void paintHealth(QPainter &p, const TimeMapping &m, Nanos now);
    void paintAxis(QPainter &p, const TimeMapping &m, int gridBottom);
    void paintRowBackgrounds(QPainter &p);
    void paintGroupTitles(QPainter &p);
    void paintLanes(QPainter &p, const TimeMapping &m, Nanos now);
    void paintLane(const TimeMapping &m, const Row &row, Nanos now);
    void paintSpan(
        const TimeMapping &m, const TimelineSpan &s, int y, int h, Nanos now, bool worker);
    void paintFlowArrows(QPainter &p, const TimeMapping &m, Nanos now);
    void paintServerMarks(QPainter &p, const TimeMapping &m, int gridBottom);
    static int brushFor(SegmentKind kind, bool worker);
    QString tooltipAt(QPoint pos) const;

    TimelineModel *m_model;
    TimeCursor *m_timeCursor = nullptr;
    ZoomState m_zoom;
    TimelinePalette m_palette;
    QTimer m_throttle;
    QElapsedTimer m_sinceLastPaint;
    bool m_dirty = false;
    bool m_labels = true;
    int m_legendHeight = 0; // the key's rows for the current width and font
    std::uint64_t m_paintCount = 0;
    std::uint64_t m_selected = 0;

    mutable std::vector<Row> m_rows;
    mutable std::uint64_t m_layoutRevision = UINT64_MAX;
    mutable QSize m_layoutSize;
    mutable int m_layoutScroll = -1;
    mutable unsigned m_layoutFolded = 0;
    mutable int m_laneHeight = kMaxLaneHeight;
    mutable int m_lanesContentHeight = 0;
    int m_lanesScroll = 0;
    unsigned m_foldedGroups = 0; // a bit per LaneGroup
    QScrollBar *m_lanesScrollBar = nullptr;

    // Frame-local: stalls that intersect the view, for collateral underlines, and
    // everything a frame draws, batched per brush (reused, so no allocation per frame).
    std::vector<const LoopStall *> m_visibleStalls;
    // Where this frame writes its group titles, painted last so that lines across the lanes
    // pass behind them; the server marks' labels keep off them.
    std::vector<std::pair<QRect, QString>> m_headerTitles;
    enum BrushIndex
    {
        UnreadBrush,
        QueuedBrush,
        RunningBrush,
        WorkerBrush,
        AwaitingBrush,
        FoldedBrush,
        BlockingBrush,
        CollateralBrush,
        kBrushCount
    };
    std::array<std::vector<QRect>, kBrushCount> m_rects;
    std::vector<QLine> m_markers;
    std::vector<QLine> m_unknownStarts; // requests whose time before the read is unknown
    std::vector<std::pair<QRect, QString>> m_texts;
    std::vector<QRect> m_outlines;
    std::uint32_t m_selectedSlot = UINT32_MAX;

    enum class Drag
    {
        None,
        Pending,
        Pan,
        Box
    };
    Drag m_drag = Drag::None;
    bool m_boxGesture = false;
    QPoint m_pressPos;
    QPoint m_lastPos;
};

} // namespace loopscope::viz
