#pragma once

// A one-line publisher for an external broker: topic (checked as it is typed), payload, QoS,
// retain, Publish. It sends through the feed's own client, so what the broker routes back on a
// subscribed filter shows up in the same log.

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QPushButton;

namespace iotcore::ui {

class ExternalBrokerFeed;
class FieldMessage;

class ExternalPublishBar : public QWidget
{
    Q_OBJECT

public:
    explicit ExternalPublishBar(ExternalBrokerFeed &feed, QWidget *parent = nullptr);

    QLineEdit *topicEdit() const { return m_topic; }
    QLineEdit *payloadEdit() const { return m_payload; }
    QComboBox *qosBox() const { return m_qos; }
    QCheckBox *retainBox() const { return m_retain; }
    QPushButton *publishButton() const { return m_publish; }
    // What the last check or publish said (an error, or where the message went).
    QString message() const;

public slots:
    void publish();

private:
    void refresh();

    ExternalBrokerFeed &m_feed;
    QLineEdit *m_topic;
    QLineEdit *m_payload;
    QComboBox *m_qos;
    QCheckBox *m_retain;
    QPushButton *m_publish;
    FieldMessage *m_message;
};

} // namespace iotcore::ui
