#pragma once

// The registry and device wizards: name, description and labels; credentials; a device's topic
// aliases; then the result, with a generated password shown once and, for a device, its
// connection bundle. The entity is created when the last input page is left, through the
// CatalogEditor (the catalog's rules, saved at once, undoable); a refusal keeps the wizard open
// and says why.

#include "iot/CatalogTypes.h"
#include "pki/CertificateAuthority.h"

#include <QWizard>

#include <optional>
#include <string>

class QLabel;
class QLineEdit;
class QPushButton;

namespace iotcore::app {
class EmbeddedBroker;
}

namespace iotcore::ui {

class CatalogEditor;
class CredentialForm;
class EntityFieldsForm;
class TopicAliasForm;

class EntityWizard : public QWizard
{
    Q_OBJECT

public:
    enum PageId { FieldsPage, CredentialsPage, AliasesPage, DonePage };

    // `kind`: Registry or Device. `broker` (may be null) gives the ports of the bundle.
    EntityWizard(broker::EntityKind kind, CatalogEditor &editor,
                 const app::EmbeddedBroker *broker = nullptr, QWidget *parent = nullptr);

    // A device wizard starts in this registry.
    void setRegistry(const QString &registryId);

    EntityFieldsForm *fieldsForm() const { return m_fields; }
    CredentialForm *credentialForm() const { return m_credential; }
    TopicAliasForm *aliasForm() const { return m_aliases; } // null for registries

    // The id the new entity gets (known from the start: a certificate's CN and "{id}" use it).
    const std::string &entityId() const { return m_id; }
    bool isCreated() const { return m_created; }
    // Why the last attempt to create was refused.
    const QString &lastError() const { return m_lastError; }

private:
    bool create();
    void showResult();

    broker::EntityKind m_kind;
    CatalogEditor &m_editor;
    const app::EmbeddedBroker *m_broker;
    std::string m_id;
    bool m_created = false;
    QString m_lastError;
    std::optional<app::CertificateAndKey> m_issued;
    EntityFieldsForm *m_fields;
    CredentialForm *m_credential;
    TopicAliasForm *m_aliases = nullptr;
    QLabel *m_result;
    QLineEdit *m_password;
    QPushButton *m_copy;
    QPushButton *m_bundle;
};

} // namespace iotcore::ui
