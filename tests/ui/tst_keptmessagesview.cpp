// The kept messages view against a running broker: the state and config slots of a registry's
// devices and of the registry itself (subtopics each in their own slot), nothing of another
// registry, rows merged in place as slots change, and "clear", after which a device subscribing
// to that exact topic gets nothing while the other slots are still replayed.

#include "ConsoleBrokerFixture.h"

#include "client/MqttClient.h"
#include "console/KeptMessagesView.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QLabel>
#include <QPushButton>
#include <QSignalSpy>
#include <QTableView>
#include <QTest>

using namespace iotcore;
using namespace iotcore::ui;
using app::MqttClient;
using app::MqttMessage;
using app::MqttSubscription;

class tst_KeptMessagesView : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void listsTheRegistrysKeptMessages();
    void clearEmptiesTheSlot();

private:
    std::unique_ptr<MqttClient> connectAs(const std::string &id);
    QStringList topics() const;
    bool refreshed();

    std::unique_ptr<test::ConsoleBrokerFixture> m_broker;
    std::unique_ptr<KeptMessagesView> m_view;
};

void tst_KeptMessagesView::init()
{
    m_broker = std::make_unique<test::ConsoleBrokerFixture>();
    QVERIFY(m_broker->ready());
    m_view = std::make_unique<KeptMessagesView>(m_broker->server(), m_broker->lookup());
    m_view->resize(1000, 400);
}

void tst_KeptMessagesView::cleanup()
{
    m_view.reset();
    m_broker.reset();
}

std::unique_ptr<MqttClient> tst_KeptMessagesView::connectAs(const std::string &id)
{
    auto client = std::make_unique<MqttClient>();
    client->setUsername(QString::fromStdString(id));
    client->connectInProcess(m_broker->server(), m_broker->listeners().asserted);
    if (!QTest::qWaitFor([&] { return client->state() == MqttClient::State::Connected; }))
        return nullptr;
    return client;
}

QStringList tst_KeptMessagesView::topics() const
{
    QStringList topics;
    for (int row = 0; row < m_view->messages().rowCount(); ++row)
        topics.append(m_view->messages().at(row).topic);
    return topics;
}

bool tst_KeptMessagesView::refreshed()
{
    QSignalSpy answered(m_view.get(), &KeptMessagesView::refreshed);
    QTest::mouseClick(m_view->findChild<QPushButton *>(QStringLiteral("refresh")), Qt::LeftButton);
    return answered.wait(5000);
}

void tst_KeptMessagesView::listsTheRegistrysKeptMessages()
{
    const test::CatalogFixture &fixture = m_broker->catalog;
    const QString boiler = QString::fromStdString(fixture.boiler);
    const QString home = QString::fromStdString(fixture.home);
    QAbstractItemModelTester tester(&m_view->messages(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto device = connectAs(fixture.boiler);
    auto registry = connectAs(fixture.home);
    QVERIFY(device && registry);
    device->publish(QStringLiteral("$me/device/state"), "{\"mode\":\"eco\"}", 1);
    device->publish(QStringLiteral("$me/device/state/burner"), "on", 1);
    device->publish(QStringLiteral("$me/device/events"), "not kept", 1);
    registry->publish("$devices/" + boiler + "/config", "{\"setpoint\": 21}", 1);
    // A device reports its registry's state; an empty payload is kept like any other.
    device->publish("$registries/" + home + "/state", "", 1);

    QVERIFY(m_view->setRegistry(home));
    QTRY_VERIFY(refreshed() && topics().size() == 4);
    QCOMPARE(topics(), QStringList({"$devices/" + boiler + "/config",
                                    "$devices/" + boiler + "/state",
                                    "$devices/" + boiler + "/state/burner",
                                    "$registries/" + home + "/state"}));
    const KeptMessagesModel &model = m_view->messages();
    QCOMPARE(model.at(0).owner, QStringLiteral("device boiler"));
    QCOMPARE(model.at(0).payload, QByteArray("{\"setpoint\": 21}"));
    QCOMPARE(model.at(3).owner, QStringLiteral("registry home"));
    QCOMPARE(model.data(model.index(3, KeptMessagesModel::PayloadColumn)).toString(),
             QStringLiteral("(empty)"));
    QCOMPARE(m_view->findChild<QLabel *>(QStringLiteral("summary"))->text(),
             QStringLiteral("Kept messages in the state and config topics of the registry and its "
                            "devices: 4."));

    // A new state replaces its slot in place: the selected row stays selected.
    auto *table = m_view->findChild<QTableView *>(QStringLiteral("kept"));
    table->selectRow(1);
    device->publish(QStringLiteral("$me/device/state"), "{\"mode\":\"away\"}", 1);
    QTRY_VERIFY(refreshed() && model.at(1).payload == QByteArray("{\"mode\":\"away\"}"));
    QCOMPARE(table->selectionModel()->selectedRows().size(), 1);
    QCOMPARE(table->selectionModel()->selectedRows().front().row(), 1);

    // Another registry's view has none of them.
    QVERIFY(m_view->setRegistry(QString::fromStdString(fixture.office)));
    QVERIFY(refreshed());
    QCOMPARE(model.rowCount(), 0);
}

void tst_KeptMessagesView::clearEmptiesTheSlot()
{
    const test::CatalogFixture &fixture = m_broker->catalog;
    auto lamp = connectAs(fixture.lamp);
    QVERIFY(lamp);
    lamp->publish(QStringLiteral("$me/device/state"), "off", 1);
    lamp->publish(QStringLiteral("$me/device/state/bulb"), "ok", 1);
    QVERIFY(m_view->setRegistry(QString::fromStdString(fixture.home)));
    QTRY_VERIFY(refreshed() && topics().size() == 2);

    auto *table = m_view->findChild<QTableView *>(QStringLiteral("kept"));
    auto *clear = m_view->findChild<QPushButton *>(QStringLiteral("clear"));
    QVERIFY(!clear->isEnabled());
    table->selectRow(0); // $devices/<lamp>/state
    QVERIFY(clear->isEnabled());
    QTest::mouseClick(clear, Qt::LeftButton);
    // An answer to an earlier refresh may still arrive first: wait for the one after the clear.
    QTRY_COMPARE(topics(), QStringList{"$devices/" + QString::fromStdString(fixture.lamp) + "/state/bulb"});

    // The registry subscribing to both exact topics gets only the slot that is left.
    auto registry = connectAs(fixture.home);
    QVERIFY(registry);
    QList<MqttMessage> replayed;
    connect(registry.get(), &MqttClient::messageReceived,
            [&](const MqttMessage &message) { replayed.append(message); });
    const QString prefix = "$devices/" + QString::fromStdString(fixture.lamp);
    MqttSubscription *cleared = registry->subscribe(prefix + "/state", 1);
    MqttSubscription *kept = registry->subscribe(prefix + "/state/bulb", 1);
    QTRY_COMPARE(cleared->state(), MqttSubscription::State::Subscribed);
    QTRY_COMPARE(kept->state(), MqttSubscription::State::Subscribed);
    QTRY_COMPARE(replayed.size(), 1);
    QCOMPARE(replayed.front().topic(), prefix + "/state/bulb");
    QCOMPARE(replayed.front().payload(), QByteArray("ok"));
}

QTEST_MAIN(tst_KeptMessagesView)
#include "tst_keptmessagesview.moc"
