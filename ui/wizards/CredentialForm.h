#pragma once

// How a registry or device logs in (IOT_CORE.md, "Passwords" and "Certificates"): a generated
// password shown once with a copy button, a typed one checked for strength as it is typed, a
// certificate issued by the workspace's CA, or an existing certificate from a PEM file (its
// fingerprint shown, or why it cannot be used).

#include "iot/CatalogTypes.h"

#include <QWidget>

#include <optional>
#include <string>

class QButtonGroup;
class QCheckBox;
class QLineEdit;
class QPushButton;
class QStackedWidget;

namespace iotcore::ui {

class FieldMessage;

class CredentialForm : public QWidget
{
    Q_OBJECT

public:
    enum class Choice { GeneratedPassword, TypedPassword, IssuedCertificate, CertificateFile };

    // Object names for tests: the choices "generatedPassword", "typedPassword",
    // "issuedCertificate", "certificateFile"; the fields "generated", "copy", "password",
    // "certificatePath".
    explicit CredentialForm(QWidget *parent = nullptr);

    Choice choice() const;
    void setChoice(Choice choice);
    bool isValid() const;

    // The generated or typed password.
    std::string password() const;
    // The certificate of the chosen file, when it could be read.
    const std::optional<broker::Certificate> &fileCertificate() const { return m_fileCertificate; }

signals:
    void changed();

private:
    void generate();
    void validate();
    void browse();

    QButtonGroup *m_choices;
    QStackedWidget *m_details;
    QLineEdit *m_generated;
    QPushButton *m_copy;
    QLineEdit *m_typed;
    QCheckBox *m_show;
    FieldMessage *m_typedMessage;
    QLineEdit *m_path;
    FieldMessage *m_pathMessage;
    std::optional<broker::Certificate> m_fileCertificate;
};

} // namespace iotcore::ui
