// Topic names, topic filters and UTF-8 strings, MQTT 3.1.1 sections 1.5.3 and 4.7.
// Cases are taken from the standard's text and its non-normative examples.

#include "mqtt/Topic.h"

#include <QRandomGenerator>
#include <QtTest/QTest>

#include <string>
#include <string_view>

using namespace iotcore::broker;

namespace {

QByteArray hex(const char *text)
{
    return QByteArray::fromHex(QByteArray(text));
}

std::string_view view(const QByteArray &bytes)
{
    return std::string_view(bytes.constData(), static_cast<std::size_t>(bytes.size()));
}

// An independent check of well-formed UTF-8 taken from the Unicode Standard, Table 3-7
// "Well-Formed UTF-8 Byte Sequences", plus MQTT's ban of U+0000 (MQTT-1.5.3-2).
bool referenceValid(std::string_view text)
{
    const auto *b = reinterpret_cast<const unsigned char *>(text.data());
    const std::size_t n = text.size();
    auto in = [](unsigned char c, unsigned lo, unsigned hi) { return c >= lo && c <= hi; };
    std::size_t i = 0;
    while (i < n) {
        const unsigned char c = b[i];
        if (c == 0x00)
            return false;
        if (c <= 0x7F) {
            i += 1;
            continue;
        }
        std::size_t len = 0;
        unsigned lo2 = 0x80, hi2 = 0xBF;
        if (in(c, 0xC2, 0xDF)) {
            len = 2;
        } else if (c == 0xE0) {
            len = 3, lo2 = 0xA0;
        } else if (in(c, 0xE1, 0xEC) || in(c, 0xEE, 0xEF)) {
            len = 3;
        } else if (c == 0xED) {
            len = 3, hi2 = 0x9F;
        } else if (c == 0xF0) {
            len = 4, lo2 = 0x90;
        } else if (in(c, 0xF1, 0xF3)) {
            len = 4;
        } else if (c == 0xF4) {
            len = 4, hi2 = 0x8F;
        } else {
            return false;
        }
        if (i + len > n)
            return false;
        if (!in(b[i + 1], lo2, hi2))
            return false;
        for (std::size_t k = 2; k < len; ++k) {
            if (!in(b[i + k], 0x80, 0xBF))
                return false;
        }
        i += len;
    }
    return true;
}

// Encodes a code point with the generic UTF-8 bit pattern of `length` bytes, even where that
// is ill-formed (overlong forms, surrogates).
std::string encodeWithLength(std::uint32_t cp, int length)
{
    std::string out;
    switch (length) {
    case 1:
        out += char(cp);
        break;
    case 2:
        out += char(0xC0 | (cp >> 6));
        out += char(0x80 | (cp & 0x3F));
        break;
    case 3:
        out += char(0xE0 | (cp >> 12));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
        break;
    default:
        out += char(0xF0 | (cp >> 18));
        out += char(0x80 | ((cp >> 12) & 0x3F));
        out += char(0x80 | ((cp >> 6) & 0x3F));
        out += char(0x80 | (cp & 0x3F));
        break;
    }
    return out;
}

int shortestLength(std::uint32_t cp)
{
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

} // namespace

class TestTopic : public QObject
{
    Q_OBJECT

private slots:
    void mqttString_data();
    void mqttString();
    void everyCodePoint();
    void everyTwoByteSequence();
    void randomSequencesAgainstReference();
    void topicName_data();
    void topicName();
    void topicFilter_data();
    void topicFilter();
    void matching_data();
    void matching();
};

void TestTopic::mqttString_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("reason"); // substring of the reason when invalid

    QTest::newRow("empty") << QByteArray() << true << QString();
    QTest::newRow("ascii") << QByteArray("sport/tennis") << true << QString();
    QTest::newRow("control character U+0001 is allowed") << hex("01") << true << QString();
    QTest::newRow("U+007F") << hex("7F") << true << QString();
    QTest::newRow("two bytes U+00E9") << hex("C3 A9") << true << QString();
    QTest::newRow("U+0080 smallest two-byte") << hex("C2 80") << true << QString();
    QTest::newRow("U+07FF") << hex("DF BF") << true << QString();
    QTest::newRow("U+0800 smallest three-byte") << hex("E0 A0 80") << true << QString();
    QTest::newRow("three bytes U+20AC") << hex("E2 82 AC") << true << QString();
    QTest::newRow("U+D7FF below surrogates") << hex("ED 9F BF") << true << QString();
    QTest::newRow("U+E000 above surrogates") << hex("EE 80 80") << true << QString();
    // MQTT-1.5.3-3: the BOM is an ordinary character, wherever it appears.
    QTest::newRow("U+FEFF") << hex("41 EF BB BF 42") << true << QString();
    QTest::newRow("U+FFFF non-character") << hex("EF BF BF") << true << QString();
    QTest::newRow("U+10000 smallest four-byte") << hex("F0 90 80 80") << true << QString();
    // MQTT 1.5.3.1, Figure 1.3: "A" followed by U+2A6D4.
    QTest::newRow("spec example A U+2A6D4") << hex("41 F0 AA 9B 94") << true << QString();
    QTest::newRow("U+10FFFF largest") << hex("F4 8F BF BF") << true << QString();
    QTest::newRow("65535 bytes") << QByteArray(65535, 'a') << true << QString();

    // MQTT-1.5.3-2
    QTest::newRow("U+0000") << hex("00") << false << "MQTT-1.5.3-2";
    QTest::newRow("U+0000 inside") << hex("61 00 62") << false << "MQTT-1.5.3-2";
    // MQTT-1.5.3-1: ill-formed UTF-8.
    QTest::newRow("overlong U+0000 C0 80") << hex("C0 80") << false << "MQTT-1.5.3-1";
    QTest::newRow("overlong C1 BF") << hex("C1 BF") << false << "MQTT-1.5.3-1";
    QTest::newRow("overlong three-byte E0 80 80") << hex("E0 80 80") << false << "MQTT-1.5.3-1";
    QTest::newRow("overlong three-byte E0 9F BF") << hex("E0 9F BF") << false << "MQTT-1.5.3-1";
    QTest::newRow("overlong four-byte F0 80 80 80") << hex("F0 80 80 80") << false
                                                    << "MQTT-1.5.3-1";
    QTest::newRow("overlong four-byte F0 8F BF BF") << hex("F0 8F BF BF") << false
                                                    << "MQTT-1.5.3-1";
    QTest::newRow("surrogate U+D800") << hex("ED A0 80") << false << "MQTT-1.5.3-1";
    QTest::newRow("surrogate U+DBFF") << hex("ED AF BF") << false << "MQTT-1.5.3-1";
    QTest::newRow("surrogate U+DC00") << hex("ED B0 80") << false << "MQTT-1.5.3-1";
    QTest::newRow("surrogate U+DFFF") << hex("ED BF BF") << false << "MQTT-1.5.3-1";
    QTest::newRow("CESU-8 surrogate pair") << hex("ED A0 BD ED B8 80") << false << "MQTT-1.5.3-1";
    QTest::newRow("U+110000") << hex("F4 90 80 80") << false << "MQTT-1.5.3-1";
    QTest::newRow("lead F5") << hex("F5 80 80 80") << false << "MQTT-1.5.3-1";
    QTest::newRow("lead F7") << hex("F7 BF BF BF") << false << "MQTT-1.5.3-1";
    QTest::newRow("five-byte lead F8") << hex("F8 88 80 80 80") << false << "MQTT-1.5.3-1";
    QTest::newRow("six-byte lead FC") << hex("FC 84 80 80 80 80") << false << "MQTT-1.5.3-1";
    QTest::newRow("FE") << hex("FE") << false << "MQTT-1.5.3-1";
    QTest::newRow("FF") << hex("FF") << false << "MQTT-1.5.3-1";
    QTest::newRow("lone continuation 80") << hex("80") << false << "MQTT-1.5.3-1";
    QTest::newRow("lone continuation BF after ascii") << hex("61 BF") << false << "MQTT-1.5.3-1";
    QTest::newRow("truncated two-byte") << hex("C3") << false << "MQTT-1.5.3-1";
    QTest::newRow("truncated three-byte") << hex("E2 82") << false << "MQTT-1.5.3-1";
    QTest::newRow("truncated four-byte") << hex("F0 9F 98") << false << "MQTT-1.5.3-1";
    QTest::newRow("missing continuation") << hex("C3 41") << false << "MQTT-1.5.3-1";
    QTest::newRow("continuation is a lead") << hex("E2 C3 A9") << false << "MQTT-1.5.3-1";
    QTest::newRow("65536 bytes") << QByteArray(65536, 'a') << false << "65535";
}

void TestTopic::mqttString()
{
    QFETCH(QByteArray, text);
    QFETCH(bool, valid);
    QFETCH(QString, reason);

    std::string why;
    QCOMPARE(isValidMqttString(view(text), &why), valid);
    QCOMPARE(isValidMqttString(view(text)), valid); // a null reason pointer is allowed
    if (valid)
        QVERIFY2(why.empty(), why.c_str());
    else
        QVERIFY2(QString::fromStdString(why).contains(reason), why.c_str());
}

void TestTopic::everyCodePoint()
{
    // Every code point in its shortest form is valid except U+0000 (MQTT-1.5.3-2) and the
    // surrogates (MQTT-1.5.3-1); every longer (overlong) form is invalid.
    for (std::uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
        const int shortest = shortestLength(cp);
        const bool expected = cp != 0 && !(cp >= 0xD800 && cp <= 0xDFFF);
        const std::string text = encodeWithLength(cp, shortest);
        if (isValidMqttString(text) != expected)
            QFAIL(qPrintable(QStringLiteral("U+%1 misjudged").arg(cp, 4, 16, QLatin1Char('0'))));
        if (cp < 0x800 || (cp % 97) == 0) {
            for (int length = shortest + 1; length <= 4; ++length) {
                if (isValidMqttString(encodeWithLength(cp, length)))
                    QFAIL(qPrintable(QStringLiteral("overlong U+%1 in %2 bytes accepted")
                                         .arg(cp, 4, 16, QLatin1Char('0'))
                                         .arg(length)));
            }
        }
    }
    // Beyond U+10FFFF with a four-byte pattern.
    for (std::uint32_t cp = 0x110000; cp <= 0x1FFFFF; cp += 0x1001)
        QVERIFY(!isValidMqttString(encodeWithLength(cp, 4)));
}

void TestTopic::everyTwoByteSequence()
{
    for (int a = 0; a < 256; ++a) {
        for (int b = 0; b < 256; ++b) {
            const char bytes[2] = {char(a), char(b)};
            const std::string_view text(bytes, 2);
            if (isValidMqttString(text) != referenceValid(text))
                QFAIL(qPrintable(QStringLiteral("%1 %2 misjudged").arg(a, 2, 16).arg(b, 2, 16)));
        }
    }
}

void TestTopic::randomSequencesAgainstReference()
{
    // Random strings biased towards the interesting bytes (leads and continuations).
    QRandomGenerator rng(20240611);
    static const unsigned char interesting[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0,
                                                0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC,
                                                0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5,
                                                0xF7, 0xF8, 0xFE, 0xFF};
    for (int round = 0; round < 200000; ++round) {
        std::string text(rng.bounded(1, 9), '\0');
        for (char &c : text) {
            c = rng.bounded(2) ? char(interesting[rng.bounded(int(sizeof interesting))])
                               : char(rng.bounded(256));
        }
        if (isValidMqttString(text) != referenceValid(text)) {
            QString hexText = QByteArray(text.data(), int(text.size())).toHex(' ');
            QFAIL(qPrintable(QStringLiteral("misjudged: ") + hexText));
        }
    }
}

void TestTopic::topicName_data()
{
    QTest::addColumn<QByteArray>("topic");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("reason");

    QTest::newRow("single level") << QByteArray("sport") << true << QString();
    QTest::newRow("levels") << QByteArray("sport/tennis/player1") << true << QString();
    // MQTT 4.7.3: a leading or trailing '/' makes a distinct (empty) level; so does "//".
    QTest::newRow("leading slash") << QByteArray("/finance") << true << QString();
    QTest::newRow("trailing slash") << QByteArray("sport/") << true << QString();
    QTest::newRow("only a slash") << QByteArray("/") << true << QString();
    QTest::newRow("double slash") << QByteArray("a//b") << true << QString();
    QTest::newRow("space") << QByteArray(" ") << true << QString();
    QTest::newRow("dollar topic") << QByteArray("$SYS/monitor/Clients") << true << QString();
    QTest::newRow("utf-8") << QByteArray("d\xC3\xA9p\xC3\xB4t/\xE2\x82\xAC") << true << QString();
    QTest::newRow("65535 bytes") << QByteArray(65535, 'x') << true << QString();

    QTest::newRow("empty") << QByteArray() << false << "MQTT-4.7.3-1";
    QTest::newRow("plus") << QByteArray("sport/+") << false << "MQTT-3.3.2-2";
    QTest::newRow("hash") << QByteArray("sport/#") << false << "MQTT-3.3.2-2";
    QTest::newRow("hash glued") << QByteArray("sport/tennis#") << false << "MQTT-4.7.1-1";
    QTest::newRow("lone plus") << QByteArray("+") << false << "MQTT-4.7.1-1";
    QTest::newRow("lone hash") << QByteArray("#") << false << "MQTT-4.7.1-1";
    QTest::newRow("U+0000") << QByteArray("a\0b", 3) << false << "MQTT-1.5.3-2";
    QTest::newRow("ill-formed") << hex("61 2F C0 AF") << false << "MQTT-1.5.3-1";
    QTest::newRow("surrogate") << hex("ED A0 80") << false << "MQTT-1.5.3-1";
    QTest::newRow("65536 bytes") << QByteArray(65536, 'x') << false << "65535";
}

void TestTopic::topicName()
{
    QFETCH(QByteArray, topic);
    QFETCH(bool, valid);
    QFETCH(QString, reason);

    std::string why;
    QCOMPARE(isValidTopicName(view(topic), &why), valid);
    QCOMPARE(isValidTopicName(view(topic)), valid);
    if (!valid)
        QVERIFY2(QString::fromStdString(why).contains(reason), why.c_str());
}

void TestTopic::topicFilter_data()
{
    QTest::addColumn<QByteArray>("filter");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("reason");

    // MQTT 4.7.1.2 and 4.7.1.3 list these as valid.
    QTest::newRow("plain") << QByteArray("sport/tennis/player1") << true << QString();
    QTest::newRow("hash alone") << QByteArray("#") << true << QString();
    QTest::newRow("hash last") << QByteArray("sport/tennis/#") << true << QString();
    QTest::newRow("hash after empty level") << QByteArray("/#") << true << QString();
    QTest::newRow("plus alone") << QByteArray("+") << true << QString();
    QTest::newRow("plus level") << QByteArray("sport/tennis/+") << true << QString();
    QTest::newRow("plus then hash") << QByteArray("+/tennis/#") << true << QString();
    QTest::newRow("plus middle") << QByteArray("sport/+/player1") << true << QString();
    QTest::newRow("plus plus") << QByteArray("+/+") << true << QString();
    QTest::newRow("leading slash plus") << QByteArray("/+") << true << QString();
    QTest::newRow("plus trailing slash") << QByteArray("+/") << true << QString();
    QTest::newRow("plus plus hash") << QByteArray("+/+/#") << true << QString();
    QTest::newRow("only a slash") << QByteArray("/") << true << QString();
    QTest::newRow("empty levels") << QByteArray("//") << true << QString();
    QTest::newRow("dollar") << QByteArray("$SYS/#") << true << QString();
    QTest::newRow("utf-8") << QByteArray("\xE2\x82\xAC/+") << true << QString();

    QTest::newRow("empty") << QByteArray() << false << "MQTT-4.7.3-1";
    // MQTT 4.7.1.2: "sport/tennis#" and "sport/tennis/#/ranking" are not valid.
    QTest::newRow("hash glued") << QByteArray("sport/tennis#") << false << "MQTT-4.7.1-2";
    QTest::newRow("hash not last") << QByteArray("sport/tennis/#/ranking") << false
                                   << "MQTT-4.7.1-2";
    QTest::newRow("hash then slash") << QByteArray("#/") << false << "MQTT-4.7.1-2";
    QTest::newRow("double hash") << QByteArray("##") << false << "MQTT-4.7.1-2";
    QTest::newRow("hash before text") << QByteArray("#a") << false << "MQTT-4.7.1-2";
    // MQTT 4.7.1.3: "sport+" is not valid.
    QTest::newRow("plus glued after") << QByteArray("sport+") << false << "MQTT-4.7.1-3";
    QTest::newRow("plus glued before") << QByteArray("+sport") << false << "MQTT-4.7.1-3";
    QTest::newRow("plus inside level") << QByteArray("sport/ten+nis") << false << "MQTT-4.7.1-3";
    QTest::newRow("double plus") << QByteArray("++") << false << "MQTT-4.7.1-3";
    QTest::newRow("plus hash glued") << QByteArray("+#") << false << "MQTT-4.7.1";
    QTest::newRow("U+0000") << QByteArray("a/\0", 3) << false << "MQTT-1.5.3-2";
    QTest::newRow("ill-formed") << hex("2B 2F FF") << false << "MQTT-1.5.3-1";
    QTest::newRow("65536 bytes") << QByteArray(65536, 'x') << false << "65535";
}

void TestTopic::topicFilter()
{
    QFETCH(QByteArray, filter);
    QFETCH(bool, valid);
    QFETCH(QString, reason);

    std::string why;
    QCOMPARE(isValidTopicFilter(view(filter), &why), valid);
    QCOMPARE(isValidTopicFilter(view(filter)), valid);
    if (!valid)
        QVERIFY2(QString::fromStdString(why).contains(reason), why.c_str());
}

void TestTopic::matching_data()
{
    QTest::addColumn<QByteArray>("filter");
    QTest::addColumn<QByteArray>("topic");
    QTest::addColumn<bool>("matches");

    // MQTT 4.7.1.2, multi-level wildcard.
    QTest::newRow("# example 1") << QByteArray("sport/tennis/player1/#")
                                 << QByteArray("sport/tennis/player1") << true;
    QTest::newRow("# example 2") << QByteArray("sport/tennis/player1/#")
                                 << QByteArray("sport/tennis/player1/ranking") << true;
    QTest::newRow("# example 3") << QByteArray("sport/tennis/player1/#")
                                 << QByteArray("sport/tennis/player1/score/wimbledon") << true;
    QTest::newRow("# matches the parent") << QByteArray("sport/#") << QByteArray("sport") << true;
    QTest::newRow("# matches an empty child") << QByteArray("sport/#") << QByteArray("sport/")
                                              << true;
    QTest::newRow("# not a sibling") << QByteArray("sport/tennis/player1/#")
                                     << QByteArray("sport/tennis/player2") << false;
    QTest::newRow("# not a prefix of a level") << QByteArray("sport/#") << QByteArray("sports")
                                               << false;
    QTest::newRow("# alone") << QByteArray("#") << QByteArray("sport/tennis") << true;
    QTest::newRow("# alone single") << QByteArray("#") << QByteArray("a") << true;
    QTest::newRow("# alone slash") << QByteArray("#") << QByteArray("/") << true;
    QTest::newRow("/# leading empty level") << QByteArray("/#") << QByteArray("/finance") << true;
    QTest::newRow("/# not without slash") << QByteArray("/#") << QByteArray("finance") << false;

    // MQTT 4.7.1.3, single-level wildcard.
    QTest::newRow("+ example 1") << QByteArray("sport/tennis/+")
                                 << QByteArray("sport/tennis/player1") << true;
    QTest::newRow("+ example 2") << QByteArray("sport/tennis/+")
                                 << QByteArray("sport/tennis/player2") << true;
    QTest::newRow("+ one level only") << QByteArray("sport/tennis/+")
                                      << QByteArray("sport/tennis/player1/ranking") << false;
    QTest::newRow("sport/+ not sport") << QByteArray("sport/+") << QByteArray("sport") << false;
    QTest::newRow("sport/+ matches sport/") << QByteArray("sport/+") << QByteArray("sport/")
                                            << true;
    QTest::newRow("+ matches single") << QByteArray("+") << QByteArray("sport") << true;
    QTest::newRow("+/+ matches /finance") << QByteArray("+/+") << QByteArray("/finance") << true;
    QTest::newRow("/+ matches /finance") << QByteArray("/+") << QByteArray("/finance") << true;
    QTest::newRow("+ not /finance") << QByteArray("+") << QByteArray("/finance") << false;
    QTest::newRow("+ matches empty level in middle") << QByteArray("a/+/b") << QByteArray("a//b")
                                                     << true;
    QTest::newRow("+/+ not three levels") << QByteArray("+/+") << QByteArray("a/b/c") << false;
    QTest::newRow("+/+/+ not two levels") << QByteArray("+/+/+") << QByteArray("a/b") << false;
    QTest::newRow("+/tennis/#") << QByteArray("+/tennis/#") << QByteArray("sport/tennis/player1")
                                << true;
    QTest::newRow("+/tennis/# parent") << QByteArray("+/tennis/#") << QByteArray("sport/tennis")
                                       << true;
    QTest::newRow("sport/+/player1") << QByteArray("sport/+/player1")
                                     << QByteArray("sport/tennis/player1") << true;
    QTest::newRow("+/# single") << QByteArray("+/#") << QByteArray("a") << true;
    QTest::newRow("+/# slash") << QByteArray("+/#") << QByteArray("/") << true;

    // MQTT 4.7.2, topics beginning with $ (MQTT-4.7.2-1).
    QTest::newRow("# not $SYS") << QByteArray("#") << QByteArray("$SYS/monitor/Clients") << false;
    QTest::newRow("# not $") << QByteArray("#") << QByteArray("$") << false;
    QTest::newRow("+/monitor/Clients not $SYS") << QByteArray("+/monitor/Clients")
                                                << QByteArray("$SYS/monitor/Clients") << false;
    QTest::newRow("+ not $SYS") << QByteArray("+") << QByteArray("$SYS") << false;
    QTest::newRow("+/# not $SYS") << QByteArray("+/#") << QByteArray("$SYS/x") << false;
    QTest::newRow("$SYS/# matches") << QByteArray("$SYS/#") << QByteArray("$SYS/monitor/Clients")
                                    << true;
    QTest::newRow("$SYS/monitor/+ matches") << QByteArray("$SYS/monitor/+")
                                            << QByteArray("$SYS/monitor/Clients") << true;
    QTest::newRow("$SYS exact") << QByteArray("$SYS") << QByteArray("$SYS") << true;
    QTest::newRow("$ later in topic") << QByteArray("a/+") << QByteArray("a/$b") << true;
    QTest::newRow("# matches $ later") << QByteArray("#") << QByteArray("a/$SYS") << true;

    // MQTT 4.7.3: exact, case-sensitive, '/' significant.
    QTest::newRow("exact") << QByteArray("sport/tennis") << QByteArray("sport/tennis") << true;
    QTest::newRow("case sensitive") << QByteArray("ACCOUNTS") << QByteArray("Accounts") << false;
    QTest::newRow("leading slash distinct") << QByteArray("/finance") << QByteArray("finance")
                                            << false;
    QTest::newRow("trailing slash distinct") << QByteArray("sport/tennis")
                                             << QByteArray("sport/tennis/") << false;
    QTest::newRow("trailing slash distinct 2") << QByteArray("sport/tennis/")
                                               << QByteArray("sport/tennis") << false;
    QTest::newRow("space is a character") << QByteArray("a b") << QByteArray("a b") << true;
    QTest::newRow("prefix is not a match") << QByteArray("sport") << QByteArray("sport/tennis")
                                           << false;
    QTest::newRow("longer filter") << QByteArray("sport/tennis") << QByteArray("sport") << false;
    QTest::newRow("utf-8 levels") << QByteArray("\xE2\x82\xAC/+") << QByteArray("\xE2\x82\xAC/x")
                                  << true;
}

void TestTopic::matching()
{
    QFETCH(QByteArray, filter);
    QFETCH(QByteArray, topic);
    QFETCH(bool, matches);

    // The rows only use valid filters and topic names.
    QVERIFY(isValidTopicFilter(view(filter)));
    QVERIFY(isValidTopicName(view(topic)));
    QCOMPARE(topicMatchesFilter(view(filter), view(topic)), matches);
    // A filter without wildcards matches exactly its own topic name.
    if (!filter.contains('+') && !filter.contains('#'))
        QCOMPARE(topicMatchesFilter(view(filter), view(topic)), filter == topic);
}

QTEST_APPLESS_MAIN(TestTopic)
#include "tst_topic.moc"
