#pragma once

// Creates, edits and deletes the saved connection profiles and connects with one. Edits are
// kept while the dialog is open and written to the settings by Save (or Connect, which saves
// and then asks for the chosen profile to be opened); Close leaves the settings as they were.

#include "ConnectionProfile.h"

#include <QDialog>
#include <QList>

class QDialogButtonBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSettings;

namespace iotcore::ui {

class ConnectionProfileForm;

class ConnectionProfileDialog : public QDialog
{
    Q_OBJECT

public:
    // `settings` must outlive the dialog.
    explicit ConnectionProfileDialog(QSettings &settings, QWidget *parent = nullptr);

    ConnectionProfileForm *form() const { return m_form; }
    QListWidget *profileList() const { return m_list; }
    QPushButton *saveButton() const { return m_save; }
    QPushButton *connectButton() const { return m_connect; }
    QPushButton *deleteButton() const { return m_delete; }
    // Why Save is off, or that there are unsaved changes; empty otherwise.
    QString stateText() const;

    // The profiles as edited (saved or not).
    const QList<ConnectionProfile> &profiles() const { return m_profiles; }
    // Selects the profile called `name`; false when there is none.
    bool selectProfile(const QString &name);

public slots:
    void newProfile();
    void deleteCurrentProfile();
    // Writes every profile to the settings; false (nothing written) while one has a problem.
    bool save();
    // Saves, then emits connectRequested() with the current profile and closes.
    void connectToCurrent();

signals:
    // With the password as typed, remembered or not.
    void connectRequested(const iotcore::ui::ConnectionProfile &profile);

private:
    void showCurrent();
    void onFormChanged();
    void refreshState();
    QString nameTakenProblem(int row, const QString &name) const;

    QSettings &m_settings;
    QList<ConnectionProfile> m_profiles;
    QListWidget *m_list;
    ConnectionProfileForm *m_form;
    QPushButton *m_new;
    QPushButton *m_delete;
    QPushButton *m_save;
    QPushButton *m_connect;
    QLabel *m_state;
    bool m_dirty = false;
    bool m_showing = false; // a profile is being put into the form: its changes are not edits
};

} // namespace iotcore::ui
