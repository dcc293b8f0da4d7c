#pragma once

// Send a command or config as its registry (issue 6, "Commands and config"): to one device's
// commands or config topic, or to a whole registry's, with an optional subtopic; a payload
// editor that says whether the text is JSON; QoS 0 or 1; templates (built in and the user's);
// and the history of the last 50 sends, each resendable, with the device's replies listed under
// the command that asked for them.
//
// The console sends as the registry that owns the target, through the broker's asserting
// in-process listener (IdentityConnections), so the broker checks the publish exactly as it
// checks the registry's own. To see replies the registry subscribes to the target's events and
// state before it sends.

#include "CommandTemplates.h"
#include "ConsoleIdentity.h"
#include "IdentityConnections.h"

#include <QSet>
#include <QWidget>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QTreeView;

namespace iotcore::ui {

class CommandHistoryModel;
class FieldMessage;
struct CommandTarget;

class CommandSender : public QWidget
{
    Q_OBJECT

public:
    CommandSender(broker::BrokerServer &server, IdentityConnections::Listeners listeners,
                  CatalogLookup catalog, QWidget *parent = nullptr);

    CommandHistoryModel &history() { return *m_history; }
    // The target the form describes now.
    CommandTarget target() const;
    // Fills the form for `target` (a device or registry of the catalog). False when the catalog
    // has no such entity.
    bool setTarget(const CommandTarget &target);

public slots:
    // Reads the catalog's devices and registries again (after an edit).
    void refreshTargets();
    // Sends what the form holds (as the Send button does).
    void send();
    // Sends the selected history entry again.
    void sendSelectedAgain();

private:
    void sendCommand(const CommandTarget &target, const QByteArray &payload, quint8 qos);
    void follow(app::MqttClient &client, const QString &registryId);
    void fillTargetList();
    void checkForm();
    void checkPayload();
    void applyTemplate(int index);
    void fillTemplates(const QString &current);
    void saveTemplate();
    void deleteTemplate();

    IdentityConnections m_connections;
    CatalogLookup m_catalog;
    CommandTemplates m_templates;
    QSet<QString> m_followed; // registries whose clients report acks and replies here
    QHash<QString, QHash<qint32, quint64>> m_awaitingAck; // registry → message id → send serial

    QComboBox *m_kind;
    QComboBox *m_entity;
    QLineEdit *m_subtopic;
    QLabel *m_topic;
    FieldMessage *m_targetMessage;
    QComboBox *m_template;
    QPushButton *m_saveTemplate;
    QPushButton *m_deleteTemplate;
    QPlainTextEdit *m_payload;
    FieldMessage *m_payloadMessage;
    QComboBox *m_qos;
    QSpinBox *m_replyWindow;
    QPushButton *m_send;
    QTreeView *m_historyView;
    QPushButton *m_sendAgain;
    CommandHistoryModel *m_history;
};

} // namespace iotcore::ui
