#include "requestlistmodel.h"

#include "timelinemodel.h"

namespace loopscope::viz {

RequestListModel::RequestListModel(TimelineModel *model, QObject *parent)
    : QAbstractListModel(parent)
    , m_model(model)
    , m_base(model->requestOrderBase())
    , m_rows(int(model->requestOrder().size()))
{
    connect(model, &TimelineModel::requestsAppended, this, &RequestListModel::onAppended);
    connect(model, &TimelineModel::requestsDropped, this, &RequestListModel::onDropped);
    connect(model, &TimelineModel::requestsUpdated, this, &RequestListModel::onUpdated);
    connect(model, &TimelineModel::reset, this, &RequestListModel::onReset);
}

int RequestListModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rows;
}

QVariant RequestListModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const std::uint64_t arrival = m_base + std::uint64_t(index.row());
    const auto &order = m_model->requestOrder();
    if (arrival < m_model->requestOrderBase()
        || arrival - m_model->requestOrderBase() >= order.size())
        return {};
    const TimelineSpan *span
        = m_model->find(order[std::size_t(arrival - m_model->requestOrderBase())]);
    if (!span)
        return {}; // expired by retention, row removal follows
    switch (role) {
    case Qt::DisplayRole: {
        QString text = m_model->displayName(*span);
        if (span->status)
            text += QStringLiteral("  ") + QString::number(span->status);
        text += QStringLiteral("  ")
            + (span->isOpen() ? QStringLiteral("open")
                              : TimeMapping::formatDuration(span->end - span->begin));
        return text;
    }
    case Qt::ToolTipRole:
    case CollateralTextRole:
        return m_model->collateralText(*span);
    case SpanIdRole:
        return QVariant::fromValue<quint64>(span->id);
    case RouteRole:
        return TimelineModel::labelText(span->label);
    case StatusRole:
        return span->status;
    case DurationRole:
        return QVariant::fromValue<qint64>(span->isOpen() ? -1 : span->end - span->begin);
    case CollateralDelayRole:
        return QVariant::fromValue<qint64>(span->collateral.delay);
    default:
        return {};
    }
}

QHash<int, QByteArray> RequestListModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractListModel::roleNames();
    names.insert(SpanIdRole, QByteArrayLiteral("spanId"));
    names.insert(RouteRole, QByteArrayLiteral("route"));
    names.insert(StatusRole, QByteArrayLiteral("status"));
    names.insert(DurationRole, QByteArrayLiteral("duration"));
    names.insert(CollateralDelayRole, QByteArrayLiteral("collateralDelay"));
    names.insert(CollateralTextRole, QByteArrayLiteral("collateralText"));
    return names;
}

void RequestListModel::onAppended(int count)
{
    if (count <= 0)
        return;
    beginInsertRows({}, m_rows, m_rows + count - 1);
    m_rows += count;
    endInsertRows();
}

void RequestListModel::onDropped(int count)
{
    count = std::min(count, m_rows);
    if (count <= 0)
        return;
    beginRemoveRows({}, 0, count - 1);
    m_rows -= count;
    m_base += std::uint64_t(count);
    endRemoveRows();
}

void RequestListModel::onUpdated(int firstRow)
{
    const int first
        = int(std::int64_t(m_model->requestOrderBase()) + firstRow - std::int64_t(m_base));
    if (m_rows == 0 || first >= m_rows)
        return;
    Q_EMIT dataChanged(index(std::max(first, 0)), index(m_rows - 1));
}

void RequestListModel::onReset()
{
    beginResetModel();
    m_base = m_model->requestOrderBase();
    m_rows = int(m_model->requestOrder().size());
    endResetModel();
}

} // namespace loopscope::viz
