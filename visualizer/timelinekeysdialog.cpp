#include "timelinekeysdialog.h"

#include "timelinekeys.h"

#include <QtWidgets/QDialogButtonBox>
#include <QtWidgets/QHeaderView>
#include <QtWidgets/QLabel>
#include <QtWidgets/QTableWidget>
#include <QtWidgets/QVBoxLayout>

namespace loopscope::viz {

TimelineKeysDialog::TimelineKeysDialog(QWidget *parent)
    : QDialog(parent)
    , m_table(new QTableWidget(this))
{
    setWindowTitle(tr("Timeline keys and mouse"));
    auto *layout = new QVBoxLayout(this);
    auto *intro = new QLabel(tr("Click the timeline first so it has the keyboard. Anything that "
                                "moves the view pauses following; recording goes on."),
        this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    const auto &keys = timelineKeys();
    const auto &gestures = timelineGestures();
    m_table->setColumnCount(2);
    m_table->setHorizontalHeaderLabels({ tr("Key or gesture"), tr("Does") });
    m_table->setRowCount(int(keys.size() + gestures.size()));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->hide();
    int row = 0;
    for (const TimelineKey &key : keys) {
        m_table->setItem(row, 0, new QTableWidgetItem(key.keysText()));
        m_table->setItem(row++, 1, new QTableWidgetItem(key.action));
    }
    for (const TimelineGesture &gesture : gestures) {
        m_table->setItem(row, 0, new QTableWidgetItem(gesture.gesture));
        m_table->setItem(row++, 1, new QTableWidgetItem(gesture.action));
    }
    m_table->resizeColumnsToContents();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setMinimumWidth(m_table->horizontalHeader()->length() + 40);
    m_table->setMinimumHeight(m_table->verticalHeader()->length()
        + m_table->horizontalHeader()->height() + 2 * m_table->frameWidth());
    layout->addWidget(m_table);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    layout->addWidget(buttons);
}

TimelineKeysDialog *showTimelineKeys(QWidget *parent)
{
    auto *dialog = parent->findChild<TimelineKeysDialog *>(QString(), Qt::FindDirectChildrenOnly);
    if (!dialog)
        dialog = new TimelineKeysDialog(parent);
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
    return dialog;
}

} // namespace loopscope::viz
