// Every stored resource read twice answers the same both times, in every variant and on both
// database backends. A read that moves its record out of the store (QCoro 0.8 moves a returned
// lvalue of another type: the second GET /users/1 answered {}) fails here; tst_coreturn keeps
// the kind of code that does it out of the tree.
#include "support/databaseserver.h"
#include "support/httptestclient.h"
#include "support/postgresfixture.h"

#include "serverhost.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace loopscope;
using namespace loopscope::testing;

namespace {

const QString sqlite = QStringLiteral("sqlite");
const QString postgresql = QStringLiteral("postgresql");

// Reads `target` twice; both answers must be 200 and equal. Returns the first.
QJsonDocument readTwice(quint16 port, const QByteArray &target)
{
    const TestResponse first = fetch(port, "GET", target);
    const TestResponse second = fetch(port, "GET", target);
    if (first.status != 200 || second.status != 200 || first.body != second.body) {
        qWarning("GET %s: %d %s, then %d %s", target.constData(), first.status,
            first.body.constData(), second.status, second.body.constData());
        return {};
    }
    return first.json();
}

} // namespace

class TestRereads : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void everyResourceReadsTheSameTwice_data();
    void everyResourceReadsTheSameTwice();

private:
    ServerHost &server(const QString &backend);

    PostgresFixture m_postgres;
    bool m_postgresUp = false;
    std::map<QString, std::unique_ptr<ServerHost>> m_servers;
};

void TestRereads::initTestCase()
{
    m_postgresUp = m_postgres.start();
    if (!m_postgresUp)
        qWarning("PostgreSQL rows will be skipped: %s", qPrintable(m_postgres.errorMessage()));
}

void TestRereads::cleanupTestCase()
{
    m_servers.clear();
}

ServerHost &TestRereads::server(const QString &backend)
{
    auto &host = m_servers[backend];
    if (!host) {
        host = startDatabaseServer(backend == postgresql
                ? m_postgres.createDatabase(QStringLiteral("rereads"))
                : QStringLiteral("sqlite::memory:"));
    }
    return *host;
}

void TestRereads::everyResourceReadsTheSameTwice_data()
{
    QTest::addColumn<QString>("backend");
    QTest::addColumn<QString>("variant");
    for (const QString &backend : { sqlite, postgresql }) {
        for (const char *variant : { "async", "threadpool", "blocking" })
            QTest::addRow("%s %s", qPrintable(backend), variant)
                << backend << QString::fromLatin1(variant);
    }
}

void TestRereads::everyResourceReadsTheSameTwice()
{
    QFETCH(QString, backend);
    QFETCH(QString, variant);
    if (backend == postgresql && !m_postgresUp)
        QSKIP(qPrintable(QStringLiteral("PostgreSQL: ") + m_postgres.errorMessage()));
    ServerHost &host = server(backend);
    QVERIFY(host.isRunning());
    const quint16 port = host.port();
    // Each read route in this row's variant, where it offers it (the product routes have no
    // blocking variant: they stay async).
    for (const char *route : { "GET /users/{user_id}", "GET /products/{product_id}",
             "GET /products/", "GET /posts/{post_id}", "GET /posts/", "GET /items/{item_id}" })
        setRouteVariant(port, QString::fromLatin1(route), variant);

    const TestResponse user = fetch(port, "POST", "/users/?username=ada&email=ada%40example.com");
    QCOMPARE(user.status, 200);
    const QByteArray userPath
        = "/users/" + QByteArray::number(user.json().object().value(u"id").toInteger());
    QCOMPARE(readTwice(port, userPath).object(), user.json().object());

    const TestResponse product = fetch(port, "POST", "/products/?name=lamp&price=9.5");
    QCOMPARE(product.status, 200);
    const QByteArray productPath
        = "/products/" + QByteArray::number(product.json().object().value(u"id").toInteger());
    QCOMPARE(readTwice(port, productPath).object(), product.json().object());
    QVERIFY(readTwice(port, "/products/").array().contains(product.json().object()));

    const TestResponse post = fetch(port, "POST", "/posts/?title=Hello&content=First&author=ann");
    QCOMPARE(post.status, 200);
    const QByteArray postPath
        = "/posts/" + QByteArray::number(post.json().object().value(u"id").toInteger());
    QCOMPARE(readTwice(port, postPath).object(), post.json().object());
    QVERIFY(readTwice(port, "/posts/?skip=0&limit=100000").array().contains(post.json().object()));

    QCOMPARE(
        readTwice(port, "/items/7").object().value(u"name").toString(), QStringLiteral("Item 7"));

    // The task list changes while a task runs: read it once the product's task has ended.
    QTRY_COMPARE_WITH_TIMEOUT(
        fetch(port, "GET", "/_scope/tasks").json().object().value(u"running").toInt(), 0, 15000);
    QVERIFY(!readTwice(port, "/_scope/tasks").object().value(u"tasks").toArray().isEmpty());
}

QTEST_GUILESS_MAIN(TestRereads)
#include "tst_rereads.moc"
