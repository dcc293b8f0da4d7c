// The catalog's validation rules, IOT_CORE.md "Resources" and "Topics", row by row.

#include "iot/CatalogRules.h"

#include <QtTest>

using namespace iotcore::broker;

namespace {

QString q(const std::string &text)
{
    return QString::fromStdString(text);
}

} // namespace

class TestCatalogRules : public QObject
{
    Q_OBJECT

private slots:
    void names_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("error"); // a fragment of the message, empty: valid
        QTest::newRow("simple") << "my-registry_1" << "";
        QTest::newRow("upper") << "Kitchen" << "";
        QTest::newRow("one char") << "a" << "";
        QTest::newRow("50 chars") << QString(50, 'x') << "";
        QTest::newRow("51 chars") << QString(51, 'x') << "51 characters long (at most 50)";
        QTest::newRow("empty") << "" << "must not be empty";
        QTest::newRow("space") << "my registry" << "contains ' '";
        QTest::newRow("dot") << "a.b" << "contains '.'";
        QTest::newRow("cyrillic") << QString::fromUtf8("датчик") << "contains 0xd0";
    }
    void names()
    {
        QFETCH(QString, name);
        QFETCH(QString, error);
        const QString got = q(rules::checkName(name.toStdString(), "registry name"));
        if (error.isEmpty())
            QVERIFY2(got.isEmpty(), qPrintable(got));
        else {
            QVERIFY2(got.contains(error), qPrintable(got));
            QVERIFY(got.startsWith("registry name"));
        }
    }

    void descriptions()
    {
        QVERIFY(rules::checkDescription(std::string(256, 'd')).empty());
        QCOMPARE(q(rules::checkDescription(std::string(257, 'd'))),
                 "description is 257 characters long (at most 256)");
    }

    void labels_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("value");
        QTest::addColumn<QString>("error");
        QTest::newRow("plain") << "env" << "prod" << "";
        QTest::newRow("dash underscore digits") << "a-b_1" << "x-1_y" << "";
        QTest::newRow("empty value") << "k" << "" << "";
        QTest::newRow("63 key") << "k" + QString(62, 'a') << "v" << "";
        QTest::newRow("64 key") << "k" + QString(63, 'a') << "v" << "(at most 63)";
        QTest::newRow("64 value") << "k" << QString(64, 'v') << "label value";
        QTest::newRow("empty key") << "" << "v" << "label key must not be empty";
        QTest::newRow("key starts with digit") << "1k" << "v" << "must start with a lowercase";
        QTest::newRow("key upper") << "Key" << "v" << "must start with a lowercase";
        QTest::newRow("key upper inside") << "kEy" << "v" << "contains 'E'";
        QTest::newRow("value upper") << "k" << "Prod" << "label value \"Prod\" contains 'P'";
        QTest::newRow("value dot") << "k" << "1.0" << "contains '.'";
    }
    void labels()
    {
        QFETCH(QString, key);
        QFETCH(QString, value);
        QFETCH(QString, error);
        const QString got = q(rules::checkLabels({{key.toStdString(), value.toStdString()}}));
        if (error.isEmpty())
            QVERIFY2(got.isEmpty(), qPrintable(got));
        else
            QVERIFY2(got.contains(error), qPrintable(got));
    }

    void labelCount()
    {
        Labels labels;
        for (int i = 0; i < 64; ++i)
            labels["k" + std::to_string(i)] = "v";
        QVERIFY(rules::checkLabels(labels).empty());
        labels["k64"] = "v";
        QCOMPARE(q(rules::checkLabels(labels)), "too many labels: 65 (at most 64)");
    }

    void ids_data()
    {
        QTest::addColumn<QString>("id");
        QTest::addColumn<bool>("generated");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("generated") << "are0123456789abcdefv" << true << true;
        QTest::newRow("imported b91") << "b91ki3851hj8ajasia55" << false << true;
        QTest::newRow("are with w") << "are0123456789abcdefw" << false << true;
        QTest::newRow("short") << "are0123456789abcdef" << false << false;
        QTest::newRow("long") << "are0123456789abcdefvv" << false << false;
        QTest::newRow("upper") << "ARE0123456789abcdefv" << false << false;
        QTest::newRow("dash") << "are0123456789abcde-v" << false << false;
    }
    void ids()
    {
        QFETCH(QString, id);
        QFETCH(bool, generated);
        QFETCH(bool, accepted);
        QCOMPARE(rules::isGeneratedId(id.toStdString()), generated);
        const std::string error = rules::checkId(id.toStdString());
        QVERIFY2(error.empty() == accepted, error.c_str());
    }

    void aliases_data()
    {
        QTest::addColumn<QString>("alias");
        QTest::addColumn<QString>("target");
        QTest::addColumn<QString>("error");
        const QString d = "$devices/are0123456789abcdefv/";
        QTest::newRow("events") << "kitchen/t" << d + "events" << "";
        QTest::newRow("subtopic") << "k" << d + "state/a/b" << "";
        QTest::newRow("{id} expanded") << "k" << "$devices/{id}/events" << "";
        QTest::newRow("alias starts with $") << "$k" << d + "events" << "must not start with '$'";
        QTest::newRow("alias wildcard") << "k/+" << d + "events" << "not a valid topic name";
        QTest::newRow("alias empty") << "" << d + "events" << "not a valid topic name";
        QTest::newRow("other device") << "k" << "$devices/are0000000000000000000/events"
                                      << "must point below";
        QTest::newRow("registry topic") << "k" << "$registries/r/events" << "must point below";
        QTest::newRow("bare prefix") << "k" << d << "must point below";
        QTest::newRow("target wildcard") << "k" << d + "events/#" << "invalid topic";
    }
    void aliases()
    {
        QFETCH(QString, alias);
        QFETCH(QString, target);
        QFETCH(QString, error);
        const std::string id = "are0123456789abcdefv";
        const std::string expanded = rules::expandAliasTarget(target.toStdString(), id);
        const QString got = q(rules::checkTopicAlias(alias.toStdString(), expanded, id));
        if (error.isEmpty())
            QVERIFY2(got.isEmpty(), qPrintable(got));
        else
            QVERIFY2(got.contains(error), qPrintable(got));
    }

    void aliasExpansion()
    {
        QCOMPARE(q(rules::expandAliasTarget("$devices/{id}/events/{id}", "D")),
                 "$devices/D/events/D");
        QCOMPARE(q(rules::expandAliasTarget("$devices/x/events", "D")), "$devices/x/events");
    }

    void aliasPrefixes_data()
    {
        QTest::addColumn<QStringList>("aliases");
        QTest::addColumn<QString>("error");
        QTest::newRow("disjoint") << QStringList{"a/b", "a/c", "b"} << "";
        QTest::newRow("string prefix, not level") << QStringList{"kitchen", "kitchen2"}
                                                   << "\"kitchen\" is a prefix of topic alias \"kitchen2\"";
        QTest::newRow("level prefix") << QStringList{"x/y/z", "a", "x/y"} << "\"x/y\" is a prefix";
        QTest::newRow("prefix with one between") << QStringList{"ab", "abc", "a"} << "\"a\" is a prefix";
        QTest::newRow("duplicate") << QStringList{"t", "t"} << "used twice";
        QTest::newRow("one") << QStringList{"t"} << "";
    }
    void aliasPrefixes()
    {
        QFETCH(QStringList, aliases);
        QFETCH(QString, error);
        std::vector<std::string> list;
        for (const QString &alias : aliases)
            list.push_back(alias.toStdString());
        const QString got = q(rules::checkAliasesDisjoint(list));
        if (error.isEmpty())
            QVERIFY2(got.isEmpty(), qPrintable(got));
        else
            QVERIFY2(got.contains(error), qPrintable(got));
    }

    void passwords_data()
    {
        QTest::addColumn<QString>("password");
        QTest::addColumn<QString>("error");
        QTest::newRow("three classes") << "abcdefghijK123" << "";
        QTest::newRow("four classes") << "abcdefgH1!xxxx" << "";
        QTest::newRow("lower upper other") << "abcdefghijKL!!" << "";
        QTest::newRow("13 chars") << "abcdefghiK123"
                                  << "password is too weak: it has 13 characters, at least 14 are needed";
        QTest::newRow("two classes") << "abcdefghij1234"
                                     << "password is too weak: it uses 2 of the 4 kinds of characters, at "
                                        "least 3 are needed (add some of: uppercase letters, other characters)";
        QTest::newRow("short and one class") << "abc"
                                             << "password is too weak: it has 3 characters, at least 14 are "
                                                "needed; it uses 1 of the 4 kinds of characters, at least 3 are "
                                                "needed (add some of: uppercase letters, digits, other characters)";
        QTest::newRow("empty") << "" << "it has 0 characters";
    }
    void passwords()
    {
        QFETCH(QString, password);
        QFETCH(QString, error);
        const QString got = q(rules::checkPasswordStrength(password.toStdString()));
        if (error.isEmpty())
            QVERIFY2(got.isEmpty(), qPrintable(got));
        else if (error.startsWith("password"))
            QCOMPARE(got, error);
        else
            QVERIFY2(got.contains(error), qPrintable(got));
    }

    void limits()
    {
        QVERIFY(rules::checkCertificateCount(5).empty());
        QCOMPARE(q(rules::checkCertificateCount(6)), "too many certificates: 6 (at most 5 per entity)");
        QVERIFY(rules::checkPasswordCount(5).empty());
        QCOMPARE(q(rules::checkPasswordCount(6)), "too many passwords: 6 (at most 5 per entity)");
        QVERIFY(rules::checkTopicAliasCount(5).empty());
        QCOMPARE(q(rules::checkTopicAliasCount(6)), "too many topic aliases: 6 (at most 5 per device)");
    }

    void fingerprints()
    {
        QVERIFY(rules::checkFingerprint(std::string(40, 'a')).empty());
        QVERIFY(!rules::checkFingerprint(std::string(40, 'A')).empty());
        QVERIFY(!rules::checkFingerprint(std::string(39, 'a')).empty());
        QVERIFY(!rules::checkFingerprint(std::string(64, 'a')).empty());
    }

    void timestamps_data()
    {
        QTest::addColumn<qint64>("nanos");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("nanosText");
        QTest::newRow("epoch") << qint64(0) << "1970-01-01T00:00:00Z" << "1970-01-01T00:00:00.000000000Z";
        QTest::newRow("millis") << qint64(1559059710938000000) << "2019-05-28T16:08:30.938Z"
                                << "2019-05-28T16:08:30.938000000Z";
        QTest::newRow("micros") << qint64(1559059710938001000) << "2019-05-28T16:08:30.938001Z"
                                << "2019-05-28T16:08:30.938001000Z";
        QTest::newRow("nanos") << qint64(1559059710000000007) << "2019-05-28T16:08:30.000000007Z"
                               << "2019-05-28T16:08:30.000000007Z";
        QTest::newRow("before epoch") << qint64(-500000000) << "1969-12-31T23:59:59.500Z"
                                      << "1969-12-31T23:59:59.500000000Z";
    }
    void timestamps()
    {
        QFETCH(qint64, nanos);
        QFETCH(QString, text);
        QFETCH(QString, nanosText);
        const Timestamp time{std::chrono::duration_cast<Timestamp::duration>(
            std::chrono::nanoseconds(nanos))};
        QCOMPARE(q(formatRfc3339(time)), text);
        QCOMPARE(q(formatRfc3339Nanos(time)), nanosText);
    }
};

QTEST_GUILESS_MAIN(TestCatalogRules)
#include "tst_catalogrules.moc"
