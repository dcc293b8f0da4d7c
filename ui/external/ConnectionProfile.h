#pragma once

// How the console reaches a broker that is not the embedded one (issue 6, "External brokers"):
// mosquitto, EMQX or a cloud broker, over TCP, TLS, WebSocket or secure WebSocket, with
// optional credentials and TLS files, subscribing to the filters the user chose.

#include "sim/BrokerTarget.h"

#include <QList>
#include <QString>

#include <optional>

namespace iotcore::ui {

struct ProfileFilter {
    QString filter;
    quint8 qos = 0;

    bool operator==(const ProfileFilter &) const = default;
};

struct ConnectionProfile {
    enum class Transport { Tcp, Tls, WebSocket, SecureWebSocket };

    // The parts validate() checks, so that a form can put each message under its field.
    enum class Field { Name, Host, Port, Transport, WebSocketPath, CaFile, CertificateFile,
                       KeyFile, Username, Password, ClientId, Filters };

    struct Problem {
        Field field;
        QString message; // one sentence naming the thing and what is wrong with it
    };

    QString name;
    QString host;
    quint16 port = 1883;
    Transport transport = Transport::Tcp;
    QString webSocketPath = QStringLiteral("/mqtt");
    QString caFile; // empty: the system's CA certificates
    QString certificateFile;
    QString keyFile;
    QString username;
    QString password;
    bool rememberPassword = false; // whether the password is saved with the profile
    QString clientId;              // empty: a random "iotcore-…" id for each connection
    QList<ProfileFilter> filters{{QStringLiteral("#"), 0}};

    bool operator==(const ConnectionProfile &) const = default;

    static quint16 defaultPort(Transport transport);
    static bool isEncrypted(Transport transport);

    // Everything wrong with the profile, in the order of the fields; empty when it can connect.
    // TLS files are checked for existence here and for content by target().
    QList<Problem> validate() const;

    // "mqtts://broker.example.com:8883", "wss://host:443/mqtt".
    QString url() const;
    // "host:port" (as user) for status lines.
    QString endpoint() const;

    // The transport to the broker, as the simulator reaches one. Null with one line in `error`
    // when the TLS files cannot be read or hold no certificate or key.
    std::optional<sim::BrokerTarget> target(QString *error) const;
};

} // namespace iotcore::ui
