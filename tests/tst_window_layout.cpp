// The window's layout at the sizes it is used at, down to a 1024×700 projector: every panel
// keeps room to show what it is for, with a finished lesson's banner open over the timeline.
#include "support/serverfixture.h"

#include "chartcursorview.h"
#include "livecharts.h"
#include "loadcontroller.h"
#include "mainwindow.h"
#include "runstable.h"
#include "serverhost.h"
#include "timelineview.h"

#include <QAbstractSeries>
#include <QChart>
#include <QFrame>
#include <QLabel>
#include <QLegend>
#include <QTabWidget>
#include <QTest>

using namespace loopscope;
using namespace loopscope::testing;

class TestWindowLayout : public QObject
{
    Q_OBJECT
private slots:
    void init();
    void cleanup();
    void atTheSmallestSizeEveryPanelKeepsItsRoom();
    void aLessonBannerLeavesTheLanesAndTheChartsTheirRoom_data();
    void aLessonBannerLeavesTheLanesAndTheChartsTheirRoom();

private:
    void resizeTo(QSize size);
    // What a finished lesson leaves in the banner: its title, what to watch, three claims.
    void showFinishedLessonBanner();

    std::unique_ptr<ServerHost> m_host;
    std::unique_ptr<MainWindow> m_window;
};

void TestWindowLayout::init()
{
    m_host = startServer();
    m_window = std::make_unique<MainWindow>(*m_host);
    m_window->show();
}

void TestWindowLayout::cleanup()
{
    m_window.reset();
    m_host.reset();
}

void TestWindowLayout::resizeTo(QSize size)
{
    m_window->resize(size);
    QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    QTRY_COMPARE(m_window->size(), size);
    QCoreApplication::processEvents();
}

void TestWindowLayout::showFinishedLessonBanner()
{
    auto *banner = m_window->findChild<QFrame *>(QStringLiteral("banner"));
    auto *text = m_window->findChild<QLabel *>(QStringLiteral("bannerText"));
    QVERIFY(banner && text);
    QString claims;
    for (int i = 0; i < 3; ++i) {
        claims += QStringLiteral("<br>&#x2713; a claim of the course, in its words, long enough "
                                 "to wrap on a small window: expected about 2x (at least 1.25x), "
                                 "measured <b>1.84x</b>");
    }
    text->setText(QStringLiteral("<b>The GIL: threads take turns, processes count at once</b><br>"
                                 "CPython runs one thread's bytecode at a time, switching every "
                                 "5 ms: a second thread adds no requests/s to CPU work.<br>Watch "
                                 "the pool jobs alternate between running and waiting.")
        + claims);
    banner->show();
    QCoreApplication::processEvents();
}

void TestWindowLayout::aLessonBannerLeavesTheLanesAndTheChartsTheirRoom_data()
{
    QTest::addColumn<QSize>("size");
    QTest::newRow("1024x700") << QSize(1024, 700);
    QTest::newRow("1440x900") << QSize(1440, 900);
    QTest::newRow("2560x1440") << QSize(2560, 1440);
}

void TestWindowLayout::aLessonBannerLeavesTheLanesAndTheChartsTheirRoom()
{
    QFETCH(QSize, size);
    resizeTo(size - QSize(0, 10));
    showFinishedLessonBanner();
    resizeTo(size); // as a user would, with the banner open
    // The timeline, banner open: a third of the window at least, more than the banner takes.
    const int timeline = m_window->timeline().height();
    const int banner = m_window->findChild<QFrame *>(QStringLiteral("banner"))->height();
    QVERIFY2(timeline >= size.height() / 3 && timeline > banner,
        qPrintable(QStringLiteral("timeline %1 px, banner %2 px").arg(timeline).arg(banner)));
    // Every chart readable where it is shown (in a tab on a short window): its plot at least
    // two lines of text tall under its title and legend, room for a curve and two tick labels.
    LiveCharts &charts = m_window->charts();
    if (auto *tabs = qobject_cast<QTabWidget *>(charts.parentWidget()->parentWidget()))
        tabs->setCurrentWidget(&charts);
    QCoreApplication::processEvents();
    QVERIFY(charts.isVisible());
    for (ChartCursorView *view : charts.findChildren<ChartCursorView *>()) {
        const qreal needed = 2 * view->fontMetrics().lineSpacing();
        QVERIFY2(view->chart()->plotArea().height() >= needed,
            qPrintable(QStringLiteral("%1: a plot %2 px tall, %3 px wanted")
                           .arg(view->chart()->title())
                           .arg(view->chart()->plotArea().height())
                           .arg(needed)));
    }
}

void TestWindowLayout::atTheSmallestSizeEveryPanelKeepsItsRoom()
{
    resizeTo(QSize(1024, 700));
    RunsTable &runs = m_window->runsTable();
    for (int i = 0; i < 4; ++i) {
        RunSummary run;
        run.label = QStringLiteral("run %1").arg(i);
        runs.addRun(run);
    }
    auto *tabs = m_window->findChild<QTabWidget *>();
    tabs->setCurrentWidget(&runs);
    QCoreApplication::processEvents();
    // More than one run in view.
    QVERIFY2(runs.viewport()->height() >= 2 * runs.rowHeight(0) + runs.rowHeight(0) / 2,
        qPrintable(QStringLiteral("%1 px for rows of %2")
                       .arg(runs.viewport()->height())
                       .arg(runs.rowHeight(0))));
    // The charts' legends are whole: every series' name inside its chart.
    for (ChartCursorView *view : m_window->charts().findChildren<ChartCursorView *>()) {
        if (!view->chart()->legend()->isVisible())
            continue;
        const QRectF legend = view->chart()->legend()->geometry();
        QVERIFY2(view->chart()->rect().contains(legend), qPrintable(view->chart()->title()));
        qreal needed = 0;
        for (QAbstractSeries *series : view->chart()->series())
            needed += view->fontMetrics().horizontalAdvance(series->name()) + 20;
        QVERIFY2(legend.width() >= needed || legend.height() > 1.5 * view->fontMetrics().height(),
            qPrintable(view->chart()->title()));
    }
}

QTEST_MAIN(TestWindowLayout)
#include "tst_window_layout.moc"
