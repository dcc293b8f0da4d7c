#include "ConnectionProfileDialog.h"

#include "ConnectionProfileForm.h"
#include "ProfileSettings.h"

#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QScrollArea>
#include <QSettings>
#include <QVBoxLayout>

namespace iotcore::ui {

ConnectionProfileDialog::ConnectionProfileDialog(QSettings &settings, QWidget *parent)
    : QDialog(parent)
    , m_settings(settings)
    , m_profiles(loadProfiles(settings))
    , m_list(new QListWidget(this))
    , m_form(new ConnectionProfileForm)
    , m_new(new QPushButton(tr("New"), this))
    , m_delete(new QPushButton(tr("Delete"), this))
    , m_save(new QPushButton(tr("Save"), this))
    , m_connect(new QPushButton(tr("Connect"), this))
    , m_state(new QLabel(this))
{
    setWindowTitle(tr("External brokers"));

    auto *listButtons = new QHBoxLayout;
    listButtons->addWidget(m_new);
    listButtons->addWidget(m_delete);
    auto *listColumn = new QVBoxLayout;
    listColumn->addWidget(new QLabel(tr("Saved profiles"), this));
    listColumn->addWidget(m_list, 1);
    listColumn->addLayout(listButtons);
    m_list->setMinimumWidth(180);

    auto *scroll = new QScrollArea(this);
    scroll->setWidget(m_form);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    auto *body = new QHBoxLayout;
    body->addLayout(listColumn);
    body->addWidget(scroll, 1);

    auto *buttons = new QDialogButtonBox(this);
    buttons->addButton(m_save, QDialogButtonBox::ApplyRole);
    buttons->addButton(m_connect, QDialogButtonBox::AcceptRole);
    buttons->addButton(QDialogButtonBox::Close);
    m_state->setTextFormat(Qt::PlainText);
    m_state->setWordWrap(true);
    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_state, 1);
    bottom->addWidget(buttons);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(body, 1);
    layout->addLayout(bottom);

    connect(m_new, &QPushButton::clicked, this, &ConnectionProfileDialog::newProfile);
    connect(m_delete, &QPushButton::clicked, this, &ConnectionProfileDialog::deleteCurrentProfile);
    connect(m_save, &QPushButton::clicked, this, &ConnectionProfileDialog::save);
    connect(m_connect, &QPushButton::clicked, this, &ConnectionProfileDialog::connectToCurrent);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_list, &QListWidget::currentRowChanged, this, &ConnectionProfileDialog::showCurrent);
    connect(m_form, &ConnectionProfileForm::changed, this, &ConnectionProfileDialog::onFormChanged);

    for (const ConnectionProfile &profile : std::as_const(m_profiles))
        m_list->addItem(profile.name);
    if (m_profiles.isEmpty())
        newProfile();
    else
        m_list->setCurrentRow(0);
    m_dirty = false;
    refreshState();
    resize(820, 640);
}

bool ConnectionProfileDialog::selectProfile(const QString &name)
{
    for (int row = 0; row < m_profiles.size(); ++row) {
        if (m_profiles.at(row).name == name) {
            m_list->setCurrentRow(row);
            return true;
        }
    }
    return false;
}

QString ConnectionProfileDialog::stateText() const
{
    return m_state->text();
}

void ConnectionProfileDialog::newProfile()
{
    ConnectionProfile profile;
    profile.host = QStringLiteral("localhost");
    // A name not taken yet, so that a new profile can be saved as it is.
    for (int n = 1; profile.name.isEmpty() || nameTakenProblem(-1, profile.name).size(); ++n)
        profile.name = n == 1 ? tr("New broker") : tr("New broker %1").arg(n);
    m_profiles.append(profile);
    m_list->addItem(profile.name);
    m_dirty = true;
    m_list->setCurrentRow(int(m_profiles.size()) - 1);
    showCurrent(); // the row may have been current already (the first item of an empty list)
    m_form->nameEdit()->setFocus();
    m_form->nameEdit()->selectAll();
}

void ConnectionProfileDialog::deleteCurrentProfile()
{
    const int row = m_list->currentRow();
    if (row < 0)
        return;
    m_profiles.removeAt(row);
    m_dirty = true;
    // The list moves its current row while the item is still there: show what is current after.
    delete m_list->takeItem(row);
    showCurrent();
}

bool ConnectionProfileDialog::save()
{
    refreshState();
    if (!m_save->isEnabled())
        return false;
    saveProfiles(m_settings, m_profiles);
    m_settings.sync();
    if (m_settings.status() != QSettings::NoError) {
        m_state->setText(tr("The profiles could not be written to %1.").arg(m_settings.fileName()));
        return false;
    }
    m_dirty = false;
    refreshState();
    return true;
}

void ConnectionProfileDialog::connectToCurrent()
{
    const int row = m_list->currentRow();
    if (row < 0 || !m_form->isValid() || !save())
        return;
    emit connectRequested(m_form->profile());
    accept();
}

void ConnectionProfileDialog::showCurrent()
{
    const int row = m_list->currentRow();
    const bool any = row >= 0 && row < m_profiles.size();
    m_form->setEnabled(any);
    m_delete->setEnabled(any);
    m_showing = true;
    m_form->setProfile(any ? m_profiles.at(row) : ConnectionProfile());
    m_form->setNameProblem(any ? nameTakenProblem(row, m_profiles.at(row).name) : QString());
    m_showing = false;
    refreshState();
}

void ConnectionProfileDialog::onFormChanged()
{
    const int row = m_list->currentRow();
    if (m_showing || row < 0 || row >= m_profiles.size())
        return;
    const ConnectionProfile edited = m_form->profile();
    if (edited == m_profiles.at(row))
        return;
    const bool renamed = edited.name != m_profiles.at(row).name;
    m_profiles[row] = edited;
    m_list->item(row)->setText(edited.name);
    m_dirty = true;
    if (renamed)
        m_form->setNameProblem(nameTakenProblem(row, edited.name)); // emits changed() again
    refreshState();
}

void ConnectionProfileDialog::refreshState()
{
    QString problem;
    for (int row = 0; row < m_profiles.size() && problem.isEmpty(); ++row) {
        const ConnectionProfile &profile = m_profiles.at(row);
        const QList<ConnectionProfile::Problem> problems = profile.validate();
        const QString taken = nameTakenProblem(row, profile.name);
        if (!problems.isEmpty() || !taken.isEmpty())
            problem = tr("Profile \"%1\": %2")
                          .arg(profile.name, problems.isEmpty() ? taken : problems.first().message);
    }
    m_save->setEnabled(problem.isEmpty() && m_dirty);
    m_connect->setEnabled(problem.isEmpty() && m_list->currentRow() >= 0);
    if (!problem.isEmpty())
        m_state->setText(problem);
    else
        m_state->setText(m_dirty ? tr("Unsaved changes.") : QString());
}

// Why `name` cannot be the name of the profile at `row` (-1: a new one), or "".
QString ConnectionProfileDialog::nameTakenProblem(int row, const QString &name) const
{
    for (int other = 0; other < m_profiles.size(); ++other) {
        if (other != row && m_profiles.at(other).name == name)
            return tr("Another profile is already called \"%1\".").arg(name);
    }
    return {};
}

} // namespace iotcore::ui
