#include "MqttSubscription.h"

#include "MqttClient.h"

namespace iotcore::app {

MqttSubscription::MqttSubscription(MqttClient *client, QString topic, quint8 qos)
    : QObject(client)
    , m_client(client)
    , m_topic(std::move(topic))
    , m_filter(m_topic.toUtf8().toStdString())
    , m_qos(qos)
    , m_requestedQos(qos)
{
}

void MqttSubscription::unsubscribe()
{
    m_client->unsubscribe(m_topic);
}

void MqttSubscription::setState(State state, const QString &reason)
{
    m_reason = reason;
    if (state == m_state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void MqttSubscription::setQos(quint8 qos)
{
    if (qos == m_qos)
        return;
    m_qos = qos;
    emit qosChanged(qos);
}

} // namespace iotcore::app
