// The TLS transport against Qt's TLS client (QSslSocket on OpenSSL): the handshake on the
// broker's epoll loop, MQTT through it both ways (also in bursts larger than a TLS record and
// than one turn's read budget), a client certificate becoming part of the identity, and what a
// failed handshake or a bad certificate file does.

#include "NetTestSupport.h"

#include <QRandomGenerator>
#include <QSemaphore>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QtTest/QTest>

using namespace iotcore;
using namespace iotcore::test;

namespace {

// A QSslSocket that trusts the test CA and decodes what the broker sends.
class TlsClient
{
public:
    TlsClient(const QSslCertificate &ca, const std::optional<app::CertificateAndKey> &identity,
              QSsl::KeyAlgorithm keyAlgorithm = QSsl::Ec,
              QSsl::SslProtocol protocol = QSsl::SecureProtocols)
    {
        QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
        configuration.setProtocol(protocol);
        configuration.setCaCertificates({ca});
        configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
        if (identity) {
            configuration.setLocalCertificate(
                QSslCertificate(QByteArray::fromStdString(identity->certificatePem)));
            configuration.setPrivateKey(QSslKey(QByteArray::fromStdString(identity->privateKeyPem),
                                                keyAlgorithm));
        }
        socket.setSslConfiguration(configuration);
        QObject::connect(&socket, &QIODevice::readyRead, [this] {
            if (!paused)
                reader.feed(socket.readAll());
        });
        QObject::connect(&socket, &QSslSocket::sslErrors, [this](const QList<QSslError> &errors) {
            for (const QSslError &error : errors)
                sslErrors += error.errorString() + "; ";
        });
    }

    void connectTo(quint16 port) { socket.connectToHostEncrypted("127.0.0.1", port, "localhost"); }

    // While paused (with a small read buffer), nothing is read: the broker's writes back up.
    void pause()
    {
        paused = true;
        socket.setReadBufferSize(4096);
        // A kernel buffer smaller than its autotuned size, yet above loopback's 64 KiB MSS,
        // below which window updates stall and the test would measure TCP instead.
        socket.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 256 * 1024);
    }
    void resume()
    {
        paused = false;
        socket.setReadBufferSize(0);
        reader.feed(socket.readAll());
    }

    QSslSocket socket;
    PacketReader reader;
    QString sslErrors;
    bool paused = false;
};

} // namespace

class TestTlsTransport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void connectSubscribePublish_data();
    void connectSubscribePublish();
    void largeMessageSpansManyRecords();
    void manySmallRecords();
    void burstLargerThanOneTurnsReads();
    void slowSubscriberGetsEverything();
    void clientThatDoesNotReadIsPausedThenResumed();
    void clientCertificateIsPartOfIdentity_data();
    void clientCertificateIsPartOfIdentity();
    void clientCertificateNotAskedFor();
    void failedHandshakeLeavesBrokerServing_data();
    void failedHandshakeLeavesBrokerServing();
    void badCertificateFileIsReported_data();
    void badCertificateFileIsReported();
    void keyOfAnotherCertificateIsReported();

private:
    TestCertificates m_certificates;
    std::unique_ptr<CapturedLog> m_log;
    std::unique_ptr<BrokerServer> m_server;
    quint16 m_port = 0;
};

void TestTlsTransport::initTestCase()
{
    std::string error;
    QVERIFY2(m_certificates.create(&error), error.c_str());
}

void TestTlsTransport::init()
{
    m_log = std::make_unique<CapturedLog>();
    std::string error;
    m_server = startBroker(m_log->log(), m_certificates.tlsListener(), &error);
    QVERIFY2(m_server, error.c_str());
    m_port = m_server->listeners().front().port;
}

void TestTlsTransport::cleanup()
{
    m_server.reset();
    m_log.reset();
}

void TestTlsTransport::connectSubscribePublish_data()
{
    QTest::addColumn<QSsl::SslProtocol>("protocol");
    QTest::newRow("TLS 1.3") << QSsl::TlsV1_3;
    QTest::newRow("TLS 1.2") << QSsl::TlsV1_2;
}

void TestTlsTransport::connectSubscribePublish()
{
    QFETCH(QSsl::SslProtocol, protocol);
    TlsClient client(m_certificates.caCertificate(), std::nullopt, QSsl::Ec, protocol);
    client.connectTo(m_port);
    QTRY_VERIFY2(client.socket.isEncrypted(), qPrintable(client.sslErrors));
    QCOMPARE(client.socket.sessionProtocol(), protocol);
    QCOMPARE(client.socket.peerCertificate().subjectInfo(QSslCertificate::CommonName),
             QStringList{"localhost"});

    client.socket.write(connectBytes("tls-client"));
    QTRY_COMPARE(client.reader.count(), std::size_t(1));
    QVERIFY(isAcceptedConnack(client.reader.packets()[0]));

    client.socket.write(subscribeBytes("t/1", 1));
    QTRY_COMPARE(client.reader.count(), std::size_t(2));
    QVERIFY(client.reader.at<SubackPacket>(1));

    client.socket.write(publishBytes("t/1", "hello over TLS", 7));
    QTRY_COMPARE(client.reader.count(), std::size_t(4));
    QVERIFY(!client.reader.failed());
    const auto *puback = client.reader.first<AckPacket>();
    QVERIFY(puback);
    QCOMPARE(puback->packetId, std::uint16_t(7));
    const auto *echoed = client.reader.first<PublishPacket>();
    QVERIFY(echoed);
    QCOMPARE(echoed->topic, std::string("t/1"));
    QCOMPARE(echoed->payload, std::string("hello over TLS"));

    // Without a client certificate the identity is a password's or none, never a certificate's.
    QTRY_VERIFY(m_log->contains({"connect", "clientID=\"tls-client\""}));
    QVERIFY(!m_log->contains({"connect", "cert:"}));
}

// 1 MiB in one PUBLISH: 64 TLS records in, partial SSL_writes out.
void TestTlsTransport::largeMessageSpansManyRecords()
{
    TlsClient client(m_certificates.caCertificate(), std::nullopt);
    client.connectTo(m_port);
    QTRY_VERIFY2(client.socket.isEncrypted(), qPrintable(client.sslErrors));
    client.socket.write(connectBytes("large") + subscribeBytes("big", 1));
    QTRY_COMPARE(client.reader.count(), std::size_t(2));

    std::string payload(1 << 20, '\0');
    QRandomGenerator random(7);
    for (char &c : payload)
        c = char(random.generate());
    client.socket.write(publishBytes("big", payload, 2));
    QTRY_COMPARE_WITH_TIMEOUT(client.reader.count(), std::size_t(4), 20000);
    const auto *echoed = client.reader.first<PublishPacket>();
    QVERIFY(echoed);
    QVERIFY(echoed->payload == payload);
}

// Many small TLS records at once (one per packet: each flush() is an SSL_write), queued while
// the broker thread is held. A turn reads at most 8 x 64 KiB; these records add up to a little
// more, so the turn ends inside the last record: the rest of it waits inside OpenSSL, where
// epoll cannot see it, and must still arrive.
void TestTlsTransport::manySmallRecords()
{
    TlsClient client(m_certificates.caCertificate(), std::nullopt);
    client.connectTo(m_port);
    QTRY_VERIFY2(client.socket.isEncrypted(), qPrintable(client.sslErrors));
    // Delivered at QoS 0, so that no inflight window holds the echoes back.
    client.socket.write(connectBytes("records") + subscribeBytes("r", 1, 0));
    QTRY_COMPARE(client.reader.count(), std::size_t(2));

    constexpr int PacketSize = 200;
    constexpr int Count = 8 * 64 * 1024 / PacketSize + 1; // ends 112 bytes past the budget
    QCOMPARE(publishBytes("r", std::string(192, 'x'), 1).size(), PacketSize);

    QSemaphore held;
    QSemaphore gate;
    struct Opener {
        QSemaphore &gate;
        ~Opener() { gate.release(); } // also when a check below fails: stop() joins the thread
    } opener{gate};
    m_server->post([&held, &gate](Broker &) {
        held.release();
        gate.acquire();
    });
    QVERIFY(held.tryAcquire(1, 10000));
    for (int i = 1; i <= Count; ++i) {
        client.socket.write(publishBytes("r", std::string(192, char('a' + i % 26)),
                                         std::uint16_t(i)));
        client.socket.flush();
    }
    gate.release();
    QTRY_COMPARE_WITH_TIMEOUT(client.reader.count(), std::size_t(2 + 2 * Count), 20000);
    QVERIFY(!client.reader.failed());
}

// One large write: records of 16 KiB, more of them than one turn's read budget.
void TestTlsTransport::burstLargerThanOneTurnsReads()
{
    TlsClient client(m_certificates.caCertificate(), std::nullopt);
    client.connectTo(m_port);
    QTRY_VERIFY2(client.socket.isEncrypted(), qPrintable(client.sslErrors));
    client.socket.write(connectBytes("burst") + subscribeBytes("b", 1, 0));
    QTRY_COMPARE(client.reader.count(), std::size_t(2));

    constexpr int Count = 3000;
    QByteArray burst;
    for (int i = 1; i <= Count; ++i)
        burst += publishBytes("b", std::string(200, char('a' + i % 26)), std::uint16_t(i));
    QVERIFY(burst.size() > 8 * 64 * 1024);
    client.socket.write(burst);
    QTRY_COMPARE_WITH_TIMEOUT(client.reader.count(), std::size_t(2 + 2 * Count), 20000);
    QVERIFY(!client.reader.failed());
    int acknowledged = 0;
    for (const Packet &packet : client.reader.packets())
        acknowledged += std::holds_alternative<AckPacket>(packet) ? 1 : 0;
    QCOMPARE(acknowledged, Count);
}

// A subscriber that stops reading: the broker's SSL_write waits for the socket (partial writes,
// the same bytes offered again when it is writable), meanwhile serves others, and delivers
// everything once the subscriber reads again.
void TestTlsTransport::slowSubscriberGetsEverything()
{
    TlsClient subscriber(m_certificates.caCertificate(), std::nullopt);
    subscriber.connectTo(m_port);
    QTRY_VERIFY2(subscriber.socket.isEncrypted(), qPrintable(subscriber.sslErrors));
    subscriber.socket.write(connectBytes("slow") + subscribeBytes("flood", 1, 0));
    QTRY_COMPARE(subscriber.reader.count(), std::size_t(2));
    subscriber.pause();

    TlsClient publisher(m_certificates.caCertificate(), std::nullopt);
    publisher.connectTo(m_port);
    QTRY_VERIFY2(publisher.socket.isEncrypted(), qPrintable(publisher.sslErrors));
    publisher.socket.write(connectBytes("fast"));
    QTRY_COMPARE(publisher.reader.count(), std::size_t(1));
    constexpr int Count = 8;
    for (int i = 1; i <= Count; ++i)
        publisher.socket.write(publishBytes("flood", std::string(1 << 20, char('0' + i)),
                                            std::uint16_t(i)));
    QTRY_COMPARE_WITH_TIMEOUT(publisher.reader.count(), std::size_t(1 + Count), 20000);
    publisher.socket.write(bytesOf(EmptyPacket{PacketType::Pingreq}));
    QTRY_COMPARE(publisher.reader.count(), std::size_t(2 + Count));

    subscriber.resume();
    QTRY_COMPARE_WITH_TIMEOUT(subscriber.reader.count(), std::size_t(2 + Count), 20000);
    for (int i = 1; i <= Count; ++i) {
        const auto *message = subscriber.reader.at<PublishPacket>(std::size_t(1 + i));
        QVERIFY(message);
        QVERIFY(message->payload == std::string(1 << 20, char('0' + i)));
    }
}

// A client that publishes to its own subscription and does not read: past 8 MiB waiting for it,
// the broker stops reading it (whatever OpenSSL has already read ahead stays there meanwhile),
// and resumes once the client reads again. Nothing is lost either way.
void TestTlsTransport::clientThatDoesNotReadIsPausedThenResumed()
{
    TlsClient client(m_certificates.caCertificate(), std::nullopt);
    client.connectTo(m_port);
    QTRY_VERIFY2(client.socket.isEncrypted(), qPrintable(client.sslErrors));
    client.socket.write(connectBytes("echo") + subscribeBytes("loop", 1, 0));
    QTRY_COMPARE(client.reader.count(), std::size_t(2));
    client.pause();

    constexpr int Count = 48;
    constexpr std::size_t Size = 512 * 1024;
    for (int i = 1; i <= Count; ++i) {
        PublishPacket publish;
        publish.topic = "loop";
        publish.payload = std::string(Size, char('A' + i));
        client.socket.write(bytesOf(publish)); // QoS 0: nothing comes back but the echo
    }
    // The client's own writes back up by megabytes: the broker has stopped reading it.
    QTRY_VERIFY_WITH_TIMEOUT(client.socket.bytesToWrite() + client.socket.encryptedBytesToWrite()
                                 > 4 * 1024 * 1024,
                             20000);

    client.resume();
    QTRY_COMPARE_WITH_TIMEOUT(client.reader.count(), std::size_t(2 + Count), 30000);
    for (int i = 1; i <= Count; ++i) {
        const auto *echoed = client.reader.at<PublishPacket>(std::size_t(1 + i));
        QVERIFY(echoed);
        QVERIFY(echoed->payload == std::string(Size, char('A' + i)));
    }
}

void TestTlsTransport::clientCertificateIsPartOfIdentity_data()
{
    QTest::addColumn<bool>("selfSigned");
    QTest::addColumn<bool>("rsa");
    QTest::addColumn<QSsl::SslProtocol>("protocol");
    QTest::newRow("self-signed EC (the usual form)") << true << false << QSsl::TlsV1_3;
    QTest::newRow("self-signed RSA") << true << true << QSsl::TlsV1_3;
    QTest::newRow("signed by the workspace CA") << false << false << QSsl::TlsV1_3;
    QTest::newRow("self-signed EC, TLS 1.2") << true << false << QSsl::TlsV1_2;
}

// Any client certificate passes the handshake; the engine hears its fingerprint.
void TestTlsTransport::clientCertificateIsPartOfIdentity()
{
    QFETCH(bool, selfSigned);
    QFETCH(bool, rsa);
    QFETCH(QSsl::SslProtocol, protocol);
    std::string error;
    const auto algorithm = rsa ? app::KeyAlgorithm::Rsa2048 : app::KeyAlgorithm::EcP256;
    const auto identity = selfSigned
                              ? app::createSelfSignedClientCertificate("device-1", algorithm,
                                                                       &error)
                              : m_certificates.ca().issueClientCertificate("device-1", &error);
    QVERIFY2(identity, error.c_str());
    const std::string fingerprint = app::certificateFingerprint(identity->certificatePem, &error);
    QCOMPARE(fingerprint.size(), std::size_t(40));

    TlsClient client(m_certificates.caCertificate(), identity, rsa ? QSsl::Rsa : QSsl::Ec,
                     protocol);
    client.connectTo(m_port);
    QTRY_VERIFY2(client.socket.isEncrypted(), qPrintable(client.sslErrors));
    client.socket.write(connectBytes("device-client"));
    QTRY_COMPARE(client.reader.count(), std::size_t(1));
    QVERIFY(isAcceptedConnack(client.reader.packets()[0]));
    QTRY_VERIFY2(m_log->contains({"connect", "clientID=\"device-client\"", "identity=",
                                  "cert:" + fingerprint}),
                 m_log->text().c_str());
}

// A listener that does not ask for client certificates gets none: no certificate identity.
void TestTlsTransport::clientCertificateNotAskedFor()
{
    ListenerSpec spec = m_certificates.tlsListener();
    spec.requestClientCertificate = false;
    std::string error;
    const auto server = startBroker(m_log->log(), spec, &error);
    QVERIFY2(server, error.c_str());
    const auto identity = app::createSelfSignedClientCertificate("device-2",
                                                                 app::KeyAlgorithm::EcP256,
                                                                 &error);
    QVERIFY2(identity, error.c_str());

    TlsClient client(m_certificates.caCertificate(), identity);
    client.connectTo(server->listeners().front().port);
    QTRY_VERIFY2(client.socket.isEncrypted(), qPrintable(client.sslErrors));
    client.socket.write(connectBytes("unasked"));
    QTRY_COMPARE(client.reader.count(), std::size_t(1));
    QVERIFY(isAcceptedConnack(client.reader.packets()[0]));
    QTRY_VERIFY(m_log->contains({"connect", "clientID=\"unasked\""}));
    QVERIFY(!m_log->contains({"connect", "clientID=\"unasked\"", "cert:"}));
}

void TestTlsTransport::failedHandshakeLeavesBrokerServing_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::newRow("plain MQTT on the TLS port") << connectBytes("plain");
    QTest::newRow("HTTP request") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
    QTest::newRow("record header claiming 64 KiB") << QByteArray("\x16\x03\x01\xff\xff", 5)
                                                           + QByteArray(100, 'x');
    // A whole ClientHello record whose body is noise: OpenSSL parses it and gives up.
    QByteArray noise = QByteArray("\x16\x03\x01\x00\x64\x01\x00\x00\x60", 9);
    QRandomGenerator random(42);
    for (int i = 0; i < 0x60; ++i)
        noise += char(random.generate());
    QTest::newRow("ClientHello of noise") << noise;
}

void TestTlsTransport::failedHandshakeLeavesBrokerServing()
{
    QFETCH(QByteArray, bytes);
    QTcpSocket garbage;
    garbage.connectToHost("127.0.0.1", m_port);
    QTRY_COMPARE(garbage.state(), QAbstractSocket::ConnectedState);
    garbage.write(bytes);
    QTRY_COMPARE_WITH_TIMEOUT(garbage.state(), QAbstractSocket::UnconnectedState, 10000);
    QTRY_VERIFY2(m_log->contains({"close", "TLS handshake failed"}), m_log->text().c_str());

    TlsClient client(m_certificates.caCertificate(), std::nullopt);
    client.connectTo(m_port);
    QTRY_VERIFY2(client.socket.isEncrypted(), qPrintable(client.sslErrors));
    client.socket.write(connectBytes("after-garbage"));
    QTRY_COMPARE(client.reader.count(), std::size_t(1));
    QVERIFY(isAcceptedConnack(client.reader.packets()[0]));
}

void TestTlsTransport::badCertificateFileIsReported_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<QByteArray>("contents"); // null: no such file
    QTest::addColumn<QString>("expected");
    QTest::newRow("missing") << "missing.pem" << QByteArray() << "No such file or directory";
    QTest::newRow("not PEM") << "garbage.pem" << QByteArray("not a certificate\n")
                             << "no start line";
    QTest::newRow("a key, not a certificate")
        << "key-as-cert.pem" << QByteArray::fromStdString(m_certificates.server().privateKeyPem)
        << "no start line";
}

void TestTlsTransport::badCertificateFileIsReported()
{
    QFETCH(QString, fileName);
    QFETCH(QByteArray, contents);
    QFETCH(QString, expected);
    std::string error;
    if (!contents.isNull())
        QVERIFY2(m_certificates.write(qPrintable(fileName), contents.toStdString(), &error),
                 error.c_str());
    ListenerSpec spec = m_certificates.tlsListener();
    spec.certificateFile = m_certificates.file(qPrintable(fileName));

    BrokerServer server(BrokerConfig{}, m_log->log(), nullptr);
    QVERIFY(!server.addListener(spec, &error));
    const std::string prefix = "cannot read certificate file " + spec.certificateFile + ": ";
    QVERIFY2(error.rfind(prefix, 0) == 0, error.c_str());
    QVERIFY2(QString::fromStdString(error).contains(expected), error.c_str());
    QVERIFY(error.find('\n') == std::string::npos);
    QVERIFY(server.listeners().empty());
}

void TestTlsTransport::keyOfAnotherCertificateIsReported()
{
    std::string error;
    const auto other = m_certificates.ca().issueServerCertificate({"localhost"}, &error);
    QVERIFY2(other, error.c_str());
    QVERIFY(m_certificates.write("other-key.pem", other->privateKeyPem, &error));
    ListenerSpec spec = m_certificates.tlsListener();
    spec.privateKeyFile = m_certificates.file("other-key.pem");

    BrokerServer server(BrokerConfig{}, m_log->log(), nullptr);
    QVERIFY(!server.addListener(spec, &error));
    QCOMPARE(error, "private key " + spec.privateKeyFile + " does not match certificate "
                        + spec.certificateFile);
}

QTEST_GUILESS_MAIN(TestTlsTransport)
#include "tst_tlstransport.moc"
