// How the window fits its height: the charts beside the timeline, or in a tab.
#include "mainwindow.h"

#include "livecharts.h"

#include <QResizeEvent>
#include <QSplitter>
#include <QTabWidget>

namespace loopscope {

void MainWindow::resizeEvent(QResizeEvent *event)
{
    QMainWindow::resizeEvent(event);
    fitToHeight();
}

void MainWindow::fitToHeight()
{
    const bool inTab = m_bottomTabs->indexOf(m_charts) >= 0;
    const bool wantTab = height() < kChartsBesideTimelineFromHeight;
    if (wantTab == inTab)
        return;
    if (wantTab) {
        m_bottomTabs->insertTab(1, m_charts, tr("Charts"));
        // The tabs now hold the charts too: they take a third of the height, enough for both
        // rows of charts to show their plots.
        m_middleSplit->setSizes({ 2 * height() / 3, height() / 3 });
    } else {
        m_bottomTabs->removeTab(m_bottomTabs->indexOf(m_charts));
        m_timelineSplit->addWidget(m_charts);
        m_charts->show();
        m_timelineSplit->setSizes({ 300, 200 });
        m_middleSplit->setSizes({ 3 * height() / 4, height() / 4 });
    }
}

} // namespace loopscope
