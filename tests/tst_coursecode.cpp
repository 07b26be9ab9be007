// The Code tab: every variant of every course route has the course's Python and the C++
// coroutine that serves it, the variant's change is highlighted, and the tab follows the
// route chosen in the routes panel.
#include "coursecode.h"
#include "coursecodeview.h"
#include "mainwindow.h"
#include "routespanel.h"
#include "support/routetable.h"
#include "support/serverfixture.h"
#include "trace/trace.h"

#include <QAbstractButton>
#include <QTabWidget>
#include <QTest>

using namespace loopscope;
using namespace loopscope::testing;

class TestCourseCode : public QObject
{
    Q_OBJECT
private slots:
    void everyVariantOfEveryCourseRouteHasItsCode();
    void variantChangeIsHighlighted();
    void functionSourceTakesDefinitionsNotDeclarations();
    void eachWaitMarksItsPythonCall_data();
    void eachWaitMarksItsPythonCall();
    void theMarkFollowsWhatTheRequestDoesAtTheCursor();
    void routesPanelChoosesWhatTheTabShows();
};

void TestCourseCode::everyVariantOfEveryCourseRouteHasItsCode()
{
    RouteTable table;
    int checked = 0;
    for (const Route &route : table.router.routes()) {
        if (route.internal)
            continue;
        for (const HandlerVariant variant : allHandlerVariants) {
            if (!(route.variants & variantBit(variant)))
                continue;
            const QString label = route.key() + u' ' + variantName(variant);
            const CourseCode code = courseCodeFor(route.key(), variantName(variant));
            QVERIFY2(!code.python.isEmpty(), qPrintable(label + QStringLiteral(": no Python")));
            // The Python is the route's: its decorator names its method, or it is the part of
            // the course (a helper, a service method) the route runs.
            QVERIFY2(code.python.contains(u"def "), qPrintable(label));
            QVERIFY2(code.cpp.contains(u"HttpResponse") && code.cpp.trimmed().endsWith(u'}'),
                qPrintable(label + QStringLiteral(": no C++ from ") + code.cppFile));
            QVERIFY(QFile::exists(
                QStringLiteral(":/loopscope/code/") + code.cppFile.section(u'/', -1)));
            ++checked;
        }
    }
    QVERIFY2(checked >= 50, qPrintable(QString::number(checked)));
    // An unknown route has nothing, and says so rather than showing another's code.
    const CourseCode none = courseCodeFor(QStringLiteral("GET /nowhere"), QStringLiteral("async"));
    QVERIFY(none.python.isEmpty());
    QVERIFY(none.cpp.isEmpty());
}

void TestCourseCode::variantChangeIsHighlighted()
{
    CourseCodeView view;
    view.showRoute(QStringLiteral("GET /async"), QStringLiteral("blocking"));
    QVERIFY(view.python().contains(u"time.sleep(2)"));
    QVERIFY(view.cpp().contains(u"sleepEndpoint"));
    const QStringList lines = view.python().split(u'\n');
    QCOMPARE(view.highlightedLines().size(), 1);
    QVERIFY(lines.at(view.highlightedLines().first()).contains(u"time.sleep(2)"));
    // The course's own code has no change to mark.
    view.showRoute(QStringLiteral("GET /async"), QStringLiteral("async"));
    QVERIFY(view.python().contains(u"await asyncio.sleep(2)"));
    QVERIFY(view.highlightedLines().isEmpty());
    // A variant the course has no code for says so.
    view.showRoute(QStringLiteral("GET /start-task"), QStringLiteral("blocking"));
    QVERIFY(view.python().startsWith(u"# The course has no code"));
}

void TestCourseCode::functionSourceTakesDefinitionsNotDeclarations()
{
    const QString source = QStringLiteral("QCoro::Task<HttpResponse> handler(int);\n"
                                          "\n"
                                          "// Why it is so.\n"
                                          "// And more.\n"
                                          "QCoro::Task<HttpResponse> handler(int x)\n"
                                          "{\n"
                                          "    if (x) {\n"
                                          "    }\n"
                                          "    co_return {};\n"
                                          "}\n"
                                          "struct Api\n"
                                          "{\n"
                                          "    // A member.\n"
                                          "    QCoro::Task<HttpResponse> member(int y)\n"
                                          "    {\n"
                                          "        co_return {};\n"
                                          "    }\n"
                                          "};\n");
    QCOMPARE(functionSource(source, QStringLiteral("handler")),
        QStringLiteral("// Why it is so.\n// And more.\nQCoro::Task<HttpResponse> handler(int "
                       "x)\n{\n    if (x) {\n    }\n    co_return {};\n}\n"));
    QCOMPARE(functionSource(source, QStringLiteral("member")),
        QStringLiteral("    // A member.\n    QCoro::Task<HttpResponse> member(int y)\n    {\n"
                       "        co_return {};\n    }\n"));
    QVERIFY(functionSource(source, QStringLiteral("hand")).isEmpty());
}

void TestCourseCode::routesPanelChoosesWhatTheTabShows()
{
    const auto host = startServer();
    MainWindow window(*host);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    RoutesPanel &routes = window.routesPanel();
    int row = -1;
    for (int r = 0; r < routes.rowCount(); ++r) {
        if (routes.item(r, 0)->text() == u"GET /weather/{city}")
            row = r;
    }
    QVERIFY(row >= 0);
    routes.scrollToItem(routes.item(row, 0));
    // Clicking the route's name shows it as it runs now; clicking a variant shows that one.
    QTest::mouseClick(routes.viewport(), Qt::LeftButton, Qt::NoModifier,
        routes.visualItemRect(routes.item(row, 0)).center());
    QVERIFY2(window.courseCode().title().contains(u"async variant"),
        qPrintable(window.courseCode().title()));
    QVERIFY(window.courseCode().python().contains(u"httpx.AsyncClient()"));
    auto *blocking
        = routes.findChild<QAbstractButton *>(QStringLiteral("GET /weather/{city}=blocking"));
    QVERIFY(blocking);
    QTRY_VERIFY(blocking->isVisible());
    // Anywhere in its cell, not only on the circle.
    QTest::mouseClick(blocking, Qt::LeftButton, Qt::NoModifier, blocking->rect().center());
    QVERIFY(blocking->isChecked());
    QVERIFY(window.courseCode().title().contains(u"blocking variant"));
    QVERIFY(window.courseCode().python().contains(u"requests.get"));
    QVERIFY(window.courseCode().cpp().contains(u"weather("));

    // LOOPSCOPE_CODE_SCREENSHOT=FILE.png saves the window with the tab shown, to look at.
    if (const QString shot = qEnvironmentVariable("LOOPSCOPE_CODE_SCREENSHOT"); !shot.isEmpty()) {
        for (QTabWidget *tabs : window.findChildren<QTabWidget *>()) {
            if (tabs->indexOf(&window.courseCode()) >= 0)
                tabs->setCurrentWidget(&window.courseCode());
        }
        QVERIFY(window.grab().save(shot));
    }
}

// The wait labels the server records, each on the Python call that waits so in the course's code
// of that route and variant; a label the code does not show marks nothing.
void TestCourseCode::eachWaitMarksItsPythonCall_data()
{
    QTest::addColumn<QString>("route");
    QTest::addColumn<QString>("variant");
    QTest::addColumn<QString>("label");
    QTest::addColumn<QString>("call"); // what the marked line holds; empty: no line
    QTest::newRow("awaited sleep") << "GET /async"
                                   << "async"
                                   << "sleep 2s"
                                   << "await asyncio.sleep(2)";
    QTest::newRow("blocking sleep") << "GET /async"
                                    << "blocking"
                                    << "sleep 2s"
                                    << "time.sleep(2)";
    QTest::newRow("to_thread") << "GET /async"
                               << "threadpool"
                               << "sleep 2s"
                               << "asyncio.to_thread(";
    QTest::newRow("service call, sleep in a comment") << "GET /users/{user_id}"
                                                      << "async"
                                                      << "sleep 0.05s"
                                                      << "user_service.get_user(";
    QTest::newRow("database row") << "GET /items/{item_id}"
                                  << "async"
                                  << "db.fetchrow items"
                                  << "fetchrow(";
    QTest::newRow("upstream call") << "GET /scrape"
                                   << "async"
                                   << "GET upstream/posts/1"
                                   << ".get(";
    // The course's scraper has no semaphore (the challenge's bound is Loopscope's): nothing to
    // mark.
    QTest::newRow("a wait the course's code lacks") << "GET /scrape"
                                                    << "async"
                                                    << "semaphore.acquire"
                                                    << "";
    QTest::newRow("the GIL") << "GET /cpu"
                             << "threadpool"
                             << "waiting for the GIL"
                             << "count_primes";
    QTest::newRow("unknown wait") << "GET /async"
                                  << "async"
                                  << "frobnicate"
                                  << "";
}

void TestCourseCode::eachWaitMarksItsPythonCall()
{
    QFETCH(QString, route);
    QFETCH(QString, variant);
    QFETCH(QString, label);
    QFETCH(QString, call);
    const QString python = courseCodeFor(route, variant).python;
    QVERIFY(!python.isEmpty());
    const int line = pythonLineOfWait(python, label);
    if (call.isEmpty()) {
        QCOMPARE(line, -1);
        return;
    }
    QVERIFY2(line >= 0, qPrintable(python));
    const QString text = python.split(u'\n').value(line);
    QVERIFY2(text.section(u'#', 0, 0).contains(call), qPrintable(text));
}

// A request that runs, awaits a 2 s sleep, runs again and ends: the mark is on the sleep's line
// only while the cursor is inside the await.
void TestCourseCode::theMarkFollowsWhatTheRequestDoesAtTheCursor()
{
    CourseCodeView view;
    view.showRoute(QStringLiteral("GET /async"), QStringLiteral("async"));
    viz::TimelineSpan request;
    request.begin = 1000;
    request.end = 3000;
    const std::uint32_t sleep = trace::label("sleep 2s");
    request.segments = { { 1000, 1100, 0, viz::SegmentKind::Running },
        { 1100, 2900, sleep, viz::SegmentKind::Awaiting },
        { 2900, 3000, 0, viz::SegmentKind::Running } };
    const int sleepLine = pythonLineOfWait(view.python(), QStringLiteral("sleep 2s"));
    QVERIFY(sleepLine >= 0);
    view.showWaitOf(&request, 1500);
    QCOMPARE(view.waitingLine(), sleepLine);
    QVERIFY2(view.title().contains(u"is suspended"), qPrintable(view.title()));
    view.showWaitOf(&request, 1050);
    QCOMPARE(view.waitingLine(), -1);
    view.showWaitOf(&request, 2900);
    QCOMPARE(view.waitingLine(), -1);
    view.showWaitOf(&request, 3500); // after its end
    QCOMPARE(view.waitingLine(), -1);
    QVERIFY(!view.title().contains(u"is suspended"));
    view.showWaitOf(&request, 1100);
    QCOMPARE(view.waitingLine(), sleepLine);
    view.showWaitOf(nullptr, 1500);
    QCOMPARE(view.waitingLine(), -1);
    // Another variant shown while it waits: the mark moves to that variant's call.
    view.showWaitOf(&request, 1500);
    view.showRoute(QStringLiteral("GET /async"), QStringLiteral("blocking"));
    QVERIFY(view.python().split(u'\n').value(view.waitingLine()).contains(u"time.sleep("));
}

QTEST_MAIN(TestCourseCode)
#include "tst_coursecode.moc"
