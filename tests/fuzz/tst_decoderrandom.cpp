// The fuzz property of DecoderProperty.h over ~200k seeded inputs, for compilers without
// libFuzzer: random bytes and mutations of valid packets (bit flips, truncations, corrupted
// Remaining Length and string length fields, insertions, deletions, splices).

#include "DecoderProperty.h"

#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>
#include <QtTest/QTest>

using namespace iotcore::broker;

namespace {

enum class Mutation {
    RandomBytes,
    BitFlips,
    Truncation,
    RemainingLength,
    StringLength,
    InterestingBytes,
    InsertDelete,
    Splice,
};

// Valid packets of every type, as the encoder writes them.
std::vector<std::string> seedPackets()
{
    std::vector<Packet> packets;
    ConnectPacket connect;
    connect.clientId = "client-1";
    connect.keepAlive = 30;
    packets.push_back(connect);
    connect.will = Will{"will/t", "gone", 1, true};
    connect.username = "user";
    connect.password = std::string("\x00\xFF", 2);
    connect.cleanSession = false;
    packets.push_back(connect);
    ConnectPacket empty;
    empty.clientId = "";
    packets.push_back(empty);
    packets.push_back(ConnackPacket{true, ConnectReturnCode::Accepted});
    packets.push_back(ConnackPacket{false, ConnectReturnCode::NotAuthorized});
    packets.push_back(PublishPacket{"a/b", "hello", 0, false, false, 0});
    packets.push_back(PublishPacket{"sensors/\xC3\xA9/t", "", 1, true, false, 10});
    packets.push_back(PublishPacket{"$SYS/x", std::string(130, 'p'), 2, false, true, 0xFFFF});
    for (auto type : {PacketType::Puback, PacketType::Pubrec, PacketType::Pubrel,
                      PacketType::Pubcomp, PacketType::Unsuback})
        packets.push_back(AckPacket{type, 0x0102});
    packets.push_back(SubscribePacket{7, {{"a/+", 1}, {"#", 2}, {"x/y", 0}}});
    packets.push_back(SubackPacket{7, {0, 1, 2, 0x80}});
    packets.push_back(UnsubscribePacket{8, {"a/+", "+/#"}});
    for (auto type : {PacketType::Pingreq, PacketType::Pingresp, PacketType::Disconnect})
        packets.push_back(EmptyPacket{type});

    std::vector<std::string> out;
    for (const auto &p : packets)
        out.push_back(encodedPacket(p));
    return out;
}

class Mutator
{
public:
    explicit Mutator(quint32 seed) : m_rng(seed), m_seeds(seedPackets()) {}

    std::string make(Mutation mutation)
    {
        switch (mutation) {
        case Mutation::RandomBytes: {
            std::string s(m_rng.bounded(0, 48), '\0');
            for (char &c : s)
                c = char(m_rng.bounded(256));
            // Often start with a plausible fixed header.
            if (!s.empty() && m_rng.bounded(2))
                s[0] = char((m_rng.bounded(1, 15) << 4) | (m_rng.bounded(3) == 0 ? m_rng.bounded(16) : 0));
            if (s.size() > 1 && m_rng.bounded(2))
                s[1] = char(s.size() - 2 < 128 ? s.size() - 2 : 0x7F);
            return s;
        }
        case Mutation::BitFlips: {
            std::string s = stream();
            const int flips = m_rng.bounded(1, 4);
            for (int i = 0; i < flips; ++i)
                s[m_rng.bounded(int(s.size()))] ^= char(1 << m_rng.bounded(8));
            return s;
        }
        case Mutation::Truncation: {
            std::string s = stream();
            s.resize(m_rng.bounded(int(s.size())));
            return s;
        }
        case Mutation::RemainingLength: {
            // Corrupt the second byte of some packet of the stream: its Remaining Length.
            std::string first = pick();
            std::string s = first + (m_rng.bounded(2) ? pick() : std::string());
            const int choice = m_rng.bounded(4);
            if (choice == 0)
                s[1] = char(m_rng.bounded(256));
            else if (choice == 1)
                s[1] = char(s[1] + m_rng.bounded(-3, 4));
            else if (choice == 2)
                s.insert(1, 1, char(0x80 | m_rng.bounded(128))); // a longer encoding
            else
                s.replace(1, 1, std::string("\xFF\xFF\xFF\xFF\x7F", m_rng.bounded(1, 6)));
            return s;
        }
        case Mutation::StringLength: {
            // Overwrite a two-byte big-endian field somewhere after the fixed header.
            std::string s = stream();
            if (s.size() > 4) {
                const int at = m_rng.bounded(2, int(s.size()) - 1);
                const int value = m_rng.bounded(3) == 0 ? m_rng.bounded(65536)
                                                        : m_rng.bounded(0, int(s.size()) + 3);
                s[at] = char(value >> 8);
                s[at + 1] = char(value & 0xFF);
            }
            return s;
        }
        case Mutation::InterestingBytes: {
            static const char interesting[] = {0x00, char(0xFF), char(0x80), 0x7F, '+', '#', '/',
                                               '$', char(0xC0), char(0xED), char(0xF4), 0x02,
                                               0x03, 0x04};
            std::string s = stream();
            const int count = m_rng.bounded(1, 3);
            for (int i = 0; i < count; ++i)
                s[m_rng.bounded(int(s.size()))] = interesting[m_rng.bounded(int(sizeof interesting))];
            return s;
        }
        case Mutation::InsertDelete: {
            std::string s = stream();
            const int at = m_rng.bounded(int(s.size()) + 1);
            if (m_rng.bounded(2))
                s.insert(std::size_t(at), std::size_t(m_rng.bounded(1, 4)), char(m_rng.bounded(256)));
            else
                s.erase(std::size_t(at), std::size_t(m_rng.bounded(1, 4)));
            return s;
        }
        case Mutation::Splice: {
            const std::string a = pick();
            const std::string b = pick();
            return a.substr(0, m_rng.bounded(int(a.size()) + 1)) + b.substr(m_rng.bounded(int(b.size())));
        }
        }
        return {};
    }

    quint32 next() { return m_rng.generate(); }
    int bounded(int lo, int hi) { return m_rng.bounded(lo, hi); }

private:
    const std::string &pick() { return m_seeds[m_rng.bounded(int(m_seeds.size()))]; }

    std::string stream()
    {
        std::string s;
        const int count = m_rng.bounded(1, 4);
        for (int i = 0; i < count; ++i)
            s += pick();
        return s;
    }

    QRandomGenerator m_rng;
    std::vector<std::string> m_seeds;
};

} // namespace

class TestDecoderRandom : public QObject
{
    Q_OBJECT

private slots:
    void seedsSatisfyProperty();
    void property_data();
    void property();
};

void TestDecoderRandom::seedsSatisfyProperty()
{
    std::string all;
    for (const std::string &s : seedPackets())
        all += s;
    std::string failure;
    for (std::uint32_t seed = 1; seed < 200; ++seed)
        QVERIFY2(fuzz::checkDecoderProperty(all, seed, seed % 9, MaxRemainingLength + 5, failure),
                 failure.c_str());
    // ... and they all decode.
    PacketDecoder decoder;
    decoder.feed(all);
    Packet packet;
    std::size_t count = 0;
    while (decoder.next(packet) == PacketDecoder::Status::Packet)
        ++count;
    QCOMPARE(count, seedPackets().size());
    QVERIFY(!decoder.hasError());
}

void TestDecoderRandom::property_data()
{
    QTest::addColumn<int>("mutation");
    QTest::addColumn<int>("count");

    QTest::newRow("random bytes") << int(Mutation::RandomBytes) << 40000;
    QTest::newRow("bit flips") << int(Mutation::BitFlips) << 30000;
    QTest::newRow("truncations") << int(Mutation::Truncation) << 20000;
    QTest::newRow("Remaining Length corruption") << int(Mutation::RemainingLength) << 30000;
    QTest::newRow("string length corruption") << int(Mutation::StringLength) << 30000;
    QTest::newRow("interesting bytes") << int(Mutation::InterestingBytes) << 20000;
    QTest::newRow("insertions and deletions") << int(Mutation::InsertDelete) << 20000;
    QTest::newRow("splices") << int(Mutation::Splice) << 10000;
}

void TestDecoderRandom::property()
{
    QFETCH(int, mutation);
    QFETCH(int, count);

    Mutator mutator(quint32(0xC0DEC000 + mutation));
    int withPackets = 0;
    int withErrors = 0;
    int incomplete = 0;
    QSet<QString> rules;
    static const QRegularExpression ruleRe(QStringLiteral("MQTT[- ][0-9][-0-9.]*[0-9]"));
    std::string failure;
    for (int i = 0; i < count; ++i) {
        const std::string input = mutator.make(static_cast<Mutation>(mutation));
        const std::uint32_t seed = mutator.next();
        const std::size_t maxChunk = std::size_t(mutator.bounded(0, 12));
        const std::size_t limit = mutator.bounded(0, 10) == 0 ? std::size_t(mutator.bounded(2, 64))
                                                              : MaxRemainingLength + 5;
        fuzz::Outcome outcome;
        if (!fuzz::checkDecoderProperty(input, seed, maxChunk, limit, failure, &outcome)) {
            const QByteArray hexInput = QByteArray(input.data(), qsizetype(input.size())).toHex(' ');
            QFAIL(qPrintable(QStringLiteral("%1\ninput: %2\nseed %3, max chunk %4, limit %5")
                                 .arg(QString::fromStdString(failure), QString::fromLatin1(hexInput))
                                 .arg(seed)
                                 .arg(maxChunk)
                                 .arg(limit)));
        }
        // Collected for the record: which outcomes and rules the inputs reached.
        withPackets += outcome.packets.empty() ? 0 : 1;
        if (outcome.last == PacketDecoder::Status::NeedMore && outcome.buffered > 0)
            ++incomplete;
        if (outcome.last == PacketDecoder::Status::Error) {
            ++withErrors;
            const auto match = ruleRe.match(QString::fromStdString(outcome.error));
            if (match.hasMatch())
                rules.insert(match.captured());
        }
    }
    qInfo("%d inputs: %d gave packets, %d gave errors, %d ended inside a packet, %lld distinct "
          "rules",
          count, withPackets, withErrors, incomplete, qlonglong(rules.size()));
    // The mutations reach both sides of the decoder.
    if (mutation == int(Mutation::Truncation))
        QVERIFY(incomplete > count / 2);
    else
        QVERIFY(withErrors > count / 20);
    if (mutation != int(Mutation::RandomBytes))
        QVERIFY(withPackets > count / 20);
}

QTEST_APPLESS_MAIN(TestDecoderRandom)
#include "tst_decoderrandom.moc"
