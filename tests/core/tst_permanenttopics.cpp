// The engine's side of IoT Core's permanent topics and entity logs, with a fake model and a fake
// store: kept messages are written to the store and come back after a restart (IOT_CORE.md,
// "Permanent topics": Decisions), slots are cleared with their owner, and connects, refusals and
// disconnections reach the owner's log in the service's wording ("Connection log lines"), never
// a routed message.

#include "TestClient.h"

#include "core/BrokerPersistence.h"
#include "core/ClientRights.h"

#include <QtTest/QTest>

#include <map>

using namespace iotcore::broker;

namespace {

// What the engine asked the store to do.
class FakePersistence final : public BrokerPersistence
{
public:
    void saveRetained(const MessagePtr &) override {}
    void removeRetained(const std::string &) override {}
    void saveSession(StoredSession) override {}
    void removeSession(const std::string &) override {}
    void savePermanent(const MessagePtr &message) override { permanent[message->topic] = message; }
    void removePermanent(const std::string &topic) override { permanent.erase(topic); }
    void appendEntityLog(EntityLogEntry entry) override { logs.push_back(std::move(entry)); }
    bool flush() override { return true; }
    std::string lastError() const override { return {}; }

    StoredBrokerState state() const
    {
        StoredBrokerState state;
        for (const auto &[topic, message] : permanent)
            state.permanent.push_back(message);
        return state;
    }
    // "<kind> <id> <LEVEL> <message>" lines.
    QStringList logLines() const
    {
        QStringList lines;
        for (const EntityLogEntry &entry : logs)
            lines << QString::fromStdString(entry.ownerKind + ' ' + entry.ownerId + ' '
                                            + entityLogLevelName(entry.level) + ' '
                                            + entry.message);
        return lines;
    }

    std::map<std::string, MessagePtr> permanent;
    std::vector<EntityLogEntry> logs;
};

// A device ("d…") may publish under its own $devices/<id>/ and subscribe there; a registry
// ("r…") may publish config and commands of any device and subscribe to any $devices/ topic.
// `state` and `config` are kept.
class FakeRights final : public ClientRights
{
public:
    explicit FakeRights(std::string id) : m_id(std::move(id)) {}

    PublishCheck checkPublish(std::string_view topic) const override
    {
        const bool kept = topic.find("/state") != topic.npos || topic.find("/config") != topic.npos;
        const bool allowed = isDevice()
            ? topic.starts_with("$devices/" + m_id + "/")
            : topic.starts_with("$devices/") && topic.find("/state") == topic.npos;
        if (!allowed)
            return {false, {}, false, "publish to topic \"" + std::string(topic) + "\" not allowed"};
        return {true, std::string(topic), kept, {}};
    }
    SubscribeCheck checkSubscribe(std::string_view filter) const override
    {
        SubscribeCheck check;
        check.allowed = filter.starts_with(isDevice() ? "$devices/" + m_id + "/" : "$devices/");
        if (!check.allowed) {
            check.reason = std::string(filter);
            return check;
        }
        check.exact = filter.find_first_of("+#") == filter.npos;
        check.routes.push_back({std::string(filter), {}, {}, false});
        return check;
    }
    bool mayRead(std::string_view) const override { return true; }
    bool allowsPersistentSession() const override { return false; }
    bool storesRetained() const override { return false; }
    std::uint8_t maxQos() const override { return 1; }
    std::size_t maxPayloadSize() const override { return 1 << 20; }
    std::optional<Notice> activity(Activity, bool) override { return std::nullopt; }
    std::string describe() const override { return m_id; }
    LogOwner logOwner() const override
    {
        return {isDevice() ? "device" : "registry", m_id, "username: \"" + m_id + "\""};
    }
    bool stillAllowed() const override { return true; }

private:
    bool isDevice() const { return m_id.starts_with('d'); }
    std::string m_id;
};

class FakeAuthenticator final : public Authenticator
{
public:
    void authenticate(Request request, std::function<void(Verdict)> done) override
    {
        Verdict verdict;
        verdict.code = ConnectReturnCode::Accepted;
        verdict.rights = std::make_unique<FakeRights>(request.username.value_or("?"));
        done(std::move(verdict));
    }
};

std::shared_ptr<const ListenerInfo> iotListener()
{
    auto listener = std::make_shared<ListenerInfo>();
    listener->name = "mqtt";
    listener->scheme = "mqtt";
    listener->mode = ListenerInfo::Mode::IotCore;
    listener->authenticator = std::make_shared<FakeAuthenticator>();
    return listener;
}

// A client of the IoT Core listener, connected as `username`.
std::unique_ptr<TestClient> connectAs(Engine &engine, const std::string &username,
                                      const std::string &clientId,
                                      const std::string &address = "192.0.2.1:50000")
{
    auto client = std::make_unique<TestClient>(engine, address, iotListener());
    ConnectPacket connect;
    connect.clientId = clientId;
    connect.username = username;
    connect.password = "secret";
    const PacketList answer = client->send(connect);
    if (answer != PacketList{connackPacket()})
        QTest::qFail(("CONNACK expected, got " + std::string(toString(answer))).c_str(), __FILE__,
                     __LINE__);
    return client;
}

} // namespace

class TestPermanentTopics : public QObject
{
    Q_OBJECT

private slots:
    void keptMessagesSurviveRestart();
    void clearedSlotsLeaveTheStore();
    void entityLogWording();
    void publishesAreNotLogged();
    void openListenerKeepsNoEntityLog();
    void publishEventsSayWhatIsKept();
};

void TestPermanentTopics::keptMessagesSurviveRestart()
{
    FakePersistence store;
    {
        Engine engine({}, &store);
        auto device = connectAs(engine, "d1", "dev");
        QCOMPARE(device->send(publishPacket("$devices/d1/state", "s1", 1, 1)),
                 PacketList{ackPacket(PacketType::Puback, 1)});
        // An empty payload is kept like any other; a subtopic has its own slot.
        device->send(publishPacket("$devices/d1/state/empty", "", 0));
        device->send(publishPacket("$devices/d1/events", "not kept", 0));
        QCOMPARE(store.permanent.size(), std::size_t(2));
        QVERIFY(engine.broker.shutdown());
    }
    Engine engine({}, &store);
    engine.broker.restore(store.state());
    QCOMPARE(engine.broker.permanentTopics().size(), std::size_t(2));
    auto registry = connectAs(engine, "r1", "reg");
    const PacketList replayed = registry->send(subscribePacket(
        2, {{"$devices/d1/state", 1}, {"$devices/d1/state/empty", 1}, {"$devices/+/state", 1}}));
    QCOMPARE(replayed, (PacketList{subackPacket(2, {1, 1, 1}),
                                   publishPacket("$devices/d1/state", "s1", 1, 1, true),
                                   publishPacket("$devices/d1/state/empty", "", 0, 0, true)}));
    // Message ids go on after the restored ones.
    const MessagePtr next = engine.broker.makeMessage("x", "", 0, false);
    QVERIFY(next->id > store.permanent.at("$devices/d1/state")->id);
}

void TestPermanentTopics::clearedSlotsLeaveTheStore()
{
    FakePersistence store;
    Engine engine({}, &store);
    auto registry = connectAs(engine, "r1", "reg");
    for (const char *topic : {"$devices/d1/config", "$devices/d1/config/a", "$devices/d2/config"})
        registry->send(publishPacket(topic, "c", 0));
    QCOMPARE(store.permanent.size(), std::size_t(3));

    QVERIFY(engine.broker.clearPermanentTopic("$devices/d2/config"));
    QVERIFY(!engine.broker.clearPermanentTopic("$devices/d2/config"));
    QVERIFY(!store.permanent.contains("$devices/d2/config"));

    // A deleted device takes its slots with it.
    QCOMPARE(engine.broker.clearPermanentTopics(
                 [](const std::string &topic) { return topic.starts_with("$devices/d1/"); }),
             std::size_t(2));
    QVERIFY(store.permanent.empty());
    QCOMPARE(engine.broker.permanentTopics().size(), std::size_t(0));
    QCOMPARE(registry->send(subscribePacket(3, {{"$devices/d1/config", 1}})),
             PacketList{subackPacket(3, {1})});
}

void TestPermanentTopics::entityLogWording()
{
    FakePersistence store;
    Engine engine({}, &store);
    auto device = connectAs(engine, "d1", "logged-client", "198.51.100.7:40001");
    device->send(subscribePacket(4, {{"$devices/d1/config", 1}, {"$devices/d2/commands", 1}}));
    device->send(publishPacket("$devices/d2/events", "x", 0));
    QVERIFY(device->isClosed());
    auto registry = connectAs(engine, "r1", "reg", "198.51.100.8:40002");
    registry->send(emptyPacket(PacketType::Disconnect));
    QVERIFY(registry->isClosed());

    QCOMPARE(store.logLines(),
             (QStringList{
                 R"(device d1 INFO connected, username: "d1", address: "198.51.100.7:40001", clientID: "logged-client")",
                 R"(device d1 WARN some of subscriptions failed: not allowed to subscribe: ["$devices/d2/commands"])",
                 R"(device d1 ERROR disconnected: publish to topic "$devices/d2/events" not allowed)",
                 R"(registry r1 INFO connected, username: "r1", address: "198.51.100.8:40002", clientID: "reg")",
                 R"(registry r1 INFO disconnected: client disconnected)",
             }));
}

void TestPermanentTopics::publishesAreNotLogged()
{
    FakePersistence store;
    Engine engine({}, &store);
    auto device = connectAs(engine, "d1", "busy");
    for (int i = 0; i < 100; ++i)
        device->send(publishPacket("$devices/d1/events", "e", 0));
    device->send(subscribePacket(5, {{"$devices/d1/config", 1}}));
    QCOMPARE(store.logs.size(), std::size_t(1)); // the connect only
    device->dropConnection();
    QCOMPARE(store.logLines().last(),
             QStringLiteral("device d1 INFO disconnected: connection reset by peer"));
}

void TestPermanentTopics::openListenerKeepsNoEntityLog()
{
    FakePersistence store;
    Engine engine({}, &store);
    TestClient client(engine);
    QCOMPARE(client.connect("anonymous"), PacketList{connackPacket()});
    client.send(emptyPacket(PacketType::Disconnect));
    QVERIFY(store.logs.empty());
}

void TestPermanentTopics::publishEventsSayWhatIsKept()
{
    // The console marks kept messages from the event tap alone.
    FakePersistence store;
    Engine engine({}, &store);
    engine.recordEvents();
    auto device = connectAs(engine, "d1", "dev");
    device->send(publishPacket("$devices/d1/state", "on", 0));
    device->send(publishPacket("$devices/d1/events", "e", 0));
    engine.broker.endOfTurn();
    std::vector<std::pair<std::string, bool>> publishes;
    for (const BrokerEvent &event : engine.events) {
        if (event.kind == BrokerEvent::Kind::Publish)
            publishes.emplace_back(event.topic, event.kept);
    }
    const std::vector<std::pair<std::string, bool>> expected{{"$devices/d1/state", true},
                                                             {"$devices/d1/events", false}};
    QCOMPARE(publishes, expected);
}

QTEST_GUILESS_MAIN(TestPermanentTopics)
#include "tst_permanenttopics.moc"
