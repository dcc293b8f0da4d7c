#pragma once

// Adds a password or a certificate to an existing registry, device or broker (at most 5 of each,
// the catalog's rule). An issued certificate's private key is saved at once (a device's with its
// connection bundle), since the workspace keeps only the certificate.

#include <QDialog>

#include <string>

class QDialogButtonBox;

namespace iotcore::app {
class EmbeddedBroker;
}

namespace iotcore::ui {

class CatalogEditor;
class CredentialForm;
class FieldMessage;

class CredentialDialog : public QDialog
{
    Q_OBJECT

public:
    CredentialDialog(CatalogEditor &editor, const std::string &entityId,
                     const app::EmbeddedBroker *broker, QWidget *parent = nullptr);

    CredentialForm *form() const { return m_form; }
    void accept() override;

private:
    CatalogEditor &m_editor;
    std::string m_id;
    const app::EmbeddedBroker *m_broker;
    CredentialForm *m_form;
    FieldMessage *m_message;
    QDialogButtonBox *m_buttons;
};

} // namespace iotcore::ui
