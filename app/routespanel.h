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

private:
    ModeTable &m_modes;
};

} // namespace loopscope
