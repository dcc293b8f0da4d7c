#include "IdentityConnections.h"

#include "client/MqttClient.h"

#include <memory>

namespace iotcore::ui {

using app::MqttClient;

IdentityConnections::IdentityConnections(broker::BrokerServer &server, Listeners listeners,
                                         QString purpose, QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_listeners(std::move(listeners))
    , m_purpose(std::move(purpose))
{
}

IdentityConnections::~IdentityConnections()
{
    // A clean DISCONNECT each, so that the broker logs the console leaving, not a lost link. The
    // panels that listen are being destroyed too: they are not told.
    for (MqttClient *client : std::as_const(m_clients)) {
        QObject::disconnect(client, nullptr, nullptr, nullptr);
        client->disconnectFromHost();
    }
}

MqttClient &IdentityConnections::clientFor(const ConsoleIdentity &identity)
{
    const QString key = identity.isOpen() ? QString() : identity.id;
    MqttClient *&client = m_clients[key];
    if (!client) {
        client = new MqttClient(this);
        client->setClientId(m_purpose + u'-' + (identity.isOpen() ? QStringLiteral("open") : identity.id));
        // The identity is the username; the asserting listener asks for nothing more.
        if (!identity.isOpen())
            client->setUsername(identity.id);
    }
    if (client->state() == MqttClient::State::Disconnected)
        client->connectInProcess(m_server, identity.isOpen() ? m_listeners.open
                                                             : m_listeners.asserted);
    return *client;
}

MqttClient *IdentityConnections::existingClient(const ConsoleIdentity &identity) const
{
    return m_clients.value(identity.isOpen() ? QString() : identity.id);
}

void IdentityConnections::whenConnected(const ConsoleIdentity &identity,
                                        std::function<void(MqttClient &)> action,
                                        std::function<void(const QString &)> failed)
{
    MqttClient &client = clientFor(identity);
    if (client.state() == MqttClient::State::Connected) {
        action(client);
        return;
    }
    // Whichever comes first answers; both connections go with it.
    auto links = std::make_shared<QList<QMetaObject::Connection>>();
    const auto done = [links] {
        for (const QMetaObject::Connection &link : std::as_const(*links))
            QObject::disconnect(link);
    };
    links->append(connect(&client, &MqttClient::connected, this,
                          [&client, action, done] { done(); action(client); }));
    links->append(connect(&client, &MqttClient::disconnected, this,
                          [failed, done](const QString &reason) { done(); failed(reason); }));
}

} // namespace iotcore::ui
