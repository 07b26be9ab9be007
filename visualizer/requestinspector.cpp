#include "requestinspector.h"

#include "sessionclock.h"
#include "timecursor.h"
#include "timelinemodel.h"

#include <algorithm>

namespace loopscope::viz {

RequestInspector::RequestInspector(TimelineModel *model, QWidget *parent)
    : QTreeWidget(parent)
    , m_model(model)
{
    setColumnCount(5);
    setHeaderLabels({ QStringLiteral("Event"), QStringLiteral("At"), QStringLiteral("Since start"),
        QStringLiteral("Took"), QStringLiteral("Detail") });
    setRootIsDecorated(false);
    setUniformRowHeights(true);
    setAlternatingRowColors(true);
    // An open request keeps growing; a closed one can still gain collateral
    // when a stall it lived through is attributed later.
    connect(model, &TimelineModel::changed, this, [this] {
        const TimelineSpan *s = m_model->find(m_span);
        if (s && (s->isOpen() || s->collateral.delay != m_shownCollateral))
            refresh();
    });
}

void RequestInspector::setTimeCursor(TimeCursor *cursor)
{
    connect(this, &QTreeWidget::itemClicked, cursor, [cursor](QTreeWidgetItem *item) {
        const QVariant instant = item->data(SessionTimeColumn, Qt::UserRole);
        if (instant.isValid())
            cursor->jumpTo(instant.toLongLong());
    });
}

void RequestInspector::showSpan(quint64 span)
{
    m_span = span;
    refresh();
}

void RequestInspector::refresh()
{
    clear();
    const TimelineSpan *s = m_model->find(m_span);
    if (!s)
        return;
    m_shownCollateral = s->collateral.delay;
    const Nanos now = m_model->now();
    const Nanos t0 = s->begin;
    struct Row
    {
        Nanos at;
        QString event;
        Nanos took; // -1 = not a duration
        QString detail;
    };
    std::vector<Row> rows;
    const auto add = [&](Nanos at, const QString &event, Nanos took, const QString &detail) {
        if (at > 0)
            rows.push_back({ at, event, took, detail });
    };
    const bool job = s->kind == SpanKind::Job;
    const bool task = s->kind == SpanKind::Task;
    add(s->begin,
        job        ? QStringLiteral("queued")
            : task ? QStringLiteral("spawned")
                   : QStringLiteral("accepted"),
        -1, m_model->displayName(*s));
    if (!job && !task) {
        add(s->parsed, QStringLiteral("parsed"), -1, TimelineModel::labelText(s->label));
        add(s->started, QStringLiteral("handler started"), s->started - s->begin,
            QStringLiteral("after queueing"));
    } else if (job) {
        add(s->started, QStringLiteral("started on worker"), s->started - s->begin,
            QStringLiteral("waited in queue"));
    }
    for (const Segment &seg : s->segments) {
        const Nanos end = seg.end ? seg.end : now;
        if (seg.kind == SegmentKind::Awaiting) {
            add(seg.begin, QStringLiteral("await"), end - seg.begin,
                TimelineModel::labelText(seg.label));
            if (seg.end)
                add(seg.end, QStringLiteral("resumed"), -1, TimelineModel::labelText(seg.label));
        } else if (seg.kind == SegmentKind::Blocking) {
            add(seg.begin, QStringLiteral("blocking call"), end - seg.begin,
                TimelineModel::labelText(seg.label) + QStringLiteral(" (loop frozen)"));
        }
    }
    if (s->written)
        add(s->written, QStringLiteral("response written"), -1,
            QString::number(s->status) + QStringLiteral(", ") + QString::number(s->bytes)
                + QStringLiteral(" bytes"));
    if (s->end) {
        static const QString outcomes[]
            = { QStringLiteral("closed"), QStringLiteral("failed"), QStringLiteral("cancelled") };
        add(s->end, outcomes[std::min<int>(s->outcome, 2)], s->end - s->begin,
            QStringLiteral("total"));
    }
    std::stable_sort(
        rows.begin(), rows.end(), [](const Row &a, const Row &b) { return a.at < b.at; });

    const auto setInstant = [](QTreeWidgetItem *item, Nanos at) {
        item->setText(SessionTimeColumn, trace::formatSessionTime(at));
        item->setData(SessionTimeColumn, Qt::UserRole, qint64(at));
    };
    QList<QTreeWidgetItem *> items;
    for (const Row &r : rows) {
        auto *item = new QTreeWidgetItem;
        item->setText(EventColumn, r.event);
        setInstant(item, r.at);
        item->setText(TimeColumn, QStringLiteral("+") + TimeMapping::formatDuration(r.at - t0));
        if (r.took >= 0)
            item->setText(DurationColumn, TimeMapping::formatDuration(r.took));
        item->setText(DetailColumn, r.detail);
        items.append(item);
    }
    if (s->collateral) {
        auto *item = new QTreeWidgetItem;
        item->setText(EventColumn, QStringLiteral("collateral"));
        item->setText(DurationColumn, TimeMapping::formatDuration(s->collateral.delay));
        item->setText(DetailColumn, m_model->collateralText(*s));
        items.append(item);
    }
    for (const LoopStall &st : m_model->stalls()) {
        if (st.culprit != s->id)
            continue;
        auto *item = new QTreeWidgetItem;
        item->setText(EventColumn, QStringLiteral("stalled the loop"));
        setInstant(item, st.begin);
        item->setText(TimeColumn, QStringLiteral("+") + TimeMapping::formatDuration(st.begin - t0));
        item->setText(
            DurationColumn, TimeMapping::formatDuration((st.end ? st.end : now) - st.begin));
        item->setText(DetailColumn,
            QStringLiteral("cost others ") + TimeMapping::formatDuration(st.collateralTotal)
                + QStringLiteral(" across ") + QString::number(st.victims)
                + QStringLiteral(" requests"));
        items.append(item);
    }
    addTopLevelItems(items);
    for (int c = 0; c < columnCount(); ++c)
        resizeColumnToContents(c);
}

} // namespace loopscope::viz
