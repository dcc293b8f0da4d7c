#pragma once

// Where simulated devices connect: a connection profile for any MQTT broker (mosquitto, EMQX,
// Yandex IoT Core's mqtt.cloud.yandex.net:8883 with its CA) written as a URL, or the embedded
// broker through an in-process transport factory. It makes one ClientTransportFactory that
// every device of a run shares.
//
//   mqtt://host[:1883]   mqtts://host[:8883]   ws://host[:80][/path]   wss://host[:443][/path]
//
// TLS: the CA file to trust (empty: the system's CAs) and, for certificate identities, a client
// certificate and key.

#include "client/ClientTransport.h"

#include <QSslConfiguration>
#include <QString>
#include <QUrl>

#include <optional>

namespace iotcore::sim {

struct TlsFiles {
    QString caFile;
    QString certificateFile;
    QString keyFile;
    // Without caFile: a CA trusted besides the system's (the workspace's own CA, which signs the
    // embedded broker's TLS certificates), PEM.
    QByteArray extraCaPem;
};

class BrokerTarget
{
public:
    // Null with one line in `error` for a URL that is not one of the forms above or TLS files
    // that cannot be read.
    static std::optional<BrokerTarget> fromUrl(const QString &url, const TlsFiles &tls, QString *error);
    // The embedded broker: `iotCore` opens an in-process connection to a listener in IoT Core
    // mode (fleets with device and broker identities), `open` one in open mode (anonymous
    // fleets); `description` names it in messages ("the embedded broker").
    static BrokerTarget inProcess(app::ClientTransportFactory iotCore, app::ClientTransportFactory open,
                                  QString description);

    // The transports for devices that log in as IoT Core entities (`iotCore`) or anonymously.
    app::ClientTransportFactory transportFactory(bool iotCore) const
    {
        return iotCore || !m_openFactory ? m_factory : m_openFactory;
    }
    // "mqtt://127.0.0.1:1883", "embedded broker": for progress lines and errors.
    QString description() const { return m_description; }

private:
    BrokerTarget(app::ClientTransportFactory factory, QString description)
        : m_factory(std::move(factory)), m_description(std::move(description))
    { }

    app::ClientTransportFactory m_factory;
    app::ClientTransportFactory m_openFactory; // null: m_factory for everyone
    QString m_description;
};

} // namespace iotcore::sim
