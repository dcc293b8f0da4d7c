// The external broker's tab and the profile dialog, driven with QTest: the view connects to
// Debian's mosquitto, says so in its status line, publishes from its bar and shows the message
// in its log and topic tree; the dialog validates as you type, refuses duplicate names, saves to
// QSettings (the password only when remembered) and hands the chosen profile over on Connect.
// Set EXTERNAL_GRAB_DIR to keep pictures of both at projector sizes for a look.

#include "MosquittoProcess.h"

#include "external/ConnectionProfileDialog.h"
#include "external/ConnectionProfileForm.h"
#include "external/ExternalBrokerFeed.h"
#include "external/ExternalBrokerView.h"
#include "external/ExternalPublishBar.h"
#include "external/ProfileSettings.h"
#include "messages/MessageLogModel.h"
#include "messages/MessageLogView.h"
#include "messages/MessageStore.h"
#include "messages/TopicTreeView.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace iotcore::ui;
using iotcore::ui::test::MosquittoProcess;
using Field = ConnectionProfile::Field;

namespace {

void grab(QWidget &widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("EXTERNAL_GRAB_DIR");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    QVERIFY(widget.grab().save(QDir(dir).filePath(name)));
}

void retype(QLineEdit *edit, const QString &text)
{
    edit->selectAll();
    QTest::keyClick(edit, Qt::Key_Backspace);
    QTest::keyClicks(edit, text);
}

} // namespace

class tst_ExternalBrokerView : public QObject
{
    Q_OBJECT

private slots:
    void viewShowsTrafficAndPublishes();
    void publishBarChecksTheTopic();
    void dialogValidatesAsYouType();
    void dialogSavesAndConnects();
    void dialogDeletesProfiles();

private:
    QTemporaryDir m_dir;
};

void tst_ExternalBrokerView::viewShowsTrafficAndPublishes()
{
    if (MosquittoProcess::executable().isEmpty())
        QSKIP("Debian's mosquitto is not installed (apt-get install mosquitto)");
    MosquittoProcess broker;
    QVERIFY2(broker.start(), qPrintable(broker.error()));
    ConnectionProfile profile;
    profile.name = QStringLiteral("Plant mosquitto");
    profile.host = QStringLiteral("127.0.0.1");
    profile.port = broker.port();
    profile.filters = {{QStringLiteral("plant/#"), 1}};

    ExternalBrokerView view(profile);
    view.resize(1366, 768);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QString connected = QStringLiteral("Connected to 127.0.0.1:%1 · 1 of 1 subscriptions")
                                  .arg(broker.port());
    QTRY_VERIFY2(view.statusText().startsWith(connected), qPrintable(view.statusText()));

    ExternalPublishBar *bar = view.publishBar();
    QTest::keyClicks(bar->topicEdit(), QStringLiteral("plant/boiler/telemetry"));
    for (int i = 0; i < 3; ++i) {
        retype(bar->payloadEdit(), QStringLiteral("{\"temperature\": %1, \"pressure\": 1.%2}")
                                       .arg(60 + i).arg(i));
        QVERIFY(bar->publishButton()->isEnabled());
        QTest::mouseClick(bar->publishButton(), Qt::LeftButton);
        QVERIFY2(bar->message().startsWith(QStringLiteral("Sent to plant/boiler/telemetry")),
                 qPrintable(bar->message()));
    }
    QTRY_COMPARE(view.log()->model()->rowCount(), 3);
    QCOMPARE(view.store().topic(view.store().record(view.store().firstSeq())),
             std::string_view("plant/boiler/telemetry"));
    QVERIFY(view.topics()->selectTopic(QStringLiteral("plant/boiler/telemetry")));
    QTRY_VERIFY2(view.statusText().contains(QStringLiteral("messages/s")), qPrintable(view.statusText()));
    grab(view, QStringLiteral("external-view-1366x768.png"));

    // Disconnect and connect again from the status line's button.
    auto *connectButton = view.findChild<QPushButton *>(QString(), Qt::FindDirectChildrenOnly);
    QVERIFY(connectButton);
    QCOMPARE(connectButton->text(), QStringLiteral("Disconnect"));
    QTest::mouseClick(connectButton, Qt::LeftButton);
    QCOMPARE(view.feed().status(), ExternalBrokerFeed::Status::Disconnected);
    QVERIFY(view.statusText().startsWith(QStringLiteral("Disconnected from mqtt://127.0.0.1")));
    QVERIFY(!bar->publishButton()->isEnabled());
    QTest::mouseClick(connectButton, Qt::LeftButton);
    QTRY_VERIFY2(view.statusText().startsWith(connected), qPrintable(view.statusText()));
}

void tst_ExternalBrokerView::publishBarChecksTheTopic()
{
    ConnectionProfile profile;
    profile.name = QStringLiteral("nowhere");
    profile.host = QStringLiteral("127.0.0.1");
    profile.port = MosquittoProcess::freePort();
    ExternalBrokerView view(profile);
    QTRY_VERIFY2(view.statusText().startsWith(QStringLiteral("Cannot reach mqtt://127.0.0.1:")),
                 qPrintable(view.statusText()));
    ExternalPublishBar *bar = view.publishBar();
    QTest::keyClicks(bar->topicEdit(), QStringLiteral("plant/+/x"));
    QVERIFY2(bar->message().startsWith(QStringLiteral("Topic:")), qPrintable(bar->message()));
    QVERIFY(!bar->publishButton()->isEnabled());
    retype(bar->topicEdit(), QStringLiteral("plant/x"));
    QVERIFY(bar->message().isEmpty());
    QVERIFY(!bar->publishButton()->isEnabled()); // still not connected
    view.resize(1366, 768);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    grab(view, QStringLiteral("external-view-unreachable.png"));
}

void tst_ExternalBrokerView::dialogValidatesAsYouType()
{
    QSettings settings(m_dir.filePath(QStringLiteral("validate.ini")), QSettings::IniFormat);
    ConnectionProfileDialog dialog(settings);
    ConnectionProfileForm *form = dialog.form();
    QCOMPARE(dialog.profileList()->count(), 1); // a new profile to fill in
    QVERIFY(form->isValid());

    retype(form->hostEdit(), QStringLiteral("mqtt://broker"));
    QVERIFY(form->problem(Field::Host).contains(QStringLiteral("host alone")));
    QVERIFY(!dialog.connectButton()->isEnabled());
    QVERIFY(dialog.stateText().contains(QStringLiteral("host alone")));
    retype(form->hostEdit(), QStringLiteral("broker.example.com"));
    QVERIFY(form->problem(Field::Host).isEmpty());

    QTest::keyClicks(form->passwordEdit(), QStringLiteral("secret"));
    QVERIFY(form->problem(Field::Password).contains(QStringLiteral("user name")));
    QTest::keyClicks(form->usernameEdit(), QStringLiteral("operator"));
    QVERIFY(form->problem(Field::Password).isEmpty());

    // Choosing TLS moves a default port along and shows the TLS files.
    QCOMPARE(form->portBox()->value(), 1883);
    form->transportBox()->setCurrentIndex(form->transportBox()->findData(int(ConnectionProfile::Transport::Tls)));
    QCOMPARE(form->portBox()->value(), 8883);
    retype(form->caFileEdit(), m_dir.filePath(QStringLiteral("no-such-ca.pem")));
    QVERIFY(form->problem(Field::CaFile).contains(QStringLiteral("does not exist")));
    form->caFileEdit()->clear();

    form->filterTable()->item(0, 0)->setText(QStringLiteral("a/#/b"));
    QVERIFY(form->problem(Field::Filters).contains(QStringLiteral("\"a/#/b\"")));
    form->filterTable()->item(0, 0)->setText(QStringLiteral("a/#"));
    QVERIFY(form->isValid());
    QVERIFY(dialog.connectButton()->isEnabled());

    form->resize(640, form->sizeHint().height());
    dialog.resize(1000, 720);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    grab(dialog, QStringLiteral("external-profile-dialog.png"));
}

void tst_ExternalBrokerView::dialogSavesAndConnects()
{
    const QString path = m_dir.filePath(QStringLiteral("save.ini"));
    {
        QSettings settings(path, QSettings::IniFormat);
        ConnectionProfileDialog dialog(settings);
        ConnectionProfileForm *form = dialog.form();
        retype(form->nameEdit(), QStringLiteral("Plant"));
        retype(form->hostEdit(), QStringLiteral("plant.local"));
        QTest::keyClicks(form->usernameEdit(), QStringLiteral("operator"));
        QTest::keyClicks(form->passwordEdit(), QStringLiteral("Not-Remembered-1"));
        QVERIFY(dialog.stateText().contains(QStringLiteral("Unsaved")));
        QVERIFY(dialog.saveButton()->isEnabled());

        dialog.newProfile();
        QCOMPARE(dialog.profileList()->count(), 2);
        retype(form->nameEdit(), QStringLiteral("Plant"));
        QVERIFY(form->problem(Field::Name).contains(QStringLiteral("already called")));
        QVERIFY(!dialog.saveButton()->isEnabled());
        retype(form->nameEdit(), QStringLiteral("Cloud"));
        QTest::keyClicks(form->usernameEdit(), QStringLiteral("are1registry"));
        QTest::keyClicks(form->passwordEdit(), QStringLiteral("Remembered-Passw0rd"));
        QTest::mouseClick(form->rememberPasswordBox(), Qt::LeftButton);
        QVERIFY(form->rememberPasswordBox()->isChecked());

        QVERIFY(dialog.selectProfile(QStringLiteral("Plant")));
        QCOMPARE(form->hostEdit()->text(), QStringLiteral("plant.local"));
        QSignalSpy requested(&dialog, &ConnectionProfileDialog::connectRequested);
        QTest::mouseClick(dialog.connectButton(), Qt::LeftButton);
        QCOMPARE(requested.count(), 1);
        const auto chosen = requested.first().first().value<ConnectionProfile>();
        QCOMPARE(chosen.name, QStringLiteral("Plant"));
        QCOMPARE(chosen.password, QStringLiteral("Not-Remembered-1")); // for this connection
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
    }
    QSettings settings(path, QSettings::IniFormat);
    const QList<ConnectionProfile> saved = loadProfiles(settings);
    QCOMPARE(saved.size(), 2);
    QCOMPARE(saved.at(0).name, QStringLiteral("Plant"));
    QCOMPARE(saved.at(0).host, QStringLiteral("plant.local"));
    QVERIFY(saved.at(0).password.isEmpty());
    QCOMPARE(saved.at(1).name, QStringLiteral("Cloud"));
    QCOMPARE(saved.at(1).password, QStringLiteral("Remembered-Passw0rd"));
}

void tst_ExternalBrokerView::dialogDeletesProfiles()
{
    const QString path = m_dir.filePath(QStringLiteral("delete.ini"));
    ConnectionProfile first;
    first.name = QStringLiteral("First");
    first.host = QStringLiteral("one.local");
    ConnectionProfile second = first;
    second.name = QStringLiteral("Second");
    second.host = QStringLiteral("two.local");
    QSettings settings(path, QSettings::IniFormat);
    saveProfiles(settings, {first, second});

    ConnectionProfileDialog dialog(settings);
    QCOMPARE(dialog.profileList()->count(), 2);
    QVERIFY(!dialog.saveButton()->isEnabled()); // nothing changed yet
    QVERIFY(dialog.selectProfile(QStringLiteral("First")));
    QTest::mouseClick(dialog.deleteButton(), Qt::LeftButton);
    QCOMPARE(dialog.profileList()->count(), 1);
    QCOMPARE(dialog.form()->hostEdit()->text(), QStringLiteral("two.local"));
    QVERIFY(dialog.save());
    QCOMPARE(loadProfiles(settings), QList<ConnectionProfile>{second});
}

QTEST_MAIN(tst_ExternalBrokerView)
#include "tst_externalbrokerview.moc"
