#include "routespanel.h"

#include "core/modetable.h"

#include <QButtonGroup>
#include <QHeaderView>
#include <QRadioButton>

namespace loopscope {

namespace {
// The route's name, then one column per variant.
constexpr int variantColumns = int(allHandlerVariants.size());

// The whole cell takes the click, not only the small circle at its left.
class CellRadioButton : public QRadioButton
{
public:
    using QRadioButton::QRadioButton;

protected:
    bool hitButton(const QPoint &pos) const override { return rect().contains(pos); }
};
} // namespace

RoutesPanel::RoutesPanel(ModeTable &modes, QWidget *parent)
    : QTableWidget(modes.size(), 1 + variantColumns, parent)
    , m_modes(modes)
{
    setHorizontalHeaderLabels(QStringList { tr("Route") } + variantNames(allVariants));
    verticalHeader()->hide();
    setSelectionMode(QAbstractItemView::NoSelection);
    setFocusPolicy(Qt::NoFocus);
    horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int column = 1; column <= variantColumns; ++column)
        horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    for (int row = 0; row < modes.size(); ++row) {
        const ModeTable::Entry &entry = modes.entry(row);
        auto *name = new QTableWidgetItem(entry.route);
        name->setFlags(Qt::ItemIsEnabled);
        name->setToolTip(tr("Default: %1").arg(variantName(entry.defaultVariant)));
        setItem(row, 0, name);
        auto *group = new QButtonGroup(this);
        for (HandlerVariant variant : allHandlerVariants) {
            auto *button = new CellRadioButton(this);
            button->setObjectName(entry.route + u'=' + variantName(variant));
            const bool offered = entry.allowed & variantBit(variant);
            button->setEnabled(offered);
            // A greyed-out circle says why it is off, not what it would do.
            button->setToolTip(offered ? tr("Run %1 as %2").arg(entry.route, variantName(variant))
                                       : tr("Off: %1 does not offer a %2 variant")
                                             .arg(entry.route, variantName(variant)));
            group->addButton(button);
            setCellWidget(row, 1 + static_cast<int>(variant), button);
            connect(button, &QRadioButton::toggled, this,
                [this, route = entry.route, variant](bool on) {
                    if (on)
                        m_modes.set(route, variantName(variant));
                });
            connect(button, &QRadioButton::clicked, this, [this, route = entry.route, variant] {
                emit routeChosen(route, variantName(variant));
            });
        }
    }
    connect(this, &QTableWidget::cellClicked, this, [this](int row, int column) {
        if (column == 0)
            emit routeChosen(m_modes.entry(row).route, variantName(m_modes.variant(row)));
    });
    refresh();
}

void RoutesPanel::refresh()
{
    for (int row = 0; row < m_modes.size(); ++row) {
        const HandlerVariant current = m_modes.variant(row);
        auto *button = qobject_cast<QRadioButton *>(cellWidget(row, 1 + static_cast<int>(current)));
        if (button && !button->isChecked()) {
            const QSignalBlocker blocker(button);
            button->setChecked(true);
        }
    }
}

} // namespace loopscope
