#pragma once

#include <QtCore/QAbstractListModel>

#include <cstdint>

namespace loopscope::viz {

class TimelineModel;

// Requests in arrival order as a flat Qt model, for lists and the inspector's
// neighbours. Row changes arrive in the timeline model's batches: one insert per
// frame, one removal per retention pass.
class RequestListModel : public QAbstractListModel
{
    Q_OBJECT
public:
    enum Role
    {
        SpanIdRole = Qt::UserRole + 1,
        RouteRole,
        StatusRole,
        DurationRole, // qint64 ns; -1 while open
        CollateralDelayRole, // qint64 ns
        CollateralTextRole,
    };

    explicit RequestListModel(TimelineModel *model, QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QHash<int, QByteArray> roleNames() const override;

private:
    void onAppended(int count);
    void onDropped(int count);
    void onUpdated(int firstRow);
    void onReset();

    TimelineModel *m_model;
    // Our own view of the rows: the timeline model has already changed when it
    // signals, and Qt's contract wants the old shape until begin*/end* run.
    std::uint64_t m_base = 0;
    int m_rows = 0;
};

} // namespace loopscope::viz
