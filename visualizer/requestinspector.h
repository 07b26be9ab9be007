#pragma once

#include <QtWidgets/QTreeWidget>

#include <cstdint>

namespace loopscope::viz {

class TimelineModel;

// The selected span's story as a list of its events with times relative to its
// start, and what the loop's stalls did to it (or what it did to others).
class RequestInspector : public QTreeWidget
{
    Q_OBJECT
public:
    enum Column
    {
        EventColumn,
        TimeColumn,
        DurationColumn,
        DetailColumn
    };

    explicit RequestInspector(TimelineModel *model, QWidget *parent = nullptr);

    std::uint64_t span() const { return m_span; }

public Q_SLOTS:
    void showSpan(quint64 span);
    void refresh();

private:
    TimelineModel *m_model;
    std::uint64_t m_span = 0;
    std::int64_t m_shownCollateral = 0;
};

} // namespace loopscope::viz
