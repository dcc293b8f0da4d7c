#include "EntityWizard.h"

#include "BundleExport.h"
#include "CredentialForm.h"
#include "EntityFieldsForm.h"
#include "FieldMessage.h"
#include "TopicAliasForm.h"

#include "iot/Catalog.h"
#include "workspace/CatalogEditor.h"
#include "workspace/Credentials.h"
#include "workspace/EntityIcons.h"

#include <QClipboard>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <functional>

namespace iotcore::ui {

using namespace iotcore::broker;

// A page whose completeness and leaving are decided by the wizard.
class EntityWizardPage : public QWizardPage
{
public:
    EntityWizardPage(const QString &title, const QString &subtitle, QWidget *content)
    {
        setTitle(title);
        setSubTitle(subtitle);
        auto *layout = new QVBoxLayout(this);
        layout->addWidget(content);
        m_message = new FieldMessage;
        layout->addWidget(m_message);
        layout->addStretch();
    }

    std::function<bool()> complete;
    std::function<bool()> leave;

    void updateComplete() { emit completeChanged(); }
    void showError(const QString &error) { m_message->setError(error); }

    bool isComplete() const override { return complete ? complete() : true; }
    bool validatePage() override { return leave ? leave() : true; }

private:
    FieldMessage *m_message;
};

EntityWizard::EntityWizard(EntityKind kind, CatalogEditor &editor, const app::EmbeddedBroker *broker,
                           QWidget *parent)
    : QWizard(parent)
    , m_kind(kind)
    , m_editor(editor)
    , m_broker(broker)
    , m_id(Catalog::randomEntityId())
    , m_fields(new EntityFieldsForm(editor.workspace(), kind))
    , m_credential(new CredentialForm)
    , m_result(new QLabel)
    , m_password(new QLineEdit)
    , m_copy(new QPushButton(tr("&Copy password")))
    , m_bundle(new QPushButton(tr("Save connection &bundle…")))
{
    const bool device = kind == EntityKind::Device;
    setWindowTitle(device ? tr("New device") : tr("New registry"));
    setWindowIcon(entityIcon(kind));
    setWizardStyle(QWizard::ModernStyle);
    setOption(QWizard::NoBackButtonOnLastPage);
    setOption(QWizard::NoCancelButtonOnLastPage);
    setMinimumSize(640, 520);

    const QString what = device ? tr("device") : tr("registry");
    auto *fieldsPage = new EntityWizardPage(
        device ? tr("Device") : tr("Registry"),
        device ? tr("The device's registry, its name and what it is. The id is %1.")
                     .arg(QString::fromStdString(m_id))
               : tr("A registry groups devices; back-ends log in as the registry to read their "
                    "events and send them commands. The id is %1.")
                     .arg(QString::fromStdString(m_id)),
        m_fields);
    fieldsPage->complete = [this] { return m_fields->isValid(); };
    connect(m_fields, &EntityFieldsForm::changed, fieldsPage, &EntityWizardPage::updateComplete);
    setPage(FieldsPage, fieldsPage);

    auto *credentialsPage = new EntityWizardPage(
        tr("Credentials"),
        tr("How the %1 logs in: the MQTT username is its id, with a password or a client "
           "certificate (TLS). More can be added later.").arg(what),
        m_credential);
    credentialsPage->complete = [this] { return m_credential->isValid(); };
    connect(m_credential, &CredentialForm::changed, credentialsPage, &EntityWizardPage::updateComplete);
    setPage(CredentialsPage, credentialsPage);

    EntityWizardPage *lastInput = credentialsPage;
    if (device) {
        m_aliases = new TopicAliasForm(editor.workspace());
        auto *aliasesPage = new EntityWizardPage(
            tr("Topic aliases"),
            tr("Optional: short names for the device's topics, such as home/kitchen/temperature "
               "for $devices/%1/events/temperature.").arg(QString::fromStdString(m_id)),
            m_aliases);
        // An alias typed but not added would be lost silently: it must be added or cleared.
        aliasesPage->complete = [this] { return m_aliases->entryError().isEmpty(); };
        connect(m_aliases, &TopicAliasForm::changed, aliasesPage, &EntityWizardPage::updateComplete);
        connect(m_fields, &EntityFieldsForm::changed, this, [this] {
            m_aliases->setDevice(m_fields->registryId(), m_id, m_aliases->aliases());
        });
        m_aliases->setDevice(m_fields->registryId(), m_id);
        setPage(AliasesPage, aliasesPage);
        lastInput = aliasesPage;
    }
    lastInput->leave = [this, lastInput] {
        if (m_created)
            return true;
        const bool created = create();
        lastInput->showError(created ? QString() : m_lastError);
        if (created)
            showResult();
        return created;
    };

    auto *done = new QWidget;
    auto *doneLayout = new QVBoxLayout(done);
    doneLayout->setContentsMargins(0, 0, 0, 0);
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);
    doneLayout->addWidget(m_result);
    auto *passwordRow = new QHBoxLayout;
    m_password->setObjectName(QStringLiteral("shownPassword"));
    m_password->setReadOnly(true);
    m_password->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    passwordRow->addWidget(m_password, 1);
    passwordRow->addWidget(m_copy);
    doneLayout->addLayout(passwordRow);
    m_bundle->setObjectName(QStringLiteral("bundle"));
    auto *bundleNote = new QLabel(tr("The connection bundle holds the CA, the certificate and key if "
                                     "one was issued, and ready-to-run mosquitto and paho commands."));
    bundleNote->setWordWrap(true);
    bundleNote->setVisible(device);
    doneLayout->addSpacing(12);
    doneLayout->addWidget(bundleNote);
    doneLayout->addWidget(m_bundle, 0, Qt::AlignLeft);
    doneLayout->addStretch();
    m_bundle->setVisible(device);
    connect(m_copy, &QPushButton::clicked, this, [this] {
        QGuiApplication::clipboard()->setText(m_password->text());
        m_copy->setText(tr("Copied"));
    });
    connect(m_bundle, &QPushButton::clicked, this, [this] {
        exportConnectionBundle(this, m_editor.workspace(), m_broker, m_id, m_issued);
    });
    auto *donePage = new EntityWizardPage(device ? tr("Device created") : tr("Registry created"),
                                          {}, done);
    setPage(DonePage, donePage);
}

void EntityWizard::setRegistry(const QString &registryId)
{
    m_fields->setRegistry(registryId);
}

bool EntityWizard::create()
{
    QString error;
    std::vector<Certificate> certificates;
    std::vector<PasswordRecord> passwords;
    switch (m_credential->choice()) {
    case CredentialForm::Choice::GeneratedPassword:
    case CredentialForm::Choice::TypedPassword: {
        const std::optional<std::string> hash = app::hashPassword(
            m_credential->password(), m_editor.workspace().passwordIterations(), &error);
        if (!hash) {
            m_lastError = error;
            return false;
        }
        passwords.push_back(PasswordRecord{{}, *hash, {}});
        break;
    }
    case CredentialForm::Choice::IssuedCertificate: {
        std::optional<app::IssuedCertificate> issued
            = app::issueWorkspaceCertificate(m_editor.workspace().path(), m_id, &error);
        if (!issued) {
            m_lastError = error;
            return false;
        }
        certificates.push_back(issued->certificate);
        m_issued = issued->files;
        break;
    }
    case CredentialForm::Choice::CertificateFile:
        certificates.push_back(*m_credential->fileCertificate());
        break;
    }

    const QString name = QString::fromStdString(m_fields->name());
    bool applied = false;
    if (m_kind == EntityKind::Registry) {
        Registry draft;
        draft.id = m_id;
        draft.name = m_fields->name();
        draft.description = m_fields->description();
        draft.labels = m_fields->labels();
        draft.certificates = std::move(certificates);
        draft.passwords = std::move(passwords);
        applied = m_editor.apply(tr("Create registry %1").arg(name), [&draft](Catalog &catalog) {
            return catalog.createRegistry(draft).error;
        }, &error);
    } else {
        Device draft;
        draft.id = m_id;
        draft.registryId = m_fields->registryId();
        draft.name = m_fields->name();
        draft.description = m_fields->description();
        draft.labels = m_fields->labels();
        draft.topicAliases = m_aliases->aliases();
        draft.certificates = std::move(certificates);
        draft.passwords = std::move(passwords);
        applied = m_editor.apply(tr("Create device %1").arg(name), [&draft](Catalog &catalog) {
            return catalog.createDevice(draft).error;
        }, &error);
    }
    m_lastError = applied ? QString() : sentence(error.toStdString());
    m_created = applied;
    return applied;
}

void EntityWizard::showResult()
{
    const bool device = m_kind == EntityKind::Device;
    const QString name = QString::fromStdString(m_fields->name());
    const QString id = QString::fromStdString(m_id);
    QString text = device ? tr("Device %1 was created with id %2.").arg(name, id)
                          : tr("Registry %1 was created with id %2.").arg(name, id);
    const bool password = m_credential->choice() == CredentialForm::Choice::GeneratedPassword
        || m_credential->choice() == CredentialForm::Choice::TypedPassword;
    if (password) {
        text += u' ' + tr("It logs in with username %1 and this password, shown now for the last "
                          "time:").arg(id);
        m_password->setText(QString::fromStdString(m_credential->password()));
    } else if (m_issued) {
        text += u' ' + tr("Its certificate was issued by the workspace CA. The private key exists "
                          "only in this window: save the connection bundle to keep it.");
    } else {
        text += u' ' + tr("It logs in over TLS with its certificate.");
    }
    m_result->setText(text);
    m_password->setVisible(password);
    m_copy->setVisible(password);
}

} // namespace iotcore::ui
