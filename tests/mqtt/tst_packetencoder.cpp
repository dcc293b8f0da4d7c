// The encoder against bytes written out by hand from the MQTT 3.1.1 standard (its figures in
// section 3 and Table 2.4 for the Remaining Length), plus round trips through the decoder.

#include "PacketTestUtil.h"

#include "mqtt/PacketEncoder.h"

#include <QtTest/QTest>

using namespace iotcore::broker;

namespace {

const QByteArray Mqtt = hex("00 04 4D 51 54 54"); // "MQTT", MQTT 3.1.2.1 Figure 3.2

ConnectPacket connectPacket(std::string clientId, bool clean = true, std::uint16_t keepAlive = 60)
{
    ConnectPacket c;
    c.clientId = std::move(clientId);
    c.cleanSession = clean;
    c.keepAlive = keepAlive;
    return c;
}

PublishPacket publish(std::string topic, std::string payload, std::uint8_t qos = 0,
                      std::uint16_t id = 0, bool retain = false, bool dup = false)
{
    PublishPacket p;
    p.topic = std::move(topic);
    p.payload = std::move(payload);
    p.qos = qos;
    p.packetId = id;
    p.retain = retain;
    p.dup = dup;
    return p;
}

} // namespace

class TestPacketEncoder : public QObject
{
    Q_OBJECT

private slots:
    void encode_data();
    void encode();
    void roundTrip_data();
    void roundTrip();
    void remainingLength_data();
    void remainingLength();
    void publishFastPath_data();
    void publishFastPath();
    void ackFastPath_data();
    void ackFastPath();
    void qos0PublishOmitsPacketIdAndDup();
    void appendsToExistingBytes();
    void typeNames();
};

void TestPacketEncoder::encode_data()
{
    QTest::addColumn<Packet>("packet");
    QTest::addColumn<QByteArray>("bytes");

    // --- CONNECT, MQTT 3.1 ---
    {
        // MQTT 3.1.2.10 Figure 3.6: flags 0xCE (user name, password, will QoS 1, will, clean
        // session), keep alive 10.
        ConnectPacket c = connectPacket("c", true, 10);
        c.will = Will{"w/t", "bye", 1, false};
        c.username = "u";
        c.password = "p";
        QTest::newRow("CONNECT figure 3.6 flags CE")
            << Packet(c)
            << hex("10 1D") + Mqtt + hex("04 CE 00 0A 00 01 63 00 03 77 2F 74 00 03 62 79 65"
                                         " 00 01 75 00 01 70");
    }
    QTest::newRow("CONNECT empty client id") << Packet(connectPacket(""))
                                             << hex("10 0C") + Mqtt + hex("04 02 00 3C 00 00");
    QTest::newRow("CONNECT persistent session")
        << Packet(connectPacket("abc", false, 0)) << hex("10 0F") + Mqtt + hex("04 00 00 00 00 03 61 62 63");
    {
        ConnectPacket c = connectPacket("x", true, 0xFFFF);
        c.will = Will{"a", "", 2, true}; // will flag 04, QoS 2 = 10, retain 20, clean 02
        QTest::newRow("CONNECT will QoS 2 retained, empty message")
            << Packet(c) << hex("10 12") + Mqtt + hex("04 36 FF FF 00 01 78 00 01 61 00 00");
    }
    {
        ConnectPacket c = connectPacket("x");
        c.username = "";
        c.password = "";
        QTest::newRow("CONNECT empty user name and password")
            << Packet(c) << hex("10 11") + Mqtt + hex("04 C2 00 3C 00 01 78 00 00 00 00");
    }
    {
        ConnectPacket c = connectPacket("x");
        c.username = "user";
        QTest::newRow("CONNECT user name only")
            << Packet(c) << hex("10 13") + Mqtt + hex("04 82 00 3C 00 01 78 00 04 75 73 65 72");
    }
    {
        ConnectPacket c = connectPacket("x");
        c.username = "u";
        c.password = std::string("\x00\xFF\x80", 3); // binary data, MQTT 3.1.3.5
        QTest::newRow("CONNECT binary password")
            << Packet(c) << hex("10 15") + Mqtt + hex("04 C2 00 3C 00 01 78 00 01 75 00 03 00 FF 80");
    }
    {
        ConnectPacket c = connectPacket("x");
        c.protocolName = "MQIsdp"; // MQTT 3.1
        c.protocolLevel = 3;
        QTest::newRow("CONNECT MQIsdp level 3")
            << Packet(c) << hex("10 0F 00 06 4D 51 49 73 64 70 03 02 00 3C 00 01 78");
    }

    // --- CONNACK, MQTT 3.2 ---
    QTest::newRow("CONNACK accepted") << Packet(ConnackPacket{}) << hex("20 02 00 00");
    QTest::newRow("CONNACK session present")
        << Packet(ConnackPacket{true, ConnectReturnCode::Accepted}) << hex("20 02 01 00");
    QTest::newRow("CONNACK unacceptable protocol version")
        << Packet(ConnackPacket{false, ConnectReturnCode::UnacceptableProtocolVersion})
        << hex("20 02 00 01");
    QTest::newRow("CONNACK identifier rejected")
        << Packet(ConnackPacket{false, ConnectReturnCode::IdentifierRejected}) << hex("20 02 00 02");
    QTest::newRow("CONNACK server unavailable")
        << Packet(ConnackPacket{false, ConnectReturnCode::ServerUnavailable}) << hex("20 02 00 03");
    QTest::newRow("CONNACK bad user name or password")
        << Packet(ConnackPacket{false, ConnectReturnCode::BadUsernameOrPassword})
        << hex("20 02 00 04");
    QTest::newRow("CONNACK not authorized")
        << Packet(ConnackPacket{false, ConnectReturnCode::NotAuthorized}) << hex("20 02 00 05");

    // --- PUBLISH, MQTT 3.3; Figure 3.11: topic "a/b", packet identifier 10 ---
    QTest::newRow("PUBLISH QoS 1 figure 3.11")
        << Packet(publish("a/b", "hello", 1, 10))
        << hex("32 0C 00 03 61 2F 62 00 0A 68 65 6C 6C 6F");
    QTest::newRow("PUBLISH QoS 0 empty payload") << Packet(publish("a/b", "")) << hex("30 05 00 03 61 2F 62");
    QTest::newRow("PUBLISH QoS 0 retain") << Packet(publish("a/b", "x", 0, 0, true))
                                          << hex("31 06 00 03 61 2F 62 78");
    QTest::newRow("PUBLISH QoS 2") << Packet(publish("a/b", "", 2, 0x1234))
                                   << hex("34 07 00 03 61 2F 62 12 34");
    QTest::newRow("PUBLISH QoS 1 dup") << Packet(publish("a/b", "", 1, 1, false, true))
                                       << hex("3A 07 00 03 61 2F 62 00 01");
    QTest::newRow("PUBLISH QoS 2 dup retain") << Packet(publish("a/b", "", 2, 0xFFFF, true, true))
                                              << hex("3D 07 00 03 61 2F 62 FF FF");
    QTest::newRow("PUBLISH binary payload") << Packet(publish("t", std::string("\x00\x01\xFF", 3)))
                                            << hex("30 06 00 01 74 00 01 FF");

    // --- Acknowledgements: Remaining Length 2 and the packet identifier ---
    QTest::newRow("PUBACK") << Packet(AckPacket{PacketType::Puback, 10}) << hex("40 02 00 0A");
    QTest::newRow("PUBREC") << Packet(AckPacket{PacketType::Pubrec, 10}) << hex("50 02 00 0A");
    // MQTT-3.6.1-1: PUBREL flags 0010.
    QTest::newRow("PUBREL") << Packet(AckPacket{PacketType::Pubrel, 10}) << hex("62 02 00 0A");
    QTest::newRow("PUBCOMP") << Packet(AckPacket{PacketType::Pubcomp, 10}) << hex("70 02 00 0A");
    QTest::newRow("UNSUBACK") << Packet(AckPacket{PacketType::Unsuback, 10}) << hex("B0 02 00 0A");
    QTest::newRow("PUBACK id 65535") << Packet(AckPacket{PacketType::Puback, 0xFFFF})
                                     << hex("40 02 FF FF");

    // --- SUBSCRIBE, MQTT 3.8; Figure 3.22: id 10, "a/b" QoS 1, "c/d" QoS 2; flags 0010 ---
    QTest::newRow("SUBSCRIBE figure 3.22")
        << Packet(SubscribePacket{10, {{"a/b", 1}, {"c/d", 2}}})
        << hex("82 0E 00 0A 00 03 61 2F 62 01 00 03 63 2F 64 02");
    QTest::newRow("SUBSCRIBE wildcard QoS 0") << Packet(SubscribePacket{1, {{"#", 0}}})
                                              << hex("82 06 00 01 00 01 23 00");

    // --- SUBACK, MQTT 3.9; Figure 3.27: 0, 2, 0x80 ---
    QTest::newRow("SUBACK figure 3.27") << Packet(SubackPacket{10, {0x00, 0x02, 0x80}})
                                        << hex("90 05 00 0A 00 02 80");
    QTest::newRow("SUBACK QoS 1") << Packet(SubackPacket{7, {0x01}}) << hex("90 03 00 07 01");

    // --- UNSUBSCRIBE, MQTT 3.10; Figure 3.31: "a/b", "c/d"; flags 0010 ---
    QTest::newRow("UNSUBSCRIBE figure 3.31")
        << Packet(UnsubscribePacket{10, {"a/b", "c/d"}})
        << hex("A2 0C 00 0A 00 03 61 2F 62 00 03 63 2F 64");

    // --- PINGREQ, PINGRESP, DISCONNECT: two bytes each ---
    QTest::newRow("PINGREQ") << Packet(EmptyPacket{PacketType::Pingreq}) << hex("C0 00");
    QTest::newRow("PINGRESP") << Packet(EmptyPacket{PacketType::Pingresp}) << hex("D0 00");
    QTest::newRow("DISCONNECT") << Packet(EmptyPacket{PacketType::Disconnect}) << hex("E0 00");
}

void TestPacketEncoder::encode()
{
    QFETCH(Packet, packet);
    QFETCH(QByteArray, bytes);

    const std::string encoded = encodedPacket(packet);
    QCOMPARE(QByteArray::fromStdString(encoded).toHex(' '), bytes.toHex(' '));

    // The spec's bytes decode back to the packet.
    const DecodeResult result = decodeAll(view(bytes));
    QCOMPARE(result.last, PacketDecoder::Status::NeedMore);
    QVERIFY2(result.error.empty(), result.error.c_str());
    QCOMPARE(result.packets.size(), std::size_t(1));
    QCOMPARE(result.packets.front(), packet);
    QCOMPARE(packetType(result.packets.front()), packetType(packet));
    QCOMPARE(result.buffered, std::size_t(0));
}

void TestPacketEncoder::roundTrip_data()
{
    QTest::addColumn<Packet>("packet");

    ConnectPacket full = connectPacket(std::string("client-\xC3\xA9"), false, 1);
    full.will = Will{"will/topic", std::string(300, '\x01'), 2, true};
    full.username = "name";
    full.password = std::string(70000 % 65536, 'p');
    QTest::newRow("CONNECT every field") << Packet(full);
    ConnectPacket longId = connectPacket(std::string(65535, 'i'));
    QTest::newRow("CONNECT 65535-byte client id") << Packet(longId);
    ConnectPacket will0 = connectPacket("w");
    will0.will = Will{"$SYS/x", "gone", 0, false};
    QTest::newRow("CONNECT will QoS 0") << Packet(will0);
    ConnectPacket level5 = connectPacket("v5");
    level5.protocolLevel = 5;
    QTest::newRow("CONNECT level 5 in 3.1.1 layout") << Packet(level5);

    for (std::uint8_t code = 0; code <= 5; ++code) {
        QTest::addRow("CONNACK code %d", code)
            << Packet(ConnackPacket{false, static_cast<ConnectReturnCode>(code)});
    }
    QTest::newRow("PUBLISH 65535-byte topic") << Packet(publish(std::string(65535, 't'), "p", 1, 9));
    QTest::newRow("PUBLISH 1 MiB payload") << Packet(publish("big", std::string(1 << 20, 'b'), 2, 3));
    QTest::newRow("PUBLISH dollar topic") << Packet(publish("$SYS/broker/load", "1"));
    QTest::newRow("PUBLISH slash topic") << Packet(publish("/", ""));
    QTest::newRow("PUBLISH utf-8 topic") << Packet(publish("\xF0\x9F\x98\x80/\xE2\x82\xAC", "x", 1, 2));
    for (auto type : {PacketType::Puback, PacketType::Pubrec, PacketType::Pubrel,
                      PacketType::Pubcomp, PacketType::Unsuback}) {
        QTest::addRow("%s id 1", packetTypeName(type)) << Packet(AckPacket{type, 1});
        QTest::addRow("%s id 65535", packetTypeName(type)) << Packet(AckPacket{type, 0xFFFF});
    }
    SubscribePacket manySubs{0xBEEF, {}};
    for (int i = 0; i < 500; ++i)
        manySubs.subscriptions.push_back({"s/" + std::to_string(i) + "/+/#", std::uint8_t(i % 3)});
    QTest::newRow("SUBSCRIBE 500 filters") << Packet(manySubs);
    QTest::newRow("SUBSCRIBE $ filters") << Packet(SubscribePacket{1, {{"$SYS/#", 1}, {"+", 2}}});
    QTest::newRow("SUBACK every code") << Packet(SubackPacket{2, {0, 1, 2, 0x80, 0x80, 0}});
    QTest::newRow("UNSUBSCRIBE wildcards") << Packet(UnsubscribePacket{3, {"#", "+/+", "a/b/#"}});
    for (auto type : {PacketType::Pingreq, PacketType::Pingresp, PacketType::Disconnect})
        QTest::addRow("%s", packetTypeName(type)) << Packet(EmptyPacket{type});
}

void TestPacketEncoder::roundTrip()
{
    QFETCH(Packet, packet);

    const std::string bytes = encodedPacket(packet);
    const DecodeResult result = decodeAll(bytes);
    QVERIFY2(result.error.empty(), result.error.c_str());
    QCOMPARE(result.packets.size(), std::size_t(1));
    QVERIFY2(result.packets.front() == packet, describe(result.packets.front()).c_str());
    QCOMPARE(result.buffered, std::size_t(0));
    // Encoding is a function of the packet alone.
    QVERIFY(encodedPacket(result.packets.front()) == bytes);
}

void TestPacketEncoder::remainingLength_data()
{
    QTest::addColumn<int>("remaining");
    QTest::addColumn<QByteArray>("field");

    // MQTT 2.2.3, Table 2.4 - Size of Remaining Length field.
    QTest::newRow("0") << 0 << hex("00");
    QTest::newRow("127") << 127 << hex("7F");
    QTest::newRow("128") << 128 << hex("80 01");
    QTest::newRow("321") << 321 << hex("C1 02"); // the example in MQTT 2.2.3
    QTest::newRow("16383") << 16383 << hex("FF 7F");
    QTest::newRow("16384") << 16384 << hex("80 80 01");
    QTest::newRow("2097151") << 2097151 << hex("FF FF 7F");
    QTest::newRow("2097152") << 2097152 << hex("80 80 80 01");
}

void TestPacketEncoder::remainingLength()
{
    QFETCH(int, remaining);
    QFETCH(QByteArray, field);

    // SUBACK carries 2 + n bytes; a PUBLISH "t" at QoS 0 carries 3 + payload bytes.
    if (remaining >= 3) {
        std::string out;
        encodePublish(out, "t", std::string(std::size_t(remaining - 3), 'z'), 0, false, false, 0);
        QCOMPARE(out.size(), std::size_t(1 + field.size() + remaining));
        QCOMPARE(QByteArray::fromStdString(out.substr(0, 1 + field.size())).toHex(' '),
                 (hex("30") + field).toHex(' '));
        const DecodeResult result = decodeAll(out);
        QVERIFY2(result.error.empty(), result.error.c_str());
        QCOMPARE(result.packets.size(), std::size_t(1));
        QCOMPARE(std::get<PublishPacket>(result.packets.front()).payload.size(),
                 std::size_t(remaining - 3));
    } else if (remaining == 2) {
        QCOMPARE(QByteArray::fromStdString(encodedPacket(AckPacket{PacketType::Puback, 1})).mid(1, 1),
                 field);
    } else if (remaining == 0) {
        QCOMPARE(QByteArray::fromStdString(encodedPacket(EmptyPacket{})).mid(1), field);
    }
}

void TestPacketEncoder::publishFastPath_data()
{
    QTest::addColumn<Packet>("packet");
    QTest::newRow("QoS 0") << Packet(publish("a/b", "payload"));
    QTest::newRow("QoS 0 retain") << Packet(publish("a/b", "payload", 0, 0, true));
    QTest::newRow("QoS 1") << Packet(publish("a/b", "payload", 1, 77));
    QTest::newRow("QoS 2 dup") << Packet(publish("a/b", "", 2, 65000, false, true));
    QTest::newRow("long payload") << Packet(publish("x", std::string(200, 'q'), 1, 1));
}

void TestPacketEncoder::publishFastPath()
{
    QFETCH(Packet, packet);
    const auto &p = std::get<PublishPacket>(packet);
    std::string out;
    encodePublish(out, p.topic, p.payload, p.qos, p.retain, p.dup, p.packetId);
    QVERIFY(out == encodedPacket(packet));
}

void TestPacketEncoder::ackFastPath_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("PUBACK") << int(PacketType::Puback) << hex("40 02 01 02");
    QTest::newRow("PUBREC") << int(PacketType::Pubrec) << hex("50 02 01 02");
    QTest::newRow("PUBREL flags 0x2") << int(PacketType::Pubrel) << hex("62 02 01 02");
    QTest::newRow("PUBCOMP") << int(PacketType::Pubcomp) << hex("70 02 01 02");
    QTest::newRow("UNSUBACK") << int(PacketType::Unsuback) << hex("B0 02 01 02");
}

void TestPacketEncoder::ackFastPath()
{
    QFETCH(int, type);
    QFETCH(QByteArray, bytes);
    std::string out = "prefix";
    encodeAck(out, static_cast<PacketType>(type), 0x0102);
    QCOMPARE(QByteArray::fromStdString(out), QByteArray("prefix") + bytes);
    QVERIFY(out.substr(6) == encodedPacket(AckPacket{static_cast<PacketType>(type), 0x0102}));
}

void TestPacketEncoder::qos0PublishOmitsPacketIdAndDup()
{
    // MQTT-2.3.1-5: no packet identifier at QoS 0; MQTT-3.3.1-2: DUP is 0 at QoS 0.
    const std::string bytes = encodedPacket(publish("a/b", "x", 0, 1234, false, true));
    QCOMPARE(QByteArray::fromStdString(bytes).toHex(' '), hex("30 06 00 03 61 2F 62 78").toHex(' '));
}

void TestPacketEncoder::appendsToExistingBytes()
{
    const PacketList packets = {
        Packet(connectPacket("one")),
        Packet(publish("a", "1", 1, 1)),
        Packet(AckPacket{PacketType::Pubrel, 1}),
        Packet(SubscribePacket{2, {{"a/#", 1}}}),
        Packet(EmptyPacket{PacketType::Pingreq}),
        Packet(EmptyPacket{PacketType::Disconnect}),
    };
    std::string stream;
    std::size_t expectedSize = 0;
    for (const auto &p : packets) {
        const std::size_t before = stream.size();
        encodePacket(p, stream);
        expectedSize += encodedPacket(p).size();
        QCOMPARE(stream.size(), expectedSize);
        QVERIFY(stream.substr(before) == encodedPacket(p));
    }
    const DecodeResult result = decodeAll(stream);
    QVERIFY2(result.error.empty(), result.error.c_str());
    QCOMPARE(result.packets, packets);
}

void TestPacketEncoder::typeNames()
{
    QCOMPARE(QByteArray(packetTypeName(PacketType::Connect)), QByteArray("CONNECT"));
    QCOMPARE(QByteArray(packetTypeName(PacketType::Pubrel)), QByteArray("PUBREL"));
    QCOMPARE(QByteArray(packetTypeName(PacketType::Unsuback)), QByteArray("UNSUBACK"));
    QCOMPARE(QByteArray(packetTypeName(PacketType::Disconnect)), QByteArray("DISCONNECT"));
    QCOMPARE(QByteArray(connectReturnCodeText(ConnectReturnCode::Accepted)), QByteArray("Connection Accepted"));
    QVERIFY(QByteArray(connectReturnCodeText(ConnectReturnCode::UnacceptableProtocolVersion))
                .contains("unacceptable protocol version"));
    QVERIFY(QByteArray(connectReturnCodeText(ConnectReturnCode::NotAuthorized)).contains("not authorized"));
    QCOMPARE(packetType(Packet(AckPacket{PacketType::Pubcomp, 1})), PacketType::Pubcomp);
    QCOMPARE(packetType(Packet(EmptyPacket{PacketType::Pingresp})), PacketType::Pingresp);
    QCOMPARE(packetType(Packet(SubackPacket{})), PacketType::Suback);
}

QTEST_APPLESS_MAIN(TestPacketEncoder)
#include "tst_packetencoder.moc"
