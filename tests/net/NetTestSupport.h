#pragma once

// Shared by the transport tests: certificates from the workspace CA written to files, a broker
// log the tests can read (the broker writes it from its own thread), and MQTT bytes through the
// project's codec on the client side.

#include "core/BrokerConfig.h"
#include "mqtt/PacketDecoder.h"
#include "mqtt/PacketEncoder.h"
#include "net/BrokerServer.h"
#include "observe/Log.h"
#include "pki/CertificateAuthority.h"

#include <QByteArray>
#include <QFile>
#include <QSslCertificate>
#include <QSslKey>
#include <QString>
#include <QTemporaryDir>

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace iotcore::test {

using namespace iotcore::broker;

// Certificates for a broker on 127.0.0.1, in files as a listener wants them.
class TestCertificates
{
public:
    // False with `error` set when OpenSSL or the file system failed.
    bool create(std::string *error)
    {
        if (!m_dir.isValid()) {
            *error = "no temporary directory";
            return false;
        }
        m_ca = app::CertificateAuthority::create(app::KeyAlgorithm::EcP256, error);
        if (!m_ca)
            return false;
        m_server = m_ca->issueServerCertificate({"localhost", "127.0.0.1", "::1"}, error);
        if (!m_server)
            return false;
        // The chain after the server's own certificate, as a TLS listener's file may hold it.
        return write("server-chain.pem", m_server->certificatePem + m_ca->certificatePem(), error)
               && write("server-key.pem", m_server->privateKeyPem, error)
               && write("ca.pem", m_ca->certificatePem(), error);
    }

    const app::CertificateAuthority &ca() const { return *m_ca; }
    const app::CertificateAndKey &server() const { return *m_server; }
    std::string file(const char *name) const { return m_dir.filePath(name).toStdString(); }
    QSslCertificate caCertificate() const
    {
        return QSslCertificate(QByteArray::fromStdString(m_ca->certificatePem()));
    }

    bool write(const char *name, const std::string &contents, std::string *error) const
    {
        QFile out(m_dir.filePath(name));
        if (!out.open(QIODevice::WriteOnly)
            || out.write(contents.data(), qint64(contents.size())) != qint64(contents.size())) {
            *error = "cannot write " + file(name);
            return false;
        }
        return true;
    }

    ListenerSpec tlsListener(ListenerSpec::Protocol protocol = ListenerSpec::Protocol::Mqtt) const
    {
        ListenerSpec spec;
        spec.name = protocol == ListenerSpec::Protocol::Mqtt ? "mqtts" : "wss";
        spec.protocol = protocol;
        spec.tls = true;
        spec.certificateFile = file("server-chain.pem");
        spec.privateKeyFile = file("server-key.pem");
        return spec;
    }

private:
    QTemporaryDir m_dir;
    std::optional<app::CertificateAuthority> m_ca;
    std::optional<app::CertificateAndKey> m_server;
};

// The broker's log lines, readable from the test thread.
class CapturedLog
{
public:
    CapturedLog()
        : m_log(LogLevel::Debug)
    {
        m_log.setWriter([this](std::string_view line) {
            std::lock_guard lock(m_mutex);
            m_lines.emplace_back(line);
        });
    }

    Log &log() { return m_log; }

    // Whether some line holds every one of `parts`.
    bool contains(std::initializer_list<std::string_view> parts) const
    {
        std::lock_guard lock(m_mutex);
        for (const std::string &line : m_lines) {
            bool all = true;
            for (std::string_view part : parts)
                all = all && line.find(part) != std::string::npos;
            if (all)
                return true;
        }
        return false;
    }

    std::string text() const
    {
        std::lock_guard lock(m_mutex);
        std::string all;
        for (const std::string &line : m_lines)
            all += line + '\n';
        return all;
    }

private:
    mutable std::mutex m_mutex;
    std::vector<std::string> m_lines;
    Log m_log;
};

// What a client received, decoded as it arrives in any split.
class PacketReader
{
public:
    void feed(const QByteArray &bytes)
    {
        m_decoder.feed(std::string_view(bytes.constData(), std::size_t(bytes.size())));
        Packet packet;
        PacketDecoder::Status status;
        while ((status = m_decoder.next(packet)) == PacketDecoder::Status::Packet)
            m_packets.push_back(std::move(packet));
        m_failed = status == PacketDecoder::Status::Error;
    }

    const std::vector<Packet> &packets() const { return m_packets; }
    std::size_t count() const { return m_packets.size(); }
    bool failed() const { return m_failed; }

    template<typename T>
    const T *at(std::size_t index) const
    {
        return index < m_packets.size() ? std::get_if<T>(&m_packets[index]) : nullptr;
    }

    // The first packet of type T, wherever it is: the broker may send the echo of a client's
    // own PUBLISH before or after the PUBACK.
    template<typename T>
    const T *first() const
    {
        for (const Packet &packet : m_packets) {
            if (const T *found = std::get_if<T>(&packet))
                return found;
        }
        return nullptr;
    }

private:
    PacketDecoder m_decoder;
    std::vector<Packet> m_packets;
    bool m_failed = false;
};

inline QByteArray bytesOf(const Packet &packet)
{
    return QByteArray::fromStdString(encodedPacket(packet));
}

inline QByteArray connectBytes(const std::string &clientId)
{
    ConnectPacket connect;
    connect.clientId = clientId;
    connect.keepAlive = 60;
    return bytesOf(connect);
}

inline QByteArray subscribeBytes(const std::string &filter, std::uint16_t packetId,
                                 std::uint8_t qos = 1)
{
    SubscribePacket subscribe;
    subscribe.packetId = packetId;
    subscribe.subscriptions.push_back({filter, qos});
    return bytesOf(subscribe);
}

inline QByteArray publishBytes(const std::string &topic, const std::string &payload,
                               std::uint16_t packetId)
{
    PublishPacket publish;
    publish.topic = topic;
    publish.payload = payload;
    publish.qos = 1;
    publish.packetId = packetId;
    return bytesOf(publish);
}

inline bool isAcceptedConnack(const Packet &packet)
{
    const auto *connack = std::get_if<ConnackPacket>(&packet);
    return connack && connack->returnCode == ConnectReturnCode::Accepted;
}

// A broker on its own thread with one listener; null with `error` set when it would not start.
inline std::unique_ptr<BrokerServer> startBroker(Log &log, const ListenerSpec &spec,
                                                 std::string *error)
{
    auto server = std::make_unique<BrokerServer>(BrokerConfig{}, log, nullptr);
    if (!server->addListener(spec, error))
        return nullptr;
    if (!server->start()) {
        *error = "broker did not start";
        return nullptr;
    }
    return server;
}

} // namespace iotcore::test
