// MQTT over WebSocket against Qt's WebSocket client (QWebSocket) and against frames written by
// hand on a TCP socket, for what a well-behaved client never sends: fragmented messages, packets
// split across frames and frames holding several, text frames, unmasked frames, oversized or
// wrong handshakes. Also over TLS (wss).

#include "NetTestSupport.h"

#include "net/WebSocketHandshake.h"

#include <QSslConfiguration>
#include <QSslSocket>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketHandshakeOptions>
#include <QtTest/QTest>

using namespace iotcore;
using namespace iotcore::test;

namespace {

enum Opcode : quint8 { Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10 };

const QByteArray Key = "dGhlIHNhbXBsZSBub25jZQ=="; // RFC 6455 section 1.3

QByteArray upgradeRequest(const QByteArray &extraHeaders = "Sec-WebSocket-Protocol: mqtt\r\n")
{
    return "GET /mqtt HTTP/1.1\r\n"
           "Host: 127.0.0.1\r\n"
           "Upgrade: websocket\r\n"
           "Connection: Upgrade\r\n"
           "Sec-WebSocket-Key: "
           + Key + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
}

// A client frame (RFC 6455 section 5.2), masked unless told otherwise.
QByteArray clientFrame(quint8 opcode, const QByteArray &payload, bool final = true,
                       bool masked = true)
{
    QByteArray out;
    out += char((final ? 0x80 : 0) | opcode);
    const quint8 maskBit = masked ? 0x80 : 0;
    const quint64 size = quint64(payload.size());
    if (size < 126) {
        out += char(maskBit | size);
    } else if (size <= 0xFFFF) {
        out += char(maskBit | 126);
        out += char(size >> 8);
        out += char(size & 0xFF);
    } else {
        out += char(maskBit | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            out += char((size >> shift) & 0xFF);
    }
    if (!masked)
        return out + payload;
    const char mask[4] = {'\x37', '\xfa', '\x21', '\x3d'};
    out.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        out += char(payload[i] ^ mask[i % 4]);
    return out;
}

struct ServerFrame {
    quint8 opcode = 0;
    bool final = true;
    QByteArray payload;
};

// A WebSocket client written by hand: sends whatever bytes a test makes, and splits what the
// server answers into the response header and (unmasked) frames.
class RawWebSocket
{
public:
    explicit RawWebSocket(QTcpSocket *socket = nullptr)
        : m_socket(socket ? socket : new QTcpSocket)
    {
        QObject::connect(m_socket.get(), &QIODevice::readyRead, [this] { read(); });
    }

    QTcpSocket &socket() { return *m_socket; }
    bool isUpgraded() const { return m_response.startsWith("HTTP/1.1 101 "); }
    const QByteArray &response() const { return m_response; }
    const std::vector<ServerFrame> &frames() const { return m_frames; }
    PacketReader &mqtt() { return m_mqtt; }

    void send(const QByteArray &bytes) { m_socket->write(bytes); }
    void sendMqtt(const QByteArray &packets) { send(clientFrame(Binary, packets)); }

    bool hasClose(quint16 code) const
    {
        for (const ServerFrame &frame : m_frames) {
            if (frame.opcode == Close && frame.payload.size() >= 2
                && quint16((quint8(frame.payload[0]) << 8) | quint8(frame.payload[1])) == code)
                return true;
        }
        return false;
    }

private:
    void read()
    {
        m_buffer += m_socket->readAll();
        if (m_response.isEmpty()) {
            const qsizetype end = m_buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            m_response = m_buffer.left(end + 4);
            m_buffer.remove(0, end + 4);
            if (!isUpgraded()) {
                m_response += m_buffer; // the body of a refusal
                m_buffer.clear();
            }
        }
        while (isUpgraded() && m_buffer.size() >= 2) {
            const quint8 length7 = quint8(m_buffer[1]) & 0x7F;
            const qsizetype lengthBytes = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
            if (m_buffer.size() < 2 + lengthBytes)
                return;
            quint64 length = length7;
            if (lengthBytes) {
                length = 0;
                for (qsizetype i = 0; i < lengthBytes; ++i)
                    length = (length << 8) | quint8(m_buffer[2 + i]);
            }
            const qsizetype total = 2 + lengthBytes + qsizetype(length);
            if (m_buffer.size() < total)
                return;
            ServerFrame frame;
            frame.final = quint8(m_buffer[0]) & 0x80;
            frame.opcode = quint8(m_buffer[0]) & 0x0F;
            frame.payload = m_buffer.mid(2 + lengthBytes, qsizetype(length));
            m_buffer.remove(0, total);
            if (frame.opcode == Binary || frame.opcode == Continuation)
                m_mqtt.feed(frame.payload);
            m_frames.push_back(std::move(frame));
        }
    }

    std::unique_ptr<QTcpSocket> m_socket;
    QByteArray m_buffer;
    QByteArray m_response;
    std::vector<ServerFrame> m_frames;
    PacketReader m_mqtt;
};

} // namespace

class TestWebSocketTransport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void qwebsocketNegotiatesSubprotocol_data();
    void qwebsocketNegotiatesSubprotocol();
    void fragmentedMessage();
    void severalPacketsInOneFrame();
    void packetSplitAcrossFrames();
    void bytesArrivingOneByOne();
    void framesRightBehindTheRequest();
    void pingGetsPong();
    void closeIsEchoed();
    void textFrameCloses();
    void unmaskedFrameCloses();
    void protocolErrors_data();
    void protocolErrors();
    void badRequestIsRefused_data();
    void badRequestIsRefused();
    void oversizedRequestIsRefused();
    void webSocketOverTls();

private:
    // Connects, upgrades and logs in with CONNECT; the test fails if any step does.
    void openAndConnect(RawWebSocket &client, const std::string &clientId);

    TestCertificates m_certificates;
    std::unique_ptr<CapturedLog> m_log;
    std::unique_ptr<BrokerServer> m_server;
    quint16 m_port = 0;
};

void TestWebSocketTransport::initTestCase()
{
    std::string error;
    QVERIFY2(m_certificates.create(&error), error.c_str());
}

void TestWebSocketTransport::init()
{
    m_log = std::make_unique<CapturedLog>();
    ListenerSpec spec;
    spec.name = "ws";
    spec.protocol = ListenerSpec::Protocol::WebSocket;
    std::string error;
    m_server = startBroker(m_log->log(), spec, &error);
    QVERIFY2(m_server, error.c_str());
    m_port = m_server->listeners().front().port;
    QCOMPARE(m_server->listeners().front().url(), "ws://127.0.0.1:" + std::to_string(m_port));
}

void TestWebSocketTransport::cleanup()
{
    m_server.reset();
    m_log.reset();
}

void TestWebSocketTransport::openAndConnect(RawWebSocket &client, const std::string &clientId)
{
    client.socket().connectToHost("127.0.0.1", m_port);
    QTRY_COMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
    client.send(upgradeRequest());
    QTRY_VERIFY(!client.response().isEmpty());
    QVERIFY2(client.isUpgraded(), client.response().constData());
    // The accept value of RFC 6455's own example (section 1.3), and the subprotocol offered.
    QVERIFY(client.response().contains(
        "\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
    QVERIFY(client.response().contains("\r\nSec-WebSocket-Protocol: mqtt\r\n"));
    client.sendMqtt(connectBytes(clientId));
    QTRY_COMPARE(client.mqtt().count(), std::size_t(1));
    QVERIFY(isAcceptedConnack(client.mqtt().packets()[0]));
}

void TestWebSocketTransport::qwebsocketNegotiatesSubprotocol_data()
{
    QTest::addColumn<QStringList>("offered");
    QTest::addColumn<QString>("chosen");
    QTest::newRow("mqtt") << QStringList{"mqtt"} << "mqtt";
    QTest::newRow("mqttv3.1") << QStringList{"mqttv3.1"} << "mqttv3.1";
    QTest::newRow("mqtt preferred") << QStringList{"mqttv3.1", "mqtt"} << "mqtt";
    QTest::newRow("none offered") << QStringList{} << "";
}

void TestWebSocketTransport::qwebsocketNegotiatesSubprotocol()
{
    QFETCH(QStringList, offered);
    QFETCH(QString, chosen);
    QWebSocket socket;
    PacketReader reader;
    connect(&socket, &QWebSocket::binaryMessageReceived,
            [&reader](const QByteArray &message) { reader.feed(message); });
    QWebSocketHandshakeOptions options;
    options.setSubprotocols(offered);
    socket.open(QUrl(QString("ws://127.0.0.1:%1/any/path").arg(m_port)), options);
    QTRY_COMPARE(socket.state(), QAbstractSocket::ConnectedState);
    QCOMPARE(socket.subprotocol(), chosen);

    socket.sendBinaryMessage(connectBytes("qt-ws"));
    QTRY_COMPARE(reader.count(), std::size_t(1));
    QVERIFY(isAcceptedConnack(reader.packets()[0]));
    socket.sendBinaryMessage(subscribeBytes("ws/t", 1));
    socket.sendBinaryMessage(publishBytes("ws/t", "over WebSocket", 9));
    QTRY_COMPARE(reader.count(), std::size_t(4));
    const auto *echoed = reader.first<PublishPacket>();
    QVERIFY(echoed);
    QCOMPARE(echoed->payload, std::string("over WebSocket"));

    socket.sendBinaryMessage(bytesOf(EmptyPacket{PacketType::Disconnect}));
    QTRY_COMPARE(socket.state(), QAbstractSocket::UnconnectedState);
    QCOMPARE(socket.closeCode(), QWebSocketProtocol::CloseCodeNormal);
    QTRY_VERIFY(m_log->contains({"disconnect", "clientID=\"qt-ws\"", "client disconnected"}));
}

// CONNECT in three frames of one message, with a ping between them (RFC 6455 section 5.4).
void TestWebSocketTransport::fragmentedMessage()
{
    RawWebSocket client;
    client.socket().connectToHost("127.0.0.1", m_port);
    QTRY_COMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
    client.send(upgradeRequest());
    QTRY_VERIFY(client.isUpgraded());

    const QByteArray connect = connectBytes("fragments");
    client.send(clientFrame(Binary, connect.left(3), false));
    client.send(clientFrame(Ping, "between"));
    client.send(clientFrame(Continuation, connect.mid(3, 5), false));
    client.send(clientFrame(Continuation, connect.mid(8), true));
    QTRY_COMPARE(client.mqtt().count(), std::size_t(1));
    QVERIFY(isAcceptedConnack(client.mqtt().packets()[0]));
    QCOMPARE(client.frames().front().opcode, quint8(Pong));
    QCOMPARE(client.frames().front().payload, QByteArray("between"));
}

void TestWebSocketTransport::severalPacketsInOneFrame()
{
    RawWebSocket client;
    client.socket().connectToHost("127.0.0.1", m_port);
    QTRY_COMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
    client.send(upgradeRequest());
    client.sendMqtt(connectBytes("several") + subscribeBytes("s", 1) + publishBytes("s", "x", 3));
    QTRY_COMPARE(client.mqtt().count(), std::size_t(4));
    QVERIFY(isAcceptedConnack(client.mqtt().packets()[0]));
    QVERIFY(client.mqtt().at<SubackPacket>(1));
    QVERIFY(client.mqtt().first<AckPacket>());
    QVERIFY(client.mqtt().first<PublishPacket>());
    for (const ServerFrame &frame : client.frames())
        QCOMPARE(frame.opcode, quint8(Binary)); // MQTT-6.0.0-1: the server sends binary too
}

void TestWebSocketTransport::packetSplitAcrossFrames()
{
    RawWebSocket client;
    openAndConnect(client, "split");
    if (QTest::currentTestFailed())
        return;
    const QByteArray packets = subscribeBytes("p", 1) + publishBytes("p", std::string(300, 'p'), 4);
    // Cut inside the SUBSCRIBE and inside the PUBLISH's length field: three whole messages.
    client.sendMqtt(packets.left(5));
    client.sendMqtt(packets.mid(5, 20));
    client.sendMqtt(packets.mid(25));
    QTRY_COMPARE(client.mqtt().count(), std::size_t(4));
    const auto *echoed = client.mqtt().first<PublishPacket>();
    QVERIFY(echoed);
    QCOMPARE(echoed->payload, std::string(300, 'p'));
}

// The handshake's end and the frame headers straddle reads, whatever the split.
void TestWebSocketTransport::bytesArrivingOneByOne()
{
    RawWebSocket client;
    client.socket().connectToHost("127.0.0.1", m_port);
    QTRY_COMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
    const QByteArray all = upgradeRequest()
                           + clientFrame(Binary, connectBytes("bytewise") + subscribeBytes("b", 1))
                           + clientFrame(Binary, QByteArray(200, 'z'), false).left(4);
    for (const char byte : all) {
        client.send(QByteArray(1, byte));
        client.socket().flush();
    }
    QTRY_COMPARE(client.mqtt().count(), std::size_t(2));
    QVERIFY(isAcceptedConnack(client.mqtt().packets()[0]));
    QVERIFY(client.mqtt().at<SubackPacket>(1));
}

void TestWebSocketTransport::framesRightBehindTheRequest()
{
    RawWebSocket client;
    client.socket().connectToHost("127.0.0.1", m_port);
    QTRY_COMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
    client.send(upgradeRequest() + clientFrame(Binary, connectBytes("eager")));
    QTRY_COMPARE(client.mqtt().count(), std::size_t(1));
    QVERIFY(client.isUpgraded());
    QVERIFY(isAcceptedConnack(client.mqtt().packets()[0]));
}

void TestWebSocketTransport::pingGetsPong()
{
    RawWebSocket client;
    openAndConnect(client, "pinger");
    if (QTest::currentTestFailed())
        return;
    client.send(clientFrame(Ping, "are you there"));
    QTRY_COMPARE(client.frames().size(), std::size_t(2));
    QCOMPARE(client.frames()[1].opcode, quint8(Pong));
    QCOMPARE(client.frames()[1].payload, QByteArray("are you there"));
    QCOMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
}

void TestWebSocketTransport::closeIsEchoed()
{
    RawWebSocket client;
    openAndConnect(client, "closer");
    if (QTest::currentTestFailed())
        return;
    client.send(clientFrame(Close, QByteArray("\x03\xe8", 2) + "bye")); // 1000
    QTRY_COMPARE(client.socket().state(), QAbstractSocket::UnconnectedState);
    QVERIFY(client.hasClose(1000));
    // Without DISCONNECT the MQTT connection ended abnormally (the will would be published).
    QTRY_VERIFY(
        m_log->contains({"disconnect", "clientID=\"closer\"", "WebSocket closed by client"}));
}

void TestWebSocketTransport::textFrameCloses()
{
    RawWebSocket client;
    openAndConnect(client, "texter");
    if (QTest::currentTestFailed())
        return;
    client.send(clientFrame(Text, "{\"not\":\"mqtt\"}"));
    QTRY_COMPARE(client.socket().state(), QAbstractSocket::UnconnectedState);
    QVERIFY(client.hasClose(1003));
    QTRY_VERIFY(m_log->contains({"disconnect", "clientID=\"texter\"", "MQTT-6.0.0-1"}));
}

void TestWebSocketTransport::unmaskedFrameCloses()
{
    RawWebSocket client;
    openAndConnect(client, "unmasked");
    if (QTest::currentTestFailed())
        return;
    client.send(clientFrame(Binary, subscribeBytes("u", 1), true, false));
    QTRY_COMPARE(client.socket().state(), QAbstractSocket::UnconnectedState);
    QVERIFY(client.hasClose(1002));
    QCOMPARE(client.mqtt().count(), std::size_t(1)); // the SUBSCRIBE was not acted on
    QTRY_VERIFY(m_log->contains({"disconnect", "clientID=\"unmasked\"", "not masked"}));
}

void TestWebSocketTransport::protocolErrors_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<int>("closeCode");
    QTest::addColumn<QString>("reason");
    QTest::newRow("ping longer than 125 bytes") << clientFrame(Ping, QByteArray(126, 'p')) << 1002
                                                << "control frame longer than 125 bytes";
    QTest::newRow("fragmented ping") << clientFrame(Ping, "x", false) << 1002
                                     << "fragmented control frame";
    QTest::newRow("continuation without a message") << clientFrame(Continuation, "x") << 1002
                                                    << "continuation frame without a message";
    QTest::newRow("binary inside a fragmented message")
        << clientFrame(Binary, "", false) + clientFrame(Binary, "x") << 1002
        << "binary frame inside a fragmented message";
    QTest::newRow("reserved opcode") << clientFrame(3, "x") << 1002 << "unknown data opcode";
    QTest::newRow("reserved bit") << QByteArray("\xC2\x80\0\0\0\0", 6) << 1002 << "reserved bits";
    QTest::newRow("64-bit length past any MQTT packet")
        << QByteArray("\x82\xFF\x00\x00\x00\x01\x00\x00\x00\x00\x01\x02\x03\x04", 14) << 1009
        << "frame longer than any MQTT packet";
    QTest::newRow("64-bit length with the top bit set")
        << QByteArray("\x82\xFF\x80\x00\x00\x00\x00\x00\x00\x00\x01\x02\x03\x04", 14) << 1002
        << "64-bit length with the top bit set";
    QTest::newRow("close with a 1-byte body") << clientFrame(Close, "x") << 1002
                                              << "Close frame with a 1-byte body";
}

void TestWebSocketTransport::protocolErrors()
{
    QFETCH(QByteArray, frame);
    QFETCH(int, closeCode);
    QFETCH(QString, reason);
    RawWebSocket client;
    openAndConnect(client, "rude");
    if (QTest::currentTestFailed())
        return;
    client.send(frame);
    QTRY_COMPARE(client.socket().state(), QAbstractSocket::UnconnectedState);
    QVERIFY(client.hasClose(quint16(closeCode)));
    QTRY_VERIFY2(m_log->contains({"disconnect", "clientID=\"rude\"", reason.toStdString()}),
                 m_log->text().c_str());
}

void TestWebSocketTransport::badRequestIsRefused_data()
{
    QTest::addColumn<QByteArray>("request");
    QTest::addColumn<QString>("reason");
    QTest::newRow("plain HTTP GET") << QByteArray("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                                    << "no \"Upgrade: websocket\" header";
    QTest::newRow("POST") << QByteArray(upgradeRequest()).replace("GET", "POST")
                          << "a WebSocket handshake is a GET request";
    QTest::newRow("HTTP/1.0") << QByteArray(upgradeRequest()).replace("HTTP/1.1", "HTTP/1.0")
                              << "needs HTTP/1.1";
    QTest::newRow("version 8") << QByteArray(upgradeRequest()).replace("Version: 13", "Version: 8")
                               << "unsupported Sec-WebSocket-Version";
    QTest::newRow("short key") << QByteArray(upgradeRequest()).replace(Key, "c2hvcnQ=")
                               << "malformed Sec-WebSocket-Key";
    QTest::newRow("no Connection: Upgrade")
        << QByteArray(upgradeRequest()).replace("Connection: Upgrade", "Connection: close")
        << "no \"Connection: Upgrade\" header";
    QTest::newRow("plain MQTT") << connectBytes("not-http") + "\r\n\r\n"
                                << "malformed HTTP request line";
}

void TestWebSocketTransport::badRequestIsRefused()
{
    QFETCH(QByteArray, request);
    QFETCH(QString, reason);
    RawWebSocket client;
    client.socket().connectToHost("127.0.0.1", m_port);
    QTRY_COMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
    client.send(request);
    QTRY_COMPARE(client.socket().state(), QAbstractSocket::UnconnectedState);
    QVERIFY2(client.response().startsWith("HTTP/1.1 400 Bad Request\r\n"),
             client.response().constData());
    QVERIFY2(client.response().contains(reason.toUtf8()), client.response().constData());
    QTRY_VERIFY(m_log->contains({"close", "WebSocket handshake refused"}));
}

// The header section is bounded: no end in sight after 8 KiB is a refusal, not a bigger buffer.
void TestWebSocketTransport::oversizedRequestIsRefused()
{
    RawWebSocket client;
    client.socket().connectToHost("127.0.0.1", m_port);
    QTRY_COMPARE(client.socket().state(), QAbstractSocket::ConnectedState);
    QByteArray request = upgradeRequest();
    request.chop(2); // no end of the headers yet
    request += "X-Padding: " + QByteArray(int(MaxWebSocketRequestSize), 'a') + "\r\n";
    client.send(request);
    QTRY_COMPARE(client.socket().state(), QAbstractSocket::UnconnectedState);
    QVERIFY2(client.response().startsWith("HTTP/1.1 400 Bad Request\r\n"),
             client.response().constData());
    QTRY_VERIFY(m_log->contains({"close", "request header larger than 8 KiB"}));
}

void TestWebSocketTransport::webSocketOverTls()
{
    std::string error;
    auto secure = startBroker(m_log->log(),
                              m_certificates.tlsListener(ListenerSpec::Protocol::WebSocket),
                              &error);
    QVERIFY2(secure, error.c_str());
    const quint16 port = secure->listeners().front().port;
    QCOMPARE(secure->listeners().front().url(), "wss://127.0.0.1:" + std::to_string(port));

    QWebSocket socket;
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates({m_certificates.caCertificate()});
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    socket.setSslConfiguration(configuration);
    QString sslErrors;
    connect(&socket, &QWebSocket::sslErrors, [&sslErrors](const QList<QSslError> &errors) {
        for (const QSslError &e : errors)
            sslErrors += e.errorString() + "; ";
    });
    PacketReader reader;
    connect(&socket, &QWebSocket::binaryMessageReceived,
            [&reader](const QByteArray &message) { reader.feed(message); });
    QWebSocketHandshakeOptions options;
    options.setSubprotocols({"mqtt"});
    socket.open(QUrl(QString("wss://localhost:%1/mqtt").arg(port)), options);
    QTRY_VERIFY2(socket.state() == QAbstractSocket::ConnectedState, qPrintable(sslErrors));
    QCOMPARE(socket.subprotocol(), QString("mqtt"));

    socket.sendBinaryMessage(connectBytes("wss-client") + subscribeBytes("w", 1));
    socket.sendBinaryMessage(publishBytes("w", std::string(100'000, 'w'), 5));
    QTRY_COMPARE(reader.count(), std::size_t(4));
    QVERIFY(isAcceptedConnack(reader.packets()[0]));
    const auto *echoed = reader.first<PublishPacket>();
    QVERIFY(echoed);
    QCOMPARE(echoed->payload.size(), std::size_t(100'000));

    // Frames written by hand over TLS as well: a packet split across two frames.
    RawWebSocket raw(new QSslSocket);
    auto &tls = static_cast<QSslSocket &>(raw.socket());
    tls.setSslConfiguration(configuration);
    tls.connectToHostEncrypted("127.0.0.1", port, "localhost");
    QTRY_VERIFY(tls.isEncrypted());
    const QByteArray connect = connectBytes("wss-raw");
    raw.send(upgradeRequest() + clientFrame(Binary, connect.left(4)));
    raw.send(clientFrame(Binary, connect.mid(4)));
    QTRY_COMPARE(raw.mqtt().count(), std::size_t(1));
    QVERIFY(isAcceptedConnack(raw.mqtt().packets()[0]));
}

QTEST_GUILESS_MAIN(TestWebSocketTransport)
#include "tst_websockettransport.moc"
