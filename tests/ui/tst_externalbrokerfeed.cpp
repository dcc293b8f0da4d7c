// ExternalBrokerFeed against Debian's mosquitto started by the test: messages published by
// mosquitto_pub and by our MqttClient reach the store with their topic, payload, QoS and retain
// flag; wrong credentials are reported as refused and final; an unreachable broker is reported
// and tried again; a broker that comes back is reconnected to and subscribed to again.

#include "MosquittoProcess.h"

#include "external/ExternalBrokerFeed.h"
#include "messages/MessageStore.h"

#include "client/MqttClient.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTest>

using namespace iotcore;
using namespace iotcore::ui;
using iotcore::ui::test::MosquittoProcess;
using Status = ExternalBrokerFeed::Status;

namespace {

ConnectionProfile profileFor(quint16 port, QList<ProfileFilter> filters)
{
    ConnectionProfile profile;
    profile.name = QStringLiteral("test mosquitto");
    profile.host = QStringLiteral("127.0.0.1");
    profile.port = port;
    profile.filters = std::move(filters);
    return profile;
}

// The store's record on `topic` (the latest), or null.
const LogRecord *recordOn(const MessageStore &store, const std::string &topic)
{
    for (std::uint64_t seq = store.endSeq(); seq-- > store.firstSeq();) {
        if (store.topic(store.record(seq)) == topic)
            return &store.record(seq);
    }
    return nullptr;
}

bool mosquittoPub(quint16 port, const QStringList &arguments)
{
    return QProcess::execute(QStringLiteral("mosquitto_pub"),
                             QStringList{QStringLiteral("-h"), QStringLiteral("127.0.0.1"),
                                         QStringLiteral("-p"), QString::number(port)}
                                 + arguments)
        == 0;
}

} // namespace

class tst_ExternalBrokerFeed : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void messagesArriveWithTopicPayloadQosAndRetain();
    void wrongPasswordIsRefusedAndNotRetried();
    void rightPasswordConnects();
    void unreachableBrokerIsReportedAndRetried();
    void reconnectsAndResubscribesWhenTheBrokerReturns();
    void unusableTlsFilesAreReported();
};

void tst_ExternalBrokerFeed::init()
{
    if (MosquittoProcess::executable().isEmpty())
        QSKIP("Debian's mosquitto is not installed (apt-get install mosquitto mosquitto-clients)");
}

void tst_ExternalBrokerFeed::messagesArriveWithTopicPayloadQosAndRetain()
{
    MosquittoProcess broker;
    QVERIFY2(broker.start(), qPrintable(broker.error()));
    QVERIFY(mosquittoPub(broker.port(), {QStringLiteral("-t"), QStringLiteral("plant/boiler/state"),
                                         QStringLiteral("-m"), QStringLiteral("{\"on\":true}"),
                                         QStringLiteral("-q"), QStringLiteral("1"), QStringLiteral("-r")}));

    MessageStore store;
    ExternalBrokerFeed feed(profileFor(broker.port(), {{QStringLiteral("plant/#"), 2}}), store);
    QVERIFY(feed.start());
    QTRY_COMPARE(feed.status(), Status::Connected);
    QTRY_COMPARE(feed.grantedSubscriptions(), 1);
    QVERIFY(feed.problem().isEmpty());

    // The retained message, replayed by the broker on subscribing.
    QTRY_VERIFY(recordOn(store, "plant/boiler/state"));
    const LogRecord *retained = recordOn(store, "plant/boiler/state");
    QCOMPARE(store.payload(*retained), std::string_view("{\"on\":true}"));
    QVERIFY(retained->flags & LogRecord::Retain);
    QCOMPARE(retained->qos, std::uint8_t(1));
    QCOMPARE(retained->sender, 0u); // the log shows "(retained)"

    // Live messages from our own client at each QoS, and one outside the filter.
    app::MqttClient publisher;
    publisher.setHostname(QStringLiteral("127.0.0.1"));
    publisher.setPort(broker.port());
    publisher.connectToHost();
    QTRY_COMPARE(publisher.state(), app::MqttClient::State::Connected);
    for (quint8 qos = 0; qos <= 2; ++qos)
        QVERIFY(publisher.publish(QStringLiteral("plant/line%1/temp").arg(qos),
                                  QByteArray::number(20 + qos), qos) >= 0);
    QVERIFY(publisher.publish(QStringLiteral("office/temp"), "19") >= 0);
    QTRY_VERIFY(recordOn(store, "plant/line2/temp"));
    QTRY_COMPARE(feed.receivedCount(), quint64(4));

    for (std::uint8_t qos = 0; qos <= 2; ++qos) {
        const std::string topic = "plant/line" + std::to_string(qos) + "/temp";
        const LogRecord *live = recordOn(store, topic);
        QVERIFY2(live, topic.c_str());
        QCOMPARE(store.payload(*live), std::string_view(std::to_string(20 + qos)));
        QCOMPARE(live->qos, qos);
        QVERIFY(!(live->flags & LogRecord::Retain));
        QCOMPARE(store.sender(*live), std::string_view("(external)"));
        const std::vector<ReceiverRecord> receivers = store.receivers(*live);
        QCOMPARE(receivers.size(), std::size_t(1));
        QCOMPARE(store.clients().at(receivers.front().client),
                 std::string_view(feed.client().clientId().toStdString()));
        const DeliveryState expected = qos == 0 ? DeliveryState::Sent
            : qos == 1 ? DeliveryState::Acknowledged : DeliveryState::Received;
        QCOMPARE(receivers.front().state, expected);
    }
    QVERIFY(!recordOn(store, "office/temp"));

    // Published through the feed's own client, it comes back on the subscription.
    QVERIFY(feed.publish(QStringLiteral("plant/commands"), "stop", 1, false) > 0);
    QTRY_VERIFY(recordOn(store, "plant/commands"));
    QCOMPARE(feed.publish(QStringLiteral("plant/+"), "x", 0, false), -1);
}

void tst_ExternalBrokerFeed::wrongPasswordIsRefusedAndNotRetried()
{
    MosquittoProcess broker;
    QVERIFY2(broker.start(QStringLiteral("operator"), QStringLiteral("Right-Passw0rd")),
             qPrintable(broker.error()));
    ConnectionProfile profile = profileFor(broker.port(), {{QStringLiteral("#"), 0}});
    profile.username = QStringLiteral("operator");
    profile.password = QStringLiteral("wrong");
    MessageStore store;
    ExternalBrokerFeed feed(profile, store);
    QVERIFY(feed.start());
    QTRY_COMPARE(feed.status(), Status::Refused);
    QVERIFY2(feed.problem().startsWith(QStringLiteral("Refused by 127.0.0.1:%1 as operator")
                                           .arg(broker.port())),
             qPrintable(feed.problem()));
    QVERIFY2(feed.problem().contains(QStringLiteral("CONNACK")), qPrintable(feed.problem()));
    // Refused is final: no new attempt (which would go through Connecting) follows.
    QSignalSpy changes(&feed, &ExternalBrokerFeed::statusChanged);
    QTest::qWait(ExternalBrokerFeed::ReconnectMinDelayMs + 500);
    QCOMPARE(changes.count(), 0);
}

void tst_ExternalBrokerFeed::rightPasswordConnects()
{
    MosquittoProcess broker;
    QVERIFY2(broker.start(QStringLiteral("operator"), QStringLiteral("Right-Passw0rd")),
             qPrintable(broker.error()));
    ConnectionProfile profile = profileFor(broker.port(), {{QStringLiteral("#"), 0}});
    profile.username = QStringLiteral("operator");
    profile.password = QStringLiteral("Right-Passw0rd");
    MessageStore store;
    ExternalBrokerFeed feed(profile, store);
    QVERIFY(feed.start());
    QTRY_COMPARE(feed.status(), Status::Connected);
    feed.stop();
    QCOMPARE(feed.status(), Status::Disconnected);
    QCOMPARE(feed.client().state(), app::MqttClient::State::Disconnected);
}

void tst_ExternalBrokerFeed::unreachableBrokerIsReportedAndRetried()
{
    const quint16 port = MosquittoProcess::freePort(); // nothing listens there
    MessageStore store;
    ExternalBrokerFeed feed(profileFor(port, {{QStringLiteral("#"), 0}}), store);
    QSignalSpy changes(&feed, &ExternalBrokerFeed::statusChanged);
    QVERIFY(feed.start());
    QTRY_COMPARE(feed.status(), Status::Reconnecting);
    QVERIFY2(feed.problem().startsWith(QStringLiteral("Cannot reach mqtt://127.0.0.1:%1").arg(port)),
             qPrintable(feed.problem()));
    // The next attempt comes by itself, and keeps the reason on show while it runs.
    changes.clear();
    QTRY_VERIFY_WITH_TIMEOUT(changes.count() >= 2, ExternalBrokerFeed::ReconnectMinDelayMs * 4);
    QVERIFY(!feed.problem().isEmpty());
}

void tst_ExternalBrokerFeed::reconnectsAndResubscribesWhenTheBrokerReturns()
{
    MosquittoProcess broker;
    QVERIFY2(broker.start(), qPrintable(broker.error()));
    MessageStore store;
    ExternalBrokerFeed feed(profileFor(broker.port(), {{QStringLiteral("alarms/#"), 1}}), store);
    QVERIFY(feed.start());
    QTRY_COMPARE(feed.status(), Status::Connected);
    QTRY_COMPARE(feed.grantedSubscriptions(), 1);

    broker.stop();
    QTRY_COMPARE(feed.status(), Status::Reconnecting);
    QVERIFY2(feed.problem().startsWith(QStringLiteral("Lost the connection to")),
             qPrintable(feed.problem()));

    QVERIFY2(broker.start(), qPrintable(broker.error())); // the same port
    QTRY_COMPARE_WITH_TIMEOUT(feed.status(), Status::Connected, 15'000);
    QTRY_COMPARE(feed.grantedSubscriptions(), 1);
    QVERIFY(mosquittoPub(broker.port(), {QStringLiteral("-t"), QStringLiteral("alarms/door"),
                                         QStringLiteral("-m"), QStringLiteral("open")}));
    QTRY_VERIFY(recordOn(store, "alarms/door"));
}

void tst_ExternalBrokerFeed::unusableTlsFilesAreReported()
{
    QTemporaryDir dir;
    QFile garbage(dir.filePath(QStringLiteral("ca.pem")));
    QVERIFY(garbage.open(QIODevice::WriteOnly));
    garbage.write("no certificate here\n");
    garbage.close();
    ConnectionProfile profile = profileFor(8883, {{QStringLiteral("#"), 0}});
    profile.transport = ConnectionProfile::Transport::Tls;
    profile.caFile = garbage.fileName();
    MessageStore store;
    ExternalBrokerFeed feed(profile, store);
    QVERIFY(!feed.start());
    QCOMPARE(feed.status(), Status::Refused);
    QVERIFY2(feed.problem().contains(QStringLiteral("ca.pem")), qPrintable(feed.problem()));
    QCOMPARE(feed.client().state(), app::MqttClient::State::Disconnected);
}

QTEST_GUILESS_MAIN(tst_ExternalBrokerFeed)
#include "tst_externalbrokerfeed.moc"
