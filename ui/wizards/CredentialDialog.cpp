#include "CredentialDialog.h"

#include "BundleExport.h"
#include "CredentialForm.h"
#include "FieldMessage.h"

#include "iot/Catalog.h"
#include "workspace/CatalogEditor.h"
#include "workspace/Credentials.h"

#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QMessageBox>
#include <QPushButton>
#include <QVBoxLayout>

namespace iotcore::ui {

using namespace iotcore::broker;

namespace {


} // namespace

CredentialDialog::CredentialDialog(CatalogEditor &editor, const std::string &entityId,
                                   const app::EmbeddedBroker *broker, QWidget *parent)
    : QDialog(parent)
    , m_editor(editor)
    , m_id(entityId)
    , m_broker(broker)
    , m_form(new CredentialForm)
    , m_message(new FieldMessage)
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel))
{
    setWindowTitle(tr("Add a credential to %1").arg(QString::fromStdString(entityId)));
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_form);
    layout->addWidget(m_message);
    layout->addStretch();
    layout->addWidget(m_buttons);
    resize(560, 340);
    auto update = [this] { m_buttons->button(QDialogButtonBox::Ok)->setEnabled(m_form->isValid()); };
    connect(m_form, &CredentialForm::changed, this, update);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &CredentialDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &CredentialDialog::reject);
    update();
}

void CredentialDialog::accept()
{
    QString error;
    const std::string id = m_id;
    std::optional<app::IssuedCertificate> issued;
    app::Workspace::Edit change;
    QString description;
    switch (m_form->choice()) {
    case CredentialForm::Choice::GeneratedPassword:
    case CredentialForm::Choice::TypedPassword: {
        const std::optional<std::string> hash = app::hashPassword(
            m_form->password(), m_editor.workspace().passwordIterations(), &error);
        if (!hash)
            break;
        description = tr("Add a password to %1").arg(QString::fromStdString(id));
        change = [id, hash = *hash](Catalog &catalog) { return catalog.addPassword(id, hash).error; };
        break;
    }
    case CredentialForm::Choice::IssuedCertificate:
        issued = app::issueWorkspaceCertificate(m_editor.workspace().path(), id, &error);
        if (!issued)
            break;
        [[fallthrough]];
    case CredentialForm::Choice::CertificateFile: {
        const Certificate certificate = issued ? issued->certificate : *m_form->fileCertificate();
        description = tr("Add certificate %1").arg(QString::fromStdString(certificate.fingerprint));
        change = [id, certificate](Catalog &catalog) {
            return catalog.addCertificate(id, certificate).error;
        };
        break;
    }
    }
    if (!change || !m_editor.apply(description, change, &error)) {
        m_message->setError(sentence(error.toStdString()));
        return;
    }
    QDialog::accept();
    if (!issued)
        return;
    if (m_editor.catalog().device(id)) {
        exportConnectionBundle(parentWidget(), m_editor.workspace(), m_broker, id, issued->files);
        return;
    }
    const QString directory = QFileDialog::getExistingDirectory(
        parentWidget(), tr("Save the certificate and its private key"), QDir::homePath());
    if (directory.isEmpty())
        return;
    const QString base = QDir(directory).filePath(QString::fromStdString(id));
    if (!app::writeCredentialFile(base + QStringLiteral(".pem"), issued->files.certificatePem,
                   QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup | QFile::ReadOther, &error)
        || !app::writeCredentialFile(base + QStringLiteral(".key"), issued->files.privateKeyPem,
                      QFile::ReadOwner | QFile::WriteOwner, &error)) {
        QMessageBox::warning(parentWidget(), windowTitle(), error);
    }
}

} // namespace iotcore::ui
