#pragma once

#include <QtWidgets/QDialog>

class QTableWidget;

namespace loopscope::viz {

// Help > Keys: every key and mouse gesture the timeline accepts, one row each, read from the
// same tables the view's handlers use.
class TimelineKeysDialog : public QDialog
{
    Q_OBJECT
public:
    explicit TimelineKeysDialog(QWidget *parent = nullptr);
    QTableWidget *table() const { return m_table; }

private:
    QTableWidget *m_table;
};

// Raises parent's keys dialog, creating it on first use (one per window, not modal, so the
// timeline can be tried while it is open).
TimelineKeysDialog *showTimelineKeys(QWidget *parent);

} // namespace loopscope::viz
