// TopicPolicy, written from IOT_CORE.md "Topics" and the service's topic documentation
// (yandex-cloud/docs, iot-core/concepts/topic/usage.md): the permission table for devices and
// registries of two registries, subtopics and their length, `$me`, user aliases, the narrowing of
// wildcard filters, and the broker model's isolated topic spaces.

#include "iot/TopicPolicy.h"
#include "mqtt/Topic.h"

#include <QtTest/QTest>

#include <map>
#include <set>
#include <string>
#include <vector>

using namespace iotcore::broker;

namespace {

// Registry reg1 holds dev1a and dev1b, registry reg2 holds dev2a.
class FakeDirectory : public TopicDirectory
{
public:
    std::optional<std::string> registryOfDevice(std::string_view deviceId) const override
    {
        const auto found = m_devices.find(std::string(deviceId));
        if (found == m_devices.end())
            return std::nullopt;
        return found->second;
    }

    std::vector<TopicAlias> aliasesOfRegistry(std::string_view registryId) const override
    {
        const auto found = m_aliases.find(std::string(registryId));
        return found == m_aliases.end() ? std::vector<TopicAlias>{} : found->second;
    }

    void addDevice(const std::string &deviceId, const std::string &registryId)
    {
        m_devices[deviceId] = registryId;
    }

    void addAlias(const std::string &registryId, TopicAlias alias)
    {
        m_aliases[registryId].push_back(std::move(alias));
    }

private:
    std::map<std::string, std::string> m_devices;
    std::map<std::string, std::vector<TopicAlias>> m_aliases;
};

FakeDirectory makeDirectory()
{
    FakeDirectory directory;
    directory.addDevice("dev1a", "reg1");
    directory.addDevice("dev1b", "reg1");
    directory.addDevice("dev2a", "reg2");
    directory.addAlias("reg1", {"kitchen/temp", "$devices/dev1a/events/temp", "dev1a"});
    directory.addAlias("reg1", {"lamp/", "$devices/dev1b/", "dev1b"});
    directory.addAlias("reg1", {"hall/cmd", "$devices/dev1b/commands/hall", "dev1b"});
    directory.addAlias("reg2", {"garage/door", "$devices/dev2a/events/door", "dev2a"});
    return directory;
}

IotIdentity identity(const QString &name)
{
    const std::string id = name.toStdString();
    if (name.startsWith("dev"))
        return {IotIdentity::Kind::Device, id, name.startsWith("dev1") ? "reg1" : "reg2"};
    if (name.startsWith("reg"))
        return {IotIdentity::Kind::Registry, id, id};
    return {IotIdentity::Kind::Broker, id, {}};
}

const QStringList AllIdentities = {"dev1a", "dev1b", "dev2a", "reg1", "reg2", "brk1", "brk2"};

QString describe(const TopicPolicy::Route &route)
{
    QString text = QString::fromStdString(route.filter);
    if (!route.canonicalPrefix.empty() || !route.deliveredPrefix.empty()) {
        text += " as " + QString::fromStdString(route.canonicalPrefix) + " -> "
                + QString::fromStdString(route.deliveredPrefix);
    }
    if (route.checkRead)
        text += " checked";
    return text;
}

// The name a route hands a message on `topic` to its subscriber.
std::string deliveredName(const TopicPolicy::Route &route, const std::string &topic)
{
    if (!route.canonicalPrefix.empty() && topic.starts_with(route.canonicalPrefix))
        return route.deliveredPrefix + topic.substr(route.canonicalPrefix.size());
    return topic;
}

// Every name under which `who` may know the canonical `topic`: the topic itself, its `$me` form
// (devices), its alias forms (the client's registry), or the plain topic of a broker's space.
std::set<std::string> clientNames(const FakeDirectory &directory, const IotIdentity &who,
                                  const std::string &topic)
{
    if (who.kind == IotIdentity::Kind::Broker) {
        const std::string prefix = "$brokers/" + who.id + "/";
        return {topic.starts_with(prefix) ? topic.substr(prefix.size()) : topic};
    }
    std::set<std::string> names = {topic};
    if (who.kind == IotIdentity::Kind::Device) {
        const std::pair<std::string, std::string> meForms[] = {
            {"$devices/" + who.id + "/", "$me/device/"},
            {"$registries/" + who.registryId + "/", "$me/registry/"},
            {"$monitoring/" + who.id + "/", "$me/monitoring/"}};
        for (const auto &[canonical, me] : meForms) {
            if (topic.starts_with(canonical))
                names.insert(me + topic.substr(canonical.size()));
        }
    }
    for (const TopicAlias &alias : directory.aliasesOfRegistry(who.registryId)) {
        std::string name = alias.alias;
        std::string target = alias.topic;
        if (name.ends_with('/'))
            name.pop_back();
        if (target.ends_with('/'))
            target.pop_back();
        if (topic == target)
            names.insert(name);
        else if (topic.starts_with(target + "/"))
            names.insert(name + topic.substr(target.size()));
    }
    return names;
}

} // namespace

class tst_TopicPolicy : public QObject
{
    Q_OBJECT

private slots:
    void publish_data();
    void publish();
    void subscribe_data();
    void subscribe();
    void mayRead_data();
    void mayRead();
    void isPermanentTopic_data();
    void isPermanentTopic();
    void checkedRouteReachesDeviceAddedLater();
    void routesDeliverExactlyWhatMayBeRead();
};

void tst_TopicPolicy::publish_data()
{
    QTest::addColumn<QString>("who");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<QString>("canonical"); // empty: refused
    QTest::addColumn<bool>("permanent");

    const auto row = [](const QString &who, const QString &topic, const QString &canonical,
                        bool permanent = false, const QString &name = {}) {
        const QString rowName = name.isEmpty() ? who + " -> " + topic : name;
        QTest::newRow(qPrintable(rowName)) << who << topic << canonical << permanent;
    };
    const auto allowed = [&](const QString &who, const QString &topic, bool permanent = false) {
        row(who, topic, topic, permanent);
    };
    const auto refused = [&](const QString &who, const QString &topic, const QString &name = {}) {
        row(who, topic, {}, false, name);
    };
    const QString sub1024(1024, 'k');
    const QString sub1025(1025, 'k');

    // Device rows of the table: own device topics, own registry topics, nothing else.
    allowed("dev1a", "$devices/dev1a/events");
    allowed("dev1a", "$devices/dev1a/state", true);
    refused("dev1a", "$devices/dev1a/commands");
    refused("dev1a", "$devices/dev1a/config");
    refused("dev1a", "$devices/dev1b/events");
    refused("dev1a", "$devices/dev1b/state");
    refused("dev1a", "$devices/dev2a/events");
    allowed("dev1a", "$registries/reg1/events");
    allowed("dev1a", "$registries/reg1/state", true);
    refused("dev1a", "$registries/reg1/commands");
    refused("dev1a", "$registries/reg1/config");
    refused("dev1a", "$registries/reg2/events");
    refused("dev1a", "$registries/reg2/state");
    refused("dev1a", "$monitoring/dev1a/json");
    refused("dev1a", "$monitoring/dev1b/json");
    allowed("dev1b", "$devices/dev1b/events");
    allowed("dev2a", "$devices/dev2a/events");
    allowed("dev2a", "$registries/reg2/state", true);
    refused("dev2a", "$devices/dev1a/events");
    refused("dev2a", "$registries/reg1/events");

    // Registry rows: commands and config of its own devices and of itself.
    allowed("reg1", "$devices/dev1a/commands");
    allowed("reg1", "$devices/dev1a/config", true);
    allowed("reg1", "$devices/dev1b/commands");
    refused("reg1", "$devices/dev1a/events");
    refused("reg1", "$devices/dev1a/state");
    refused("reg1", "$devices/dev2a/commands");
    refused("reg1", "$devices/dev2a/config");
    refused("reg1", "$devices/ghost/commands");
    allowed("reg1", "$registries/reg1/commands");
    allowed("reg1", "$registries/reg1/config", true);
    refused("reg1", "$registries/reg1/events");
    refused("reg1", "$registries/reg1/state");
    refused("reg1", "$registries/reg2/commands");
    refused("reg1", "$monitoring/dev1a/json");
    allowed("reg2", "$devices/dev2a/commands");
    refused("reg2", "$devices/dev1a/commands");
    refused("reg2", "$registries/reg1/config");

    // Subtopics carry the base topic's rights; each has its own permanent slot.
    allowed("dev1a", "$devices/dev1a/events/kitchen/t1");
    allowed("dev1a", "$devices/dev1a/state/a/b", true);
    allowed("dev1a", "$devices/dev1a/events/");
    allowed("dev1a", "$registries/reg1/state/x", true);
    refused("dev1a", "$devices/dev1a/commands/x");
    allowed("reg1", "$devices/dev1b/config/lamp/1", true);
    refused("reg1", "$devices/dev1b/events/x");
    row("dev1a", "$devices/dev1a/events/" + sub1024, "$devices/dev1a/events/" + sub1024, false,
        "device subtopic of 1024");
    refused("dev1a", "$devices/dev1a/events/" + sub1025, "device subtopic of 1025");
    row("reg1", "$registries/reg1/config/" + sub1024, "$registries/reg1/config/" + sub1024, true,
        "registry subtopic of 1024");
    refused("reg1", "$registries/reg1/config/" + sub1025, "registry subtopic of 1025");
    row("dev1a", "$devices/dev1a/events/a/" + QString(1022, 'k'),
        "$devices/dev1a/events/a/" + QString(1022, 'k'), false, "separators count");
    refused("dev1a", "$devices/dev1a/events/a/" + QString(1023, 'k'), "separators count, 1025");
    row("dev1a", "$devices/dev1a/events/" + QString(1024, QChar(0x0416)),
        "$devices/dev1a/events/" + QString(1024, QChar(0x0416)), false, "characters, not bytes");

    // Anything else is refused.
    refused("dev1a", "$devices/dev1a");
    refused("dev1a", "$devices/dev1a/telemetry");
    refused("dev1a", "$devices/dev1a/eventsx");
    refused("dev1a", "$devices//events");
    refused("dev1a", "$SYS/broker");
    refused("dev1a", "plain/topic");
    refused("reg1", "plain/topic");
    refused("dev1a", "$brokers/brk1/x");
    refused("dev1a", "bad/+/wildcard");

    // `$me` (devices only): resolved to the device's own topics, then checked.
    row("dev1a", "$me/device/events", "$devices/dev1a/events");
    row("dev1a", "$me/device/state/sub", "$devices/dev1a/state/sub", true);
    refused("dev1a", "$me/device/commands");
    refused("dev1a", "$me/device/config");
    row("dev1a", "$me/registry/events", "$registries/reg1/events");
    row("dev2a", "$me/registry/state", "$registries/reg2/state", true);
    refused("dev1a", "$me/registry/commands");
    refused("dev1a", "$me/monitoring/json");
    refused("dev1a", "$me/device");
    refused("dev1a", "$me/other/events");
    refused("reg1", "$me/registry/commands");

    // User aliases of the client's registry: the alias name and its subtopics, resolved, then
    // checked like the topic they stand for.
    row("dev1a", "kitchen/temp", "$devices/dev1a/events/temp");
    row("dev1a", "kitchen/temp/celsius", "$devices/dev1a/events/temp/celsius");
    refused("dev1a", "kitchen/temperature");
    refused("dev1a", "kitchen");
    refused("dev1b", "kitchen/temp");
    row("dev1b", "lamp/events", "$devices/dev1b/events");
    row("dev1b", "lamp/state/x", "$devices/dev1b/state/x", true);
    refused("dev1a", "lamp/events");
    row("reg1", "lamp/commands", "$devices/dev1b/commands");
    row("reg1", "lamp/config", "$devices/dev1b/config", true);
    row("reg1", "hall/cmd", "$devices/dev1b/commands/hall");
    refused("reg1", "kitchen/temp");
    refused("dev2a", "kitchen/temp");
    refused("reg2", "hall/cmd");
    row("dev2a", "garage/door", "$devices/dev2a/events/door");

    // Brokers: any non-`$` topic, in the broker's own space.
    row("brk1", "a/b", "$brokers/brk1/a/b");
    row("brk2", "a/b", "$brokers/brk2/a/b");
    row("brk1", "$devices/dev1a/events", {});
    row("brk1", "$brokers/brk2/a", {});
    row("brk1", "$me/device/events", {});
    row("brk1", "a/#", {});
}

void tst_TopicPolicy::publish()
{
    QFETCH(QString, who);
    QFETCH(QString, topic);
    QFETCH(QString, canonical);
    QFETCH(bool, permanent);

    const FakeDirectory directory = makeDirectory();
    const TopicPolicy policy(directory);
    const TopicPolicy::PublishDecision decision =
        policy.publish(identity(who), topic.toStdString());

    QCOMPARE(decision.allowed, !canonical.isEmpty());
    if (decision.allowed) {
        QCOMPARE(QString::fromStdString(decision.topic), canonical);
        QCOMPARE(decision.permanent, permanent);
        QVERIFY(decision.reason.empty());
    } else {
        // The service's wording, IOT_CORE.md "Connection log lines".
        QCOMPARE(QString::fromStdString(decision.reason),
                 "publish to topic \"" + topic + "\" not allowed");
    }
}

void tst_TopicPolicy::subscribe_data()
{
    QTest::addColumn<QString>("who");
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QStringList>("routes"); // empty: refused
    QTest::addColumn<bool>("exact");

    const auto row = [](const QString &who, const QString &filter, const QStringList &routes,
                        bool exact, const QString &name = {}) {
        const QString rowName = name.isEmpty() ? who + " <- " + filter : name;
        QTest::newRow(qPrintable(rowName)) << who << filter << routes << exact;
    };
    const auto exactly = [&](const QString &who, const QString &filter) {
        row(who, filter, {filter}, true);
    };
    const auto refused = [&](const QString &who, const QString &filter, const QString &name = {}) {
        row(who, filter, {}, false, name);
    };
    const QString sub1024(1024, 'k');
    const QString sub1025(1025, 'k');

    // Device rows of the table.
    exactly("dev1a", "$devices/dev1a/commands");
    exactly("dev1a", "$devices/dev1a/config");
    refused("dev1a", "$devices/dev1a/events");
    refused("dev1a", "$devices/dev1a/state");
    refused("dev1a", "$devices/dev1b/commands");
    refused("dev1a", "$devices/dev1b/config");
    refused("dev1a", "$devices/dev2a/commands");
    exactly("dev1a", "$registries/reg1/commands");
    exactly("dev1a", "$registries/reg1/config");
    refused("dev1a", "$registries/reg1/events");
    refused("dev1a", "$registries/reg1/state");
    refused("dev1a", "$registries/reg2/commands");
    refused("dev1a", "$registries/reg2/config");
    exactly("dev1a", "$monitoring/dev1a/json");
    exactly("dev1a", "$monitoring/dev1b/json");
    refused("dev1a", "$monitoring/dev2a/json");
    refused("dev1a", "$monitoring/ghost/json");
    exactly("dev2a", "$devices/dev2a/commands");
    exactly("dev2a", "$registries/reg2/config");
    exactly("dev2a", "$monitoring/dev2a/json");
    refused("dev2a", "$registries/reg1/commands");
    refused("dev2a", "$monitoring/dev1a/json");

    // Registry rows.
    exactly("reg1", "$devices/dev1a/events");
    exactly("reg1", "$devices/dev1b/state");
    refused("reg1", "$devices/dev1a/commands");
    refused("reg1", "$devices/dev1a/config");
    refused("reg1", "$devices/dev2a/events");
    refused("reg1", "$devices/ghost/events");
    exactly("reg1", "$registries/reg1/events");
    exactly("reg1", "$registries/reg1/state");
    refused("reg1", "$registries/reg1/commands");
    refused("reg1", "$registries/reg1/config");
    refused("reg1", "$registries/reg2/events");
    exactly("reg1", "$monitoring/dev1a/json");
    refused("reg1", "$monitoring/dev2a/json");
    exactly("reg2", "$devices/dev2a/state");
    refused("reg2", "$devices/dev1a/state");

    // Subtopics and their length (the part after the base topic).
    exactly("dev1a", "$devices/dev1a/commands/a/b");
    exactly("reg1", "$devices/dev1b/events/kitchen/t1");
    exactly("dev1a", "$monitoring/dev1b/json/x");
    row("dev1a", "$devices/dev1a/commands/" + sub1024, {"$devices/dev1a/commands/" + sub1024},
        true, "device subtopic of 1024");
    refused("dev1a", "$devices/dev1a/commands/" + sub1025, "device subtopic of 1025");
    row("reg1", "$registries/reg1/state/" + sub1024, {"$registries/reg1/state/" + sub1024}, true,
        "registry subtopic of 1024");
    refused("reg1", "$registries/reg1/state/" + sub1025, "registry subtopic of 1025");
    refused("reg1", "$devices/+/events/" + sub1025, "wildcard subtopic of 1025");

    // Narrowing: a wildcard filter keeps the part the client may read.
    row("dev1a", "$devices/#", {"$devices/dev1a/commands/#", "$devices/dev1a/config/#"}, false);
    row("dev1a", "$devices/+/#", {"$devices/dev1a/commands/#", "$devices/dev1a/config/#"}, false);
    row("dev1a", "$devices/+/commands", {"$devices/dev1a/commands"}, false);
    row("dev1a", "$devices/+/+", {"$devices/dev1a/commands", "$devices/dev1a/config"}, false);
    row("dev1a", "$devices/dev1a/#", {"$devices/dev1a/commands/#", "$devices/dev1a/config/#"},
        false);
    row("dev1a", "$devices/dev1a/+/x", {"$devices/dev1a/commands/x", "$devices/dev1a/config/x"},
        false);
    row("dev1a", "$registries/#", {"$registries/reg1/commands/#", "$registries/reg1/config/#"},
        false);
    row("dev1a", "$registries/+/commands/#", {"$registries/reg1/commands/#"}, false);
    row("dev1a", "$monitoring/#", {"$monitoring/+/json/# checked"}, false);
    row("dev1a", "$monitoring/+/json", {"$monitoring/+/json checked"}, false);
    refused("dev1a", "$devices/+/events/#");
    refused("dev1a", "$devices/dev1b/#");
    refused("dev1a", "$registries/reg2/#");
    row("reg1", "$devices/#", {"$devices/+/events/# checked", "$devices/+/state/# checked"}, false);
    row("reg1", "$devices/+/events/#", {"$devices/+/events/# checked"}, false);
    row("reg1", "$devices/+/events", {"$devices/+/events checked"}, false);
    row("reg1", "$devices/+/+/bedroom",
        {"$devices/+/events/bedroom checked", "$devices/+/state/bedroom checked"}, false);
    row("reg1", "$devices/dev1a/#", {"$devices/dev1a/events/#", "$devices/dev1a/state/#"}, false);
    row("reg1", "$devices/dev1a/+", {"$devices/dev1a/events", "$devices/dev1a/state"}, false);
    row("reg1", "$registries/#", {"$registries/reg1/events/#", "$registries/reg1/state/#"},
        false);
    row("reg1", "$monitoring/+/json", {"$monitoring/+/json checked"}, false);
    row("reg1", "$monitoring/dev1b/#", {"$monitoring/dev1b/json/#"}, false);
    refused("reg1", "$devices/dev2a/#");
    refused("reg1", "$devices/+/commands/#");
    refused("reg1", "$registries/reg2/#");

    // Filters that cannot name a topic of the table.
    refused("dev1a", "$devices/+");
    refused("reg1", "$devices/+");
    refused("dev1a", "$registries/+");
    refused("reg1", "$registries/+");
    refused("reg1", "$devices");
    refused("reg1", "$devices/dev1a");
    refused("dev1a", "$SYS/#");
    refused("dev1a", "$brokers/#");
    refused("dev1a", "a/#/b", "invalid filter");
    refused("dev1a", "", "empty filter");

    // `$me` (devices only), delivered under the `$me` name.
    const QString meDevice = " as $devices/dev1a/ -> $me/device/";
    const QString meRegistry = " as $registries/reg1/ -> $me/registry/";
    const QString meMonitoring = " as $monitoring/dev1a/ -> $me/monitoring/";
    row("dev1a", "$me/device/commands", {"$devices/dev1a/commands" + meDevice}, true);
    row("dev1a", "$me/device/config/x", {"$devices/dev1a/config/x" + meDevice}, true);
    row("dev1a", "$me/registry/config", {"$registries/reg1/config" + meRegistry}, true);
    row("dev1a", "$me/monitoring/json", {"$monitoring/dev1a/json" + meMonitoring}, true);
    row("dev2a", "$me/registry/commands",
        {"$registries/reg2/commands as $registries/reg2/ -> $me/registry/"}, true);
    row("dev1a", "$me/#",
        {"$devices/dev1a/commands/#" + meDevice, "$devices/dev1a/config/#" + meDevice,
         "$registries/reg1/commands/#" + meRegistry, "$registries/reg1/config/#" + meRegistry,
         "$monitoring/dev1a/json/#" + meMonitoring},
        false);
    row("dev1a", "$me/device/+",
        {"$devices/dev1a/commands" + meDevice, "$devices/dev1a/config" + meDevice}, false);
    row("dev1a", "$me/device/#",
        {"$devices/dev1a/commands/#" + meDevice, "$devices/dev1a/config/#" + meDevice}, false);
    row("dev1a", "$me/+/commands",
        {"$devices/dev1a/commands" + meDevice, "$registries/reg1/commands" + meRegistry}, false);
    row("dev1a", "$me/+/+/x",
        {"$devices/dev1a/commands/x" + meDevice, "$devices/dev1a/config/x" + meDevice,
         "$registries/reg1/commands/x" + meRegistry, "$registries/reg1/config/x" + meRegistry,
         "$monitoring/dev1a/json/x" + meMonitoring},
        false);
    refused("dev1a", "$me/device/events");
    refused("dev1a", "$me/device/state/#");
    refused("dev1a", "$me/registry/events");
    refused("dev1a", "$me/+");
    refused("dev1a", "$me");
    refused("dev1a", "$me/other/#");
    refused("reg1", "$me/#");
    refused("reg1", "$me/registry/events");
    row("dev1a", "$me/device/commands/" + sub1024,
        {"$devices/dev1a/commands/" + sub1024 + meDevice}, true, "$me subtopic of 1024");
    refused("dev1a", "$me/device/commands/" + sub1025, "$me subtopic of 1025");

    // User aliases, delivered under the alias name; only the client's registry's aliases.
    const QString asLamp = " as $devices/dev1b -> lamp";
    const QString asHall = " as $devices/dev1b/commands/hall -> hall/cmd";
    const QString asKitchen = " as $devices/dev1a/events/temp -> kitchen/temp";
    row("dev1b", "hall/cmd", {"$devices/dev1b/commands/hall" + asHall}, true);
    row("dev1b", "hall/cmd/x", {"$devices/dev1b/commands/hall/x" + asHall}, true);
    row("dev1b", "lamp/commands", {"$devices/dev1b/commands" + asLamp}, true);
    row("dev1b", "lamp/#",
        {"$devices/dev1b/commands/#" + asLamp, "$devices/dev1b/config/#" + asLamp}, false);
    row("dev1b", "#",
        {"$devices/dev1b/commands/hall/#" + asHall, "$devices/dev1b/commands/#" + asLamp,
         "$devices/dev1b/config/#" + asLamp},
        false);
    refused("dev1b", "lamp/events");
    refused("dev1a", "#");
    refused("dev1a", "hall/cmd");
    row("reg1", "#",
        {"$devices/dev1a/events/temp/#" + asKitchen, "$devices/dev1b/events/#" + asLamp,
         "$devices/dev1b/state/#" + asLamp},
        false);
    row("reg1", "kitchen/temp", {"$devices/dev1a/events/temp" + asKitchen}, true);
    row("reg1", "kitchen/+", {"$devices/dev1a/events/temp" + asKitchen}, false);
    row("reg1", "kitchen/temp/#", {"$devices/dev1a/events/temp/#" + asKitchen}, false);
    row("reg1", "+/+",
        {"$devices/dev1a/events/temp" + asKitchen, "$devices/dev1b/events" + asLamp,
         "$devices/dev1b/state" + asLamp},
        false);
    row("reg1", "lamp/state/x", {"$devices/dev1b/state/x" + asLamp}, true);
    row("reg1", "+/#",
        {"$devices/dev1a/events/temp/#" + asKitchen, "$devices/dev1b/events/#" + asLamp,
         "$devices/dev1b/state/#" + asLamp},
        false);
    refused("reg1", "kitchen");
    refused("reg1", "kitchen/temperature");
    refused("reg1", "kit/#");
    refused("reg1", "lamp");
    refused("reg1", "hall/cmd");
    refused("reg2", "kitchen/temp");
    refused("reg2", "lamp/#");
    row("reg2", "#",
        {"$devices/dev2a/events/door/# as $devices/dev2a/events/door -> garage/door"}, false);
    refused("dev2a", "#");
    refused("reg1", "kitchen/temp/" + sub1025, "alias subtopic of 1025");

    // Brokers: an isolated space of non-`$` topics, handed back under the plain names.
    row("brk1", "a/b", {"$brokers/brk1/a/b as $brokers/brk1/ -> "}, true);
    row("brk1", "#", {"$brokers/brk1/# as $brokers/brk1/ -> "}, false);
    row("brk2", "+/x", {"$brokers/brk2/+/x as $brokers/brk2/ -> "}, false);
    refused("brk1", "$devices/#");
    refused("brk1", "$brokers/brk2/#");
    refused("brk1", "$SYS/#");
}

void tst_TopicPolicy::subscribe()
{
    QFETCH(QString, who);
    QFETCH(QString, filter);
    QFETCH(QStringList, routes);
    QFETCH(bool, exact);

    const FakeDirectory directory = makeDirectory();
    const TopicPolicy policy(directory);
    const TopicPolicy::SubscribeDecision decision =
        policy.subscribe(identity(who), filter.toStdString());

    QStringList actual;
    for (const TopicPolicy::Route &route : decision.routes)
        actual << describe(route);
    actual.sort();
    routes.sort();
    QCOMPARE(actual, routes);
    QCOMPARE(decision.allowed, !routes.isEmpty());
    if (decision.allowed) {
        QCOMPARE(decision.exact, exact);
        QVERIFY(decision.reason.empty());
    } else {
        // The engine gathers these into the service's line
        // `some of subscriptions failed: not allowed to subscribe: [...]`.
        QCOMPARE(QString::fromStdString(decision.reason), filter);
    }
}

void tst_TopicPolicy::mayRead_data()
{
    QTest::addColumn<QString>("who");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<bool>("readable");

    const auto row = [](const QString &who, const QString &topic, bool readable) {
        QTest::newRow(qPrintable(who + " reads " + topic)) << who << topic << readable;
    };
    row("dev1a", "$devices/dev1a/commands", true);
    row("dev1a", "$devices/dev1a/config/x", true);
    row("dev1a", "$devices/dev1a/events", false);
    row("dev1a", "$devices/dev1b/commands", false);
    row("dev1a", "$registries/reg1/commands", true);
    row("dev1a", "$registries/reg1/state", false);
    row("dev1a", "$registries/reg2/config", false);
    row("dev1a", "$monitoring/dev1a/json", true);
    row("dev1a", "$monitoring/dev1b/json", true);
    row("dev1a", "$monitoring/dev2a/json", false);
    row("reg1", "$devices/dev1a/events", true);
    row("reg1", "$devices/dev1b/state/x", true);
    row("reg1", "$devices/dev1a/commands", false);
    row("reg1", "$devices/dev2a/events", false);
    row("reg1", "$devices/ghost/events", false);
    row("reg1", "$registries/reg1/events", true);
    row("reg1", "$registries/reg1/config", false);
    row("reg1", "$registries/reg2/events", false);
    row("reg1", "$monitoring/dev1b/json", true);
    row("reg1", "$monitoring/dev2a/json", false);
    row("reg2", "$devices/dev2a/events", true);
    row("reg1", "$devices/dev1a/events/" + QString(1025, 'k'), false);
    row("brk1", "$brokers/brk1/a", true);
    row("brk1", "$brokers/brk2/a", false);
    row("brk1", "$devices/dev1a/events", false);
}

void tst_TopicPolicy::mayRead()
{
    QFETCH(QString, who);
    QFETCH(QString, topic);
    QFETCH(bool, readable);

    const FakeDirectory directory = makeDirectory();
    const TopicPolicy policy(directory);
    QCOMPARE(policy.mayRead(identity(who), topic.toStdString()), readable);
}

void tst_TopicPolicy::isPermanentTopic_data()
{
    QTest::addColumn<QString>("topic");
    QTest::addColumn<bool>("permanent");

    QTest::newRow("device state") << "$devices/d/state" << true;
    QTest::newRow("device config subtopic") << "$devices/d/config/a/b" << true;
    QTest::newRow("registry state") << "$registries/r/state" << true;
    QTest::newRow("registry config") << "$registries/r/config" << true;
    QTest::newRow("device events") << "$devices/d/events" << false;
    QTest::newRow("registry commands") << "$registries/r/commands" << false;
    QTest::newRow("monitoring") << "$monitoring/d/json" << false;
    QTest::newRow("no owner") << "$devices//state" << false;
    QTest::newRow("broker space") << "$brokers/b/state" << false;
    QTest::newRow("plain") << "a/state" << false;
    QTest::newRow("statex") << "$devices/d/statex" << false;
}

void tst_TopicPolicy::isPermanentTopic()
{
    QFETCH(QString, topic);
    QFETCH(bool, permanent);
    QCOMPARE(TopicPolicy::isPermanentTopic(topic.toStdString()), permanent);
}

// A registry's wildcard over its devices keeps working for a device created while it is
// subscribed: the route stays wide and each message is checked.
void tst_TopicPolicy::checkedRouteReachesDeviceAddedLater()
{
    FakeDirectory directory = makeDirectory();
    const TopicPolicy policy(directory);
    const IotIdentity registry = identity("reg1");
    const TopicPolicy::SubscribeDecision decision =
        policy.subscribe(registry, "$devices/+/events/#");
    QVERIFY(decision.allowed);
    QCOMPARE(decision.routes.size(), std::size_t(1));
    QVERIFY(decision.routes.front().checkRead);
    QVERIFY(!policy.mayRead(registry, "$devices/dev1c/events"));

    directory.addDevice("dev1c", "reg1");
    QVERIFY(topicMatchesFilter(decision.routes.front().filter, "$devices/dev1c/events"));
    QVERIFY(policy.mayRead(registry, "$devices/dev1c/events"));
}

// For a generated set of canonical topics and every filter below: whatever a route delivers is
// readable (directly, or through mayRead when the route says checkRead) and reaches the
// subscriber under a name its filter matches; and every readable topic that the filter names,
// under any of the client's names for it, is delivered by exactly one route under that name.
void tst_TopicPolicy::routesDeliverExactlyWhatMayBeRead()
{
    const FakeDirectory directory = makeDirectory();
    const TopicPolicy policy(directory);

    // The topics messages can travel on: what some client may publish, and the monitoring topics
    // the broker itself writes.
    std::set<std::string> allowedTopics;
    const char *spaces[] = {"$devices", "$registries", "$monitoring", "$brokers", "$me"};
    const char *owners[] = {"dev1a", "dev1b", "dev2a", "ghost", "reg1", "reg2", "brk1", "device",
                            "registry"};
    const char *kinds[] = {"events", "state", "commands", "config", "json", "other"};
    const char *suffixes[] = {"", "/x", "/x/y", "/temp", "/temp/c", "/hall", "/door", "/bedroom"};
    std::vector<std::string> candidates = {"a", "a/b", "x/y", "kitchen/temp", "kitchen/temp/c",
                                           "lamp/events/x", "lamp/commands", "hall/cmd",
                                           "hall/cmd/x", "garage/door"};
    for (const char *space : spaces) {
        for (const char *owner : owners) {
            for (const char *kind : kinds) {
                for (const char *suffix : suffixes) {
                    const std::string topic =
                        std::string(space) + "/" + owner + "/" + kind + suffix;
                    candidates.push_back(topic);
                    if (std::string_view(space) == "$monitoring")
                        allowedTopics.insert(topic);
                }
            }
        }
    }
    for (const QString &name : AllIdentities) {
        for (const std::string &candidate : candidates) {
            const TopicPolicy::PublishDecision decision = policy.publish(identity(name), candidate);
            if (decision.allowed)
                allowedTopics.insert(decision.topic);
        }
    }
    QVERIFY(allowedTopics.size() > 300);

    const char *filters[] = {
        "#", "+/#", "+/+", "+/+/+", "kitchen/+", "kitchen/temp/#", "lamp/#", "lamp/+/x",
        "hall/cmd/#", "x/#", "a/b", "$devices/#", "$devices/+/#", "$devices/+/+",
        "$devices/+/events/#", "$devices/+/+/x", "$devices/dev1a/#", "$devices/dev1b/+/x",
        "$devices/dev1a/commands", "$devices/dev1b/state", "$registries/#", "$registries/+/+",
        "$registries/reg1/+/#", "$registries/reg2/#", "$monitoring/#", "$monitoring/+/json",
        "$monitoring/+/+/x", "$monitoring/dev1b/json", "$me/#", "$me/+/+", "$me/device/#",
        "$me/+/commands/#", "$me/registry/+", "$me/monitoring/json", "$me/device/config/x",
        "$brokers/#", "$brokers/brk1/#"};

    for (const QString &name : AllIdentities) {
        const IotIdentity who = identity(name);
        for (const char *filter : filters) {
            const TopicPolicy::SubscribeDecision decision = policy.subscribe(who, filter);
            for (const std::string &topic : allowedTopics) {
                const bool readable = policy.mayRead(who, topic);
                const std::set<std::string> names = clientNames(directory, who, topic);
                std::map<std::string, int> deliveries;
                for (const TopicPolicy::Route &route : decision.routes) {
                    if (!topicMatchesFilter(route.filter, topic))
                        continue;
                    const QByteArray context = (name + " " + filter + " via " + describe(route)
                                                + " on " + QString::fromStdString(topic))
                                                   .toUtf8();
                    QVERIFY2(route.checkRead || readable, context.constData());
                    if (!readable)
                        continue;
                    const std::string delivered = deliveredName(route, topic);
                    QVERIFY2(names.count(delivered), context.constData());
                    QVERIFY2(topicMatchesFilter(filter, delivered), context.constData());
                    ++deliveries[delivered];
                }
                if (!readable)
                    continue;
                for (const std::string &clientName : names) {
                    const int expected = topicMatchesFilter(filter, clientName) ? 1 : 0;
                    const QByteArray context =
                        (name + " " + filter + " on " + QString::fromStdString(topic) + " as "
                         + QString::fromStdString(clientName))
                            .toUtf8();
                    QVERIFY2(deliveries[clientName] == expected, context.constData());
                }
            }
        }
    }
}

QTEST_GUILESS_MAIN(tst_TopicPolicy)
#include "tst_topicpolicy.moc"
