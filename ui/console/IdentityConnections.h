#pragma once

// The console's own MQTT connections to the embedded broker, one per identity it acts as, without
// sockets. Open mode goes through an open in-process listener; every catalog identity goes
// through the listener that asserts identities (BrokerServer::addInProcessAssertedListener) with
// the entity's id as its username, so that the broker gives the console exactly that entity's
// rights, as after a real login, and refuses, narrows and logs as it would for the device itself.
// The workspace keeps only password hashes: this is how the console acts as an entity at all.

#include "ConsoleIdentity.h"

#include <QHash>
#include <QObject>
#include <QString>

#include <functional>

namespace iotcore::broker {
class BrokerServer;
}

namespace iotcore::app {
class MqttClient;
}

namespace iotcore::ui {

class IdentityConnections : public QObject
{
    Q_OBJECT

public:
    // The in-process listeners of the console's broker.
    struct Listeners {
        QString asserted; // IoT Core, identities asserted by this process
        QString open;     // open mode
    };

    // `purpose` starts the client ids ("console-commands-are…"), so that two panels acting as
    // the same identity are two sessions, even where MQTT's takeover applies.
    IdentityConnections(broker::BrokerServer &server, Listeners listeners, QString purpose,
                        QObject *parent = nullptr);
    ~IdentityConnections() override;

    // The identity's client; it starts connecting on first use, and again when it was
    // disconnected (a refused CONNECT, a dropped connection).
    app::MqttClient &clientFor(const ConsoleIdentity &identity);
    // The identity's client if it was ever asked for, without connecting it.
    app::MqttClient *existingClient(const ConsoleIdentity &identity) const;

    // Runs `action` with the identity's client once it is connected (at once if it is), or
    // `failed` with why it could not connect.
    void whenConnected(const ConsoleIdentity &identity,
                       std::function<void(app::MqttClient &)> action,
                       std::function<void(const QString &reason)> failed);

private:
    broker::BrokerServer &m_server;
    Listeners m_listeners;
    QString m_purpose;
    QHash<QString, app::MqttClient *> m_clients; // by identity id ("" for open mode); children
};

} // namespace iotcore::ui
