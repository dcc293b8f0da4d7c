#pragma once

// Feeds a MessageStore from a broker that is not the embedded one: an MqttClient on the GUI
// thread (its sockets never block) connects with a ConnectionProfile, subscribes to its filters
// and turns each message received into the events the embedded broker's tap would have
// recorded, so the message log, the topic tree and the charts work unchanged. MQTT 3.1.1 does
// not say who published a message, so the sender is "(external)", or empty for a retained
// message (the log shows "(retained)"); the receiver is this client, with the QoS the broker
// delivered at and the acknowledgement the client sent (PUBACK, or PUBREC for QoS 2).
// A filter the broker refuses (SUBACK 0x80) is logged as a refused subscription.
//
// Events are queued and handed to the store once per DrainIntervalMs, so a busy broker grows
// the store in batches. After a lost connection the client reconnects by itself, waiting
// longer after each failure; a refused CONNECT (bad credentials) is final until start().

#include "ConnectionProfile.h"

#include "client/MqttClient.h"
#include "observe/BrokerEvent.h"

#include <QObject>
#include <QTimer>

#include <vector>

namespace iotcore::ui {

class MessageStore;

class ExternalBrokerFeed : public QObject
{
    Q_OBJECT

public:
    enum class Status {
        Disconnected, // not started, or stopped
        Connecting,
        Connected,
        Reconnecting, // the connection failed or was lost; trying again later
        Refused,      // the broker refused the CONNECT (or the TLS files are unusable): final
    };
    Q_ENUM(Status)

    static constexpr int DrainIntervalMs = 40;
    static constexpr int ReconnectMinDelayMs = 1000;
    static constexpr int ReconnectMaxDelayMs = 30000;

    // `store` must outlive the feed.
    ExternalBrokerFeed(ConnectionProfile profile, MessageStore &store, QObject *parent = nullptr);

    const ConnectionProfile &profile() const { return m_profile; }
    app::MqttClient &client() { return m_client; }

    // Connects and subscribes to the profile's filters. False, with status Refused and
    // problem() saying why, when the profile's TLS files cannot be used.
    bool start();
    void stop();

    Status status() const { return m_status; }
    // Why the feed is not connected, for people: "Refused by host:1883: bad user name or
    // password (CONNACK 4).", "Cannot reach host:1883: Connection refused." Empty when connected.
    QString problem() const { return m_problem; }
    // Filters the broker granted.
    int grantedSubscriptions() const;
    // Messages received since the feed was made.
    quint64 receivedCount() const { return m_received; }

    // Publishes through the feed's client: the message id (0 for QoS 0) or -1 when not
    // connected or the topic is not a valid topic name.
    qint32 publish(const QString &topic, const QByteArray &payload, quint8 qos, bool retain);

    // Hands the queued events to the store now.
    void drain();

signals:
    void statusChanged(iotcore::ui::ExternalBrokerFeed::Status status);
    void subscriptionsChanged();

private:
    void onStateChanged(app::MqttClient::State state);
    void onDisconnected(const QString &reason);
    void onMessage(const app::MqttMessage &message);
    void onSubscriptionState(app::MqttSubscription *subscription);
    void setStatus(Status status, const QString &problem = {});
    void enqueue(broker::BrokerEvent event);

    ConnectionProfile m_profile;
    MessageStore &m_store;
    app::MqttClient m_client;
    Status m_status = Status::Disconnected;
    QString m_problem;
    bool m_stopping = false;
    quint64 m_received = 0;
    std::uint64_t m_nextMessageId = 1;
    std::vector<broker::BrokerEvent> m_pending;
    QTimer m_drainTimer;
};

} // namespace iotcore::ui
