// The command sender driven with QTest against a running broker: commands to a device (with a
// subtopic) and to a whole registry, config that IoT Core keeps, all sent as the owning registry;
// acknowledgements and the devices' replies listed under each send; the payload's JSON hint,
// topic checks, templates kept in QSettings, and the history of the last 50 sends.

#include "ConsoleBrokerFixture.h"

#include "client/MqttClient.h"
#include "console/CommandHistoryModel.h"
#include "console/CommandSender.h"
#include "console/CommandTarget.h"
#include "console/CommandTemplates.h"
#include "wizards/FieldMessage.h"

#include <QAbstractItemModelTester>
#include <QApplication>
#include <QComboBox>
#include <QInputDialog>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeView>

using namespace iotcore;
using namespace iotcore::ui;
using app::MqttClient;
using app::MqttMessage;
using app::MqttSubscription;
using broker::BrokerEvent;

// A device of the catalog as firmware would be: connected as itself, listening on its commands
// and config and its registry's commands, answering each command on its events topic.
class SimulatedDevice
{
public:
    SimulatedDevice(test::ConsoleBrokerFixture &broker, const std::string &id)
    {
        client.setUsername(QString::fromStdString(id));
        QObject::connect(&client, &MqttClient::messageReceived, [this](const MqttMessage &message) {
            received.append(message);
            if (message.topic().contains(QLatin1String("/commands")))
                client.publish(QStringLiteral("$me/device/events/answer"), "done: " + message.payload(), 1);
        });
        client.connectInProcess(broker.server(), broker.listeners().asserted);
    }

    bool listen(const QString &filter)
    {
        MqttSubscription *subscription = client.subscribe(filter, 1);
        return QTest::qWaitFor([&] { return subscription->state() == MqttSubscription::State::Subscribed; });
    }

    MqttClient client;
    QList<MqttMessage> received;
};

class tst_CommandSender : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void commandToADeviceGetsItsReply();
    void registryCommandReachesEveryDevice();
    void configIsKeptForTheDevice();
    void payloadSaysWhetherItIsJson();
    void badSubtopicCannotBeSent();
    void historyKeepsTheLastFiftyAndResends();
    void repliesCountOnlyWithinTheWindow();
    void templatesAreKeptInSettings();

private:
    QString sendStatus(int row) const;
    QPushButton *button(const char *name) const;

    QTemporaryDir m_settings;
    std::unique_ptr<test::ConsoleBrokerFixture> m_broker;
    std::unique_ptr<CommandSender> m_sender;
};

void tst_CommandSender::initTestCase()
{
    QVERIFY(m_settings.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("iotcore-studio-tests"));
    QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settings.path());
}

void tst_CommandSender::init()
{
    QSettings().clear();
    m_broker = std::make_unique<test::ConsoleBrokerFixture>();
    QVERIFY(m_broker->ready());
    m_sender = std::make_unique<CommandSender>(m_broker->server(), m_broker->listeners(),
                                               m_broker->lookup());
    m_sender->resize(1100, 700);
    m_sender->show();
}

void tst_CommandSender::cleanup()
{
    m_sender.reset();
    m_broker.reset();
}

QString tst_CommandSender::sendStatus(int row) const
{
    const CommandHistoryModel &history = m_sender->history();
    return history.data(history.index(row, CommandHistoryModel::StatusColumn)).toString();
}

QPushButton *tst_CommandSender::button(const char *name) const
{
    return m_sender->findChild<QPushButton *>(QLatin1String(name));
}

void tst_CommandSender::commandToADeviceGetsItsReply()
{
    const test::CatalogFixture &fixture = m_broker->catalog;
    SimulatedDevice boiler(*m_broker, fixture.boiler);
    QVERIFY(boiler.listen(QStringLiteral("$me/device/commands/#")));

    QVERIFY(m_sender->setTarget({CommandTarget::Kind::DeviceCommands,
                                 QString::fromStdString(fixture.boiler), QString()}));
    QTest::keyClicks(m_sender->findChild<QLineEdit *>(QStringLiteral("subtopic")), QStringLiteral("heat"));
    const QString topic = QStringLiteral("$devices/%1/commands/heat").arg(QString::fromStdString(fixture.boiler));
    QCOMPARE(m_sender->findChild<QLabel *>(QStringLiteral("topic"))->text(), topic);
    QCOMPARE(m_sender->findChild<FieldMessage *>(QStringLiteral("targetMessage"))->text(),
             QStringLiteral("Sent as registry home."));

    // The first template, chosen from the keyboard.
    auto *templates = m_sender->findChild<QComboBox *>(QStringLiteral("template"));
    QCOMPARE(templates->currentIndex(), -1);
    QTest::keyClick(templates, Qt::Key_Down);
    QCOMPARE(m_sender->findChild<QPlainTextEdit *>(QStringLiteral("payload"))->toPlainText(),
             QStringLiteral("{\"command\": \"ping\"}"));

    QTest::mouseClick(button("send"), Qt::LeftButton);
    QTRY_COMPARE(boiler.received.size(), 1);
    QCOMPARE(boiler.received.front().topic(), QStringLiteral("$me/device/commands/heat"));
    QCOMPARE(boiler.received.front().payload(), QByteArray("{\"command\": \"ping\"}"));

    // Published by the registry, as the broker saw it.
    const auto published = m_broker->events(BrokerEvent::Kind::Publish, [&](const BrokerEvent &e) {
        return e.topic == topic.toStdString();
    });
    QCOMPARE(published.size(), std::size_t(1));
    const auto connects = m_broker->events(BrokerEvent::Kind::Connect, [&](const BrokerEvent &e) {
        return e.clientId == published.front().clientId;
    });
    QCOMPARE(connects.size(), std::size_t(1));
    QCOMPARE(connects.front().identity, "registry " + fixture.home + " (asserted)");

    const CommandHistoryModel &history = m_sender->history();
    QTRY_COMPARE(history.rowCount(history.index(0, 0)), 1);
    const QModelIndex reply = history.index(0, CommandHistoryModel::TopicColumn, history.index(0, 0));
    QCOMPARE(reply.data().toString(),
             QStringLiteral("$devices/%1/events/answer").arg(QString::fromStdString(fixture.boiler)));
    QCOMPARE(history.index(0, CommandHistoryModel::PayloadColumn, history.index(0, 0)).data().toString(),
             QStringLiteral("done: {\"command\": \"ping\"}"));
    QTRY_COMPARE(sendStatus(0), QStringLiteral("acknowledged (PUBACK) · replies: 1"));
}

void tst_CommandSender::registryCommandReachesEveryDevice()
{
    const test::CatalogFixture &fixture = m_broker->catalog;
    SimulatedDevice boiler(*m_broker, fixture.boiler);
    SimulatedDevice lamp(*m_broker, fixture.lamp);
    QVERIFY(boiler.listen(QStringLiteral("$me/registry/commands")));
    QVERIFY(lamp.listen(QStringLiteral("$me/registry/commands")));

    QVERIFY(m_sender->setTarget({CommandTarget::Kind::RegistryCommands,
                                 QString::fromStdString(fixture.home), QString()}));
    m_sender->findChild<QPlainTextEdit *>(QStringLiteral("payload"))->setPlainText(QStringLiteral("all off"));
    QTest::mouseClick(button("send"), Qt::LeftButton);
    QTRY_COMPARE(boiler.received.size(), 1);
    QTRY_COMPARE(lamp.received.size(), 1);
    QCOMPARE(lamp.received.front().payload(), QByteArray("all off"));

    // Both devices answered the one command.
    const CommandHistoryModel &history = m_sender->history();
    QTRY_COMPARE(history.rowCount(history.index(0, 0)), 2);
}

void tst_CommandSender::configIsKeptForTheDevice()
{
    const test::CatalogFixture &fixture = m_broker->catalog;
    QVERIFY(m_sender->setTarget({CommandTarget::Kind::DeviceConfig,
                                 QString::fromStdString(fixture.lamp), QString()}));
    QVERIFY(m_sender->findChild<FieldMessage *>(QStringLiteral("targetMessage"))->text()
                .contains(QLatin1String("keeps the last config")));
    m_sender->findChild<QPlainTextEdit *>(QStringLiteral("payload"))->setPlainText(QStringLiteral("{\"setpoint\": 21}"));
    m_sender->send();
    QTRY_COMPARE(sendStatus(0), QStringLiteral("acknowledged (PUBACK)"));
    const std::string topic = "$devices/" + fixture.lamp + "/config";
    const auto published = m_broker->events(BrokerEvent::Kind::Publish, [&](const BrokerEvent &e) {
        return e.topic == topic;
    });
    QCOMPARE(published.size(), std::size_t(1));
    QVERIFY(published.front().kept);

    // The device, connecting later, gets it on subscribing to its config.
    SimulatedDevice lamp(*m_broker, fixture.lamp);
    QVERIFY(lamp.listen(QStringLiteral("$me/device/config")));
    QTRY_COMPARE(lamp.received.size(), 1);
    QCOMPARE(lamp.received.front().payload(), QByteArray("{\"setpoint\": 21}"));
    QVERIFY(lamp.received.front().retain());
}

void tst_CommandSender::payloadSaysWhetherItIsJson()
{
    auto *payload = m_sender->findChild<QPlainTextEdit *>(QStringLiteral("payload"));
    auto *message = m_sender->findChild<FieldMessage *>(QStringLiteral("payloadMessage"));
    QTest::keyClicks(payload, QStringLiteral("{\"setpoint\": "));
    QVERIFY(message->hasError());
    QVERIFY2(message->error().startsWith(QLatin1String("Not valid JSON: ")), qPrintable(message->error()));
    QVERIFY(button("send")->isEnabled()); // a hint, not a refusal: any bytes are a payload
    QTest::keyClicks(payload, QStringLiteral("21}"));
    QVERIFY(!message->hasError());
    QCOMPARE(message->text(), QStringLiteral("Valid JSON."));
    payload->setPlainText(QStringLiteral("reboot"));
    QCOMPARE(message->text(), QStringLiteral("Plain text, not JSON."));
}

void tst_CommandSender::badSubtopicCannotBeSent()
{
    auto *subtopic = m_sender->findChild<QLineEdit *>(QStringLiteral("subtopic"));
    auto *message = m_sender->findChild<FieldMessage *>(QStringLiteral("targetMessage"));
    QVERIFY(button("send")->isEnabled());
    QTest::keyClicks(subtopic, QStringLiteral("rooms/+"));
    QVERIFY(!button("send")->isEnabled());
    QVERIFY2(message->error().startsWith(QLatin1String("The topic contains the wildcard '+'")),
             qPrintable(message->error()));
    subtopic->setText(QString(1025, u'x'));
    QCOMPARE(message->error(), QStringLiteral("The subtopic is longer than 1024 characters."));
    subtopic->setText(QString(1024, u'x'));
    QVERIFY(button("send")->isEnabled());
}

void tst_CommandSender::historyKeepsTheLastFiftyAndResends()
{
    const test::CatalogFixture &fixture = m_broker->catalog;
    QVERIFY(m_sender->setTarget({CommandTarget::Kind::DeviceCommands,
                                 QString::fromStdString(fixture.lamp), QStringLiteral("step")}));
    auto *payload = m_sender->findChild<QPlainTextEdit *>(QStringLiteral("payload"));
    auto *qos = m_sender->findChild<QComboBox *>(QStringLiteral("qos"));
    qos->setCurrentIndex(qos->findData(0));
    for (int i = 1; i <= CommandHistoryModel::Capacity + 1; ++i) {
        payload->setPlainText(QString::number(i));
        m_sender->send();
    }
    CommandHistoryModel &history = m_sender->history();
    QAbstractItemModelTester tester(&history, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(history.rowCount(), CommandHistoryModel::Capacity);
    QCOMPARE(history.sendAt(history.index(0, 0))->payload, QByteArray("51"));
    QCOMPARE(history.sendAt(history.index(49, 0))->payload, QByteArray("2"));
    QTRY_COMPARE(m_broker->count(BrokerEvent::Kind::Publish,
                                 "$devices/" + fixture.lamp + "/commands/step"),
                 std::size_t(51));

    auto *view = m_sender->findChild<QTreeView *>(QStringLiteral("history"));
    view->setCurrentIndex(history.index(10, 0)); // "41"
    payload->setPlainText(QStringLiteral("not this"));
    QTest::mouseClick(button("sendAgain"), Qt::LeftButton);
    QCOMPARE(history.rowCount(), CommandHistoryModel::Capacity);
    QCOMPARE(history.sendAt(history.index(0, 0))->payload, QByteArray("41"));
    QCOMPARE(history.sendAt(history.index(0, 0))->target.subtopic, QStringLiteral("step"));
    QTRY_COMPARE(m_broker->events(BrokerEvent::Kind::Publish, [](const BrokerEvent &e) {
        return e.message && e.message->payload == "41";
    }).size(), std::size_t(2));
}

void tst_CommandSender::repliesCountOnlyWithinTheWindow()
{
    CommandHistoryModel history;
    QAbstractItemModelTester tester(&history, QAbstractItemModelTester::FailureReportingMode::QtTest);
    history.setReplyWindowSeconds(5);
    const QDateTime sent = QDateTime::currentDateTime();
    const CommandTarget boiler{CommandTarget::Kind::DeviceCommands, QStringLiteral("are-boiler"), {}};
    const CommandTarget registry{CommandTarget::Kind::RegistryCommands, QStringLiteral("are-home"), {}};
    history.addSend(boiler, QStringLiteral("are-home"), "ping", 1, sent);
    QVERIFY(history.addReply(QStringLiteral("are-home"), QStringLiteral("$devices/are-boiler/state"),
                             "ok", sent.addMSecs(4900)));
    QVERIFY(!history.addReply(QStringLiteral("are-home"), QStringLiteral("$devices/are-boiler/events"),
                              "late", sent.addMSecs(5100)));
    QVERIFY(!history.addReply(QStringLiteral("are-home"), QStringLiteral("$devices/are-lamp/events"),
                              "another device", sent.addMSecs(100)));
    QVERIFY(!history.addReply(QStringLiteral("are-home"), QStringLiteral("$devices/are-boiler/commands"),
                              "not a reply", sent.addMSecs(100)));
    QCOMPARE(history.rowCount(history.index(0, 0)), 1);

    // A newer registry-wide command takes the replies of all its devices.
    history.addSend(registry, QStringLiteral("are-home"), "all", 1, sent.addSecs(1));
    QVERIFY(history.addReply(QStringLiteral("are-home"), QStringLiteral("$devices/are-lamp/events"),
                             "lamp", sent.addSecs(2)));
    QVERIFY(history.addReply(QStringLiteral("are-home"), QStringLiteral("$devices/are-boiler/events"),
                             "boiler", sent.addSecs(2)));
    QVERIFY(!history.addReply(QStringLiteral("are-office"), QStringLiteral("$devices/are-boiler/events"),
                              "another registry's", sent.addSecs(2)));
    QCOMPARE(history.rowCount(history.index(0, 0)), 2);
    QCOMPARE(history.rowCount(history.index(1, 0)), 1);
    QCOMPARE(history.index(0, CommandHistoryModel::TimeColumn, history.index(0, 0)).data().toString(),
             QStringLiteral("+1.0 s"));
}

void tst_CommandSender::templatesAreKeptInSettings()
{
    auto *payload = m_sender->findChild<QPlainTextEdit *>(QStringLiteral("payload"));
    payload->setPlainText(QStringLiteral("{\"heating\": true}"));
    QTimer::singleShot(0, this, [] {
        auto *dialog = qobject_cast<QInputDialog *>(QApplication::activeModalWidget());
        QVERIFY(dialog);
        dialog->setTextValue(QStringLiteral("heating on"));
        dialog->accept();
    });
    QTest::mouseClick(button("saveTemplate"), Qt::LeftButton);
    auto *templates = m_sender->findChild<QComboBox *>(QStringLiteral("template"));
    QCOMPARE(templates->currentText(), QStringLiteral("heating on (mine)"));
    QVERIFY(button("deleteTemplate")->isEnabled());

    // Read back by another instance, as on the next start.
    CommandTemplates reread;
    const CommandTemplates::Template *saved = reread.find(QStringLiteral("heating on"));
    QVERIFY(saved);
    QCOMPARE(saved->payload, QByteArray("{\"heating\": true}"));
    QCOMPARE(reread.all().size(), 4);
    QString error;
    QVERIFY(!reread.save(QStringLiteral("ping"), "x", &error));
    QCOMPARE(error, QStringLiteral("\"ping\" is a built-in template; choose another name."));
    QVERIFY(!reread.save(QStringLiteral("  "), "x", &error));

    QTest::mouseClick(button("deleteTemplate"), Qt::LeftButton);
    QVERIFY(!CommandTemplates().find(QStringLiteral("heating on")));
    QCOMPARE(templates->count(), 3);
}

QTEST_MAIN(tst_CommandSender)
#include "tst_commandsender.moc"
