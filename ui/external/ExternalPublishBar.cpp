#include "ExternalPublishBar.h"

#include "ExternalBrokerFeed.h"

#include "wizards/FieldMessage.h"

#include "mqtt/Topic.h"

#include <QCheckBox>
#include <QComboBox>
#include <QGridLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>

namespace iotcore::ui {

ExternalPublishBar::ExternalPublishBar(ExternalBrokerFeed &feed, QWidget *parent)
    : QWidget(parent)
    , m_feed(feed)
    , m_topic(new QLineEdit(this))
    , m_payload(new QLineEdit(this))
    , m_qos(new QComboBox(this))
    , m_retain(new QCheckBox(tr("Retain"), this))
    , m_publish(new QPushButton(tr("Publish"), this))
    , m_message(new FieldMessage(this))
{
    m_topic->setPlaceholderText(tr("Topic, e.g. devices/lamp-1/commands"));
    m_payload->setPlaceholderText(tr("Payload (text or JSON)"));
    for (int qos = 0; qos <= 2; ++qos)
        m_qos->addItem(tr("QoS %1").arg(qos), qos);

    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("Publish to"), this), 0, 0);
    layout->addWidget(m_topic, 0, 1);
    layout->addWidget(m_payload, 0, 2);
    layout->addWidget(m_qos, 0, 3);
    layout->addWidget(m_retain, 0, 4);
    layout->addWidget(m_publish, 0, 5);
    layout->addWidget(m_message, 1, 1, 1, 5);
    layout->setColumnStretch(1, 2);
    layout->setColumnStretch(2, 3);

    connect(m_topic, &QLineEdit::textChanged, this, &ExternalPublishBar::refresh);
    connect(m_topic, &QLineEdit::returnPressed, this, &ExternalPublishBar::publish);
    connect(m_payload, &QLineEdit::returnPressed, this, &ExternalPublishBar::publish);
    connect(m_publish, &QPushButton::clicked, this, &ExternalPublishBar::publish);
    connect(&m_feed, &ExternalBrokerFeed::statusChanged, this, &ExternalPublishBar::refresh);
    refresh();
}

QString ExternalPublishBar::message() const
{
    return m_message->text();
}

void ExternalPublishBar::publish()
{
    if (!m_publish->isEnabled())
        return;
    const quint8 qos = quint8(m_qos->currentData().toInt());
    const qint32 id = m_feed.publish(m_topic->text(), m_payload->text().toUtf8(), qos,
                                     m_retain->isChecked());
    if (id < 0) {
        m_message->setError(tr("Not sent: the connection to the broker is down."));
        return;
    }
    m_message->setError({});
    m_message->setHint(tr("Sent to %1 at QoS %2%3.")
                           .arg(m_topic->text())
                           .arg(qos)
                           .arg(m_retain->isChecked() ? tr(", retained") : QString()));
}

void ExternalPublishBar::refresh()
{
    std::string reason;
    const QString topic = m_topic->text();
    if (!topic.isEmpty() && !broker::isValidTopicName(topic.toStdString(), &reason))
        m_message->setError(sentence("topic: " + reason));
    else
        m_message->setError({});
    const bool connected = m_feed.status() == ExternalBrokerFeed::Status::Connected;
    m_publish->setEnabled(connected && !topic.isEmpty() && !m_message->hasError());
}

} // namespace iotcore::ui
