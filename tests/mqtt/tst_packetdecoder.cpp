// The incremental decoder, written from the MQTT 3.1.1 standard: every packet type in both
// directions, every malformed case the standard asks a receiver to detect (each row names the
// rule it expects in the error), and streams split at every byte and at random places.

#include "PacketTestUtil.h"

#include "mqtt/PacketEncoder.h"

#include <QRandomGenerator>
#include <QtTest/QTest>

using namespace iotcore::broker;

namespace {

const QByteArray Mqtt = hex("00 04 4D 51 54 54"); // "MQTT", MQTT 3.1.2.1

struct ValidCase
{
    const char *name;
    QByteArray bytes;
    Packet packet;
};

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
    return PublishPacket{std::move(topic), std::move(payload), qos, retain, dup, id};
}

// Well-formed packets of every type, written out byte by byte from section 3 of the standard.
std::vector<ValidCase> validCases()
{
    std::vector<ValidCase> cases;

    // CONNECT, MQTT 3.1. Figure 3.6 uses flags 0xCE and keep alive 10.
    {
        ConnectPacket c = connectPacket("c", true, 10);
        c.will = Will{"w/t", "bye", 1, false};
        c.username = "u";
        c.password = "p";
        cases.push_back({"CONNECT figure 3.6", hex("10 1D") + Mqtt
                             + hex("04 CE 00 0A 00 01 63 00 03 77 2F 74 00 03 62 79 65 00 01 75 00 01 70"),
                         c});
    }
    // A zero-byte client id is allowed (MQTT-3.1.3-6).
    cases.push_back({"CONNECT zero-length client id", hex("10 0C") + Mqtt + hex("04 02 00 3C 00 00"),
                     connectPacket("")});
    cases.push_back({"CONNECT clean session 0, keep alive 0",
                     hex("10 0F") + Mqtt + hex("04 00 00 00 00 03 61 62 63"), connectPacket("abc", false, 0)});
    {
        ConnectPacket c = connectPacket("x", true, 0xFFFF);
        c.will = Will{"a", "", 2, true};
        cases.push_back({"CONNECT will QoS 2 retained, empty will message",
                         hex("10 12") + Mqtt + hex("04 36 FF FF 00 01 78 00 01 61 00 00"), c});
    }
    {
        ConnectPacket c = connectPacket("x");
        c.will = Will{"$SYS/w", std::string("\x00\xFF", 2), 0, false};
        cases.push_back({"CONNECT will QoS 0 with binary message",
                         hex("10 19") + Mqtt + hex("04 06 00 3C 00 01 78 00 06 24 53 59 53 2F 77 00 02 00 FF"),
                         c});
    }
    {
        ConnectPacket c = connectPacket("x");
        c.username = "";
        c.password = "";
        cases.push_back({"CONNECT empty user name and password",
                         hex("10 11") + Mqtt + hex("04 C2 00 3C 00 01 78 00 00 00 00"), c});
    }
    {
        ConnectPacket c = connectPacket("x");
        c.username = "user";
        cases.push_back({"CONNECT user name without password",
                         hex("10 13") + Mqtt + hex("04 82 00 3C 00 01 78 00 04 75 73 65 72"), c});
    }
    {
        // The password is binary data (MQTT 3.1.3.5): not checked as UTF-8.
        ConnectPacket c = connectPacket("x");
        c.username = "u";
        c.password = std::string("\x00\xC0\x80", 3);
        cases.push_back({"CONNECT binary password",
                         hex("10 15") + Mqtt + hex("04 C2 00 3C 00 01 78 00 01 75 00 03 00 C0 80"), c});
    }
    {
        // MQTT 3.1 ("MQIsdp", level 3) uses the same layout; the broker refuses it with CONNACK 1.
        ConnectPacket c = connectPacket("x");
        c.protocolName = "MQIsdp";
        c.protocolLevel = 3;
        cases.push_back({"CONNECT MQIsdp level 3",
                         hex("10 0F 00 06 4D 51 49 73 64 70 03 02 00 3C 00 01 78"), c});
    }
    {
        // Another protocol name: decoded; the policy is the broker's (MQTT-3.1.2-1).
        ConnectPacket c = connectPacket("x");
        c.protocolName = "MQTX";
        cases.push_back({"CONNECT other protocol name",
                         hex("10 0D 00 04 4D 51 54 58 04 02 00 3C 00 01 78"), c});
    }
    {
        // An MQTT 5 CONNECT (level 5, a property length after keep alive) does not parse as
        // 3.1.1; it is delivered with its name and level so that the broker can answer
        // CONNACK 0x01 (MQTT-3.1.2-2).
        ConnectPacket c;
        c.protocolLevel = 5;
        cases.push_back({"CONNECT MQTT 5 layout",
                         hex("10 10") + Mqtt + hex("05 02 00 3C 00 00 03 61 62 63"), c});
    }
    {
        ConnectPacket c;
        c.protocolLevel = 0xFF;
        cases.push_back({"CONNECT unknown level with reserved flag",
                         hex("10 0B") + Mqtt + hex("FF 01 00 00 00"), c});
    }
    {
        ConnectPacket c;
        c.protocolLevel = 6;
        cases.push_back({"CONNECT unknown level, nothing after it", hex("10 07") + Mqtt + hex("06"), c});
    }
    {
        ConnectPacket c = connectPacket("v5", false, 5);
        c.protocolLevel = 5;
        cases.push_back({"CONNECT level 5 in the 3.1.1 layout",
                         hex("10 0E") + Mqtt + hex("05 00 00 05 00 02 76 35"), c});
    }

    // CONNACK, MQTT 3.2.
    cases.push_back({"CONNACK accepted", hex("20 02 00 00"), ConnackPacket{}});
    cases.push_back({"CONNACK session present", hex("20 02 01 00"),
                     ConnackPacket{true, ConnectReturnCode::Accepted}});
    cases.push_back({"CONNACK 1", hex("20 02 00 01"),
                     ConnackPacket{false, ConnectReturnCode::UnacceptableProtocolVersion}});
    cases.push_back({"CONNACK 2", hex("20 02 00 02"),
                     ConnackPacket{false, ConnectReturnCode::IdentifierRejected}});
    cases.push_back({"CONNACK 3", hex("20 02 00 03"),
                     ConnackPacket{false, ConnectReturnCode::ServerUnavailable}});
    cases.push_back({"CONNACK 4", hex("20 02 00 04"),
                     ConnackPacket{false, ConnectReturnCode::BadUsernameOrPassword}});
    cases.push_back({"CONNACK 5", hex("20 02 00 05"),
                     ConnackPacket{false, ConnectReturnCode::NotAuthorized}});

    // PUBLISH, MQTT 3.3. Figure 3.11: topic "a/b", packet identifier 10.
    cases.push_back({"PUBLISH QoS 1 figure 3.11", hex("32 0C 00 03 61 2F 62 00 0A 68 65 6C 6C 6F"),
                     publish("a/b", "hello", 1, 10)});
    cases.push_back({"PUBLISH QoS 0", hex("30 08 00 03 61 2F 62 68 69 21"), publish("a/b", "hi!")});
    cases.push_back({"PUBLISH QoS 0 zero-length payload", hex("30 05 00 03 61 2F 62"),
                     publish("a/b", "")});
    cases.push_back({"PUBLISH QoS 0 retain", hex("31 04 00 01 74 7A"), publish("t", "z", 0, 0, true)});
    cases.push_back({"PUBLISH QoS 2", hex("34 07 00 03 61 2F 62 12 34"), publish("a/b", "", 2, 0x1234)});
    cases.push_back({"PUBLISH QoS 1 dup", hex("3A 07 00 03 61 2F 62 00 01"),
                     publish("a/b", "", 1, 1, false, true)});
    cases.push_back({"PUBLISH QoS 2 dup retain", hex("3D 08 00 03 61 2F 62 FF FF 00"),
                     publish("a/b", std::string(1, '\0'), 2, 0xFFFF, true, true)});
    cases.push_back({"PUBLISH $SYS topic", hex("30 07 00 04 24 53 59 53 31"), publish("$SYS", "1")});
    cases.push_back({"PUBLISH topic /", hex("30 03 00 01 2F"), publish("/", "")});
    cases.push_back({"PUBLISH utf-8 topic", hex("30 07 00 05 41 F0 AA 9B 94"),
                     publish("A\xF0\xAA\x9B\x94", "")});
    cases.push_back({"PUBLISH BOM in topic kept", hex("30 06 00 04 EF BB BF 61"),
                     publish("\xEF\xBB\xBF" "a", "")}); // MQTT-1.5.3-3
    cases.push_back({"PUBLISH payload is not UTF-8", hex("30 06 00 01 74 00 C0 FF"),
                     publish("t", std::string("\x00\xC0\xFF", 3))});

    // Acknowledgements.
    cases.push_back({"PUBACK", hex("40 02 00 0A"), AckPacket{PacketType::Puback, 10}});
    cases.push_back({"PUBREC", hex("50 02 00 0A"), AckPacket{PacketType::Pubrec, 10}});
    cases.push_back({"PUBREL", hex("62 02 00 0A"), AckPacket{PacketType::Pubrel, 10}});
    cases.push_back({"PUBCOMP", hex("70 02 00 0A"), AckPacket{PacketType::Pubcomp, 10}});
    cases.push_back({"UNSUBACK", hex("B0 02 00 0A"), AckPacket{PacketType::Unsuback, 10}});
    cases.push_back({"PUBACK id 65535", hex("40 02 FF FF"), AckPacket{PacketType::Puback, 0xFFFF}});

    // SUBSCRIBE, MQTT 3.8. Figure 3.22.
    cases.push_back({"SUBSCRIBE figure 3.22", hex("82 0E 00 0A 00 03 61 2F 62 01 00 03 63 2F 64 02"),
                     SubscribePacket{10, {{"a/b", 1}, {"c/d", 2}}}});
    cases.push_back({"SUBSCRIBE # QoS 0", hex("82 06 00 01 00 01 23 00"), SubscribePacket{1, {{"#", 0}}}});
    cases.push_back({"SUBSCRIBE +/+/# and $SYS/#",
                     hex("82 13 00 02 00 05 2B 2F 2B 2F 23 01 00 06 24 53 59 53 2F 23 02"),
                     SubscribePacket{2, {{"+/+/#", 1}, {"$SYS/#", 2}}}});

    // SUBACK, MQTT 3.9. Figure 3.27.
    cases.push_back({"SUBACK figure 3.27", hex("90 05 00 0A 00 02 80"), SubackPacket{10, {0, 2, 0x80}}});
    cases.push_back({"SUBACK QoS 1", hex("90 03 00 0B 01"), SubackPacket{11, {1}}});

    // UNSUBSCRIBE, MQTT 3.10. Figure 3.31.
    cases.push_back({"UNSUBSCRIBE figure 3.31", hex("A2 0C 00 0A 00 03 61 2F 62 00 03 63 2F 64"),
                     UnsubscribePacket{10, {"a/b", "c/d"}}});
    cases.push_back({"UNSUBSCRIBE wildcard", hex("A2 05 00 01 00 01 23"), UnsubscribePacket{1, {"#"}}});

    // PINGREQ, PINGRESP, DISCONNECT.
    cases.push_back({"PINGREQ", hex("C0 00"), EmptyPacket{PacketType::Pingreq}});
    cases.push_back({"PINGRESP", hex("D0 00"), EmptyPacket{PacketType::Pingresp}});
    cases.push_back({"DISCONNECT", hex("E0 00"), EmptyPacket{PacketType::Disconnect}});

    // MQTT 2.2.3 gives the encoding but, unlike MQTT 5 (MQTT-1.5.5-1), 3.1.1 does not require
    // the shortest form.
    cases.push_back({"Remaining Length not minimal", hex("40 82 00 00 0A"), AckPacket{PacketType::Puback, 10}});
    cases.push_back({"Remaining Length 4 bytes for 0", hex("C0 80 80 80 00"), EmptyPacket{PacketType::Pingreq}});
    cases.push_back({"Remaining Length two bytes", hex("30 80 01 00 01 74") + QByteArray(125, 'p'),
                     publish("t", std::string(125, 'p'))});
    return cases;
}

void addMalformedRows()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("rule");

    auto row = [](const char *name, const QByteArray &bytes, const char *rule) {
        QTest::newRow(name) << bytes << QString::fromLatin1(rule);
    };

    // Fixed header: packet type (MQTT 2.2.1).
    row("type 0 reserved", hex("00 00"), "MQTT 2.2.1");
    row("type 15 reserved", hex("F0 00"), "MQTT 2.2.1");

    // Fixed header flags (MQTT-2.2.2-1, MQTT-2.2.2-2, Table 2.2).
    row("CONNECT flags 1", hex("11 00"), "MQTT-2.2.2-1");
    row("CONNECT flags 2", hex("12 00"), "MQTT-2.2.2-2");
    row("CONNACK flags", hex("21 02 00 00"), "MQTT-2.2.2-1");
    row("PUBACK flags 2", hex("42 02 00 01"), "MQTT-2.2.2-1");
    row("PUBREC flags 8", hex("58 02 00 01"), "MQTT-2.2.2-1");
    row("PUBREL flags 0", hex("60 02 00 01"), "MQTT-3.6.1-1");
    row("PUBREL flags 3", hex("63 02 00 01"), "MQTT-3.6.1-1");
    row("PUBREL flags F", hex("6F 02 00 01"), "MQTT-2.2.2-2");
    row("PUBCOMP flags 2", hex("72 02 00 01"), "MQTT-2.2.2-1");
    row("SUBSCRIBE flags 0", hex("80 06 00 01 00 01 61 00"), "MQTT-3.8.1-1");
    row("SUBSCRIBE flags 3", hex("83 06 00 01 00 01 61 00"), "MQTT-3.8.1-1");
    row("SUBSCRIBE flags A", hex("8A 06 00 01 00 01 61 00"), "MQTT-3.8.1-1");
    row("SUBACK flags 2", hex("92 03 00 01 00"), "MQTT-2.2.2-1");
    row("UNSUBSCRIBE flags 0", hex("A0 05 00 01 00 01 61"), "MQTT-3.10.1-1");
    row("UNSUBSCRIBE flags 6", hex("A6 05 00 01 00 01 61"), "MQTT-3.10.1-1");
    row("UNSUBACK flags 2", hex("B2 02 00 01"), "MQTT-2.2.2-1");
    row("PINGREQ flags 1", hex("C1 00"), "MQTT-2.2.2-1");
    row("PINGRESP flags 4", hex("D4 00"), "MQTT-2.2.2-1");
    row("DISCONNECT flags 8", hex("E8 00"), "MQTT-2.2.2-1");

    // PUBLISH flags.
    row("PUBLISH QoS 3", hex("36 07 00 03 61 2F 62 00 01"), "MQTT-3.3.1-4");
    row("PUBLISH QoS 3 retain", hex("37 07 00 03 61 2F 62 00 01"), "MQTT-3.3.1-4");
    row("PUBLISH QoS 3 dup", hex("3E 07 00 03 61 2F 62 00 01"), "MQTT-3.3.1-4");
    row("PUBLISH DUP with QoS 0", hex("38 05 00 03 61 2F 62"), "MQTT-3.3.1-2");
    row("PUBLISH DUP retain with QoS 0", hex("39 05 00 03 61 2F 62"), "MQTT-3.3.1-2");

    // Remaining Length (MQTT 2.2.3): at most four bytes.
    row("Remaining Length 5 bytes", hex("30 80 80 80 80 01"), "longer than 4 bytes");
    row("Remaining Length FF FF FF FF", hex("30 FF FF FF FF 7F"), "MQTT 2.2.3");
    row("PINGREQ Remaining Length 5 bytes", hex("C0 80 80 80 80 00"), "MQTT 2.2.3");

    // Fixed Remaining Lengths.
    row("CONNACK length 3", hex("20 03 00 00 00"), "MQTT 3.2.1");
    row("CONNACK length 1", hex("20 01 00"), "MQTT 3.2.1");
    row("CONNACK length 0", hex("20 00"), "MQTT 3.2.1");
    row("PUBACK length 3", hex("40 03 00 01 00"), "MQTT 3.4.1");
    row("PUBACK length 1", hex("40 01 01"), "MQTT 3.4.1");
    row("PUBACK length 0", hex("40 00"), "MQTT 3.4.1");
    row("PUBREC length 4", hex("50 04 00 01 00 00"), "MQTT 3.5.1");
    row("PUBREL length 1", hex("62 01 01"), "MQTT 3.6.1");
    row("PUBCOMP length 3", hex("70 03 00 01 00"), "MQTT 3.7.1");
    row("UNSUBACK length 3", hex("B0 03 00 01 00"), "MQTT 3.11.1");
    row("PINGREQ length 1", hex("C0 01 00"), "MQTT 3.12.1");
    row("PINGRESP length 2", hex("D0 02 00 00"), "MQTT 3.13.1");
    row("DISCONNECT length 1", hex("E0 01 00"), "MQTT 3.14.1");

    // Packet identifiers are non-zero (MQTT-2.3.1-1).
    row("PUBLISH QoS 1 id 0", hex("32 07 00 03 61 2F 62 00 00"), "MQTT-2.3.1-1");
    row("PUBLISH QoS 2 id 0", hex("34 07 00 03 61 2F 62 00 00"), "MQTT-2.3.1-1");
    row("PUBACK id 0", hex("40 02 00 00"), "MQTT-2.3.1-1");
    row("PUBREC id 0", hex("50 02 00 00"), "MQTT-2.3.1-1");
    row("PUBREL id 0", hex("62 02 00 00"), "MQTT-2.3.1-1");
    row("PUBCOMP id 0", hex("70 02 00 00"), "MQTT-2.3.1-1");
    row("UNSUBACK id 0", hex("B0 02 00 00"), "MQTT-2.3.1-1");
    row("SUBSCRIBE id 0", hex("82 06 00 00 00 01 61 00"), "MQTT-2.3.1-1");
    row("SUBACK id 0", hex("90 03 00 00 00"), "MQTT-2.3.1-1");
    row("UNSUBSCRIBE id 0", hex("A2 05 00 00 00 01 61"), "MQTT-2.3.1-1");

    // PUBLISH body.
    row("PUBLISH empty body", hex("30 00"), "topic name");
    row("PUBLISH half a length", hex("30 01 00"), "topic name");
    row("PUBLISH topic longer than packet", hex("30 03 00 05 61"), "exceeds");
    row("PUBLISH QoS 1 without id", hex("32 05 00 03 61 2F 62"), "packet identifier");
    row("PUBLISH QoS 2 half an id", hex("34 06 00 03 61 2F 62 00"), "packet identifier");
    row("PUBLISH topic with +", hex("30 05 00 03 61 2F 2B"), "MQTT-3.3.2-2");
    row("PUBLISH topic with #", hex("30 03 00 01 23"), "MQTT-3.3.2-2");
    row("PUBLISH topic sport/tennis#", hex("30 0F 00 0D 73 70 6F 72 74 2F 74 65 6E 6E 69 73 23"),
        "MQTT-3.3.2-2");
    row("PUBLISH empty topic", hex("30 02 00 00"), "MQTT-4.7.3-1");
    row("PUBLISH topic U+0000", hex("30 05 00 03 61 00 62"), "MQTT-1.5.3-2");
    row("PUBLISH topic ill-formed", hex("30 04 00 02 C3 28"), "MQTT-1.5.3-1");
    row("PUBLISH topic overlong", hex("30 04 00 02 C0 AF"), "MQTT-1.5.3-1");
    row("PUBLISH topic surrogate", hex("30 05 00 03 ED A0 80"), "MQTT-1.5.3-1");
    row("PUBLISH topic above U+10FFFF", hex("30 06 00 04 F4 90 80 80"), "MQTT-1.5.3-1");
    row("PUBLISH topic truncated UTF-8", hex("30 05 00 03 61 E2 82"), "MQTT-1.5.3-1");

    // CONNECT variable header.
    row("CONNECT empty", hex("10 00"), "protocol name");
    row("CONNECT name length exceeds", hex("10 02 00 04"), "protocol name");
    row("CONNECT name ill-formed", hex("10 04 00 02 C0 80"), "MQTT-1.5.3-1");
    row("CONNECT name U+0000", hex("10 03 00 01 00"), "MQTT-1.5.3-2");
    row("CONNECT no level", hex("10 06") + Mqtt, "protocol level");
    row("CONNECT no flags", hex("10 07") + Mqtt + hex("04"), "variable header");
    row("CONNECT half keep alive", hex("10 09") + Mqtt + hex("04 02 00"), "variable header");
    // CONNECT flags (MQTT 3.1.2.3).
    row("CONNECT reserved flag", hex("10 0D") + Mqtt + hex("04 03 00 3C 00 01 78"), "MQTT-3.1.2-3");
    row("CONNECT will QoS 1 without will", hex("10 0D") + Mqtt + hex("04 0A 00 3C 00 01 78"),
        "MQTT-3.1.2-13");
    row("CONNECT will QoS 2 without will", hex("10 0D") + Mqtt + hex("04 12 00 3C 00 01 78"),
        "MQTT-3.1.2-11");
    row("CONNECT will retain without will", hex("10 0D") + Mqtt + hex("04 22 00 3C 00 01 78"),
        "MQTT-3.1.2-15");
    row("CONNECT will QoS 3", hex("10 12") + Mqtt + hex("04 1E 00 3C 00 01 78 00 01 61 00 00"),
        "MQTT-3.1.2-14");
    row("CONNECT password without user name",
        hex("10 10") + Mqtt + hex("04 42 00 3C 00 01 78 00 01 70"), "MQTT-3.1.2-22");
    // CONNECT payload (MQTT 3.1.3).
    row("CONNECT no client id", hex("10 0A") + Mqtt + hex("04 02 00 3C"), "client identifier");
    row("CONNECT client id exceeds", hex("10 0D") + Mqtt + hex("04 02 00 3C 00 05 78"),
        "client identifier");
    row("CONNECT client id U+0000", hex("10 0D") + Mqtt + hex("04 02 00 3C 00 01 00"), "MQTT-1.5.3-2");
    row("CONNECT client id ill-formed", hex("10 0E") + Mqtt + hex("04 02 00 3C 00 02 E0 80"),
        "MQTT-1.5.3-1");
    row("CONNECT will topic missing", hex("10 0D") + Mqtt + hex("04 06 00 3C 00 01 78"), "will topic");
    row("CONNECT will topic with wildcard",
        hex("10 12") + Mqtt + hex("04 06 00 3C 00 01 78 00 01 23 00 00"), "MQTT-4.7.1-1");
    row("CONNECT will topic empty", hex("10 11") + Mqtt + hex("04 06 00 3C 00 01 78 00 00 00 00"),
        "MQTT-4.7.3-1");
    row("CONNECT will topic ill-formed",
        hex("10 12") + Mqtt + hex("04 06 00 3C 00 01 78 00 01 FF 00 00"), "MQTT-1.5.3-1");
    row("CONNECT will message missing", hex("10 10") + Mqtt + hex("04 06 00 3C 00 01 78 00 01 61"),
        "will message");
    row("CONNECT will message exceeds",
        hex("10 13") + Mqtt + hex("04 06 00 3C 00 01 78 00 01 61 00 05 62"), "will message");
    row("CONNECT user name missing", hex("10 0D") + Mqtt + hex("04 82 00 3C 00 01 78"), "user name");
    row("CONNECT user name ill-formed",
        hex("10 10") + Mqtt + hex("04 82 00 3C 00 01 78 00 01 80"), "MQTT-1.5.3-1");
    row("CONNECT user name U+0000", hex("10 10") + Mqtt + hex("04 82 00 3C 00 01 78 00 01 00"),
        "MQTT-1.5.3-2");
    row("CONNECT password missing", hex("10 10") + Mqtt + hex("04 C2 00 3C 00 01 78 00 01 75"),
        "password");
    row("CONNECT password exceeds",
        hex("10 13") + Mqtt + hex("04 C2 00 3C 00 01 78 00 01 75 00 09 70"), "password");
    row("CONNECT trailing byte after client id",
        hex("10 0E") + Mqtt + hex("04 02 00 3C 00 01 78 00"), "MQTT-3.1.3-1");
    row("CONNECT trailing bytes after password",
        hex("10 15") + Mqtt + hex("04 C2 00 3C 00 01 78 00 01 75 00 01 70 01 02"), "MQTT-3.1.3-1");
    row("CONNECT trailing user name without flag",
        hex("10 11") + Mqtt + hex("04 02 00 3C 00 01 78 00 02 75 75"), "MQTT-3.1.3-1");

    // CONNACK (client side).
    row("CONNACK reserved flag bit 1", hex("20 02 02 00"), "MQTT 3.2.2.1");
    row("CONNACK reserved flag bit 7", hex("20 02 80 00"), "MQTT 3.2.2.1");
    row("CONNACK return code 6", hex("20 02 00 06"), "MQTT 3.2.2.3");
    row("CONNACK return code 255", hex("20 02 00 FF"), "MQTT 3.2.2.3");
    row("CONNACK session present with refusal", hex("20 02 01 05"), "MQTT-3.2.2-4");

    // SUBSCRIBE (MQTT 3.8.3).
    row("SUBSCRIBE empty", hex("82 00"), "packet identifier");
    row("SUBSCRIBE half an id", hex("82 01 00"), "packet identifier");
    row("SUBSCRIBE no filters", hex("82 02 00 01"), "MQTT-3.8.3-3");
    row("SUBSCRIBE QoS byte 04", hex("82 06 00 01 00 01 61 04"), "MQTT-3-8.3-4");
    row("SUBSCRIBE QoS byte 80", hex("82 06 00 01 00 01 61 80"), "MQTT-3-8.3-4");
    row("SUBSCRIBE QoS byte 41", hex("82 06 00 01 00 01 61 41"), "MQTT-3-8.3-4");
    row("SUBSCRIBE QoS 3", hex("82 06 00 01 00 01 61 03"), "MQTT-3-8.3-4");
    row("SUBSCRIBE second QoS 3", hex("82 0A 00 01 00 01 61 00 00 01 62 03"), "MQTT-3-8.3-4");
    row("SUBSCRIBE missing QoS", hex("82 05 00 01 00 01 61"), "requested QoS");
    row("SUBSCRIBE filter exceeds", hex("82 05 00 01 00 09 61"), "topic filter");
    row("SUBSCRIBE half a filter length", hex("82 03 00 01 00"), "topic filter");
    row("SUBSCRIBE empty filter", hex("82 05 00 01 00 00 00"), "MQTT-4.7.3-1");
    row("SUBSCRIBE filter a+", hex("82 07 00 01 00 02 61 2B 00"), "MQTT-4.7.1-3");
    row("SUBSCRIBE filter #/a", hex("82 08 00 01 00 03 23 2F 61 00"), "MQTT-4.7.1-2");
    row("SUBSCRIBE filter a#", hex("82 07 00 01 00 02 61 23 00"), "MQTT-4.7.1-2");
    row("SUBSCRIBE filter U+0000", hex("82 06 00 01 00 01 00 00"), "MQTT-1.5.3-2");
    row("SUBSCRIBE filter ill-formed", hex("82 06 00 01 00 01 C2 00"), "MQTT-1.5.3-1");
    row("SUBSCRIBE second filter invalid", hex("82 0B 00 01 00 01 61 00 00 02 2B 2B 01"),
        "MQTT-4.7.1-3");

    // SUBACK (client side, MQTT 3.9.3).
    row("SUBACK half an id", hex("90 01 00"), "packet identifier");
    row("SUBACK no return codes", hex("90 02 00 01"), "no return codes");
    row("SUBACK return code 3", hex("90 03 00 01 03"), "MQTT-3.9.3-2");
    row("SUBACK return code 81", hex("90 03 00 01 81"), "MQTT-3.9.3-2");
    row("SUBACK return code 40 after valid", hex("90 04 00 01 00 40"), "MQTT-3.9.3-2");

    // UNSUBSCRIBE (MQTT 3.10.3).
    row("UNSUBSCRIBE empty", hex("A2 00"), "packet identifier");
    row("UNSUBSCRIBE no filters", hex("A2 02 00 01"), "MQTT-3.10.3-2");
    row("UNSUBSCRIBE empty filter", hex("A2 04 00 01 00 00"), "MQTT-4.7.3-1");
    row("UNSUBSCRIBE filter a#", hex("A2 06 00 01 00 02 61 23"), "MQTT-4.7.1-2");
    row("UNSUBSCRIBE filter exceeds", hex("A2 05 00 01 00 05 61"), "topic filter");
    row("UNSUBSCRIBE filter U+0000", hex("A2 05 00 01 00 01 00"), "MQTT-1.5.3-2");
    row("UNSUBSCRIBE filter surrogate", hex("A2 07 00 01 00 03 ED B0 80"), "MQTT-1.5.3-1");
}

QString reasonOf(const DecodeResult &result)
{
    return QString::fromStdString(result.error);
}

} // namespace

class TestPacketDecoder : public QObject
{
    Q_OBJECT

private slots:
    void valid_data();
    void valid();
    void malformed_data();
    void malformed();
    void malformedAfterValidPackets_data();
    void malformedAfterValidPackets();
    void splits_data();
    void splits();
    void maxPacketSize_data();
    void maxPacketSize();
    void hugeRemainingLengthIsNotBuffered();
    void errorIsDetectedEarly_data();
    void errorIsDetectedEarly();
    void errorIsFinal();
    void partialPacket();
    void reusesPacketObject();
    void manyPublishes();
};

void TestPacketDecoder::valid_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<Packet>("expected");
    for (const ValidCase &c : validCases())
        QTest::newRow(c.name) << c.bytes << c.packet;
}

void TestPacketDecoder::valid()
{
    QFETCH(QByteArray, bytes);
    QFETCH(Packet, expected);

    const DecodeResult whole = decodeAll(view(bytes));
    QVERIFY2(whole.error.empty(), whole.error.c_str());
    QCOMPARE(whole.last, PacketDecoder::Status::NeedMore);
    QCOMPARE(whole.packets, PacketList{expected});
    QCOMPARE(whole.buffered, std::size_t(0));

    // One byte at a time: nothing until the last byte.
    PacketDecoder decoder;
    for (int i = 0; i < bytes.size(); ++i) {
        decoder.feed(view(bytes.mid(i, 1)));
        Packet packet;
        const auto status = decoder.next(packet);
        if (i + 1 < bytes.size()) {
            QCOMPARE(status, PacketDecoder::Status::NeedMore);
            QCOMPARE(decoder.bufferedBytes(), std::size_t(i + 1));
        } else {
            QCOMPARE(status, PacketDecoder::Status::Packet);
            QCOMPARE(packet, expected);
            QCOMPARE(decoder.next(packet), PacketDecoder::Status::NeedMore);
        }
    }
    QVERIFY(!decoder.hasError());

    // Every decoded packet encodes to something that decodes to the same packet.
    const DecodeResult again = decodeAll(encodedPacket(expected));
    QCOMPARE(again.packets, PacketList{expected});
}

void TestPacketDecoder::malformed_data()
{
    addMalformedRows();
}

void TestPacketDecoder::malformed()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, rule);

    const DecodeResult whole = decodeAll(view(bytes));
    QCOMPARE(whole.last, PacketDecoder::Status::Error);
    QCOMPARE(whole.packets, PacketList{});
    QVERIFY2(reasonOf(whole).contains(rule), whole.error.c_str());
    QCOMPARE(whole.buffered, std::size_t(0));

    // The same error whatever the split.
    const DecodeResult bytewise = decodeInChunks(view(bytes), std::vector<std::size_t>(bytes.size(), 1));
    QCOMPARE(bytewise.last, PacketDecoder::Status::Error);
    QCOMPARE(bytewise.error, whole.error);
    QVERIFY(bytewise.packets.empty());
}

void TestPacketDecoder::malformedAfterValidPackets_data()
{
    addMalformedRows();
}

void TestPacketDecoder::malformedAfterValidPackets()
{
    QFETCH(QByteArray, bytes);
    QFETCH(QString, rule);

    // Valid packets before the malformed one are delivered; then the error; nothing after it.
    QByteArray stream;
    PacketList expected;
    for (const ValidCase &c : validCases()) {
        stream += c.bytes;
        expected.push_back(c.packet);
    }
    stream += bytes;
    stream += hex("C0 00 E0 00"); // PINGREQ, DISCONNECT: never reached

    QRandomGenerator rng(qHash(bytes));
    std::vector<std::size_t> chunks;
    for (qsizetype n = 0; n < stream.size();) {
        chunks.push_back(rng.bounded(1, 40));
        n += qsizetype(chunks.back());
    }
    const DecodeResult result = decodeInChunks(view(stream), chunks);
    QCOMPARE(result.last, PacketDecoder::Status::Error);
    QVERIFY2(reasonOf(result).contains(rule), result.error.c_str());
    QCOMPARE(result.packets, expected);
}

void TestPacketDecoder::splits_data()
{
    QTest::addColumn<int>("seed"); // 0: one byte at a time; -1: whole; -N: N bytes at a time
    QTest::newRow("whole stream") << -1;
    QTest::newRow("one byte at a time") << 0;
    QTest::newRow("two bytes at a time") << -2;
    QTest::newRow("three bytes at a time") << -3;
    QTest::newRow("seven bytes at a time") << -7;
    for (int seed = 1; seed <= 40; ++seed)
        QTest::addRow("random split, seed %d", seed) << seed;
}

void TestPacketDecoder::splits()
{
    QFETCH(int, seed);

    // All valid packets in one stream, followed by a partial packet.
    QByteArray stream;
    PacketList expected;
    for (const ValidCase &c : validCases()) {
        stream += c.bytes;
        expected.push_back(c.packet);
    }
    const QByteArray tail = hex("32 0C 00 03 61 2F 62 00 0A 68 65"); // PUBLISH missing 3 bytes
    stream += tail;

    std::vector<std::size_t> chunks;
    if (seed == -1) {
        chunks = {std::size_t(stream.size())};
    } else if (seed <= 0) {
        chunks.assign(stream.size(), seed == 0 ? 1 : std::size_t(-seed));
    } else {
        QRandomGenerator rng{quint32(seed)};
        for (qsizetype n = 0; n < stream.size();) {
            // Mostly small pieces, sometimes large ones.
            chunks.push_back(rng.bounded(4) == 0 ? rng.bounded(1, 200) : rng.bounded(1, 8));
            n += qsizetype(chunks.back());
        }
    }

    const DecodeResult result = decodeInChunks(view(stream), chunks);
    QVERIFY2(result.error.empty(), result.error.c_str());
    QCOMPARE(result.last, PacketDecoder::Status::NeedMore);
    QCOMPARE(result.packets, expected);
    QCOMPARE(result.buffered, std::size_t(tail.size()));
}

void TestPacketDecoder::maxPacketSize_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("limit");
    QTest::addColumn<bool>("accepted");

    const QByteArray publish10 = hex("30 08 00 03 61 2F 62 68 69 21"); // 10 bytes in all
    QTest::newRow("exactly the limit") << publish10 << 10 << true;
    QTest::newRow("one byte over") << publish10 << 9 << false;
    QTest::newRow("PINGREQ at limit 2") << hex("C0 00") << 2 << true;
    QTest::newRow("PINGREQ over limit 1") << hex("C0 00") << 1 << false;
    QTest::newRow("two-byte length counts") << hex("30 80 01 00 01 74") + QByteArray(125, 'p') << 131
                                            << true;
    QTest::newRow("two-byte length over") << hex("30 80 01 00 01 74") + QByteArray(125, 'p') << 130
                                          << false;
}

void TestPacketDecoder::maxPacketSize()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, limit);
    QFETCH(bool, accepted);

    const DecodeResult result = decodeInChunks(view(bytes), {}, std::size_t(limit));
    if (accepted) {
        QVERIFY2(result.error.empty(), result.error.c_str());
        QCOMPARE(result.packets.size(), std::size_t(1));
    } else {
        QCOMPARE(result.last, PacketDecoder::Status::Error);
        QVERIFY2(reasonOf(result).contains("maximum packet size"), result.error.c_str());
    }

    // The limit is applied as soon as the Remaining Length is known, before the body arrives.
    PacketDecoder decoder{std::size_t(limit)};
    QCOMPARE(decoder.maxPacketSize(), std::size_t(limit));
    const int headerSize = bytes.at(1) & 0x80 ? 3 : 2;
    decoder.feed(view(bytes.left(headerSize)));
    Packet packet;
    const auto status = decoder.next(packet);
    if (accepted && headerSize < bytes.size())
        QCOMPARE(status, PacketDecoder::Status::NeedMore);
    else if (!accepted)
        QCOMPARE(status, PacketDecoder::Status::Error);
}

void TestPacketDecoder::hugeRemainingLengthIsNotBuffered()
{
    // The largest Remaining Length, 268,435,455 (MQTT 2.2.3 Table 2.4): with the default limit
    // the decoder waits for the bytes without reserving anything for them.
    PacketDecoder decoder;
    QCOMPARE(decoder.maxPacketSize(), std::size_t(MaxRemainingLength + 5));
    decoder.feed(view(hex("30 FF FF FF 7F 00 01 74")));
    Packet packet;
    QCOMPARE(decoder.next(packet), PacketDecoder::Status::NeedMore);
    QCOMPARE(decoder.bufferedBytes(), std::size_t(8));

    // A smaller limit set later refuses it at once.
    decoder.setMaxPacketSize(1 << 20);
    QCOMPARE(decoder.next(packet), PacketDecoder::Status::Error);
    QVERIFY2(QString::fromStdString(decoder.errorReason()).contains("maximum packet size"),
             decoder.errorReason().c_str());
    QCOMPARE(decoder.bufferedBytes(), std::size_t(0));
}

void TestPacketDecoder::errorIsDetectedEarly_data()
{
    QTest::addColumn<QByteArray>("prefix");
    QTest::addColumn<QString>("rule");
    // Flags are checked on the first byte.
    QTest::newRow("PUBREL flags") << hex("60") << "MQTT-3.6.1-1";
    QTest::newRow("PUBLISH QoS 3") << hex("36") << "MQTT-3.3.1-4";
    QTest::newRow("reserved type") << hex("F0") << "MQTT 2.2.1";
    // The Remaining Length is refused on its fourth byte.
    QTest::newRow("fifth length byte") << hex("30 FF FF FF FF") << "MQTT 2.2.3";
    // Fixed lengths are checked before the body.
    QTest::newRow("PUBACK length 200") << hex("40 C8 01") << "MQTT 3.4.1";
    QTest::newRow("DISCONNECT length 1") << hex("E0 01") << "MQTT 3.14.1";
}

void TestPacketDecoder::errorIsDetectedEarly()
{
    QFETCH(QByteArray, prefix);
    QFETCH(QString, rule);

    PacketDecoder decoder;
    Packet packet;
    for (int i = 0; i + 1 < prefix.size(); ++i) {
        decoder.feed(view(prefix.mid(i, 1)));
        QCOMPARE(decoder.next(packet), PacketDecoder::Status::NeedMore);
    }
    decoder.feed(view(prefix.right(1)));
    QCOMPARE(decoder.next(packet), PacketDecoder::Status::Error);
    QVERIFY(decoder.hasError());
    QVERIFY2(QString::fromStdString(decoder.errorReason()).contains(rule),
             decoder.errorReason().c_str());
}

void TestPacketDecoder::errorIsFinal()
{
    PacketDecoder decoder;
    decoder.feed(view(hex("C0 00 60 02 00 01 C0 00")));
    Packet packet;
    QCOMPARE(decoder.next(packet), PacketDecoder::Status::Packet);
    QCOMPARE(packet, Packet(EmptyPacket{PacketType::Pingreq}));
    QCOMPARE(decoder.next(packet), PacketDecoder::Status::Error);
    const std::string reason = decoder.errorReason();
    QVERIFY(!reason.empty());
    QCOMPARE(decoder.bufferedBytes(), std::size_t(0));

    // Further bytes are ignored and the error stays.
    decoder.feed(view(hex("C0 00 C0 00")));
    QCOMPARE(decoder.bufferedBytes(), std::size_t(0));
    QCOMPARE(decoder.next(packet), PacketDecoder::Status::Error);
    QCOMPARE(decoder.next(packet), PacketDecoder::Status::Error);
    QCOMPARE(decoder.errorReason(), reason);
}

void TestPacketDecoder::partialPacket()
{
    const QByteArray bytes = hex("32 0C 00 03 61 2F 62 00 0A 68 65 6C 6C 6F");
    PacketDecoder decoder;
    Packet packet;
    QCOMPARE(decoder.next(packet), PacketDecoder::Status::NeedMore);
    QCOMPARE(decoder.bufferedBytes(), std::size_t(0));
    decoder.feed(view(bytes.left(6)));
    QCOMPARE(decoder.next(packet), PacketDecoder::Status::NeedMore);
    QCOMPARE(decoder.bufferedBytes(), std::size_t(6));
    decoder.feed(view(bytes.mid(6) + hex("C0")));
    QCOMPARE(decoder.next(packet), PacketDecoder::Status::Packet);
    QCOMPARE(packet, Packet(publish("a/b", "hello", 1, 10)));
    QCOMPARE(decoder.bufferedBytes(), std::size_t(1));
    QCOMPARE(decoder.next(packet), PacketDecoder::Status::NeedMore);
    decoder.feed(view(hex("00")));
    QCOMPARE(decoder.next(packet), PacketDecoder::Status::Packet);
    QCOMPARE(packet, Packet(EmptyPacket{PacketType::Pingreq}));
    QCOMPARE(decoder.bufferedBytes(), std::size_t(0));
    decoder.feed({}); // an empty feed is harmless
    QCOMPARE(decoder.next(packet), PacketDecoder::Status::NeedMore);
}

void TestPacketDecoder::reusesPacketObject()
{
    // The packet passed to next() may hold anything; nothing of it survives.
    PacketDecoder decoder;
    decoder.feed(view(hex("30 05 00 01 74 61 62 32 05 00 01 75 00 01 C0 00 30 03 00 01 76")));
    Packet packet = publish(std::string(100, 'x'), std::string(1000, 'y'), 2, 99, true, true);
    QCOMPARE(decoder.next(packet), PacketDecoder::Status::Packet);
    QCOMPARE(packet, Packet(publish("t", "ab")));
    QCOMPARE(decoder.next(packet), PacketDecoder::Status::Packet);
    QCOMPARE(packet, Packet(publish("u", "", 1, 1)));
    QCOMPARE(decoder.next(packet), PacketDecoder::Status::Packet);
    QCOMPARE(packet, Packet(EmptyPacket{PacketType::Pingreq}));
    QCOMPARE(decoder.next(packet), PacketDecoder::Status::Packet);
    QCOMPARE(packet, Packet(publish("v", "")));
}

void TestPacketDecoder::manyPublishes()
{
    // 100k small PUBLISH packets fed in 4 KiB chunks: all come out, in order.
    std::string stream;
    const int count = 100000;
    for (int i = 0; i < count; ++i) {
        const std::string payload = std::to_string(i);
        encodePublish(stream, "devices/d1/events", payload, std::uint8_t(i % 3), false, false,
                      std::uint16_t(i % 65535 + 1));
    }
    PacketDecoder decoder;
    Packet packet;
    int decoded = 0;
    bool ok = true;
    for (std::size_t pos = 0; pos < stream.size(); pos += 4096) {
        decoder.feed(std::string_view(stream).substr(pos, 4096));
        while (decoder.next(packet) == PacketDecoder::Status::Packet) {
            const auto &p = std::get<PublishPacket>(packet);
            ok = ok && p.payload == std::to_string(decoded) && p.qos == decoded % 3;
            ++decoded;
        }
    }
    QVERIFY(ok);
    QCOMPARE(decoded, count);
    QCOMPARE(decoder.bufferedBytes(), std::size_t(0));
    QVERIFY(!decoder.hasError());
}

QTEST_APPLESS_MAIN(TestPacketDecoder)
#include "tst_packetdecoder.moc"
