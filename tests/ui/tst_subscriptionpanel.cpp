// The subscription panel driven with QTest against a running broker: subscribing as a registry,
// a device, a broker or in open mode through the asserting in-process listener, with the IoT Core
// narrowing shown before and after, refusals shown with their reason, filters checked as they
// are typed, message counts, and unsubscribing; checked against what the broker recorded.

#include "ConsoleBrokerFixture.h"

#include "client/MqttClient.h"
#include "console/SubscriptionListModel.h"
#include "console/SubscriptionPanel.h"
#include "wizards/FieldMessage.h"

#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QTableView>
#include <QTest>

using namespace iotcore;
using namespace iotcore::ui;
using broker::BrokerEvent;
using app::MqttClient;

class tst_SubscriptionPanel : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void registryWildcardIsNarrowed();
    void refusedFilterSaysWhy();
    void malformedFilterCannotBeSubscribed();
    void openModeIsNotNarrowed();
    void brokerFilterStaysInItsSpace();
    void unsubscribeRemovesTheRow();

private:
    void choose(const QString &id);
    void type(const QString &filter);
    QString cell(int row, int column) const;
    std::unique_ptr<MqttClient> deviceClient(const std::string &id);

    std::unique_ptr<test::ConsoleBrokerFixture> m_broker;
    std::unique_ptr<SubscriptionPanel> m_panel;
};

void tst_SubscriptionPanel::init()
{
    m_broker = std::make_unique<test::ConsoleBrokerFixture>();
    QVERIFY(m_broker->ready());
    m_panel = std::make_unique<SubscriptionPanel>(m_broker->server(), m_broker->listeners(),
                                                  m_broker->lookup());
    m_panel->resize(1200, 400);
    m_panel->show();
}

void tst_SubscriptionPanel::cleanup()
{
    m_panel.reset();
    m_broker.reset();
}

void tst_SubscriptionPanel::choose(const QString &id)
{
    auto *identity = m_panel->findChild<QComboBox *>(QStringLiteral("identity"));
    const int index = identity->findData(id);
    QVERIFY2(index >= 0, qPrintable(id));
    identity->setCurrentIndex(index);
}

void tst_SubscriptionPanel::type(const QString &filter)
{
    auto *edit = m_panel->findChild<QLineEdit *>(QStringLiteral("filter"));
    edit->clear();
    QTest::keyClicks(edit, filter);
}

QString tst_SubscriptionPanel::cell(int row, int column) const
{
    const SubscriptionListModel &model = m_panel->subscriptions();
    return model.data(model.index(row, column)).toString();
}

// A device of the catalog, connected as itself through the asserting listener.
std::unique_ptr<MqttClient> tst_SubscriptionPanel::deviceClient(const std::string &id)
{
    auto client = std::make_unique<MqttClient>();
    client->setUsername(QString::fromStdString(id));
    client->connectInProcess(m_broker->server(), m_broker->listeners().asserted);
    return client;
}

void tst_SubscriptionPanel::registryWildcardIsNarrowed()
{
    const test::CatalogFixture &fixture = m_broker->catalog;
    choose(QString::fromStdString(fixture.home));
    type(QStringLiteral("$devices/#"));
    auto *message = m_panel->findChild<FieldMessage *>(QStringLiteral("filterMessage"));
    QVERIFY(!message->hasError());
    QVERIFY2(message->text().contains(QLatin1String("narrowed to $devices/+/events/#, "
                                                    "$devices/+/state/#")),
             qPrintable(message->text()));

    auto *qos = m_panel->findChild<QComboBox *>(QStringLiteral("qos"));
    qos->setCurrentIndex(qos->findData(2));
    QTest::mouseClick(m_panel->findChild<QPushButton *>(QStringLiteral("subscribe")), Qt::LeftButton);
    QCOMPARE(m_panel->subscriptions().rowCount(), 1);
    // IoT Core grants QoS 1 at most.
    QTRY_COMPARE(cell(0, SubscriptionListModel::StateColumn), QStringLiteral("granted QoS 1"));
    QVERIFY(cell(0, SubscriptionListModel::IotCoreColumn).startsWith(QLatin1String("narrowed to")));
    const auto subscribed = m_broker->events(BrokerEvent::Kind::Subscribe, [](const BrokerEvent &e) {
        return e.topic == "$devices/#";
    });
    QCOMPARE(subscribed.size(), std::size_t(1));
    QCOMPARE(subscribed.front().qos, 1);

    auto boiler = deviceClient(fixture.boiler);
    QTRY_COMPARE(boiler->state(), MqttClient::State::Connected);
    boiler->publish(QStringLiteral("$me/device/events/temperature"), "21.5", 1);
    boiler->publish(QStringLiteral("$me/device/state"), "{\"mode\":\"eco\"}", 1);
    QTRY_COMPARE(cell(0, SubscriptionListModel::MessagesColumn), QStringLiteral("2"));
    QCOMPARE(cell(0, SubscriptionListModel::LastMessageColumn),
             QStringLiteral("$devices/%1/state  {\"mode\":\"eco\"}")
                 .arg(QString::fromStdString(fixture.boiler)));
}

void tst_SubscriptionPanel::refusedFilterSaysWhy()
{
    const test::CatalogFixture &fixture = m_broker->catalog;
    choose(QString::fromStdString(fixture.boiler));
    const QString filter = QStringLiteral("$devices/%1/commands").arg(QString::fromStdString(fixture.lamp));
    type(filter);
    auto *message = m_panel->findChild<FieldMessage *>(QStringLiteral("filterMessage"));
    QVERIFY(message->text().startsWith(QLatin1String("IoT Core will refuse it")));
    // A filter IoT Core refuses is still sent, so that the broker's answer is seen.
    QVERIFY(m_panel->findChild<QPushButton *>(QStringLiteral("subscribe"))->isEnabled());
    QTest::keyClick(m_panel->findChild<QLineEdit *>(QStringLiteral("filter")), Qt::Key_Return);

    QTRY_COMPARE(cell(0, SubscriptionListModel::StateColumn), QStringLiteral("refused (SUBACK 0x80)"));
    QCOMPARE(cell(0, SubscriptionListModel::IotCoreColumn),
             QStringLiteral("A device reads only its own commands and config, its registry's "
                            "commands and config, and the monitoring of its registry's devices."));
    QTRY_COMPARE(m_broker->events(BrokerEvent::Kind::Subscribe, [&](const BrokerEvent &e) {
        return e.topic == filter.toStdString() && e.qos == 0x80;
    }).size(), std::size_t(1));
}

void tst_SubscriptionPanel::malformedFilterCannotBeSubscribed()
{
    type(QStringLiteral("sensors/#/temperature"));
    auto *message = m_panel->findChild<FieldMessage *>(QStringLiteral("filterMessage"));
    QVERIFY(message->hasError());
    QCOMPARE(message->error(), QStringLiteral("The filter has a '#' that is not the last character "
                                              "at byte 8 (MQTT-4.7.1-2)."));
    QVERIFY(!m_panel->findChild<QPushButton *>(QStringLiteral("subscribe"))->isEnabled());
    m_panel->subscribe();
    QCOMPARE(m_panel->subscriptions().rowCount(), 0);

    type(QStringLiteral("sensors/+/temperature"));
    QVERIFY(!message->hasError());
    QVERIFY(m_panel->findChild<QPushButton *>(QStringLiteral("subscribe"))->isEnabled());
}

void tst_SubscriptionPanel::openModeIsNotNarrowed()
{
    choose(QString());
    type(QStringLiteral("plain/#"));
    m_panel->subscribe();
    QTRY_COMPARE(cell(0, SubscriptionListModel::StateColumn), QStringLiteral("granted QoS 1"));
    QCOMPARE(cell(0, SubscriptionListModel::IotCoreColumn), QStringLiteral("open mode: all of MQTT 3.1.1"));

    MqttClient anonymous;
    anonymous.connectInProcess(m_broker->server(), m_broker->listeners().open);
    QTRY_COMPARE(anonymous.state(), MqttClient::State::Connected);
    anonymous.publish(QStringLiteral("plain/one"), "1");
    anonymous.publish(QStringLiteral("other/two"), "2");
    anonymous.publish(QStringLiteral("plain/three"), "3");
    QTRY_COMPARE(cell(0, SubscriptionListModel::MessagesColumn), QStringLiteral("2"));
    QCOMPARE(cell(0, SubscriptionListModel::LastMessageColumn), QStringLiteral("plain/three  3"));
}

void tst_SubscriptionPanel::brokerFilterStaysInItsSpace()
{
    choose(QString::fromStdString(m_broker->catalog.broker));
    type(QStringLiteral("line/+"));
    m_panel->subscribe();
    QTRY_COMPARE(cell(0, SubscriptionListModel::StateColumn), QStringLiteral("granted QoS 1"));
    QCOMPARE(cell(0, SubscriptionListModel::IotCoreColumn), QStringLiteral("as asked"));
    type(QStringLiteral("$devices/#"));
    m_panel->subscribe();
    QTRY_COMPARE(cell(1, SubscriptionListModel::StateColumn), QStringLiteral("refused (SUBACK 0x80)"));
    QCOMPARE(cell(1, SubscriptionListModel::IotCoreColumn),
             QStringLiteral("A broker's clients may use any topic that does not start with \"$\"."));
}

void tst_SubscriptionPanel::unsubscribeRemovesTheRow()
{
    const test::CatalogFixture &fixture = m_broker->catalog;
    choose(QString::fromStdString(fixture.home));
    type(QStringLiteral("$devices/+/events/#"));
    m_panel->subscribe();
    type(QStringLiteral("$registries/+/events"));
    m_panel->subscribe();
    QTRY_COMPARE(cell(0, SubscriptionListModel::StateColumn), QStringLiteral("granted QoS 1"));
    QTRY_COMPARE(cell(1, SubscriptionListModel::StateColumn), QStringLiteral("granted QoS 1"));

    auto *table = m_panel->findChild<QTableView *>(QStringLiteral("subscriptions"));
    table->selectRow(0);
    auto *unsubscribe = m_panel->findChild<QPushButton *>(QStringLiteral("unsubscribe"));
    QVERIFY(unsubscribe->isEnabled());
    QTest::mouseClick(unsubscribe, Qt::LeftButton);
    QCOMPARE(m_panel->subscriptions().rowCount(), 1);
    QCOMPARE(cell(0, SubscriptionListModel::FilterColumn), QStringLiteral("$registries/+/events"));
    QTRY_COMPARE(m_broker->count(BrokerEvent::Kind::Unsubscribe, "$devices/+/events/#"), std::size_t(1));

    // The broker no longer delivers the device's events to the console.
    auto boiler = deviceClient(fixture.boiler);
    QTRY_COMPARE(boiler->state(), MqttClient::State::Connected);
    boiler->publish(QStringLiteral("$me/device/events"), "after", 1);
    QTRY_COMPARE(m_broker->events(BrokerEvent::Kind::Publish, [](const BrokerEvent &e) {
        return e.message && e.message->payload == "after";
    }).size(), std::size_t(1));
    QCOMPARE(m_broker->events(BrokerEvent::Kind::Deliver, [](const BrokerEvent &e) {
        return e.message && e.message->payload == "after";
    }).size(), std::size_t(0));
}

QTEST_MAIN(tst_SubscriptionPanel)
#include "tst_subscriptionpanel.moc"
