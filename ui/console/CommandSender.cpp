#include "CommandSender.h"

#include "CommandHistoryModel.h"
#include "CommandTarget.h"

#include "client/MqttClient.h"
#include "iot/Catalog.h"
#include "wizards/FieldMessage.h"

#include <QComboBox>
#include <QDateTime>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTreeView>
#include <QVBoxLayout>

namespace iotcore::ui {

using app::MqttClient;

namespace {

constexpr int DefaultReplyWindowSeconds = 5;

} // namespace

CommandSender::CommandSender(broker::BrokerServer &server, IdentityConnections::Listeners listeners,
                             CatalogLookup catalog, QWidget *parent)
    : QWidget(parent)
    , m_connections(server, std::move(listeners), QStringLiteral("console-commands"))
    , m_catalog(std::move(catalog))
    , m_kind(new QComboBox(this))
    , m_entity(new QComboBox(this))
    , m_subtopic(new QLineEdit(this))
    , m_topic(new QLabel(this))
    , m_targetMessage(new FieldMessage(this))
    , m_template(new QComboBox(this))
    , m_saveTemplate(new QPushButton(tr("Save as Template…"), this))
    , m_deleteTemplate(new QPushButton(tr("Delete Template"), this))
    , m_payload(new QPlainTextEdit(this))
    , m_payloadMessage(new FieldMessage(this))
    , m_qos(new QComboBox(this))
    , m_replyWindow(new QSpinBox(this))
    , m_send(new QPushButton(tr("Send"), this))
    , m_historyView(new QTreeView(this))
    , m_sendAgain(new QPushButton(tr("Send Again"), this))
    , m_history(new CommandHistoryModel(this))
{
    m_kind->setObjectName(QStringLiteral("kind"));
    m_kind->addItem(tr("Command to a device"), int(CommandTarget::Kind::DeviceCommands));
    m_kind->addItem(tr("Command to all devices of a registry"),
                    int(CommandTarget::Kind::RegistryCommands));
    m_kind->addItem(tr("Config of a device (kept)"), int(CommandTarget::Kind::DeviceConfig));
    m_kind->addItem(tr("Config of a registry (kept)"), int(CommandTarget::Kind::RegistryConfig));
    m_entity->setObjectName(QStringLiteral("entity"));
    m_entity->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_subtopic->setObjectName(QStringLiteral("subtopic"));
    m_subtopic->setPlaceholderText(tr("optional, e.g. heating/mode"));
    m_subtopic->setClearButtonEnabled(true);
    m_topic->setObjectName(QStringLiteral("topic"));
    m_topic->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_topic->setWordWrap(true);
    m_targetMessage->setObjectName(QStringLiteral("targetMessage"));
    m_template->setObjectName(QStringLiteral("template"));
    m_template->setPlaceholderText(tr("Choose a template"));
    m_template->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_saveTemplate->setObjectName(QStringLiteral("saveTemplate"));
    m_deleteTemplate->setObjectName(QStringLiteral("deleteTemplate"));
    m_payload->setObjectName(QStringLiteral("payload"));
    m_payload->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_payload->setTabChangesFocus(true);
    m_payload->setMinimumHeight(80);
    m_payload->setMaximumHeight(160); // the history below gets the rest
    m_payloadMessage->setObjectName(QStringLiteral("payloadMessage"));
    m_qos->setObjectName(QStringLiteral("qos"));
    m_qos->addItem(tr("QoS 0: at most once"), 0);
    m_qos->addItem(tr("QoS 1: at least once"), 1);
    m_qos->setCurrentIndex(1);
    m_replyWindow->setObjectName(QStringLiteral("replyWindow"));
    m_replyWindow->setRange(1, 600);
    m_replyWindow->setValue(DefaultReplyWindowSeconds);
    m_replyWindow->setSuffix(tr(" s"));
    m_replyWindow->setToolTip(tr("Messages the device publishes on its events or state topics "
                                 "this long after a send are listed under it as replies."));
    m_history->setReplyWindowSeconds(DefaultReplyWindowSeconds);
    m_send->setObjectName(QStringLiteral("send"));
    m_send->setDefault(true);
    m_sendAgain->setObjectName(QStringLiteral("sendAgain"));
    m_sendAgain->setEnabled(false);

    m_historyView->setObjectName(QStringLiteral("history"));
    m_historyView->setModel(m_history);
    m_historyView->setAlternatingRowColors(true);
    m_historyView->setUniformRowHeights(true);
    m_historyView->setColumnWidth(CommandHistoryModel::TimeColumn, 130);
    m_historyView->setColumnWidth(CommandHistoryModel::TopicColumn, 340);
    m_historyView->setColumnWidth(CommandHistoryModel::PayloadColumn, 220);

    auto *templates = new QHBoxLayout;
    templates->addWidget(m_template, 1);
    templates->addWidget(m_saveTemplate);
    templates->addWidget(m_deleteTemplate);

    auto *sending = new QHBoxLayout;
    sending->addWidget(m_qos);
    sending->addSpacing(12);
    sending->addWidget(new QLabel(tr("Replies within:"), this));
    sending->addWidget(m_replyWindow);
    sending->addStretch();
    sending->addWidget(m_send);

    auto *form = new QFormLayout;
    form->addRow(tr("Send:"), m_kind);
    form->addRow(tr("To:"), m_entity);
    form->addRow(tr("Subtopic:"), m_subtopic);
    form->addRow(tr("Topic:"), m_topic);
    form->addRow(QString(), m_targetMessage);
    form->addRow(tr("Template:"), templates);
    form->addRow(tr("Payload:"), m_payload);
    form->addRow(QString(), m_payloadMessage);
    form->addRow(QString(), sending);

    auto *historyButtons = new QHBoxLayout;
    historyButtons->addWidget(m_sendAgain);
    historyButtons->addStretch();

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("Sent (newest first), with the replies:"), this));
    layout->addWidget(m_historyView, 1);
    layout->addLayout(historyButtons);

    connect(m_kind, &QComboBox::currentIndexChanged, this, &CommandSender::fillTargetList);
    connect(m_entity, &QComboBox::currentIndexChanged, this, &CommandSender::checkForm);
    connect(m_subtopic, &QLineEdit::textChanged, this, &CommandSender::checkForm);
    connect(m_payload, &QPlainTextEdit::textChanged, this, &CommandSender::checkPayload);
    connect(m_template, &QComboBox::activated, this, &CommandSender::applyTemplate);
    connect(m_saveTemplate, &QPushButton::clicked, this, &CommandSender::saveTemplate);
    connect(m_deleteTemplate, &QPushButton::clicked, this, &CommandSender::deleteTemplate);
    connect(m_template, &QComboBox::currentIndexChanged, this, [this] {
        const CommandTemplates::Template *chosen = m_templates.find(m_template->currentText());
        m_deleteTemplate->setEnabled(chosen && !chosen->builtIn);
    });
    connect(m_replyWindow, &QSpinBox::valueChanged, m_history,
            &CommandHistoryModel::setReplyWindowSeconds);
    connect(m_send, &QPushButton::clicked, this, &CommandSender::send);
    connect(m_sendAgain, &QPushButton::clicked, this, &CommandSender::sendSelectedAgain);
    connect(m_historyView->selectionModel(), &QItemSelectionModel::currentChanged, this,
            [this](const QModelIndex &current) { m_sendAgain->setEnabled(m_history->sendAt(current)); });

    fillTemplates(QString());
    fillTargetList();
    checkPayload();
}

CommandTarget CommandSender::target() const
{
    CommandTarget target;
    target.kind = CommandTarget::Kind(m_kind->currentData().toInt());
    target.entityId = m_entity->currentData().toString();
    target.subtopic = m_subtopic->text();
    return target;
}

bool CommandSender::setTarget(const CommandTarget &target)
{
    m_kind->setCurrentIndex(m_kind->findData(int(target.kind)));
    const int entity = m_entity->findData(target.entityId);
    if (entity < 0)
        return false;
    m_entity->setCurrentIndex(entity);
    m_subtopic->setText(target.subtopic);
    return true;
}

void CommandSender::refreshTargets()
{
    fillTargetList();
}

void CommandSender::fillTargetList()
{
    const QString chosen = m_entity->currentData().toString();
    const bool devices = target().isDevice();
    const broker::Catalog &catalog = m_catalog();
    {
        const QSignalBlocker quiet(m_entity);
        m_entity->clear();
        for (const broker::Registry *registry : catalog.registries()) {
            const QString registryName = QString::fromStdString(registry->name);
            if (!devices) {
                m_entity->addItem(tr("registry %1").arg(registryName),
                                  QString::fromStdString(registry->id));
                continue;
            }
            for (const broker::Device *device : catalog.devices(registry->id)) {
                m_entity->addItem(tr("%1 (registry %2)")
                                      .arg(QString::fromStdString(device->name), registryName),
                                  QString::fromStdString(device->id));
            }
        }
        m_entity->setCurrentIndex(std::max(0, m_entity->findData(chosen)));
    }
    checkForm();
}

void CommandSender::checkForm()
{
    const CommandTarget target = this->target();
    const QString problem = target.problem();
    m_targetMessage->setError(problem);
    m_send->setEnabled(problem.isEmpty());
    if (!problem.isEmpty()) {
        m_topic->setText(QString());
        return;
    }
    const broker::Catalog &catalog = m_catalog();
    const broker::Registry *registry = catalog.registry(target.senderRegistry(catalog).toStdString());
    const QString registryName = registry ? QString::fromStdString(registry->name) : QString();
    m_topic->setText(target.topic());
    m_targetMessage->setHint(target.isKept()
                                 ? tr("Sent as registry %1. IoT Core keeps the last config and "
                                      "gives it to the device when it subscribes.").arg(registryName)
                                 : tr("Sent as registry %1.").arg(registryName));
}

void CommandSender::checkPayload()
{
    const QByteArray payload = m_payload->toPlainText().toUtf8();
    if (payload.trimmed().isEmpty()) {
        m_payloadMessage->setError({});
        m_payloadMessage->setHint(tr("An empty payload is sent as it is."));
        return;
    }
    QJsonParseError error{};
    QJsonDocument::fromJson(payload, &error);
    if (error.error == QJsonParseError::NoError) {
        m_payloadMessage->setError({});
        m_payloadMessage->setHint(tr("Valid JSON."));
        return;
    }
    const char first = payload.trimmed().front();
    if (first == '{' || first == '[') {
        // It looks like JSON, so the device most likely expects JSON: say where it breaks.
        m_payloadMessage->setError(tr("Not valid JSON: %1 at character %2. It would be sent as "
                                      "it is.").arg(error.errorString()).arg(error.offset));
        return;
    }
    m_payloadMessage->setError({});
    m_payloadMessage->setHint(tr("Plain text, not JSON."));
}

void CommandSender::fillTemplates(const QString &current)
{
    const QSignalBlocker quiet(m_template);
    m_template->clear();
    for (const CommandTemplates::Template &t : m_templates.all())
        m_template->addItem(t.builtIn ? t.name : tr("%1 (mine)").arg(t.name), t.name);
    m_template->setCurrentIndex(m_template->findData(current));
    const CommandTemplates::Template *chosen = m_templates.find(current);
    m_deleteTemplate->setEnabled(chosen && !chosen->builtIn);
}

void CommandSender::applyTemplate(int index)
{
    if (const CommandTemplates::Template *chosen = m_templates.find(m_template->itemData(index).toString()))
        m_payload->setPlainText(QString::fromUtf8(chosen->payload));
}

void CommandSender::saveTemplate()
{
    const QString name = QInputDialog::getText(this, tr("Save as Template"),
                                               tr("Name of the template:"), QLineEdit::Normal,
                                               m_template->currentData().toString());
    if (name.isNull())
        return; // cancelled
    QString error;
    if (!m_templates.save(name, m_payload->toPlainText().toUtf8(), &error)) {
        m_payloadMessage->setError(error);
        return;
    }
    fillTemplates(name.trimmed());
}

void CommandSender::deleteTemplate()
{
    m_templates.remove(m_template->currentData().toString());
    fillTemplates(QString());
}

void CommandSender::send()
{
    const CommandTarget target = this->target();
    if (!target.problem().isEmpty())
        return;
    sendCommand(target, m_payload->toPlainText().toUtf8(), quint8(m_qos->currentData().toUInt()));
}

void CommandSender::sendSelectedAgain()
{
    if (const CommandHistoryModel::Send *previous = m_history->sendAt(m_historyView->currentIndex()))
        sendCommand(previous->target, previous->payload, previous->qos);
}

void CommandSender::sendCommand(const CommandTarget &target, const QByteArray &payload, quint8 qos)
{
    const broker::Catalog &catalog = m_catalog();
    const QString registryId = target.senderRegistry(catalog);
    const std::optional<ConsoleIdentity> registry = ConsoleIdentity::find(catalog, registryId);
    const quint64 serial = m_history->addSend(target, registryId, payload, qos,
                                              QDateTime::currentDateTime());
    m_historyView->setCurrentIndex(m_history->index(0, 0));
    if (!registry) {
        m_history->setStatus(serial, tr("not sent: %1 is not in the catalog").arg(target.entityId), true);
        return;
    }
    MqttClient &client = m_connections.clientFor(*registry);
    follow(client, registryId);
    // Subscribed before the PUBLISH on the same connection, so no reply can come too early.
    client.subscribe(target.replyFilter(), 1);
    m_history->setStatus(serial, tr("connecting as registry…"));
    m_connections.whenConnected(
        *registry,
        [this, serial, registryId, topic = target.topic(), payload, qos](MqttClient &connected) {
            const qint32 id = connected.publish(topic, payload, qos);
            if (id < 0) {
                m_history->setStatus(serial, tr("not sent: the connection was lost"), true);
                return;
            }
            if (qos == 0) {
                m_history->setStatus(serial, tr("sent (QoS 0)"));
                return;
            }
            m_awaitingAck[registryId].insert(id, serial);
            m_history->setStatus(serial, tr("sent, waiting for PUBACK"));
        },
        [this, serial](const QString &reason) {
            m_history->setStatus(serial, tr("not sent: %1").arg(reason), true);
        });
}

void CommandSender::follow(MqttClient &client, const QString &registryId)
{
    if (m_followed.contains(registryId))
        return;
    m_followed.insert(registryId);
    connect(&client, &MqttClient::messageAcknowledged, this, [this, registryId](qint32 id) {
        if (const quint64 serial = m_awaitingAck[registryId].take(id))
            m_history->setStatus(serial, tr("acknowledged (PUBACK)"));
    });
    connect(&client, &MqttClient::messageReceived, this,
            [this, registryId](const app::MqttMessage &message) {
                m_history->addReply(registryId, message.topic(), message.payload(),
                                    QDateTime::currentDateTime());
            });
    connect(&client, &MqttClient::disconnected, this, [this, registryId](const QString &reason) {
        // A clean session: what was not acknowledged is gone with the connection.
        const QHash<qint32, quint64> lost = std::exchange(m_awaitingAck[registryId], {});
        for (const quint64 serial : lost)
            m_history->setStatus(serial, tr("not acknowledged: %1").arg(reason), true);
    });
}

} // namespace iotcore::ui
