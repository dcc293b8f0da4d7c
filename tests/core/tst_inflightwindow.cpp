// InflightWindow: the QoS 1 and 2 messages sent to one client and not yet acknowledged. Packet
// identifiers are non-zero (MQTT-2.3.1-1), a new one is not in use (MQTT-2.3.1-2), and a
// reconnecting client gets the unacknowledged ones again in the order they were first sent
// (MQTT-4.4.0-1, MQTT-4.6.0-1).

#include "core/InflightWindow.h"

#include <QtTest/QTest>

#include <memory>
#include <string>
#include <vector>

using namespace iotcore::broker;

namespace {

MessagePtr message(std::string payload)
{
    auto m = std::make_shared<Message>();
    m->topic = "t";
    m->payload = std::move(payload);
    return m;
}

QList<int> idsInOrder(const InflightWindow &window)
{
    QList<int> ids;
    window.forEach([&](const InflightWindow::Entry &entry) { ids << entry.packetId; });
    return ids;
}

constexpr int MaxId = 65535;

} // namespace

class tst_InflightWindow : public QObject
{
    Q_OBJECT

private slots:
    void idsAreSequential_data();
    void idsAreSequential();
    void addKeepsWhatItIsGiven();
    void findAndRemoveOutOfOrder();
    void forEachFollowsSendOrder();
    void restoreWithGaps_data();
    void restoreWithGaps();
    void exhausted();
    void clear();
};

void tst_InflightWindow::idsAreSequential_data()
{
    QTest::addColumn<int>("lastRestored"); // 0: a fresh window
    QTest::addColumn<QList<int>>("nextIds");

    QTest::newRow("fresh window starts at 1") << 0 << QList<int>{1, 2, 3, 4};
    QTest::newRow("after 41") << 41 << QList<int>{42, 43, 44};
    QTest::newRow("wrap skips 0") << 65533 << QList<int>{65534, 65535, 1, 2};
    QTest::newRow("after 65535 comes 1") << 65535 << QList<int>{1, 2};
}

void tst_InflightWindow::idsAreSequential()
{
    QFETCH(int, lastRestored);
    QFETCH(QList<int>, nextIds);

    InflightWindow window;
    if (lastRestored != 0)
        window.restore(message("restored"), lastRestored, 1, false, false);
    QList<int> ids;
    for (qsizetype i = 0; i < nextIds.size(); ++i)
        ids << window.add(message("m"), 1, false).packetId;
    QCOMPARE(ids, nextIds);
    QCOMPARE(window.size(), std::size_t(nextIds.size() + (lastRestored ? 1 : 0)));
}

void tst_InflightWindow::addKeepsWhatItIsGiven()
{
    InflightWindow window;
    QVERIFY(window.empty());
    const MessagePtr m = message("a");
    InflightWindow::Entry &entry = window.add(m, 2, true);
    QCOMPARE(entry.message, m);
    QCOMPARE(entry.qos, std::uint8_t(2));
    QVERIFY(entry.retain);
    QVERIFY(!entry.released);
    QVERIFY(!window.empty());

    // The entry found by its identifier is the same, and remembers PUBREC (MQTT 4.3.3).
    InflightWindow::Entry *found = window.find(entry.packetId);
    QVERIFY(found);
    found->released = true;
    QVERIFY(window.find(entry.packetId)->released);
}

void tst_InflightWindow::findAndRemoveOutOfOrder()
{
    InflightWindow window;
    for (int i = 1; i <= 5; ++i)
        window.add(message("m" + std::to_string(i)), 1, false);

    // Acknowledgements may come in any order.
    QCOMPARE(window.remove(3)->payload, std::string("m3"));
    QVERIFY(!window.find(3));
    QVERIFY(!window.remove(3)); // acknowledged twice
    QCOMPARE(window.find(2)->message->payload, std::string("m2"));
    QCOMPARE(window.find(4)->message->payload, std::string("m4"));
    QCOMPARE(window.size(), std::size_t(4));

    QCOMPARE(window.remove(1)->payload, std::string("m1")); // the oldest
    QCOMPARE(window.remove(5)->payload, std::string("m5")); // the newest
    QCOMPARE(idsInOrder(window), (QList<int>{2, 4}));

    // Identifiers never handed out, and 0, are unknown.
    QVERIFY(!window.find(0));
    QVERIFY(!window.find(6));
    QVERIFY(!window.find(MaxId));
    QVERIFY(!window.remove(0));
    QVERIFY(!window.remove(99));
    QCOMPARE(window.size(), std::size_t(2));

    // New identifiers continue the sequence: 3 and 1 are free, but the next is 6.
    QCOMPARE(window.add(message("m6"), 1, false).packetId, std::uint16_t(6));
    QCOMPARE(idsInOrder(window), (QList<int>{2, 4, 6}));

    QVERIFY(window.remove(2));
    QVERIFY(window.remove(4));
    QVERIFY(window.remove(6));
    QVERIFY(window.empty());
    QVERIFY(!window.find(6));
}

void tst_InflightWindow::forEachFollowsSendOrder()
{
    // Across the wrap from 65535 to 1 the order stays the order of sending.
    InflightWindow window;
    window.restore(message("first"), 65534, 1, false, false);
    for (int i = 0; i < 4; ++i)
        window.add(message("m"), 1, false);
    QCOMPARE(idsInOrder(window), (QList<int>{65534, 65535, 1, 2, 3}));

    window.remove(65535);
    window.remove(2);
    QCOMPARE(idsInOrder(window), (QList<int>{65534, 1, 3}));
    window.remove(65534);
    QCOMPARE(idsInOrder(window), (QList<int>{1, 3}));
    QCOMPARE(window.find(3)->packetId, std::uint16_t(3));
}

void tst_InflightWindow::restoreWithGaps_data()
{
    QTest::addColumn<QList<int>>("restored"); // identifiers in send order, as the store keeps them
    QTest::addColumn<QList<int>>("absent");
    QTest::addColumn<int>("nextId");

    QTest::newRow("one") << QList<int>{7} << QList<int>{6, 8} << 8;
    QTest::newRow("contiguous") << QList<int>{5, 6, 7} << QList<int>{4, 8} << 8;
    QTest::newRow("gaps") << QList<int>{10, 12, 15} << QList<int>{11, 13, 14, 16} << 16;
    QTest::newRow("gap across the wrap") << QList<int>{65534, 2} << QList<int>{65535, 1, 3} << 3;
    QTest::newRow("ends at 65535") << QList<int>{100, 65535} << QList<int>{101, 65534, 1} << 1;
}

void tst_InflightWindow::restoreWithGaps()
{
    QFETCH(QList<int>, restored);
    QFETCH(QList<int>, absent);
    QFETCH(int, nextId);

    InflightWindow window;
    for (const int id : restored) {
        const bool released = id % 2 == 0; // a mix of QoS 2 entries after PUBREC and before
        window.restore(message("m" + std::to_string(id)), id, 2, false, released);
    }
    QCOMPARE(window.size(), std::size_t(restored.size()));
    QCOMPARE(idsInOrder(window), restored);
    for (const int id : restored) {
        InflightWindow::Entry *entry = window.find(id);
        QVERIFY(entry);
        QCOMPARE(entry->message->payload, "m" + std::to_string(id));
        QCOMPARE(entry->released, id % 2 == 0);
    }
    for (const int id : absent)
        QVERIFY2(!window.find(id), qPrintable(QString::number(id)));
    QVERIFY(!window.exhausted());

    QCOMPARE(int(window.add(message("new"), 1, false).packetId), nextId);
    QCOMPARE(idsInOrder(window), restored + QList<int>{nextId});

    // Removing the oldest skips the gap behind it.
    for (const int id : restored)
        QVERIFY(window.remove(id));
    QCOMPARE(idsInOrder(window), QList<int>{nextId});
}

void tst_InflightWindow::exhausted()
{
    // 65,535 messages in flight use every identifier (MQTT-2.3.1-1 excludes 0).
    InflightWindow window;
    for (int i = 0; i < MaxId; ++i) {
        QVERIFY(!window.exhausted());
        window.add(message("m"), 1, false);
    }
    QVERIFY(window.exhausted());
    QCOMPARE(window.size(), std::size_t(MaxId));
    QVERIFY(window.find(1) && window.find(MaxId));

    // Identifiers are handed out in sequence, so a hole in the middle does not help; the
    // acknowledgement of the oldest does, and its identifier is the next one (MQTT-2.3.1-2: an
    // identifier not in use).
    QVERIFY(window.remove(30000));
    QVERIFY(window.exhausted());
    QVERIFY(window.remove(1));
    QVERIFY(!window.exhausted());
    QVERIFY(!window.find(1));
    QCOMPARE(window.add(message("again"), 1, false).packetId, std::uint16_t(1));
    QVERIFY(window.exhausted());
    QCOMPARE(window.size(), std::size_t(MaxId - 1));

    const QList<int> ids = idsInOrder(window);
    QCOMPARE(ids.first(), 2);
    QCOMPARE(ids.last(), 1);
}

void tst_InflightWindow::clear()
{
    InflightWindow window;
    window.add(message("a"), 1, false);
    window.add(message("b"), 2, false);
    window.clear();
    QVERIFY(window.empty());
    QCOMPARE(window.size(), std::size_t(0));
    QVERIFY(!window.find(1));
    QVERIFY(!window.find(2));
    QVERIFY(idsInOrder(window).isEmpty());

    const std::uint16_t id = window.add(message("c"), 1, false).packetId;
    QVERIFY(id != 0);
    QCOMPARE(idsInOrder(window), QList<int>{id});
}

QTEST_APPLESS_MAIN(tst_InflightWindow)
#include "tst_inflightwindow.moc"
