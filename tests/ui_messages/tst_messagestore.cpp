// MessageStore: what the log records from the event tap's batches. The receiver state machine
// (MQTT 4.3.2 QoS 1 and 4.3.3 QoS 2 flows as the engine reports them), refusals, the capacity,
// interning and payloads kept whole.

#include "EventBuilder.h"
#include "MessageStore.h"

#include <QSignalSpy>
#include <QTest>

using namespace iotcore::ui;
using namespace iotcore::ui::test;
using Kind = BrokerEvent::Kind;

class tst_MessageStore : public QObject
{
    Q_OBJECT

private slots:
    void publishBecomesARecord();
    void qos1DeliveryIsAcknowledgedByPuback();
    void qos2DeliveryGoesStepByStep();
    void ackMatchesTheReceiverByClientAndPacketId();
    void retryWithDupIsCounted();
    void dropsWithAndWithoutADelivery();
    void refusalsOfPublishAndSubscribeAreRows();
    void deliveryOfAnUnseenMessageMakesARecord();
    void capacityDropsTheOldest();
    void lateAckOfADroppedRecordChangesNothing();
    void topicsAndClientsAreInterned();
    void payloadsAreKeptWhole();
};

void tst_MessageStore::publishBecomesARecord()
{
    MessageStore store;
    QSignalSpy appended(&store, &MessageStore::appended);
    const MessagePtr msg = message(7, "$devices/d1/state", "{\"on\":true}", 1, true);
    store.ingest({published(msg, "device-1", T0, true)});

    QCOMPARE(store.size(), 1u);
    QCOMPARE(appended.size(), 1);
    QCOMPARE(appended.front().at(0).toULongLong(), 0u);
    QCOMPARE(appended.front().at(1).toULongLong(), 1u);
    const LogRecord &record = store.record(0);
    QCOMPARE(record.kind, LogEntryKind::Message);
    QCOMPARE(record.timeMs, T0);
    QCOMPARE(record.messageId, 7u);
    QCOMPARE(record.qos, 1);
    QCOMPARE(store.topic(record), "$devices/d1/state");
    QCOMPARE(store.sender(record), "device-1");
    QCOMPARE(store.payload(record), "{\"on\":true}");
    QVERIFY(record.flags & LogRecord::Retain);
    QVERIFY(record.flags & LogRecord::Kept);
    QVERIFY(!(record.flags & LogRecord::Replayed));
    QCOMPARE(record.receiverCount, 0);
}

void tst_MessageStore::qos1DeliveryIsAcknowledgedByPuback()
{
    MessageStore store;
    const MessagePtr msg = message(1, "a/b", "x", 1);
    store.ingest({published(msg, "pub", T0), delivery(Kind::Deliver, msg, "sub", 1, 5, T0 + 2)});
    std::vector<ReceiverRecord> receivers = store.receivers(store.record(0));
    QCOMPARE(receivers.size(), 1u);
    QCOMPARE(store.clients().at(receivers[0].client), "sub");
    QCOMPARE(receivers[0].state, DeliveryState::Sent);
    QCOMPARE(receivers[0].packetId, 5);
    QCOMPARE(receivers[0].sentAfterMs, 2u);

    QSignalSpy changed(&store, &MessageStore::deliveriesChanged);
    store.ingest({acked(msg, "sub", 5, "PUBACK", T0 + 9)});
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.front().at(0).toULongLong(), 0u);
    QCOMPARE(changed.front().at(1).toULongLong(), 0u);
    receivers = store.receivers(store.record(0));
    QCOMPARE(receivers[0].state, DeliveryState::Acknowledged);
    QCOMPARE(receivers[0].endedAfterMs, 9u);
    QVERIFY(store.record(0).outcomes & LogRecord::AnyAcknowledged);
}

void tst_MessageStore::qos2DeliveryGoesStepByStep()
{
    MessageStore store;
    const MessagePtr msg = message(1, "a/b", "x", 2);
    store.ingest({published(msg, "pub", T0), delivery(Kind::Deliver, msg, "sub", 2, 3, T0)});
    store.ingest({acked(msg, "sub", 3, "PUBREC", T0 + 4)});
    ReceiverRecord receiver = store.receivers(store.record(0)).at(0);
    QCOMPARE(receiver.state, DeliveryState::Received);
    QCOMPARE(receiver.receivedAfterMs, 4u);
    QCOMPARE(receiver.endedAfterMs, ReceiverRecord::NoTime);

    store.ingest({acked(msg, "sub", 3, "PUBCOMP", T0 + 6)});
    receiver = store.receivers(store.record(0)).at(0);
    QCOMPARE(receiver.state, DeliveryState::Acknowledged);
    QCOMPARE(receiver.receivedAfterMs, 4u);
    QCOMPARE(receiver.endedAfterMs, 6u);
}

void tst_MessageStore::ackMatchesTheReceiverByClientAndPacketId()
{
    MessageStore store;
    const MessagePtr first = message(1, "t", "1", 1);
    const MessagePtr second = message(2, "t", "2", 1);
    store.ingest({published(first, "pub"), delivery(Kind::Deliver, first, "a", 1, 1),
                  delivery(Kind::Deliver, first, "b", 1, 1), published(second, "pub"),
                  delivery(Kind::Deliver, second, "a", 1, 2)});
    store.ingest({acked(second, "a", 2, "PUBACK"), acked(first, "b", 1, "PUBACK")});

    const std::vector<ReceiverRecord> ofFirst = store.receivers(store.record(0));
    QCOMPARE(ofFirst.size(), 2u);
    QCOMPARE(store.clients().at(ofFirst[0].client), "a"); // in delivery order
    QCOMPARE(ofFirst[0].state, DeliveryState::Sent);
    QCOMPARE(ofFirst[1].state, DeliveryState::Acknowledged);
    QCOMPARE(store.receivers(store.record(1)).at(0).state, DeliveryState::Acknowledged);
}

void tst_MessageStore::retryWithDupIsCounted()
{
    MessageStore store;
    const MessagePtr msg = message(1, "t", "x", 1);
    store.ingest({published(msg, "pub"), delivery(Kind::Deliver, msg, "sub", 1, 9)});
    store.ingest({delivery(Kind::Retry, msg, "sub", 1, 9, T0 + 1000),
                  delivery(Kind::Retry, msg, "sub", 1, 9, T0 + 2000)});
    ReceiverRecord receiver = store.receivers(store.record(0)).at(0);
    QCOMPARE(receiver.retries, 2);
    QCOMPARE(receiver.lastRetryAfterMs, 2000u);
    QVERIFY(store.record(0).outcomes & LogRecord::AnyRetried);
    // The resent PUBLISH is still acknowledged with its packet id (MQTT-4.3.2).
    store.ingest({acked(msg, "sub", 9, "PUBACK", T0 + 2001)});
    QCOMPARE(store.receivers(store.record(0)).at(0).state, DeliveryState::Acknowledged);
}

void tst_MessageStore::dropsWithAndWithoutADelivery()
{
    MessageStore store;
    const MessagePtr msg = message(1, "t", "x", 1);
    store.ingest({published(msg, "pub"), dropped(msg, "slow", "queue full", T0 + 1),
                  delivery(Kind::Deliver, msg, "gone", 1, 4, T0 + 1)});
    store.ingest({dropped(msg, "gone", "session discarded", T0 + 50)});

    const std::vector<ReceiverRecord> receivers = store.receivers(store.record(0));
    QCOMPARE(receivers.size(), 2u);
    QCOMPARE(receivers[0].state, DeliveryState::Dropped);
    QCOMPARE(store.reason(receivers[0].reason), "queue full");
    QCOMPARE(receivers[0].sentAfterMs, ReceiverRecord::NoTime);
    QCOMPARE(receivers[1].state, DeliveryState::Dropped);
    QCOMPARE(store.reason(receivers[1].reason), "session discarded");
    QCOMPARE(receivers[1].sentAfterMs, 1u);
    QCOMPARE(receivers[1].endedAfterMs, 50u);
    // The exchange is over: a late PUBACK with that packet id finds nothing to change.
    store.ingest({acked(msg, "gone", 4, "PUBACK")});
    QCOMPARE(store.receivers(store.record(0)).at(1).state, DeliveryState::Dropped);
}

void tst_MessageStore::refusalsOfPublishAndSubscribeAreRows()
{
    MessageStore store;
    store.ingest({refused("dev", "$devices/other/events", "publish to topic not allowed"),
                  refused("dev", "", "bad password"), // a CONNECT: not a message
                  subscribed("dev", "$registries/+/commands", 0x80, "not allowed to subscribe"),
                  subscribed("dev", "$devices/dev/commands", 1)});
    QCOMPARE(store.size(), 2u);
    const LogRecord &publish = store.record(0);
    QCOMPARE(publish.kind, LogEntryKind::RefusedPublish);
    QCOMPARE(store.topic(publish), "$devices/other/events");
    QCOMPARE(store.sender(publish), "dev");
    QCOMPARE(store.reason(publish.reason), "publish to topic not allowed");
    const LogRecord &subscribe = store.record(1);
    QCOMPARE(subscribe.kind, LogEntryKind::RefusedSubscribe);
    QCOMPARE(store.topic(subscribe), "$registries/+/commands");
    QCOMPARE(store.reason(subscribe.reason), "not allowed to subscribe");
}

void tst_MessageStore::deliveryOfAnUnseenMessageMakesARecord()
{
    MessageStore store;
    // A retained message published before the log watched, replayed to two new subscribers.
    const MessagePtr retained = message(3, "home/temp", "21", 0, true);
    store.ingest({delivery(Kind::Deliver, retained, "late-1", 0, 0, T0)});
    store.ingest({delivery(Kind::Deliver, retained, "late-2", 0, 0, T0 + 5)});
    QCOMPARE(store.size(), 1u);
    const LogRecord &record = store.record(0);
    QVERIFY(record.flags & LogRecord::Replayed);
    QVERIFY(record.flags & LogRecord::Retain);
    QCOMPARE(record.sender, 0u);
    QCOMPARE(store.payload(record), "21");
    QCOMPARE(record.receiverCount, 2);
}

void tst_MessageStore::capacityDropsTheOldest()
{
    MessageStore store(3);
    QSignalSpy trimmed(&store, &MessageStore::trimmed);
    QSignalSpy appended(&store, &MessageStore::appended);
    std::vector<BrokerEvent> events;
    for (std::uint64_t id = 1; id <= 5; ++id) {
        const auto one = routed(id, "t/" + std::to_string(id), "p" + std::to_string(id), "pub", {"sub"});
        events.insert(events.end(), one.begin(), one.end());
    }
    store.ingest(events);
    QCOMPARE(store.size(), 3u);
    QCOMPARE(store.firstSeq(), 2u);
    QCOMPARE(store.endSeq(), 5u);
    QCOMPARE(trimmed.size(), 1);
    QCOMPARE(trimmed.front().at(0).toULongLong(), 2u);
    // Every record is announced, then the oldest leave.
    QCOMPARE(appended.front().at(0).toULongLong(), 0u);
    QCOMPARE(appended.front().at(1).toULongLong(), 5u);
    QCOMPARE(store.payload(store.record(2)), "p3");
    QCOMPARE(store.receivers(store.record(4)).size(), 1u);

    store.setCapacity(1);
    QCOMPARE(store.size(), 1u);
    QCOMPARE(store.firstSeq(), 4u);
    QCOMPARE(store.payload(store.record(4)), "p5");
    QCOMPARE(trimmed.size(), 2);
}

void tst_MessageStore::lateAckOfADroppedRecordChangesNothing()
{
    MessageStore store(1);
    const MessagePtr first = message(1, "t", "1", 1);
    const MessagePtr second = message(2, "t", "2", 1);
    store.ingest({published(first, "pub"), delivery(Kind::Deliver, first, "sub", 1, 1)});
    store.ingest({published(second, "pub"), delivery(Kind::Deliver, second, "sub", 1, 2)});
    QSignalSpy changed(&store, &MessageStore::deliveriesChanged);
    store.ingest({acked(first, "sub", 1, "PUBACK"), delivery(Kind::Retry, first, "sub", 1, 1)});
    QCOMPARE(store.size(), 1u);
    QCOMPARE(changed.size(), 0);
    QCOMPARE(store.receivers(store.record(1)).at(0).state, DeliveryState::Sent);
}

void tst_MessageStore::topicsAndClientsAreInterned()
{
    MessageStore store;
    std::vector<BrokerEvent> events;
    for (std::uint64_t id = 1; id <= 100; ++id) {
        const auto one = routed(id, id % 2 ? "odd" : "even", "x", "pub", {"sub-a", "sub-b"});
        events.insert(events.end(), one.begin(), one.end());
    }
    store.ingest(events);
    QCOMPARE(store.topics().size(), 3u); // "", "odd", "even"
    QCOMPARE(store.clients().size(), 4u); // "", "pub", "sub-a", "sub-b"
    QCOMPARE(store.record(0).topic, store.record(2).topic);
    QCOMPARE(store.record(0).sender, store.record(99).sender);
}

void tst_MessageStore::payloadsAreKeptWhole()
{
    MessageStore store(4);
    // Larger than an arena chunk, then enough small ones to cross chunk boundaries and trims.
    std::string large(3 * 1024 * 1024 + 17, '\0');
    for (std::size_t i = 0; i < large.size(); ++i)
        large[i] = char(i * 31 % 251);
    store.ingest(routed(1, "big", large, "pub", {}));
    QCOMPARE(store.record(0).payloadSize, large.size());
    QVERIFY(store.payload(store.record(0)) == large);

    const std::string medium(300 * 1024, 'm');
    for (std::uint64_t id = 2; id <= 12; ++id)
        store.ingest(routed(id, "m", medium + std::to_string(id), "pub", {}));
    QCOMPARE(store.firstSeq(), 8u);
    for (std::uint64_t seq = store.firstSeq(); seq < store.endSeq(); ++seq)
        QVERIFY(store.payload(store.record(seq)) == medium + std::to_string(seq + 1));
    QVERIFY(store.memoryUsed() < 4 * 1024 * 1024);
}

QTEST_GUILESS_MAIN(tst_MessageStore)
#include "tst_messagestore.moc"
