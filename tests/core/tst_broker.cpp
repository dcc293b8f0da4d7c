// The broker engine end to end, without sockets, written from the MQTT 3.1.1 standard: clients
// (TestClient.h) send encoded packets to the Broker and check every packet it answers. Each test
// names the rule it checks.

#include "TestClient.h"

#include <QtTest/QTest>

#include <algorithm>
#include <chrono>
#include <iterator>
#include <set>

using namespace iotcore::broker;
using namespace std::chrono_literals;

namespace {

constexpr auto Puback = PacketType::Puback;
constexpr auto Pubrec = PacketType::Pubrec;
constexpr auto Pubrel = PacketType::Pubrel;
constexpr auto Pubcomp = PacketType::Pubcomp;
constexpr auto Unsuback = PacketType::Unsuback;

QByteArray bytesOf(const Packet &packet)
{
    const std::string bytes = encodedPacket(packet);
    return QByteArray(bytes.data(), qsizetype(bytes.size()));
}

std::string_view view(const QByteArray &bytes)
{
    return std::string_view(bytes.constData(), std::size_t(bytes.size()));
}

// One retained-flag PUBLISH of a sequence the retained tests replay.
struct Publication {
    std::string payload;
    bool retain;
    std::uint8_t qos;
};
using Publications = std::vector<Publication>;

std::vector<BrokerEvent> eventsOfKinds(const std::vector<BrokerEvent> &events,
                                       std::set<BrokerEvent::Kind> kinds)
{
    std::vector<BrokerEvent> selected;
    std::copy_if(events.begin(), events.end(), std::back_inserter(selected),
                 [&](const BrokerEvent &event) { return kinds.contains(event.kind); });
    return selected;
}

} // namespace

Q_DECLARE_METATYPE(Publications)

class tst_Broker : public QObject
{
    Q_OBJECT

private slots:
    // CONNECT and CONNACK
    void connackReturnCode_data();
    void connackReturnCode();
    void firstPacketMustBeConnect_data();
    void firstPacketMustBeConnect();
    void refusedConnectIgnoresWhatFollows();
    void secondConnectCloses();
    void packetsSplitAnywhere();
    void emptyClientIdsGetUniqueIds();
    void connectTimeout();
    void keepAlive_data();
    void keepAlive();
    void keepAliveZeroNeverExpires();

    // PUBLISH flows
    void publisherAcknowledgement_data();
    void publisherAcknowledgement();
    void deliveryQos_data();
    void deliveryQos();
    void duplicateQos2BeforePubrelIsNotRoutedTwice();
    void pubackReleasesQueuedMessages();
    void pubcompReleasesQueuedMessages();

    // Subscriptions and retained messages
    void retainedMessage_data();
    void retainedMessage();
    void retainedMessagesFollowSuback();
    void resubscribeResendsRetained();
    void overlappingSubscriptions_data();
    void overlappingSubscriptions();
    void unsubscribe();
    void dollarTopics_data();
    void dollarTopics();

    // Wills and sessions
    void will_data();
    void will();
    void retainedWill();
    void sessionPresent_data();
    void sessionPresent();
    void persistentSessionKeepsSubscriptionsAndQueue();
    void unacknowledgedResentOnReconnect();
    void pubrelResentOnReconnect();
    void incomingQos2SurvivesReconnect();
    void cleanSessionDiscardsState();
    void takeover();
    void queueLimitDropsWithEvent();

    // Event tap
    void eventTapQos1Flow();
    void eventTapWithoutSinkRecordsNothing();

    // Other packets and protocol violations
    void pingreq();
    void serverPacketFromClientCloses_data();
    void serverPacketFromClientCloses();
    void malformedPacketClosesOnlyThatConnection_data();
    void malformedPacketClosesOnlyThatConnection();
};

// --- CONNECT and CONNACK ------------------------------------------------------------------------

void tst_Broker::connackReturnCode_data()
{
    QTest::addColumn<QString>("protocolName");
    QTest::addColumn<int>("protocolLevel");
    QTest::addColumn<QString>("clientId");
    QTest::addColumn<bool>("cleanSession");
    QTest::addColumn<int>("returnCode");

    QTest::newRow("3.1.1 accepted") << "MQTT" << 4 << "c" << true << 0;
    QTest::newRow("3.1.1 accepted, clean session 0") << "MQTT" << 4 << "c" << false << 0;
    // MQTT-3.1.2-2: an unsupported protocol level gets 0x01.
    QTest::newRow("MQTT level 3") << "MQTT" << 3 << "c" << true << 1;
    QTest::newRow("MQIsdp level 3 (MQTT 3.1)") << "MQIsdp" << 3 << "c" << true << 1;
    QTest::newRow("MQTT level 5") << "MQTT" << 5 << "c" << true << 1;
    // MQTT-3.1.3-8: an empty client id with clean session 0 gets 0x02.
    QTest::newRow("empty client id, clean session 0") << "MQTT" << 4 << "" << false << 2;
    // MQTT-3.1.3-6: with clean session 1 the server may accept it and assign an id.
    QTest::newRow("empty client id, clean session 1") << "MQTT" << 4 << "" << true << 0;
}

void tst_Broker::connackReturnCode()
{
    QFETCH(QString, protocolName);
    QFETCH(int, protocolLevel);
    QFETCH(QString, clientId);
    QFETCH(bool, cleanSession);
    QFETCH(int, returnCode);

    Engine engine;
    TestClient client(engine);
    ConnectPacket connect;
    connect.protocolName = protocolName.toStdString();
    connect.protocolLevel = std::uint8_t(protocolLevel);
    connect.clientId = clientId.toStdString();
    connect.cleanSession = cleanSession;

    // MQTT-3.2.2-3: no session existed, so Session Present is 0; MQTT-3.2.2-4: it is 0 with any
    // non-zero return code as well.
    QCOMPARE(client.send(connect),
             PacketList{connackPacket(false, ConnectReturnCode(returnCode))});
    // MQTT-3.2.2-5: a non-zero return code is followed by closing the connection.
    QCOMPARE(client.isClosed(), returnCode != 0);

    // The log says what happened.
    const char *logEvent = returnCode == 0 ? " connect " : " refuse ";
    QVERIFY(std::any_of(engine.logLines.begin(), engine.logLines.end(),
                        [&](const std::string &line) { return line.find(logEvent) != line.npos; }));
}

void tst_Broker::firstPacketMustBeConnect_data()
{
    QTest::addColumn<QByteArray>("bytes");

    QTest::newRow("PUBLISH") << bytesOf(publishPacket("t", "m"));
    QTest::newRow("SUBSCRIBE") << bytesOf(subscribePacket(1, {{"t", 0}}));
    QTest::newRow("UNSUBSCRIBE") << bytesOf(unsubscribePacket(1, {"t"}));
    QTest::newRow("PINGREQ") << bytesOf(emptyPacket(PacketType::Pingreq));
    QTest::newRow("DISCONNECT") << bytesOf(emptyPacket(PacketType::Disconnect));
}

void tst_Broker::firstPacketMustBeConnect()
{
    // MQTT-3.1.0-1: the first packet from the client must be CONNECT; anything else is a
    // protocol violation, and the connection is closed (MQTT-4.8.0-1) without a CONNACK.
    QFETCH(QByteArray, bytes);

    Engine engine;
    TestClient client(engine);
    QCOMPARE(client.sendBytes(view(bytes)), PacketList{});
    QVERIFY(client.isClosed());
}

void tst_Broker::refusedConnectIgnoresWhatFollows()
{
    // MQTT-3.1.4-5: after refusing a CONNECT the server processes nothing else the client sent,
    // even bytes that arrived with it.
    Engine engine;
    TestClient subscriber(engine);
    QCOMPARE(subscriber.connect("sub"), PacketList{connackPacket()});
    QCOMPARE(subscriber.subscribe(1, "t", 0), PacketList{subackPacket(1, {0})});

    ConnectPacket mqtt5;
    mqtt5.clientId = "c";
    mqtt5.protocolLevel = 5;
    TestClient client(engine);
    const std::string bytes = encodedPacket(mqtt5) + encodedPacket(publishPacket("t", "m"));
    QCOMPARE(client.sendBytes(bytes),
             PacketList{connackPacket(false, ConnectReturnCode::UnacceptableProtocolVersion)});
    QVERIFY(client.isClosed());
    QCOMPARE(subscriber.received(), PacketList{});
}

void tst_Broker::secondConnectCloses()
{
    // MQTT-3.1.0-2: a second CONNECT is a protocol violation; the connection is closed.
    Engine engine;
    TestClient client(engine);
    QCOMPARE(client.connect("c"), PacketList{connackPacket()});
    QCOMPARE(client.connect("c"), PacketList{});
    QVERIFY(client.isClosed());
}

void tst_Broker::packetsSplitAnywhere()
{
    // MQTT 4.2: the network delivers an ordered byte stream, in pieces of any size. A CONNECT,
    // SUBSCRIBE and PINGREQ arriving one byte per read are answered as if they came at once.
    Engine engine;
    TestClient client(engine);
    const std::string stream = encodedPacket(connectPacket("c"))
                               + encodedPacket(subscribePacket(3, {{"a/#", 1}}))
                               + encodedPacket(emptyPacket(PacketType::Pingreq));
    PacketList answers;
    for (const char byte : stream) {
        const PacketList some = client.sendBytes(std::string_view(&byte, 1));
        answers.insert(answers.end(), some.begin(), some.end());
    }
    QCOMPARE(answers, (PacketList{connackPacket(), subackPacket(3, {1}),
                                  emptyPacket(PacketType::Pingresp)}));
    QVERIFY(!client.isClosed());
}

void tst_Broker::emptyClientIdsGetUniqueIds()
{
    // MQTT-3.1.3-6: each client that sends a zero-byte id gets a unique one, so two of them do
    // not take each other over (MQTT-3.1.4-2 would close the first otherwise).
    Engine engine;
    engine.recordEvents();
    TestClient first(engine);
    TestClient second(engine);
    QCOMPARE(first.connect(""), PacketList{connackPacket()});
    QCOMPARE(second.connect(""), PacketList{connackPacket()});
    QVERIFY(!first.isClosed());
    QVERIFY(!second.isClosed());

    const std::vector<BrokerEvent> connects = eventsOfKinds(engine.events,
                                                            {BrokerEvent::Kind::Connect});
    QCOMPARE(connects.size(), std::size_t(2));
    QVERIFY(!connects[0].clientId.empty());
    QVERIFY(connects[0].clientId != connects[1].clientId);

    // Both work as ordinary clients.
    QCOMPARE(first.subscribe(1, "t", 0), PacketList{subackPacket(1, {0})});
    QCOMPARE(second.send(publishPacket("t", "hello")), PacketList{});
    QCOMPARE(first.received(), PacketList{publishPacket("t", "hello")});
}

void tst_Broker::connectTimeout()
{
    // MQTT 3.1.1 lets the server close a connection that sends no CONNECT "within a reasonable
    // amount of time"; here that time is BrokerConfig::connectTimeout.
    BrokerConfig config;
    config.connectTimeout = 3s;
    Engine engine(config);

    const auto before = Engine::Clock::now();
    TestClient silent(engine);
    const auto after = Engine::Clock::now();
    TestClient connected(engine);
    QCOMPARE(connected.connect("c"), PacketList{connackPacket()});

    engine.tick(before + 3s);
    QVERIFY(!silent.isClosed());
    engine.tick(after + 3s + 1ms);
    QVERIFY(silent.isClosed());
    QCOMPARE(silent.received(), PacketList{});
    QVERIFY(!connected.isClosed());
}

void tst_Broker::keepAlive_data()
{
    QTest::addColumn<int>("keepAliveSeconds");

    QTest::newRow("1 s") << 1;
    QTest::newRow("10 s") << 10;
    QTest::newRow("60 s") << 60;
    QTest::newRow("65535 s") << 65535;
}

void tst_Broker::keepAlive()
{
    // MQTT-3.1.2-24: the server disconnects a client it has heard nothing from for one and a half
    // times the keep-alive, and not before.
    QFETCH(int, keepAliveSeconds);
    const std::chrono::milliseconds limit(keepAliveSeconds * 1500);

    Engine engine;
    TestClient client(engine);
    const auto before = Engine::Clock::now();
    QCOMPARE(client.connect("c", true, std::uint16_t(keepAliveSeconds)),
             PacketList{connackPacket()});
    const auto after = Engine::Clock::now();

    engine.tick(before + limit - 1ms);
    QVERIFY(!client.isClosed());
    engine.tick(after + limit + 1ms);
    QVERIFY(client.isClosed());
}

void tst_Broker::keepAliveZeroNeverExpires()
{
    // MQTT 3.1.2.10: a keep-alive of zero turns the mechanism off.
    Engine engine;
    TestClient client(engine);
    QCOMPARE(client.connect("c", true, 0), PacketList{connackPacket()});
    engine.tick(Engine::Clock::now() + 24h * 365);
    QVERIFY(!client.isClosed());
}

// --- PUBLISH flows ------------------------------------------------------------------------------

void tst_Broker::publisherAcknowledgement_data()
{
    QTest::addColumn<int>("qos");
    QTest::addColumn<bool>("dup");

    QTest::newRow("QoS 0") << 0 << false;
    QTest::newRow("QoS 1") << 1 << false;
    QTest::newRow("QoS 1, DUP 1") << 1 << true;
    QTest::newRow("QoS 2") << 2 << false;
    QTest::newRow("QoS 2, DUP 1") << 2 << true;
}

void tst_Broker::publisherAcknowledgement()
{
    // MQTT 4.3: QoS 0 is not answered, QoS 1 gets PUBACK (MQTT-4.3.2-2), QoS 2 gets PUBREC
    // (MQTT-4.3.3-2) and its PUBREL gets PUBCOMP (MQTT-3.6.4-1), each with the packet id.
    QFETCH(int, qos);
    QFETCH(bool, dup);
    const std::uint16_t id = qos ? 77 : 0;

    Engine engine;
    TestClient subscriber(engine);
    TestClient publisher(engine);
    QCOMPARE(subscriber.connect("sub"), PacketList{connackPacket()});
    QCOMPARE(subscriber.subscribe(1, "t", 2), PacketList{subackPacket(1, {2})});
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});

    const PacketList acks = publisher.send(publishPacket("t", "m", qos, id, false, dup));
    if (qos == 0)
        QCOMPARE(acks, PacketList{});
    else if (qos == 1)
        QCOMPARE(acks, PacketList{ackPacket(Puback, id)});
    else
        QCOMPARE(acks, PacketList{ackPacket(Pubrec, id)});
    if (qos == 2)
        QCOMPARE(publisher.send(ackPacket(Pubrel, id)), PacketList{ackPacket(Pubcomp, id)});

    // The message goes out at its own QoS with a packet id of the broker's choosing, and the
    // incoming DUP flag is not passed on (MQTT-3.3.1-3).
    QCOMPARE(subscriber.received(), PacketList{publishPacket("t", "m", qos, qos ? 1 : 0)});
}

void tst_Broker::deliveryQos_data()
{
    QTest::addColumn<int>("publishedQos");
    QTest::addColumn<int>("grantedQos");

    for (int published = 0; published <= 2; ++published) {
        for (int granted = 0; granted <= 2; ++granted) {
            QTest::addRow("published %d, granted %d", published, granted) << published << granted;
        }
    }
}

void tst_Broker::deliveryQos()
{
    // MQTT-3.8.4-6: a message goes to a subscriber at the lower of its published QoS and the
    // subscription's granted QoS. The broker then runs the sender's side of that QoS: PUBACK ends
    // QoS 1, PUBREC gets PUBREL and PUBCOMP ends QoS 2 (MQTT 4.3.3).
    QFETCH(int, publishedQos);
    QFETCH(int, grantedQos);
    const auto qos = std::uint8_t(std::min(publishedQos, grantedQos));

    Engine engine;
    TestClient subscriber(engine);
    TestClient publisher(engine);
    QCOMPARE(subscriber.connect("sub"), PacketList{connackPacket()});
    QCOMPARE(subscriber.subscribe(1, "t", grantedQos),
             PacketList{subackPacket(1, {std::uint8_t(grantedQos)})});
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});

    for (std::uint16_t round = 1; round <= 2; ++round) {
        const std::uint16_t id = qos ? round : 0;
        publisher.send(publishPacket("t", "m", publishedQos, publishedQos ? round : 0));
        QCOMPARE(subscriber.received(), PacketList{publishPacket("t", "m", qos, id)});
        if (qos == 1) {
            QCOMPARE(subscriber.send(ackPacket(Puback, id)), PacketList{});
        } else if (qos == 2) {
            QCOMPARE(subscriber.send(ackPacket(Pubrec, id)), PacketList{ackPacket(Pubrel, id)});
            QCOMPARE(subscriber.send(ackPacket(Pubcomp, id)), PacketList{});
        }
        if (publishedQos == 2)
            publisher.send(ackPacket(Pubrel, round));
    }
}

void tst_Broker::duplicateQos2BeforePubrelIsNotRoutedTwice()
{
    // MQTT-4.3.3-2: until PUBREL, a QoS 2 PUBLISH with the same packet id is the same message;
    // it is acknowledged again but not delivered again. After PUBREL the id names a new message.
    Engine engine;
    TestClient subscriber(engine);
    TestClient publisher(engine);
    QCOMPARE(subscriber.connect("sub"), PacketList{connackPacket()});
    QCOMPARE(subscriber.subscribe(1, "t", 0), PacketList{subackPacket(1, {0})});
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});

    QCOMPARE(publisher.send(publishPacket("t", "once", 2, 7)), PacketList{ackPacket(Pubrec, 7)});
    QCOMPARE(subscriber.received(), PacketList{publishPacket("t", "once")});
    QCOMPARE(publisher.send(publishPacket("t", "once", 2, 7, false, true)),
             PacketList{ackPacket(Pubrec, 7)});
    QCOMPARE(subscriber.received(), PacketList{});
    QCOMPARE(publisher.send(ackPacket(Pubrel, 7)), PacketList{ackPacket(Pubcomp, 7)});
    QCOMPARE(subscriber.received(), PacketList{});

    QCOMPARE(publisher.send(publishPacket("t", "next", 2, 7)), PacketList{ackPacket(Pubrec, 7)});
    QCOMPARE(subscriber.received(), PacketList{publishPacket("t", "next")});
}

void tst_Broker::pubackReleasesQueuedMessages()
{
    // With at most two messages in flight, the others wait; each PUBACK lets the next one go, and
    // all arrive in the order they were published (MQTT-4.6.0-6, ordered topics).
    BrokerConfig config;
    config.maxInflightMessages = 2;
    Engine engine(config);
    TestClient subscriber(engine);
    TestClient publisher(engine);
    QCOMPARE(subscriber.connect("sub"), PacketList{connackPacket()});
    QCOMPARE(subscriber.subscribe(1, "t", 1), PacketList{subackPacket(1, {1})});
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});

    for (std::uint16_t i = 1; i <= 5; ++i) {
        QCOMPARE(publisher.send(publishPacket("t", "m" + std::to_string(i), 1, i)),
                 PacketList{ackPacket(Puback, i)});
    }
    QCOMPARE(subscriber.received(),
             (PacketList{publishPacket("t", "m1", 1, 1), publishPacket("t", "m2", 1, 2)}));
    QCOMPARE(subscriber.send(ackPacket(Puback, 1)), PacketList{publishPacket("t", "m3", 1, 3)});
    QCOMPARE(subscriber.send(ackPacket(Puback, 3)), PacketList{publishPacket("t", "m4", 1, 4)});
    QCOMPARE(subscriber.send(ackPacket(Puback, 2)), PacketList{publishPacket("t", "m5", 1, 5)});
    QCOMPARE(subscriber.send(ackPacket(Puback, 4)), PacketList{});
    QCOMPARE(subscriber.send(ackPacket(Puback, 5)), PacketList{});
    QCOMPARE(subscriber.send(ackPacket(Puback, 5)), PacketList{}); // a late duplicate is ignored
}

void tst_Broker::pubcompReleasesQueuedMessages()
{
    // The QoS 2 exchange ends with PUBCOMP; by then the next queued message has gone out.
    BrokerConfig config;
    config.maxInflightMessages = 1;
    Engine engine(config);
    TestClient subscriber(engine);
    TestClient publisher(engine);
    QCOMPARE(subscriber.connect("sub"), PacketList{connackPacket()});
    QCOMPARE(subscriber.subscribe(1, "t", 2), PacketList{subackPacket(1, {2})});
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});
    publisher.send(publishPacket("t", "m1", 2, 1));
    publisher.send(publishPacket("t", "m2", 2, 2));

    QCOMPARE(subscriber.received(), PacketList{publishPacket("t", "m1", 2, 1)});
    PacketList answers = subscriber.send(ackPacket(Pubrec, 1));
    const PacketList afterPubcomp = subscriber.send(ackPacket(Pubcomp, 1));
    answers.insert(answers.end(), afterPubcomp.begin(), afterPubcomp.end());
    QCOMPARE(answers, (PacketList{ackPacket(Pubrel, 1), publishPacket("t", "m2", 2, 2)}));
}

// --- subscriptions and retained messages --------------------------------------------------------

void tst_Broker::retainedMessage_data()
{
    QTest::addColumn<Publications>("publications");
    QTest::addColumn<QString>("retainedPayload"); // null: nothing retained
    QTest::addColumn<int>("retainedQos");

    // MQTT-3.3.1-5: a RETAIN 1 message is kept, replacing the previous one for the topic.
    QTest::newRow("set") << Publications{{"a", true, 1}} << "a" << 1;
    QTest::newRow("replace") << Publications{{"a", true, 1}, {"b", true, 1}} << "b" << 1;
    // MQTT-3.3.1-7: a QoS 0 retained message replaces it too.
    QTest::newRow("QoS 0 replaces") << Publications{{"a", true, 2}, {"b", true, 0}} << "b" << 0;
    // MQTT-3.3.1-10, MQTT-3.3.1-11: an empty payload clears the topic and is not kept.
    QTest::newRow("clear") << Publications{{"a", true, 1}, {"", true, 1}} << QString() << 0;
    QTest::newRow("set after clear")
        << Publications{{"a", true, 1}, {"", true, 0}, {"c", true, 2}} << "c" << 2;
    // MQTT-3.3.1-12: RETAIN 0 neither stores, nor replaces, nor clears.
    QTest::newRow("RETAIN 0 is not kept") << Publications{{"a", false, 1}} << QString() << 0;
    QTest::newRow("RETAIN 0 does not replace")
        << Publications{{"a", true, 1}, {"b", false, 1}} << "a" << 1;
    QTest::newRow("RETAIN 0 empty does not clear")
        << Publications{{"a", true, 1}, {"", false, 1}} << "a" << 1;
}

void tst_Broker::retainedMessage()
{
    QFETCH(Publications, publications);
    QFETCH(QString, retainedPayload);
    QFETCH(int, retainedQos);

    Engine engine;
    TestClient watcher(engine);
    TestClient publisher(engine);
    QCOMPARE(watcher.connect("watcher"), PacketList{connackPacket()});
    QCOMPARE(watcher.subscribe(1, "r", 0), PacketList{subackPacket(1, {0})});
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});

    // An established subscription gets every one of them with RETAIN 0 (MQTT-3.3.1-9), the
    // empty one too (MQTT-3.3.1-10: "processed as normal").
    PacketList live;
    std::uint16_t id = 0;
    for (const Publication &p : publications) {
        id = p.qos ? id + 1 : id;
        publisher.send(publishPacket("r", p.payload, p.qos, p.qos ? id : 0, p.retain));
        if (p.qos == 2)
            publisher.send(ackPacket(Pubrel, id));
        live.push_back(publishPacket("r", p.payload));
    }
    QCOMPARE(watcher.received(), live);

    // A new subscription gets what is retained with RETAIN 1 (MQTT-3.3.1-8), after the SUBACK.
    TestClient late(engine);
    QCOMPARE(late.connect("late"), PacketList{connackPacket()});
    PacketList expected = {subackPacket(1, {2})};
    if (!retainedPayload.isNull()) {
        expected.push_back(publishPacket("r", retainedPayload.toStdString(), retainedQos,
                                         retainedQos ? 1 : 0, true));
    }
    QCOMPARE(late.subscribe(1, "r", 2), expected);
}

void tst_Broker::retainedMessagesFollowSuback()
{
    // MQTT-3.3.1-6: a new subscription gets the retained message of every matching topic, each at
    // the lower of its QoS and the granted QoS (MQTT-3.8.4-6) and with RETAIN 1 (MQTT-3.3.1-8);
    // they follow the SUBACK.
    Engine engine;
    TestClient publisher(engine);
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});
    publisher.send(publishPacket("a/1", "one", 2, 1, true));
    publisher.send(ackPacket(Pubrel, 1));
    publisher.send(publishPacket("a/2", "two", 0, 0, true));
    publisher.send(publishPacket("b/3", "three", 0, 0, true));

    TestClient subscriber(engine);
    QCOMPARE(subscriber.connect("sub"), PacketList{connackPacket()});
    PacketList answers = subscriber.subscribe(5, "a/#", 1);
    QVERIFY(!answers.empty());
    QCOMPARE(answers.front(), subackPacket(5, {1}));
    // The retained messages may come in any order.
    std::sort(answers.begin() + 1, answers.end(), [](const Packet &a, const Packet &b) {
        return std::get<PublishPacket>(a).topic < std::get<PublishPacket>(b).topic;
    });
    QCOMPARE(answers, (PacketList{subackPacket(5, {1}), publishPacket("a/1", "one", 1, 1, true),
                                  publishPacket("a/2", "two", 0, 0, true)}));
}

void tst_Broker::resubscribeResendsRetained()
{
    // MQTT-3.8.4-3: subscribing again to the same filter replaces the subscription (its QoS may
    // change), sends the retained messages again, and does not duplicate live delivery.
    Engine engine;
    TestClient publisher(engine);
    TestClient subscriber(engine);
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});
    QCOMPARE(subscriber.connect("sub"), PacketList{connackPacket()});
    publisher.send(publishPacket("r", "kept", 1, 1, true));

    QCOMPARE(subscriber.subscribe(1, "r", 0),
             (PacketList{subackPacket(1, {0}), publishPacket("r", "kept", 0, 0, true)}));
    QCOMPARE(subscriber.subscribe(2, "r", 1),
             (PacketList{subackPacket(2, {1}), publishPacket("r", "kept", 1, 1, true)}));
    QCOMPARE(subscriber.send(ackPacket(Puback, 1)), PacketList{});

    publisher.send(publishPacket("r", "live", 1, 2));
    QCOMPARE(subscriber.received(), PacketList{publishPacket("r", "live", 1, 2)});
}

void tst_Broker::overlappingSubscriptions_data()
{
    QTest::addColumn<QStringList>("filters");
    QTest::addColumn<QList<int>>("grantedQos");
    QTest::addColumn<int>("publishedQos");
    QTest::addColumn<int>("deliveredQos");

    const QStringList three = {"a/+", "a/#", "a/b"};
    QTest::newRow("highest granted wins") << three << QList<int>{0, 2, 1} << 2 << 2;
    QTest::newRow("capped by the message") << three << QList<int>{0, 2, 1} << 1 << 1;
    QTest::newRow("all QoS 0") << QStringList{"#", "a/b"} << QList<int>{0, 0} << 2 << 0;
    QTest::newRow("only one matches") << QStringList{"a/c", "a/b"} << QList<int>{2, 0} << 2 << 0;
}

void tst_Broker::overlappingSubscriptions()
{
    // MQTT-3.3.5-1: one client with several matching subscriptions gets the message once, at the
    // highest QoS among them (capped by the message's own QoS, MQTT-3.8.4-6).
    QFETCH(QStringList, filters);
    QFETCH(QList<int>, grantedQos);
    QFETCH(int, publishedQos);
    QFETCH(int, deliveredQos);

    Engine engine;
    TestClient subscriber(engine);
    TestClient publisher(engine);
    QCOMPARE(subscriber.connect("sub"), PacketList{connackPacket()});
    std::vector<TopicSubscription> subscriptions;
    std::vector<std::uint8_t> codes;
    for (qsizetype i = 0; i < filters.size(); ++i) {
        subscriptions.push_back({filters[i].toStdString(), std::uint8_t(grantedQos[i])});
        codes.push_back(std::uint8_t(grantedQos[i]));
    }
    QCOMPARE(subscriber.send(subscribePacket(1, subscriptions)), PacketList{subackPacket(1, codes)});
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});

    publisher.send(publishPacket("a/b", "m", publishedQos, publishedQos ? 1 : 0));
    QCOMPARE(subscriber.received(),
             PacketList{publishPacket("a/b", "m", deliveredQos, deliveredQos ? 1 : 0)});
}

void tst_Broker::unsubscribe()
{
    // MQTT-3.10.4-1: the unsubscribed filter stops delivery; others stay. MQTT-3.10.4-4 and
    // MQTT-3.10.4-5: UNSUBACK with the packet id, even when no subscription matched.
    Engine engine;
    TestClient subscriber(engine);
    TestClient publisher(engine);
    QCOMPARE(subscriber.connect("sub"), PacketList{connackPacket()});
    QCOMPARE(subscriber.send(subscribePacket(1, {{"a/+", 0}, {"a/b", 0}})),
             PacketList{subackPacket(1, {0, 0})});
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});

    QCOMPARE(subscriber.send(unsubscribePacket(2, {"a/+"})), PacketList{ackPacket(Unsuback, 2)});
    publisher.send(publishPacket("a/c", "c"));
    publisher.send(publishPacket("a/b", "b"));
    QCOMPARE(subscriber.received(), PacketList{publishPacket("a/b", "b")});

    QCOMPARE(subscriber.send(unsubscribePacket(3, {"never/subscribed"})),
             PacketList{ackPacket(Unsuback, 3)});
    QCOMPARE(subscriber.send(unsubscribePacket(4, {"a/b", "a/+"})),
             PacketList{ackPacket(Unsuback, 4)});
    publisher.send(publishPacket("a/b", "b"));
    QCOMPARE(subscriber.received(), PacketList{});
}

void tst_Broker::dollarTopics_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<bool>("delivered");

    QTest::newRow("#") << "#" << false;
    QTest::newRow("+/monitor/Clients") << "+/monitor/Clients" << false;
    QTest::newRow("+/#") << "+/#" << false;
    QTest::newRow("$SYS/#") << "$SYS/#" << true;
    QTest::newRow("$SYS/monitor/+") << "$SYS/monitor/+" << true;
}

void tst_Broker::dollarTopics()
{
    // MQTT-4.7.2-1: a filter starting with a wildcard does not match a topic starting with '$'.
    QFETCH(QString, filter);
    QFETCH(bool, delivered);

    Engine engine;
    TestClient subscriber(engine);
    TestClient publisher(engine);
    QCOMPARE(subscriber.connect("sub"), PacketList{connackPacket()});
    QCOMPARE(subscriber.subscribe(1, filter.toStdString(), 0), PacketList{subackPacket(1, {0})});
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});

    publisher.send(publishPacket("$SYS/monitor/Clients", "3"));
    QCOMPARE(subscriber.received(), delivered ? PacketList{publishPacket("$SYS/monitor/Clients", "3")}
                                              : PacketList{});
}

// --- wills and sessions -------------------------------------------------------------------------

void tst_Broker::will_data()
{
    QTest::addColumn<QString>("ending");
    QTest::addColumn<bool>("willPublished");

    // MQTT-3.1.2-8: the will is published when the connection ends without DISCONNECT: an I/O
    // error or network failure, a keep-alive timeout, a protocol error, or the server closing it.
    QTest::newRow("network failure") << "network failure" << true;
    QTest::newRow("keep-alive timeout") << "keep-alive timeout" << true;
    QTest::newRow("protocol violation") << "protocol violation" << true;
    QTest::newRow("taken over (MQTT-3.1.4-2)") << "takeover" << true;
    // MQTT-3.1.2-10, MQTT-3.14.4-3: DISCONNECT discards the will.
    QTest::newRow("DISCONNECT") << "DISCONNECT" << false;
}

void tst_Broker::will()
{
    QFETCH(QString, ending);
    QFETCH(bool, willPublished);

    Engine engine;
    TestClient watcher(engine);
    QCOMPARE(watcher.connect("watcher"), PacketList{connackPacket()});
    QCOMPARE(watcher.subscribe(1, "wills/#", 1), PacketList{subackPacket(1, {1})});

    TestClient device(engine);
    QCOMPARE(device.connect("dev", true, 10, Will{"wills/dev", "gone", 1, false}),
             PacketList{connackPacket()});
    const auto connectedAt = Engine::Clock::now();
    QCOMPARE(watcher.received(), PacketList{});

    if (ending == "network failure") {
        device.dropConnection();
    } else if (ending == "keep-alive timeout") {
        engine.tick(connectedAt + 15s + 1ms);
    } else if (ending == "protocol violation") {
        device.sendBytes(view(QByteArray::fromHex("3003000123"))); // PUBLISH to "#" (MQTT-3.3.2-2)
    } else if (ending == "takeover") {
        TestClient successor(engine);
        QCOMPARE(successor.connect("dev"), PacketList{connackPacket()});
    } else {
        device.send(emptyPacket(PacketType::Disconnect));
    }
    QVERIFY(device.isClosed());
    QCOMPARE(watcher.received(), willPublished ? PacketList{publishPacket("wills/dev", "gone", 1, 1)}
                                               : PacketList{});
}

void tst_Broker::retainedWill()
{
    // MQTT-3.1.2-17: a will with Will Retain 1 is published as a retained message.
    Engine engine;
    TestClient device(engine);
    QCOMPARE(device.connect("dev", true, 0, Will{"status/dev", "offline", 0, true}),
             PacketList{connackPacket()});
    device.dropConnection();

    TestClient later(engine);
    QCOMPARE(later.connect("later"), PacketList{connackPacket()});
    QCOMPARE(later.subscribe(1, "status/+", 1),
             (PacketList{subackPacket(1, {1}), publishPacket("status/dev", "offline", 0, 0, true)}));
}

void tst_Broker::sessionPresent_data()
{
    QTest::addColumn<QList<bool>>("cleanSessions"); // one connection each, ended by DISCONNECT
    QTest::addColumn<QList<bool>>("sessionPresent");

    // MQTT-3.2.2-2: a resumed session is reported present; MQTT-3.2.2-3: a new one is not;
    // MQTT-3.2.2-1: clean session 1 always gets 0; MQTT-3.1.2-6: its state does not outlive it.
    QTest::newRow("0, 0") << QList<bool>{false, false} << QList<bool>{false, true};
    QTest::newRow("0, 0, 0") << QList<bool>{false, false, false} << QList<bool>{false, true, true};
    QTest::newRow("0, 1, 0") << QList<bool>{false, true, false} << QList<bool>{false, false, false};
    QTest::newRow("1, 0") << QList<bool>{true, false} << QList<bool>{false, false};
    QTest::newRow("1, 1") << QList<bool>{true, true} << QList<bool>{false, false};
}

void tst_Broker::sessionPresent()
{
    QFETCH(QList<bool>, cleanSessions);
    QFETCH(QList<bool>, sessionPresent);

    Engine engine;
    for (qsizetype i = 0; i < cleanSessions.size(); ++i) {
        TestClient client(engine);
        QCOMPARE(client.connect("c", cleanSessions[i]), PacketList{connackPacket(sessionPresent[i])});
        client.send(emptyPacket(PacketType::Disconnect));
        QVERIFY(client.isClosed());
    }
}

void tst_Broker::persistentSessionKeepsSubscriptionsAndQueue()
{
    // MQTT-3.1.2-4, MQTT-3.1.2-5: a clean session 0 session keeps its subscriptions and the QoS 1
    // and 2 messages that arrive while the client is away; they go out after the CONNACK.
    Engine engine;
    TestClient publisher(engine);
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});
    {
        TestClient subscriber(engine);
        QCOMPARE(subscriber.connect("sub", false), PacketList{connackPacket(false)});
        QCOMPARE(subscriber.subscribe(1, "t", 1), PacketList{subackPacket(1, {1})});
        subscriber.send(emptyPacket(PacketType::Disconnect));
    }
    QCOMPARE(publisher.send(publishPacket("t", "m1", 1, 1)), PacketList{ackPacket(Puback, 1)});
    QCOMPARE(publisher.send(publishPacket("t", "m2", 2, 2)), PacketList{ackPacket(Pubrec, 2)});
    publisher.send(ackPacket(Pubrel, 2));

    TestClient subscriber(engine);
    QCOMPARE(subscriber.connect("sub", false),
             (PacketList{connackPacket(true), publishPacket("t", "m1", 1, 1),
                         publishPacket("t", "m2", 1, 2)}));
    // The subscription is there without subscribing again.
    publisher.send(publishPacket("t", "m3", 1, 3));
    QCOMPARE(subscriber.received(), PacketList{publishPacket("t", "m3", 1, 3)});
}

void tst_Broker::unacknowledgedResentOnReconnect()
{
    // MQTT-4.4.0-1: on reconnecting with clean session 0 the server sends the unacknowledged
    // PUBLISH packets again with their original packet ids, DUP 1 (MQTT-3.3.1-1), in the order
    // first sent (MQTT 4.6); messages queued meanwhile follow.
    Engine engine;
    TestClient publisher(engine);
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});

    TestClient first(engine);
    QCOMPARE(first.connect("sub", false), PacketList{connackPacket(false)});
    QCOMPARE(first.subscribe(1, "t", 2), PacketList{subackPacket(1, {2})});
    publisher.send(publishPacket("t", "m1", 1, 1));
    publisher.send(publishPacket("t", "m2", 1, 2));
    publisher.send(publishPacket("t", "m3", 2, 3));
    publisher.send(ackPacket(Pubrel, 3));
    publisher.send(publishPacket("t", "m4", 1, 4));
    QCOMPARE(first.received(),
             (PacketList{publishPacket("t", "m1", 1, 1), publishPacket("t", "m2", 1, 2),
                         publishPacket("t", "m3", 2, 3), publishPacket("t", "m4", 1, 4)}));
    QCOMPARE(first.send(ackPacket(Puback, 2)), PacketList{});
    first.dropConnection();
    publisher.send(publishPacket("t", "m5", 1, 5));

    TestClient second(engine);
    QCOMPARE(second.connect("sub", false),
             (PacketList{connackPacket(true), publishPacket("t", "m1", 1, 1, false, true),
                         publishPacket("t", "m3", 2, 3, false, true),
                         publishPacket("t", "m4", 1, 4, false, true),
                         publishPacket("t", "m5", 1, 5)}));
}

void tst_Broker::pubrelResentOnReconnect()
{
    // MQTT-4.4.0-1: a QoS 2 message already PUBREC'd is not sent again; its PUBREL is.
    Engine engine;
    TestClient publisher(engine);
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});

    TestClient first(engine);
    QCOMPARE(first.connect("sub", false), PacketList{connackPacket(false)});
    QCOMPARE(first.subscribe(1, "t", 2), PacketList{subackPacket(1, {2})});
    publisher.send(publishPacket("t", "m1", 2, 1));
    QCOMPARE(first.received(), PacketList{publishPacket("t", "m1", 2, 1)});
    QCOMPARE(first.send(ackPacket(Pubrec, 1)), PacketList{ackPacket(Pubrel, 1)});
    first.dropConnection();

    TestClient second(engine);
    QCOMPARE(second.connect("sub", false), (PacketList{connackPacket(true), ackPacket(Pubrel, 1)}));
    QCOMPARE(second.send(ackPacket(Pubcomp, 1)), PacketList{});
    publisher.send(publishPacket("t", "m2", 0));
    QCOMPARE(second.received(), PacketList{publishPacket("t", "m2")});
}

void tst_Broker::incomingQos2SurvivesReconnect()
{
    // MQTT-4.3.3-2 across a reconnection (MQTT-4.4.0-1): the publisher resends its unreleased QoS
    // 2 PUBLISH with DUP 1; the session remembers the id, so the message is not routed twice.
    Engine engine;
    TestClient subscriber(engine);
    QCOMPARE(subscriber.connect("sub"), PacketList{connackPacket()});
    QCOMPARE(subscriber.subscribe(1, "t", 0), PacketList{subackPacket(1, {0})});

    TestClient first(engine);
    QCOMPARE(first.connect("pub", false), PacketList{connackPacket(false)});
    QCOMPARE(first.send(publishPacket("t", "once", 2, 9)), PacketList{ackPacket(Pubrec, 9)});
    first.dropConnection();
    QCOMPARE(subscriber.received(), PacketList{publishPacket("t", "once")});

    TestClient second(engine);
    QCOMPARE(second.connect("pub", false), PacketList{connackPacket(true)});
    QCOMPARE(second.send(publishPacket("t", "once", 2, 9, false, true)),
             PacketList{ackPacket(Pubrec, 9)});
    QCOMPARE(second.send(ackPacket(Pubrel, 9)), PacketList{ackPacket(Pubcomp, 9)});
    QCOMPARE(subscriber.received(), PacketList{});
}

void tst_Broker::cleanSessionDiscardsState()
{
    // MQTT-3.1.2-6: clean session 1 discards the previous session: no queued messages, no
    // subscriptions; and its own state ends with it.
    Engine engine;
    TestClient publisher(engine);
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});
    {
        TestClient persistent(engine);
        QCOMPARE(persistent.connect("sub", false), PacketList{connackPacket(false)});
        QCOMPARE(persistent.subscribe(1, "t", 1), PacketList{subackPacket(1, {1})});
        persistent.send(emptyPacket(PacketType::Disconnect));
    }
    publisher.send(publishPacket("t", "queued", 1, 1));

    TestClient clean(engine);
    QCOMPARE(clean.connect("sub", true), PacketList{connackPacket(false)});
    publisher.send(publishPacket("t", "after", 1, 2));
    QCOMPARE(clean.received(), PacketList{});
    clean.send(emptyPacket(PacketType::Disconnect));

    TestClient again(engine);
    QCOMPARE(again.connect("sub", false), PacketList{connackPacket(false)});
}

void tst_Broker::takeover()
{
    // MQTT-3.1.4-2: a CONNECT with the id of a connected client closes the older connection
    // (its will is published, MQTT-3.1.2-8); the session carries over when both use clean
    // session 0.
    Engine engine;
    TestClient watcher(engine);
    QCOMPARE(watcher.connect("watcher"), PacketList{connackPacket()});
    QCOMPARE(watcher.subscribe(1, "wills/dev", 0), PacketList{subackPacket(1, {0})});

    TestClient older(engine);
    QCOMPARE(older.connect("dev", false, 0, Will{"wills/dev", "gone", 0, false}),
             PacketList{connackPacket(false)});
    QCOMPARE(older.subscribe(1, "cmd", 1), PacketList{subackPacket(1, {1})});
    watcher.send(publishPacket("cmd", "update", 1, 1));
    QCOMPARE(older.received(), PacketList{publishPacket("cmd", "update", 1, 1)});

    // The unacknowledged message goes to the new connection again (MQTT-4.4.0-1).
    TestClient newer(engine);
    QCOMPARE(newer.connect("dev", false),
             (PacketList{connackPacket(true), publishPacket("cmd", "update", 1, 1, false, true)}));
    QVERIFY(older.isClosed());
    QVERIFY(!newer.isClosed());
    QCOMPARE(watcher.received(), PacketList{publishPacket("wills/dev", "gone")});

    QCOMPARE(newer.send(ackPacket(Puback, 1)), PacketList{});
    watcher.send(publishPacket("cmd", "reboot", 1, 2));
    QCOMPARE(newer.received(), PacketList{publishPacket("cmd", "reboot", 1, 2)});
    QCOMPARE(older.received(), PacketList{});
}

void tst_Broker::queueLimitDropsWithEvent()
{
    // Past maxQueuedMessages a new message for an offline client is dropped, and the drop is
    // recorded; what was queued is delivered on return (MQTT-3.1.2-5).
    BrokerConfig config;
    config.maxQueuedMessages = 2;
    Engine engine(config);
    engine.recordEvents();
    TestClient publisher(engine);
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});
    {
        TestClient subscriber(engine);
        QCOMPARE(subscriber.connect("sub", false), PacketList{connackPacket(false)});
        QCOMPARE(subscriber.subscribe(1, "t", 1), PacketList{subackPacket(1, {1})});
        subscriber.send(emptyPacket(PacketType::Disconnect));
    }
    for (std::uint16_t i = 1; i <= 3; ++i)
        publisher.send(publishPacket("t", "m" + std::to_string(i), 1, i));

    const std::vector<BrokerEvent> drops = eventsOfKinds(engine.events, {BrokerEvent::Kind::Drop});
    QCOMPARE(drops.size(), std::size_t(1));
    QCOMPARE(drops[0].clientId, std::string("sub"));
    QCOMPARE(drops[0].topic, std::string("t"));
    QVERIFY(drops[0].message);
    QCOMPARE(drops[0].message->payload, std::string("m3"));
    QVERIFY(!drops[0].detail.empty());
    QCOMPARE(engine.broker.statistics().messagesDropped, std::uint64_t(1));

    TestClient subscriber(engine);
    QCOMPARE(subscriber.connect("sub", false),
             (PacketList{connackPacket(true), publishPacket("t", "m1", 1, 1),
                         publishPacket("t", "m2", 1, 2)}));
}

// --- event tap ----------------------------------------------------------------------------------

void tst_Broker::eventTapQos1Flow()
{
    // A QoS 1 message seen by a listener: Publish (by the sender), Deliver and Ack (for the
    // receiver), in that order, all naming the same message.
    Engine engine;
    engine.recordEvents();
    TestClient subscriber(engine);
    TestClient publisher(engine);
    QCOMPARE(subscriber.connect("sub"), PacketList{connackPacket()});
    QCOMPARE(subscriber.subscribe(1, "t", 1), PacketList{subackPacket(1, {1})});
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});
    publisher.send(publishPacket("t", "m", 1, 7));
    QCOMPARE(subscriber.received(), PacketList{publishPacket("t", "m", 1, 1)});
    subscriber.send(ackPacket(Puback, 1));

    using Kind = BrokerEvent::Kind;
    const std::vector<BrokerEvent> flow = eventsOfKinds(engine.events,
                                                        {Kind::Publish, Kind::Deliver, Kind::Ack});
    QCOMPARE(flow.size(), std::size_t(3));
    QCOMPARE(flow[0].kind, Kind::Publish);
    QCOMPARE(flow[0].clientId, std::string("pub"));
    QCOMPARE(flow[0].packetId, std::uint16_t(7));
    QCOMPARE(flow[1].kind, Kind::Deliver);
    QCOMPARE(flow[1].clientId, std::string("sub"));
    QCOMPARE(flow[1].packetId, std::uint16_t(1));
    QCOMPARE(flow[1].qos, std::uint8_t(1));
    QCOMPARE(flow[2].kind, Kind::Ack);
    QCOMPARE(flow[2].clientId, std::string("sub"));
    QCOMPARE(flow[2].packetId, std::uint16_t(1));
    QCOMPARE(flow[2].detail, std::string("PUBACK"));
    for (const BrokerEvent &event : flow) {
        QCOMPARE(event.topic, std::string("t"));
        QVERIFY(event.message);
        QCOMPARE(event.message->id, flow[0].message->id);
    }
}

void tst_Broker::eventTapWithoutSinkRecordsNothing()
{
    // Nobody listens: nothing is collected, so a sink added later starts with an empty batch.
    Engine engine;
    TestClient subscriber(engine);
    TestClient publisher(engine);
    QCOMPARE(subscriber.connect("sub"), PacketList{connackPacket()});
    QCOMPARE(subscriber.subscribe(1, "t", 1), PacketList{subackPacket(1, {1})});
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});
    publisher.send(publishPacket("t", "m", 1, 7));
    subscriber.send(ackPacket(Puback, 1));
    QVERIFY(!engine.tap.enabled());

    int batches = 0;
    engine.tap.addSink([&](std::vector<BrokerEvent> &&) { ++batches; });
    engine.broker.endOfTurn();
    QCOMPARE(batches, 0);

    publisher.send(publishPacket("t", "m", 0)); // the sink does hear what happens from now on
    QCOMPARE(batches, 1);
}

// --- other packets and protocol violations ------------------------------------------------------

void tst_Broker::pingreq()
{
    // MQTT-3.12.4-1: PINGREQ is answered with PINGRESP.
    Engine engine;
    TestClient client(engine);
    QCOMPARE(client.connect("c", true, 30), PacketList{connackPacket()});
    QCOMPARE(client.send(emptyPacket(PacketType::Pingreq)),
             PacketList{emptyPacket(PacketType::Pingresp)});
    QCOMPARE(client.send(emptyPacket(PacketType::Pingreq)),
             PacketList{emptyPacket(PacketType::Pingresp)});
    QVERIFY(!client.isClosed());
}

void tst_Broker::serverPacketFromClientCloses_data()
{
    QTest::addColumn<QByteArray>("bytes");

    QTest::newRow("CONNACK") << bytesOf(connackPacket());
    QTest::newRow("SUBACK") << bytesOf(subackPacket(1, {0}));
    QTest::newRow("UNSUBACK") << bytesOf(ackPacket(Unsuback, 1));
    QTest::newRow("PINGRESP") << bytesOf(emptyPacket(PacketType::Pingresp));
}

void tst_Broker::serverPacketFromClientCloses()
{
    // These packets go from server to client only (MQTT 2.2.1); from a client they are a protocol
    // violation and the connection is closed (MQTT-4.8.0-1).
    QFETCH(QByteArray, bytes);

    Engine engine;
    TestClient client(engine);
    QCOMPARE(client.connect("c"), PacketList{connackPacket()});
    QCOMPARE(client.sendBytes(view(bytes)), PacketList{});
    QVERIFY(client.isClosed());
}

void tst_Broker::malformedPacketClosesOnlyThatConnection_data()
{
    QTest::addColumn<QByteArray>("bytes");

    QTest::newRow("reserved type 0 (MQTT 2.2.1)") << QByteArray::fromHex("0000");
    QTest::newRow("reserved type 15 (MQTT 2.2.1)") << QByteArray::fromHex("F000");
    QTest::newRow("PUBLISH QoS 3 (MQTT-3.3.1-4)") << QByteArray::fromHex("3606000174000178");
    QTest::newRow("PUBLISH to a wildcard (MQTT-3.3.2-2)") << QByteArray::fromHex("3003000123");
    QTest::newRow("PUBREL flags 0000 (MQTT-3.6.1-1)") << QByteArray::fromHex("60020001");
    QTest::newRow("SUBSCRIBE flags 0000 (MQTT-3.8.1-1)") << QByteArray::fromHex("8006000100017400");
    QTest::newRow("SUBSCRIBE without filters (MQTT-3.8.3-3)") << QByteArray::fromHex("82020001");
    QTest::newRow("Remaining Length of 5 bytes (MQTT 2.2.3)") << QByteArray::fromHex("30FFFFFFFF01");
}

void tst_Broker::malformedPacketClosesOnlyThatConnection()
{
    // MQTT-4.8.0-1: a protocol violation closes the connection; the broker goes on serving the
    // others.
    QFETCH(QByteArray, bytes);

    Engine engine;
    TestClient subscriber(engine);
    TestClient publisher(engine);
    TestClient faulty(engine);
    QCOMPARE(subscriber.connect("sub"), PacketList{connackPacket()});
    QCOMPARE(subscriber.subscribe(1, "t", 1), PacketList{subackPacket(1, {1})});
    QCOMPARE(publisher.connect("pub"), PacketList{connackPacket()});
    QCOMPARE(faulty.connect("faulty"), PacketList{connackPacket()});
    QCOMPARE(faulty.subscribe(1, "t", 1), PacketList{subackPacket(1, {1})});

    QCOMPARE(faulty.sendBytes(view(bytes)), PacketList{});
    QVERIFY(faulty.isClosed());

    QCOMPARE(publisher.send(publishPacket("t", "still here", 1, 1)),
             PacketList{ackPacket(Puback, 1)});
    QCOMPARE(subscriber.received(), PacketList{publishPacket("t", "still here", 1, 1)});
    QCOMPARE(faulty.received(), PacketList{});
    TestClient newcomer(engine);
    QCOMPARE(newcomer.connect("faulty"), PacketList{connackPacket()});
}

QTEST_APPLESS_MAIN(tst_Broker)
#include "tst_broker.moc"
