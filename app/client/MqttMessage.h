#pragma once

// A message the client received, shaped after Qt MQTT's QMqttMessage.

#include <QByteArray>
#include <QMetaType>
#include <QString>

namespace iotcore::app {

class MqttMessage
{
    Q_GADGET
    Q_PROPERTY(QString topic READ topic CONSTANT)
    Q_PROPERTY(QByteArray payload READ payload CONSTANT)
    Q_PROPERTY(quint16 id READ id CONSTANT)
    Q_PROPERTY(quint8 qos READ qos CONSTANT)
    Q_PROPERTY(bool duplicate READ duplicate CONSTANT)
    Q_PROPERTY(bool retain READ retain CONSTANT)

public:
    MqttMessage() = default;
    MqttMessage(QString topic, QByteArray payload, quint16 id, quint8 qos, bool duplicate,
                bool retain)
        : m_topic(std::move(topic))
        , m_payload(std::move(payload))
        , m_id(id)
        , m_qos(qos)
        , m_duplicate(duplicate)
        , m_retain(retain)
    {
    }

    QString topic() const { return m_topic; }
    QByteArray payload() const { return m_payload; }
    // The packet identifier the server used (0 for QoS 0).
    quint16 id() const { return m_id; }
    quint8 qos() const { return m_qos; }
    bool duplicate() const { return m_duplicate; }
    // Set when the server sent a retained message because of a new subscription (MQTT-3.3.1-8).
    bool retain() const { return m_retain; }

    bool operator==(const MqttMessage &) const = default;

private:
    QString m_topic;
    QByteArray m_payload;
    quint16 m_id = 0;
    quint8 m_qos = 0;
    bool m_duplicate = false;
    bool m_retain = false;
};

} // namespace iotcore::app

Q_DECLARE_METATYPE(iotcore::app::MqttMessage)
