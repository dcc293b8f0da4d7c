#include "CredentialForm.h"

#include "FieldMessage.h"

#include "iot/CatalogRules.h"
#include "workspace/Credentials.h"

#include <QButtonGroup>
#include <QCheckBox>
#include <QClipboard>
#include <QFileDialog>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QStackedWidget>
#include <QVBoxLayout>

namespace iotcore::ui {

using namespace iotcore::broker;

namespace {

QLabel *note(const QString &text)
{
    auto *label = new QLabel(text);
    label->setWordWrap(true);
    return label;
}

} // namespace

CredentialForm::CredentialForm(QWidget *parent)
    : QWidget(parent)
    , m_choices(new QButtonGroup(this))
    , m_details(new QStackedWidget)
    , m_generated(new QLineEdit)
    , m_copy(new QPushButton(tr("&Copy")))
    , m_typed(new QLineEdit)
    , m_show(new QCheckBox(tr("S&how")))
    , m_typedMessage(new FieldMessage)
    , m_path(new QLineEdit)
    , m_pathMessage(new FieldMessage)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    const struct {
        Choice choice;
        const char *objectName;
        QString text;
    } choices[] = {
        {Choice::GeneratedPassword, "generatedPassword", tr("&Generate a password")},
        {Choice::TypedPassword, "typedPassword", tr("&Type a password")},
        {Choice::IssuedCertificate, "issuedCertificate", tr("&Issue a certificate from the workspace CA")},
        {Choice::CertificateFile, "certificateFile", tr("Add an existing certificate (&PEM file)")},
    };
    for (const auto &entry : choices) {
        auto *button = new QRadioButton(entry.text);
        button->setObjectName(QLatin1String(entry.objectName));
        m_choices->addButton(button, int(entry.choice));
        layout->addWidget(button);
    }
    layout->addSpacing(8);
    layout->addWidget(m_details);

    // Generated: shown once, here and on the last page, never stored.
    auto *generatedPage = new QWidget;
    auto *generatedLayout = new QVBoxLayout(generatedPage);
    generatedLayout->setContentsMargins(0, 0, 0, 0);
    auto *generatedRow = new QHBoxLayout;
    m_generated->setObjectName(QStringLiteral("generated"));
    m_generated->setReadOnly(true);
    m_generated->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_copy->setObjectName(QStringLiteral("copy"));
    auto *another = new QPushButton(tr("&New one"));
    generatedRow->addWidget(m_generated, 1);
    generatedRow->addWidget(m_copy);
    generatedRow->addWidget(another);
    generatedLayout->addLayout(generatedRow);
    generatedLayout->addWidget(note(tr("Copy it now: the workspace keeps only a hash of it, so it "
                                       "cannot be shown again.")));
    generatedLayout->addStretch();
    m_details->addWidget(generatedPage);

    auto *typedPage = new QWidget;
    auto *typedLayout = new QVBoxLayout(typedPage);
    typedLayout->setContentsMargins(0, 0, 0, 0);
    auto *typedRow = new QHBoxLayout;
    m_typed->setObjectName(QStringLiteral("password"));
    m_typed->setEchoMode(QLineEdit::Password);
    typedRow->addWidget(m_typed, 1);
    typedRow->addWidget(m_show);
    typedLayout->addLayout(typedRow);
    typedLayout->addWidget(m_typedMessage);
    typedLayout->addStretch();
    m_details->addWidget(typedPage);

    auto *issuedPage = new QWidget;
    auto *issuedLayout = new QVBoxLayout(issuedPage);
    issuedLayout->setContentsMargins(0, 0, 0, 0);
    issuedLayout->addWidget(note(tr("A key pair and a certificate with the id as its common name "
                                    "are made and signed by the workspace's CA. The workspace "
                                    "keeps only the certificate: save the connection bundle on "
                                    "the last page to keep the private key.")));
    issuedLayout->addStretch();
    m_details->addWidget(issuedPage);

    auto *filePage = new QWidget;
    auto *fileLayout = new QVBoxLayout(filePage);
    fileLayout->setContentsMargins(0, 0, 0, 0);
    auto *fileRow = new QHBoxLayout;
    m_path->setObjectName(QStringLiteral("certificatePath"));
    auto *browse = new QPushButton(tr("&Browse…"));
    fileRow->addWidget(m_path, 1);
    fileRow->addWidget(browse);
    fileLayout->addLayout(fileRow);
    fileLayout->addWidget(m_pathMessage);
    fileLayout->addStretch();
    m_details->addWidget(filePage);

    connect(m_choices, &QButtonGroup::idClicked, this, [this](int) { validate(); });
    connect(m_copy, &QPushButton::clicked, this, [this] {
        QGuiApplication::clipboard()->setText(m_generated->text());
        m_copy->setText(tr("Copied"));
    });
    connect(another, &QPushButton::clicked, this, &CredentialForm::generate);
    connect(m_typed, &QLineEdit::textChanged, this, &CredentialForm::validate);
    connect(m_show, &QCheckBox::toggled, this, [this](bool show) {
        m_typed->setEchoMode(show ? QLineEdit::Normal : QLineEdit::Password);
    });
    connect(browse, &QPushButton::clicked, this, &CredentialForm::browse);
    connect(m_path, &QLineEdit::textChanged, this, &CredentialForm::validate);

    generate();
    setChoice(Choice::GeneratedPassword);
}

CredentialForm::Choice CredentialForm::choice() const
{
    return Choice(m_choices->checkedId());
}

void CredentialForm::setChoice(Choice choice)
{
    m_choices->button(int(choice))->setChecked(true);
    validate();
}

bool CredentialForm::isValid() const
{
    switch (choice()) {
    case Choice::GeneratedPassword: return true;
    case Choice::TypedPassword: return !m_typed->text().isEmpty() && !m_typedMessage->hasError();
    case Choice::IssuedCertificate: return true;
    case Choice::CertificateFile: return m_fileCertificate.has_value();
    }
    return false;
}

std::string CredentialForm::password() const
{
    if (choice() == Choice::GeneratedPassword)
        return m_generated->text().toStdString();
    if (choice() == Choice::TypedPassword)
        return m_typed->text().toStdString();
    return {};
}

void CredentialForm::generate()
{
    m_generated->setText(QString::fromStdString(app::generatePassword()));
    m_copy->setText(tr("&Copy"));
}

void CredentialForm::browse()
{
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Certificate"), m_path->text(),
        tr("Certificates (*.pem *.crt *.cer *.der);;All files (*)"));
    if (!path.isEmpty())
        m_path->setText(path);
}

void CredentialForm::validate()
{
    m_details->setCurrentIndex(m_choices->checkedId());
    const std::string typed = m_typed->text().toStdString();
    const std::string weak = typed.empty() ? std::string() : rules::checkPasswordStrength(typed);
    m_typedMessage->setError(sentence(weak));
    m_typedMessage->setHint(!typed.empty() && weak.empty()
                                ? tr("Strong enough for IoT Core.")
                                : tr("At least 14 characters, with at least 3 of: lowercase "
                                     "letters, uppercase letters, digits, other characters."));
    m_fileCertificate.reset();
    QString fileError;
    if (!m_path->text().isEmpty())
        m_fileCertificate = app::readCertificateFile(m_path->text(), &fileError);
    m_pathMessage->setError(sentence(fileError.toStdString()));
    m_pathMessage->setHint(m_fileCertificate
                               ? tr("Fingerprint %1").arg(QString::fromStdString(m_fileCertificate->fingerprint))
                               : tr("A PEM or DER certificate without its private key."));
    emit changed();
}

} // namespace iotcore::ui
