// The server's live settings by name (SettingTable): a value is checked against its group's PUT
// body schema and written by the group's own function; a stopped server's groups are gone.
#include "routing/route.h"
#include "routing/settingtable.h"

#include <QJsonArray>
#include <QTest>

using namespace loopscope;

namespace {

// A group like PUT /_scope/upstream's: a bounded number, a boolean, a string enum.
struct Knobs
{
    double latency = 100;
    bool pooling = true;
    QString mode = QStringLiteral("error");
    int writes = 0;
};

SettingTable::Group group(Knobs &knobs)
{
    const QJsonObject body = schema::closedObject(
        { { QStringLiteral("latency_ms"), schema::bounded(schema::number(), 0, 1000) },
            { QStringLiteral("pooling"), schema::boolean() },
            { QStringLiteral("mode"),
                schema::oneOf(
                    schema::string(), { QStringLiteral("error"), QStringLiteral("hang") }) } });
    return { QStringLiteral("knobs"), body,
        [&knobs] {
            return QJsonObject { { QStringLiteral("latency_ms"), knobs.latency },
                { QStringLiteral("pooling"), knobs.pooling },
                { QStringLiteral("mode"), knobs.mode } };
        },
        [&knobs](const QJsonObject &change) {
            ++knobs.writes;
            if (change.contains(QStringLiteral("latency_ms")))
                knobs.latency = change.value(QStringLiteral("latency_ms")).toDouble();
            if (change.contains(QStringLiteral("pooling")))
                knobs.pooling = change.value(QStringLiteral("pooling")).toBool();
            if (change.contains(QStringLiteral("mode")))
                knobs.mode = change.value(QStringLiteral("mode")).toString();
        } };
}

} // namespace

class TestSettingTable : public QObject
{
    Q_OBJECT
private slots:
    void eachPropertyOfAGroupIsASetting();
    void assignmentsAreReadAsTheSettingsType_data();
    void assignmentsAreReadAsTheSettingsType();
    void valuesTheSchemaRefusesAreNeverWritten_data();
    void valuesTheSchemaRefusesAreNeverWritten();
    void aClearedTableHasNoSettings();
};

void TestSettingTable::eachPropertyOfAGroupIsASetting()
{
    Knobs knobs;
    SettingTable table;
    table.add(group(knobs));
    QStringList names = table.names();
    names.sort();
    QCOMPARE(names,
        QStringList({ QStringLiteral("knobs.latency_ms"), QStringLiteral("knobs.mode"),
            QStringLiteral("knobs.pooling") }));
    QCOMPARE(table.value(QStringLiteral("knobs.latency_ms")), QJsonValue(100));
    QVERIFY(!table.value(QStringLiteral("knobs.speed")));
    QVERIFY(!table.value(QStringLiteral("latency_ms")));
    // A group added again replaces the first.
    Knobs other;
    other.latency = 5;
    table.add(group(other));
    QCOMPARE(table.value(QStringLiteral("knobs.latency_ms")), QJsonValue(5));
}

void TestSettingTable::assignmentsAreReadAsTheSettingsType_data()
{
    QTest::addColumn<QString>("assignment");
    QTest::addColumn<double>("latency");
    QTest::addColumn<bool>("pooling");
    QTest::addColumn<QString>("mode");
    QTest::newRow("number") << "knobs.latency_ms=250.5" << 250.5 << true << "error";
    QTest::newRow("off") << "knobs.pooling=off" << 100.0 << false << "error";
    QTest::newRow("false") << "knobs.pooling=false" << 100.0 << false << "error";
    QTest::newRow("on") << "knobs.pooling=on" << 100.0 << true << "error";
    QTest::newRow("string") << "knobs.mode=hang" << 100.0 << true << "hang";
}

void TestSettingTable::assignmentsAreReadAsTheSettingsType()
{
    QFETCH(QString, assignment);
    QFETCH(double, latency);
    QFETCH(bool, pooling);
    QFETCH(QString, mode);
    Knobs knobs;
    if (assignment.contains(u"pooling"))
        knobs.pooling = !pooling; // so that the write is seen
    SettingTable table;
    table.add(group(knobs));
    const Result applied = table.applyAssignment(assignment);
    QVERIFY2(applied, qPrintable(applied.message()));
    QCOMPARE(knobs.writes, 1);
    QCOMPARE(knobs.latency, latency);
    QCOMPARE(knobs.pooling, pooling);
    QCOMPARE(knobs.mode, mode);
}

void TestSettingTable::valuesTheSchemaRefusesAreNeverWritten_data()
{
    QTest::addColumn<QString>("assignment");
    QTest::addColumn<QString>("message");
    QTest::newRow("above the bound") << "knobs.latency_ms=1001"
                                     << "less than or equal to 1000";
    QTest::newRow("below the bound") << "knobs.latency_ms=-1"
                                     << "greater than or equal to 0";
    QTest::newRow("not a number") << "knobs.latency_ms=fast"
                                  << "not a valid float";
    QTest::newRow("not a boolean") << "knobs.pooling=maybe"
                                   << "boolean";
    QTest::newRow("not a member") << "knobs.mode=explode"
                                  << "'error', 'hang'";
    QTest::newRow("unknown name") << "knobs.speed=1"
                                  << "no setting knobs.speed";
    QTest::newRow("no group") << "speed=1"
                              << "no setting speed";
    QTest::newRow("no value") << "knobs.latency_ms"
                              << "not NAME=VALUE";
}

void TestSettingTable::valuesTheSchemaRefusesAreNeverWritten()
{
    QFETCH(QString, assignment);
    QFETCH(QString, message);
    Knobs knobs;
    SettingTable table;
    table.add(group(knobs));
    const Result applied = table.applyAssignment(assignment);
    QVERIFY(!applied);
    QCOMPARE(applied.kind(), ErrorKind::BadArgument);
    QVERIFY2(applied.message().contains(message), qPrintable(applied.message()));
    QCOMPARE(knobs.writes, 0);
}

void TestSettingTable::aClearedTableHasNoSettings()
{
    Knobs knobs;
    SettingTable table;
    table.add(group(knobs));
    table.clear();
    QVERIFY(table.names().isEmpty());
    QVERIFY(!table.set(QStringLiteral("knobs.latency_ms"), 5));
    QCOMPARE(knobs.writes, 0);
}

QTEST_GUILESS_MAIN(TestSettingTable)
#include "tst_settingtable.moc"
