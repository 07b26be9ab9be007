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
    // A victim's collateral row leads to the span that stalled the loop.
    connect(this, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem *item) {
        const quint64 culprit = item->data(EventColumn, Qt::UserRole).toULongLong();
        if (culprit != 0 && m_model->find(culprit))
            Q_EMIT spanRequested(culprit);
    });
    // An open request keeps growing, and its close must be shown; a closed one can still gain
    // collateral when a stall it lived through is attributed later.
    connect(model, &TimelineModel::changed, this, [this] {
        const TimelineSpan *s = m_model->find(m_span);
        if (s && (s->isOpen() || m_shownOpen || s->collateral.delay != m_shownCollateral))
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

namespace {
// One stall's charges to a span are listed one by one up to this many; the rest as one row.
constexpr std::size_t kMaxChargeRows = 20;

QString outcomeText(SpanOutcome outcome)
{
    switch (outcome) {
    case SpanOutcome::Open:
        return QStringLiteral("open");
    case SpanOutcome::Done:
        return QStringLiteral("closed");
    case SpanOutcome::Failed:
        return QStringLiteral("failed");
    case SpanOutcome::Cancelled:
        return QStringLiteral("cancelled");
    }
    return {};
}
} // namespace

void RequestInspector::refresh()
{
    clear();
    const TimelineSpan *s = m_model->find(m_span);
    if (!s)
        return;
    m_shownCollateral = s->collateral.delay;
    m_shownOpen = s->isOpen();
    const Nanos now = m_model->now();
    const Nanos t0 = s->begin; // its client's send time when known: all times count from there
    struct Row
    {
        Nanos at;
        QString event;
        Nanos took; // -1 = not a duration
        QString detail;
        std::uint64_t culprit = 0; // a collateral row: the span that stalled the loop
    };
    std::vector<Row> rows;
    const auto add = [&](Nanos at, const QString &event, Nanos took, const QString &detail,
                         std::uint64_t culprit = 0) {
        if (at > 0)
            rows.push_back({ at, event, took, detail, culprit });
    };
    const bool job = s->kind == SpanKind::Job;
    const bool task = s->kind == SpanKind::Task;
    const bool request = !job && !task;
    if (request) {
        switch (s->issuedBy) {
        case IssuedBy::Client:
            add(s->begin, QStringLiteral("sent"), -1,
                m_model->displayName(*s) + QStringLiteral(", by its client"));
            break;
        case IssuedBy::Kernel:
            add(s->begin, QStringLiteral("arrived"), -1,
                m_model->displayName(*s)
                    + QStringLiteral(
                        ", its bytes reached the machine (its client gave no send time)"));
            break;
        case IssuedBy::Unknown:
            break; // a row of its own, first, below
        }
        if (s->accepted > s->begin)
            add(s->begin, QStringLiteral("unread in socket"), s->accepted - s->begin,
                QStringLiteral("sent, not yet read by the server"));
        add(s->accepted, QStringLiteral("accepted"), -1,
            s->issuedBy == IssuedBy::Unknown ? m_model->displayName(*s)
                                             : QStringLiteral("read by the server"));
        add(s->parsed, QStringLiteral("parsed"), -1, TimelineModel::labelText(s->label));
        add(s->started, QStringLiteral("handler started"), s->started - s->accepted,
            QStringLiteral("after queueing"));
    } else {
        add(s->accepted, job ? QStringLiteral("queued") : QStringLiteral("spawned"), -1,
            m_model->displayName(*s));
        if (job)
            add(s->started, QStringLiteral("started on worker"), s->started - s->accepted,
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
        add(s->end, outcomeText(s->outcome), s->end - s->begin,
            s->issuedBy == IssuedBy::Client       ? QStringLiteral("total since sent")
                : s->issuedBy == IssuedBy::Kernel ? QStringLiteral("total since it arrived")
                                                  : QStringLiteral("total"));
    }
    // What its client measured, on the same clock: the gap to the server's times is the network,
    // the kernel and the client itself. During a replay only what had happened by the play head
    // (the model's now), as for the server's rows.
    const std::optional<ClientMeasurement> client
        = request && m_clientLookup ? m_clientLookup(s->requestId.view()) : std::nullopt;
    if (client) {
        ClientMeasurement c = *client;
        for (Nanos *point : { &c.started, &c.connected, &c.firstByte, &c.ended }) {
            if (*point > now)
                *point = 0; // not yet: `add` leaves out a row at 0
        }
        if (c.started > c.scheduled)
            add(c.scheduled, QStringLiteral("client: scheduled"), c.started - c.scheduled,
                QStringLiteral("its run meant to send it here; its client began it late"));
        if (c.connected && c.started)
            add(c.started, QStringLiteral("client: connecting"), c.connected - c.started,
                QStringLiteral("a new connection"));
        if (c.firstByte)
            add(c.firstByte, QStringLiteral("client: first byte"), -1,
                QStringLiteral("its answer began to arrive"));
        const QString outcome
            = c.error.isEmpty() ? QStringLiteral("status %1").arg(c.status) : c.error;
        add(c.ended,
            c.error.isEmpty() ? QStringLiteral("client: received")
                              : QStringLiteral("client: failed"),
            c.ended - c.scheduled,
            QStringLiteral("latency as its client measured it, from %1 (%2)")
                .arg(c.started > c.scheduled ? QStringLiteral("its schedule")
                                             : QStringLiteral("its start"),
                    outcome));
    }
    // What stalls did to it, each where it happened: a victim's wait with its culprit.
    const std::vector<TimelineModel::StallCharge> charges = m_model->stallCharges(*s);
    Nanos restWaited = 0;
    Nanos restAt = 0;
    for (std::size_t i = 0; i < charges.size(); ++i) {
        const TimelineModel::StallCharge &c = charges[i];
        const Nanos at = std::max(c.stall->begin, s->begin);
        if (i < kMaxChargeRows) {
            add(at, QStringLiteral("collateral"), c.waited, m_model->chargeText(c),
                c.stall->culprit);
        } else {
            restAt = restAt ? restAt : at;
            restWaited += c.waited;
        }
    }
    if (restWaited > 0)
        add(restAt, QStringLiteral("collateral"), restWaited,
            QStringLiteral("%1 more stalls").arg(charges.size() - kMaxChargeRows));
    for (const LoopStall &st : m_model->stalls()) {
        if (st.culprit != s->id)
            continue;
        const QString victims = m_model->stallVictimsText(st);
        add(st.begin, QStringLiteral("stalled the loop"), (st.end ? st.end : now) - st.begin,
            victims.isEmpty() ? QStringLiteral("no one else waited") : victims);
    }
    std::stable_sort(
        rows.begin(), rows.end(), [](const Row &a, const Row &b) { return a.at < b.at; });

    const auto setInstant = [](QTreeWidgetItem *item, Nanos at) {
        item->setText(SessionTimeColumn, trace::formatSessionTime(at));
        item->setData(SessionTimeColumn, Qt::UserRole, qint64(at));
    };
    QList<QTreeWidgetItem *> items;
    // at 0: a row with no instant of its own (a total, an unknown time).
    const auto item = [&](const QString &event, Nanos at, const QString &sinceStart, Nanos took,
                          const QString &detail, std::uint64_t culprit = 0) {
        auto *row = new QTreeWidgetItem;
        row->setText(EventColumn, event);
        if (at > 0)
            setInstant(row, at);
        row->setText(TimeColumn, sinceStart);
        if (took >= 0)
            row->setText(DurationColumn, TimeMapping::formatDuration(took));
        row->setText(DetailColumn, detail);
        if (culprit != 0) {
            row->setData(EventColumn, Qt::UserRole, quint64(culprit));
            row->setToolTip(DetailColumn, QStringLiteral("Click to inspect the culprit"));
            row->setToolTip(EventColumn, QStringLiteral("Click to inspect the culprit"));
        }
        items.append(row);
    };
    if (request && s->issuedBy == IssuedBy::Unknown)
        item(QStringLiteral("sent"), 0, QStringLiteral("unknown"), -1,
            QStringLiteral(
                "neither a send time nor an arrival time is known: how long it waited "
                "before the server read it is unknown (times below count from the read)"));
    // A client's rows may come before the send time that all others count from.
    const auto sinceStart = [t0](Nanos at) -> QString {
        return at < t0 ? QStringLiteral("−") + TimeMapping::formatDuration(t0 - at)
                       : QStringLiteral("+") + TimeMapping::formatDuration(at - t0);
    };
    for (const Row &r : rows)
        item(r.event, r.at, sinceStart(r.at), r.took, r.detail, r.culprit);
    if (charges.size() > 1)
        item(QStringLiteral("collateral in all"), 0, QString(), s->collateral.delay,
            m_model->collateralText(*s));
    addTopLevelItems(items);
    for (int c = 0; c < columnCount(); ++c)
        resizeColumnToContents(c);
}

} // namespace loopscope::viz
