#pragma once

// The fields of one ConnectionProfile, each checked as it is typed with the reason shown under
// it. Rows that do not apply to the chosen transport (TLS files, the WebSocket path) are hidden.

#include "ConnectionProfile.h"

#include <QHash>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLineEdit;
class QSpinBox;
class QTableWidget;

namespace iotcore::ui {

class FieldMessage;

class ConnectionProfileForm : public QWidget
{
    Q_OBJECT

public:
    explicit ConnectionProfileForm(QWidget *parent = nullptr);

    void setProfile(const ConnectionProfile &profile);
    ConnectionProfile profile() const;
    // Whether the profile as typed has no problem (including the name problem below).
    bool isValid() const { return m_valid; }
    // A problem with the name that the profile alone cannot see (another profile has it).
    void setNameProblem(const QString &problem);

    QLineEdit *nameEdit() const { return m_name; }
    QComboBox *transportBox() const { return m_transport; }
    QLineEdit *hostEdit() const { return m_host; }
    QSpinBox *portBox() const { return m_port; }
    QLineEdit *usernameEdit() const { return m_username; }
    QLineEdit *passwordEdit() const { return m_password; }
    QCheckBox *rememberPasswordBox() const { return m_remember; }
    QLineEdit *caFileEdit() const { return m_caFile; }
    QTableWidget *filterTable() const { return m_filters; }
    // The message under `field` ("" when it is fine).
    QString problem(ConnectionProfile::Field field) const;

public slots:
    void addFilter(const QString &filter = {}, quint8 qos = 0);
    void removeSelectedFilters();

signals:
    void changed();

private:
    QLineEdit *fileEdit(QWidget **row);
    void onTransportChanged();
    void validate();

    QFormLayout *m_layout;
    QLineEdit *m_name;
    QComboBox *m_transport;
    QLineEdit *m_host;
    QSpinBox *m_port;
    QLineEdit *m_webSocketPath;
    // Each TLS file's path with its Browse… button; made by fileEdit() with the edits below.
    QWidget *m_caRow;
    QWidget *m_certificateRow;
    QWidget *m_keyRow;
    QLineEdit *m_caFile;
    QLineEdit *m_certificateFile;
    QLineEdit *m_keyFile;
    QLineEdit *m_username;
    QLineEdit *m_password;
    QCheckBox *m_remember;
    QLineEdit *m_clientId;
    QTableWidget *m_filters;
    QHash<ConnectionProfile::Field, FieldMessage *> m_messages;
    QString m_nameProblem;
    ConnectionProfile::Transport m_shownTransport = ConnectionProfile::Transport::Tcp;
    bool m_loading = false;
    bool m_valid = false;
};

} // namespace iotcore::ui
