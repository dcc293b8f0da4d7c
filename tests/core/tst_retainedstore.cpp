// RetainedStore, written from MQTT 3.1.1 section 3.3.1.3 (RETAIN) and section 4.7 (which retained
// messages a new subscription's filter selects).

#include "core/RetainedStore.h"

#include <QtTest/QTest>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

using namespace iotcore::broker;

namespace {

MessagePtr retained(std::string topic, std::string payload, std::uint8_t qos = 0)
{
    auto message = std::make_shared<Message>();
    message->topic = std::move(topic);
    message->payload = std::move(payload);
    message->qos = qos;
    message->retain = true;
    return message;
}

QStringList topicsMatching(const RetainedStore &store, const QString &filter)
{
    QStringList topics;
    store.match(filter.toStdString(), [&](const MessagePtr &message) {
        topics << QString::fromStdString(message->topic);
    });
    topics.sort();
    return topics;
}

} // namespace

class tst_RetainedStore : public QObject
{
    Q_OBJECT

private slots:
    void storeAndFind();
    void replaceKeepsOneMessagePerTopic();
    void emptyPayloadClears();
    void clear();
    void clearKeepsNeighbours();
    void match_data();
    void match();
    void forEachVisitsEveryMessage();
};

void tst_RetainedStore::storeAndFind()
{
    RetainedStore store;
    QCOMPARE(store.size(), std::size_t(0));
    QVERIFY(!store.find("a/b"));

    const MessagePtr message = retained("a/b", "on", 1);
    store.store(message);
    QCOMPARE(store.size(), std::size_t(1));
    QCOMPARE(store.find("a/b"), message);
    QVERIFY(!store.find("a"));
    QVERIFY(!store.find("a/b/c"));
    QVERIFY(!store.find("A/b")); // topics are case-sensitive (MQTT 4.7.3)
}

void tst_RetainedStore::replaceKeepsOneMessagePerTopic()
{
    // MQTT-3.3.1-5: the new retained message replaces any existing one for the topic; a QoS 0
    // message replaces it too (MQTT-3.3.1-7).
    RetainedStore store;
    store.store(retained("a/b", "first", 2));
    const MessagePtr second = retained("a/b", "second", 0);
    store.store(second);
    QCOMPARE(store.size(), std::size_t(1));
    QCOMPARE(store.find("a/b"), second);
}

void tst_RetainedStore::emptyPayloadClears()
{
    // MQTT-3.3.1-10: a retained PUBLISH with an empty payload removes the topic's retained
    // message; MQTT-3.3.1-11: the empty message itself is not stored.
    RetainedStore store;
    store.store(retained("a/b", "on"));
    store.store(retained("a/c", "on"));
    store.store(retained("a/b", ""));
    QVERIFY(!store.find("a/b"));
    QCOMPARE(store.size(), std::size_t(1));
    QCOMPARE(topicsMatching(store, "#"), QStringList{"a/c"});

    store.store(retained("x/y", "")); // nothing to clear, nothing stored
    QVERIFY(!store.find("x/y"));
    QCOMPARE(store.size(), std::size_t(1));
    QCOMPARE(topicsMatching(store, "#"), QStringList{"a/c"});
}

void tst_RetainedStore::clear()
{
    RetainedStore store;
    store.store(retained("a/b", "on"));
    QVERIFY(!store.clear("a"));     // a node on the path, not a message
    QVERIFY(!store.clear("a/b/c")); // below the message
    QVERIFY(!store.clear("x"));
    QCOMPARE(store.size(), std::size_t(1));
    QVERIFY(store.clear("a/b"));
    QCOMPARE(store.size(), std::size_t(0));
    QVERIFY(!store.clear("a/b"));
    QVERIFY(!store.find("a/b"));
}

void tst_RetainedStore::clearKeepsNeighbours()
{
    RetainedStore store;
    for (const char *topic : {"a", "a/b", "a/b/c", "a/d"})
        store.store(retained(topic, topic));

    QVERIFY(store.clear("a/b"));
    QCOMPARE(topicsMatching(store, "#"), (QStringList{"a", "a/b/c", "a/d"}));
    QVERIFY(store.clear("a/b/c"));
    QCOMPARE(topicsMatching(store, "#"), (QStringList{"a", "a/d"}));
    QVERIFY(store.clear("a"));
    QCOMPARE(topicsMatching(store, "#"), QStringList{"a/d"});
    QCOMPARE(store.find("a/d")->payload, std::string("a/d"));

    // The cleared paths can hold messages again.
    store.store(retained("a/b/c", "back"));
    QCOMPARE(store.find("a/b/c")->payload, std::string("back"));
    QCOMPARE(store.size(), std::size_t(2));
}

void tst_RetainedStore::match_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("topics");

    // Against the topics stored in match(); the examples of MQTT 4.7.
    QTest::newRow("exact") << "sport/tennis/player1" << QStringList{"sport/tennis/player1"};
    QTest::newRow("exact, nothing there") << "sport/tennis" << QStringList{};
    QTest::newRow("player1/# (MQTT-4.7.1-2 parent included)")
        << "sport/tennis/player1/#"
        << QStringList{"sport/tennis/player1", "sport/tennis/player1/ranking"};
    QTest::newRow("sport/# matches sport")
        << "sport/#"
        << QStringList{"sport", "sport/", "sport/tennis/player1", "sport/tennis/player1/ranking",
                       "sport/tennis/player2"};
    QTest::newRow("a/# matches a") << "a/#" << QStringList{"a", "a//c", "a/$b", "a/b"};
    QTest::newRow("sport/tennis/+")
        << "sport/tennis/+" << QStringList{"sport/tennis/player1", "sport/tennis/player2"};
    QTest::newRow("sport/+ matches sport/ only") << "sport/+" << QStringList{"sport/"};
    QTest::newRow("+ (not /finance, not $SYS)") << "+" << QStringList{"a", "finance", "sport"};
    QTest::newRow("/+") << "/+" << QStringList{"/finance"};
    QTest::newRow("+/+") << "+/+" << QStringList{"/finance", "a/$b", "a/b", "sport/"};
    QTest::newRow("a/+ ($ below the first level is ordinary)") << "a/+" << QStringList{"a/$b", "a/b"};
    QTest::newRow("a/+/c (empty level)") << "a/+/c" << QStringList{"a//c"};
    QTest::newRow("+/tennis/#")
        << "+/tennis/#"
        << QStringList{"sport/tennis/player1", "sport/tennis/player1/ranking",
                       "sport/tennis/player2"};

    // MQTT-4.7.2-1: a filter starting with a wildcard does not select '$' topics.
    const QStringList ordinary = {"/finance", "a", "a//c", "a/$b", "a/b", "finance", "sport",
                                  "sport/", "sport/tennis/player1", "sport/tennis/player1/ranking",
                                  "sport/tennis/player2"};
    QTest::newRow("# (no $ topics)") << "#" << ordinary;
    QTest::newRow("+/# (no $ topics)") << "+/#" << ordinary;
    QTest::newRow("+/broker/load") << "+/broker/load" << QStringList{};
    QTest::newRow("$SYS/# matches $SYS") << "$SYS/#" << QStringList{"$SYS", "$SYS/broker/load"};
    QTest::newRow("$SYS/+/load") << "$SYS/+/load" << QStringList{"$SYS/broker/load"};
    QTest::newRow("$SYS") << "$SYS" << QStringList{"$SYS"};
    QTest::newRow("nothing/#") << "nothing/#" << QStringList{};
}

void tst_RetainedStore::match()
{
    QFETCH(QString, filter);
    QFETCH(QStringList, topics);
    topics.sort();

    RetainedStore store;
    for (const char *topic : {"sport", "sport/", "sport/tennis/player1",
                              "sport/tennis/player1/ranking", "sport/tennis/player2", "/finance",
                              "finance", "$SYS", "$SYS/broker/load", "a", "a/b", "a/$b", "a//c"}) {
        store.store(retained(topic, "payload of " + std::string(topic)));
    }
    QCOMPARE(topicsMatching(store, filter), topics);
}

void tst_RetainedStore::forEachVisitsEveryMessage()
{
    RetainedStore store;
    const QStringList topics = {"$SYS/x", "/", "a", "a/b"};
    for (const QString &topic : topics)
        store.store(retained(topic.toStdString(), "x"));

    QStringList visited;
    store.forEach([&](const MessagePtr &message) {
        visited << QString::fromStdString(message->topic);
    });
    visited.sort();
    QCOMPARE(visited, topics);
}

QTEST_APPLESS_MAIN(tst_RetainedStore)
#include "tst_retainedstore.moc"
