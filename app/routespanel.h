#pragma once

#include <QTableWidget>

namespace loopscope {

class ModeTable;

// Every route with its variant as a three-way toggle; a flip applies to the next request at once.
class RoutesPanel : public QTableWidget
{
    Q_OBJECT
public:
    explicit RoutesPanel(ModeTable &modes, QWidget *parent = nullptr);
    // Re-reads the variants (after a scenario or /_scope/modes changed them).
    void refresh();

Q_SIGNALS:
    // A route's name or one of its variants was clicked: the route, with the variant it runs.
    void routeChosen(const QString &route, const QString &variant);

private:
    ModeTable &m_modes;
};

} // namespace loopscope
