#pragma once

#include "clientmeasurement.h"

#include <QtWidgets/QTreeWidget>

#include <cstdint>

namespace loopscope::viz {

class TimeCursor;
class TimelineModel;

// The selected span's story as a list of its events, each at its session time (the timeline's
// axis) and relative to the span's start, and what the loop's stalls did to it (or what it did
// to others). Clicking a row moves the window's time cursor to that event; clicking a
// collateral row also asks for its culprit to be shown (spanRequested). A request whose client
// said what it measured (setClientLookup) shows those times too, among the server's.
class RequestInspector : public QTreeWidget
{
    Q_OBJECT
public:
    enum Column
    {
        EventColumn,
        SessionTimeColumn, // seconds since the session's origin, as on every view
        TimeColumn, // since the span's start
        DurationColumn,
        DetailColumn
    };

    explicit RequestInspector(TimelineModel *model, QWidget *parent = nullptr);

    std::uint64_t span() const { return m_span; }
    void setTimeCursor(TimeCursor *cursor);
    void setClientLookup(ClientMeasurementLookup lookup) { m_clientLookup = std::move(lookup); }

public Q_SLOTS:
    void showSpan(quint64 span);
    void refresh();

Q_SIGNALS:
    // The reader asked to see another span: the culprit of a stall this one waited through.
    void spanRequested(quint64 span);

private:
    TimelineModel *m_model;
    ClientMeasurementLookup m_clientLookup;
    std::uint64_t m_span = 0;
    std::int64_t m_shownCollateral = 0;
    bool m_shownOpen = false;
};

} // namespace loopscope::viz
