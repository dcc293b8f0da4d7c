// PayloadFormat and PayloadDiff: how the detail pane and the topic history show payloads.

#include "PayloadDiff.h"
#include "PayloadFormat.h"

#include <QTest>
#include <QTimeZone>

using namespace iotcore::ui;

class tst_PayloadFormat : public QObject
{
    Q_OBJECT

private slots:
    void prettyJsonKeepsKeyOrder();
    void prettyJsonLeavesStringsAlone();
    void prettyJsonKeepsEmptyContainersOnOneLine();
    void notJsonIsNotPrettified_data();
    void notJsonIsNotPrettified();
    void textAndBinary();
    void hexDumpLines();
    void timestamps_data();
    void timestamps();
    void diffOfChangedField();
    void diffOfInsertionsAndRemovals();
    void diffOfIdenticalPayloads();
};

void tst_PayloadFormat::prettyJsonKeepsKeyOrder()
{
    const std::optional<QString> pretty = PayloadFormat::prettyJson(R"({"z":1,"a":[1,2],"m":{"k":null}})");
    QVERIFY(pretty);
    QCOMPARE(*pretty, QStringLiteral("{\n  \"z\": 1,\n  \"a\": [\n    1,\n    2\n  ],\n"
                                     "  \"m\": {\n    \"k\": null\n  }\n}"));
}

void tst_PayloadFormat::prettyJsonLeavesStringsAlone()
{
    const std::optional<QString> pretty =
        PayloadFormat::prettyJson(R"({"s":"a, {b}: [c] \"q\" \\","t":"Привет"})");
    QVERIFY(pretty);
    QCOMPARE(*pretty, QStringLiteral("{\n  \"s\": \"a, {b}: [c] \\\"q\\\" \\\\\",\n  \"t\": \"Привет\"\n}"));
}

void tst_PayloadFormat::prettyJsonKeepsEmptyContainersOnOneLine()
{
    const std::optional<QString> pretty = PayloadFormat::prettyJson(R"({"a":{ },"b":[]})");
    QVERIFY(pretty);
    QCOMPARE(*pretty, QStringLiteral("{\n  \"a\": {},\n  \"b\": []\n}"));
}

void tst_PayloadFormat::notJsonIsNotPrettified_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::newRow("text") << QByteArray("hello");
    QTest::newRow("number") << QByteArray("21.5");
    QTest::newRow("broken") << QByteArray("{\"a\":");
    QTest::newRow("empty") << QByteArray();
}

void tst_PayloadFormat::notJsonIsNotPrettified()
{
    QFETCH(QByteArray, payload);
    QVERIFY(!PayloadFormat::prettyJson(payload));
}

void tst_PayloadFormat::textAndBinary()
{
    QCOMPARE(PayloadFormat::asText("line 1\nline\t2"), QStringLiteral("line 1\nline\t2"));
    QVERIFY(!PayloadFormat::asText(QByteArray("\x00\x01\x02", 3)));
    QVERIFY(!PayloadFormat::asText("\xff\xfe"));
}

void tst_PayloadFormat::hexDumpLines()
{
    const QByteArray payload = QByteArray("0123456789abcdef") + QByteArray("\x00\xffZ", 3);
    QCOMPARE(PayloadFormat::hexDump(payload),
             QStringLiteral("00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66 |0123456789abcdef|\n"
                            "00000010  00 ff 5a                                         |..Z|\n"));
    QCOMPARE(PayloadFormat::hexDump({}), QString());
}

void tst_PayloadFormat::timestamps_data()
{
    QTest::addColumn<QByteArray>("payload");
    QTest::addColumn<QStringList>("numbers");
    QTest::addColumn<QStringList>("utc");
    QTest::newRow("seconds") << QByteArray(R"({"ts":1764072000,"t":21.5})") << QStringList{"1764072000"}
                             << QStringList{"2025-11-25T12:00:00.000"};
    QTest::newRow("milliseconds") << QByteArray("at 1764072000123 ms") << QStringList{"1764072000123"}
                                  << QStringList{"2025-11-25T12:00:00.123"};
    QTest::newRow("fraction") << QByteArray("1764072000.5") << QStringList{"1764072000.5"}
                              << QStringList{"2025-11-25T12:00:00.500"};
    QTest::newRow("both, each once") << QByteArray("[1764072000, 1764072000, 1700000000000]")
                                     << QStringList{"1764072000", "1700000000000"}
                                     << QStringList{"2025-11-25T12:00:00.000", "2023-11-14T22:13:20.000"};
    QTest::newRow("not times") << QByteArray(R"({"serial":12345678901,"n":999999999,"id":"0123456789012345"})")
                               << QStringList{} << QStringList{};
    QTest::newRow("before 2000") << QByteArray("900000000 0900000000") << QStringList{} << QStringList{};
}

void tst_PayloadFormat::timestamps()
{
    QFETCH(QByteArray, payload);
    QFETCH(QStringList, numbers);
    QFETCH(QStringList, utc);
    const QList<PayloadFormat::DecodedTimestamp> found = PayloadFormat::decodedTimestamps(payload);
    QStringList foundNumbers;
    QStringList foundTimes;
    for (const PayloadFormat::DecodedTimestamp &stamp : found) {
        foundNumbers << stamp.number;
        foundTimes << stamp.time.toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzz"));
        QCOMPARE(stamp.time.timeZone(), QTimeZone::utc());
    }
    QCOMPARE(foundNumbers, numbers);
    QCOMPARE(foundTimes, utc);
    if (!found.isEmpty())
        QCOMPARE(found.front().unit, numbers.front().size() == 13
                     ? PayloadFormat::DecodedTimestamp::Unit::Milliseconds
                     : PayloadFormat::DecodedTimestamp::Unit::Seconds);
}

void tst_PayloadFormat::diffOfChangedField()
{
    using C = DiffLine::Change;
    const QList<DiffLine> diff = diffPayloads(R"({"t":21.5,"h":40})", R"({"t":22,"h":40})");
    const QList<DiffLine> expected{{C::Same, "{"},
                                   {C::Removed, "  \"t\": 21.5,"},
                                   {C::Added, "  \"t\": 22,"},
                                   {C::Same, "  \"h\": 40"},
                                   {C::Same, "}"}};
    QCOMPARE(diff, expected);
}

void tst_PayloadFormat::diffOfInsertionsAndRemovals()
{
    using C = DiffLine::Change;
    const QList<DiffLine> diff = diffLines({"a", "b", "c", "d"}, {"a", "x", "c", "d", "e"});
    const QList<DiffLine> expected{{C::Same, "a"}, {C::Removed, "b"}, {C::Added, "x"},
                                   {C::Same, "c"}, {C::Same, "d"},    {C::Added, "e"}};
    QCOMPARE(diff, expected);
    const QList<DiffLine> fromNothing = diffLines({}, {"only"});
    QCOMPARE(fromNothing, (QList<DiffLine>{{C::Added, "only"}}));
}

void tst_PayloadFormat::diffOfIdenticalPayloads()
{
    const QList<DiffLine> diff = diffPayloads("same\ntext", "same\ntext");
    QCOMPARE(diff.size(), 2);
    for (const DiffLine &line : diff)
        QCOMPARE(line.change, DiffLine::Change::Same);
}

QTEST_GUILESS_MAIN(tst_PayloadFormat)
#include "tst_payloadformat.moc"
