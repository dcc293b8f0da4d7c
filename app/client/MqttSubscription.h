#pragma once

// One topic filter an MqttClient subscribed to, shaped after Qt MQTT's QMqttSubscription: its
// state follows SUBSCRIBE/SUBACK and UNSUBSCRIBE/UNSUBACK, and it emits messageReceived() for
// each message whose topic matches its filter. The client owns it; it lives as long as the
// client, and subscribing again to the same filter returns the same object.

#include "MqttMessage.h"

#include <QObject>
#include <QString>

#include <string>

namespace iotcore::app {

class MqttClient;

class MqttSubscription : public QObject
{
    Q_OBJECT
    Q_PROPERTY(State state READ state NOTIFY stateChanged)
    Q_PROPERTY(quint8 qos READ qos NOTIFY qosChanged)
    Q_PROPERTY(QString topic READ topic CONSTANT)

public:
    enum class State {
        Unsubscribed,
        SubscriptionPending,   // SUBSCRIBE sent (or to be sent on connecting), no SUBACK yet
        Subscribed,
        UnsubscriptionPending, // UNSUBSCRIBE sent, no UNSUBACK yet
        Error,                 // the server refused the filter: SUBACK 0x80 (MQTT-3.9.3)
    };
    Q_ENUM(State)

    QString topic() const { return m_topic; }
    // The QoS the server granted; the one asked for until the SUBACK arrives.
    quint8 qos() const { return m_qos; }
    State state() const { return m_state; }
    // Why the state is Error, for people.
    QString reason() const { return m_reason; }

public slots:
    void unsubscribe();

signals:
    void stateChanged(iotcore::app::MqttSubscription::State state);
    void qosChanged(quint8 qos);
    void messageReceived(const iotcore::app::MqttMessage &message);

private:
    // Only MqttClient makes and updates subscriptions.
    friend class MqttClient;
    MqttSubscription(MqttClient *client, QString topic, quint8 qos);
    void setState(State state, const QString &reason = {});
    void setQos(quint8 qos);

    MqttClient *m_client;
    QString m_topic;
    std::string m_filter; // m_topic in UTF-8, for matching
    quint8 m_qos;          // granted, or asked for until the SUBACK
    quint8 m_requestedQos; // what SUBSCRIBE asks for
    State m_state = State::Unsubscribed;
    QString m_reason;
};

} // namespace iotcore::app
