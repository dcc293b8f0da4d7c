// The in-memory catalog: every operation succeeds completely or changes nothing.

#include "iot/Catalog.h"
#include "iot/PasswordHasher.h"

#include <QtTest>

using namespace iotcore::broker;

namespace {

// Deterministic ids and times for readable expectations.
struct Fixture {
    int nextId = 0;
    Timestamp now = Timestamp{} + std::chrono::seconds(1'700'000'000);
    Catalog catalog{[this] { return now; }, [this] {
                        char id[21];
                        std::snprintf(id, sizeof id, "are%017d", nextId++);
                        return std::string(id);
                    }};
};

std::string fingerprint(char c)
{
    return std::string(40, c);
}

Certificate certificate(char c)
{
    return {fingerprint(c), "-----BEGIN CERTIFICATE-----\n...", {}};
}

const std::string &someHash()
{
    static const std::string hash = PasswordHasher(1).hash("Abcdefghijk123!");
    return hash;
}

Registry registryDraft(std::string name)
{
    Registry draft;
    draft.name = std::move(name);
    return draft;
}

Device deviceDraft(std::string registryId, std::string name)
{
    Device draft;
    draft.registryId = std::move(registryId);
    draft.name = std::move(name);
    return draft;
}

QString q(const std::string &text)
{
    return QString::fromStdString(text);
}

} // namespace

class TestCatalog : public QObject
{
    Q_OBJECT

private slots:
    void createRegistry()
    {
        Fixture f;
        Registry draft = registryDraft("home");
        draft.description = "the house";
        draft.labels = {{"env", "prod"}};
        draft.passwords = {PasswordRecord{{}, someHash(), {}}};
        draft.certificates = {certificate('a')};
        const auto created = f.catalog.createRegistry(draft);
        QVERIFY2(created, created.error.c_str());
        QCOMPARE(q(created->id), "are00000000000000000");
        QCOMPARE(created->status, RegistryStatus::Active);
        QVERIFY(created->createdAt == f.now);
        QCOMPARE(q(created->passwords.at(0).id), "are00000000000000001");
        QVERIFY(created->passwords.at(0).createdAt == f.now);
        QVERIFY(created->certificates.at(0).createdAt == f.now);
        QCOMPARE(f.catalog.registryByName("home")->id, created->id);
        QVERIFY(f.catalog.ownerOfCertificate(fingerprint('a'))
                == (EntityRef{EntityKind::Registry, created->id}));
        QVERIFY(f.catalog.entity(created->id)->kind == EntityKind::Registry);
    }

    void randomIds()
    {
        Catalog catalog;
        const auto a = catalog.createRegistry(registryDraft("a"));
        const auto b = catalog.createRegistry(registryDraft("b"));
        QVERIFY(a && b);
        QVERIFY(a->id != b->id);
        QCOMPARE(a->id.size(), std::size_t(20));
        QVERIFY(a->id.starts_with("are"));
        QVERIFY(a->id.find_first_not_of("0123456789abcdefghijklmnopqrstuv") == std::string::npos);
    }

    void importedIdAndTime()
    {
        Fixture f;
        Registry draft = registryDraft("imported");
        draft.id = "b91ki3851hj8ajasia55";
        draft.createdAt = Timestamp{} + std::chrono::seconds(1'559'059'710);
        draft.status = RegistryStatus::Disabled;
        const auto created = f.catalog.createRegistry(draft);
        QVERIFY2(created, created.error.c_str());
        QCOMPARE(q(created->id), "b91ki3851hj8ajasia55");
        QCOMPARE(q(formatRfc3339(created->createdAt)), "2019-05-28T16:08:30Z");
        QCOMPARE(created->status, RegistryStatus::Disabled);

        draft.name = "other";
        const auto again = f.catalog.createRegistry(draft);
        QVERIFY(!again);
        QCOMPARE(q(again.error), "id \"b91ki3851hj8ajasia55\" is already used by registry \"imported\" "
                                 "(b91ki3851hj8ajasia55)");
        draft.id = "BAD";
        QVERIFY(q(f.catalog.createRegistry(draft).error).contains("must be 20 characters"));
    }

    void registryRefusals_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<int>("certificates");
        QTest::addColumn<int>("passwords");
        QTest::addColumn<QString>("hash");
        QTest::addColumn<QString>("error");
        QTest::newRow("duplicate name") << "home" << 0 << 0 << "" << "a registry named \"home\" already exists";
        QTest::newRow("bad name") << "my home" << 0 << 0 << "" << "registry name \"my home\" contains ' '";
        QTest::newRow("6 certificates") << "r2" << 6 << 0 << "" << "too many certificates: 6";
        QTest::newRow("6 passwords") << "r2" << 0 << 6 << "" << "too many passwords: 6";
        QTest::newRow("owned certificate") << "r2" << 1 << 0 << ""
                                           << "already belongs to registry \"home\"";
        QTest::newRow("plain text password") << "r2" << 0 << 1 << "Abcdefghijk123!"
                                             << "not a mosquitto $7$ password hash";
    }
    void registryRefusals()
    {
        QFETCH(QString, name);
        QFETCH(int, certificates);
        QFETCH(int, passwords);
        QFETCH(QString, hash);
        QFETCH(QString, error);
        Fixture f;
        Registry home = registryDraft("home");
        home.certificates = {certificate('0')};
        QVERIFY(f.catalog.createRegistry(home));
        Registry draft = registryDraft(name.toStdString());
        for (int i = 0; i < certificates; ++i)
            draft.certificates.push_back(certificate(char('0' + i)));
        for (int i = 0; i < passwords; ++i)
            draft.passwords.push_back({{}, hash.isEmpty() ? someHash() : hash.toStdString(), {}});
        const auto result = f.catalog.createRegistry(draft);
        QVERIFY(!result);
        QVERIFY2(q(result.error).contains(error), result.error.c_str());
        QCOMPARE(f.catalog.registries().size(), std::size_t(1)); // nothing changed
        QVERIFY(f.catalog.ownerOfCertificate(fingerprint('0'))->id == f.catalog.registries()[0]->id);
    }

    void updateRegistry()
    {
        Fixture f;
        const auto a = f.catalog.createRegistry(registryDraft("a"));
        QVERIFY(f.catalog.createRegistry(registryDraft("b")));
        RegistryUpdate update;
        update.name = "b";
        update.description = "changed";
        QCOMPARE(q(f.catalog.updateRegistry(a->id, update).error), "a registry named \"b\" already exists");
        QCOMPARE(q(f.catalog.registry(a->id)->description), "");
        update.name = "renamed";
        update.labels = Labels{{"Bad", "x"}};
        QVERIFY(q(f.catalog.updateRegistry(a->id, update).error).contains("label key"));
        QCOMPARE(q(f.catalog.registry(a->id)->name), "a"); // all or nothing
        update.labels = Labels{{"good", "x"}};
        const auto updated = f.catalog.updateRegistry(a->id, update);
        QVERIFY2(updated, updated.error.c_str());
        QCOMPARE(q(f.catalog.registry(a->id)->name), "renamed");
        QCOMPARE(q(f.catalog.registry(a->id)->description), "changed");
        QVERIFY(!f.catalog.registryByName("a"));
        QVERIFY(!f.catalog.updateRegistry("are99999999999999999", update));
    }

    void enableDisable()
    {
        Fixture f;
        const auto r = f.catalog.createRegistry(registryDraft("r"));
        QVERIFY(f.catalog.setRegistryStatus(r->id, RegistryStatus::Disabled));
        QCOMPARE(f.catalog.registry(r->id)->status, RegistryStatus::Disabled);
        QVERIFY(f.catalog.setRegistryStatus(r->id, RegistryStatus::Active));
        QCOMPARE(f.catalog.registry(r->id)->status, RegistryStatus::Active);
        QVERIFY(!f.catalog.setRegistryStatus("nope", RegistryStatus::Active));
    }

    void deleteRegistryOnlyWhenEmpty()
    {
        Fixture f;
        Registry draft = registryDraft("r");
        draft.certificates = {certificate('c')};
        const auto r = f.catalog.createRegistry(draft);
        const auto d1 = f.catalog.createDevice(deviceDraft(r->id, "d1"));
        const auto d2 = f.catalog.createDevice(deviceDraft(r->id, "d2"));
        QVERIFY(d1 && d2);
        QCOMPARE(q(f.catalog.deleteRegistry(r->id).error),
                 "registry \"r\" still has 2 devices: delete them first");
        QVERIFY(f.catalog.deleteDevice(d1->id));
        QCOMPARE(q(f.catalog.deleteRegistry(r->id).error),
                 "registry \"r\" still has 1 device: delete them first");
        QVERIFY(f.catalog.deleteDevice(d2->id));
        QVERIFY(f.catalog.deleteRegistry(r->id));
        QVERIFY(!f.catalog.registry(r->id));
        QVERIFY(!f.catalog.ownerOfCertificate(fingerprint('c'))); // freed for another owner
        QCOMPARE(q(f.catalog.deleteRegistry(r->id).error), "no registry with id \"" + q(r->id) + "\"");
    }

    void devices()
    {
        Fixture f;
        const auto r1 = f.catalog.createRegistry(registryDraft("r1"));
        const auto r2 = f.catalog.createRegistry(registryDraft("r2"));
        const auto d = f.catalog.createDevice(deviceDraft(r1->id, "sensor"));
        QVERIFY2(d, d.error.c_str());
        QCOMPARE(q(f.catalog.createDevice(deviceDraft(r1->id, "sensor")).error),
                 "registry \"r1\" already has a device named \"sensor\"");
        QVERIFY(f.catalog.createDevice(deviceDraft(r2->id, "sensor"))); // other registry: fine
        QCOMPARE(q(f.catalog.createDevice(deviceDraft("are99999999999999999", "x")).error),
                 "no registry with id \"are99999999999999999\"");
        QCOMPARE(f.catalog.deviceByName(r1->id, "sensor")->id, d->id);
        QVERIFY(!f.catalog.deviceByName(r1->id, "other"));
        QCOMPARE(f.catalog.devices(r1->id).size(), std::size_t(1));
        QCOMPARE(f.catalog.deviceCount(r2->id), std::size_t(1));

        QVERIFY(f.catalog.createDevice(deviceDraft(r1->id, "second")));
        DeviceUpdate update;
        update.name = "second";
        QCOMPARE(q(f.catalog.updateDevice(d->id, update).error),
                 "registry \"r1\" already has a device named \"second\"");
        update.name = "renamed";
        update.description = std::string(300, 'x');
        QVERIFY(q(f.catalog.updateDevice(d->id, update).error).contains("at most 256"));
        QCOMPARE(q(f.catalog.device(d->id)->name), "sensor");
        update.description = "ok";
        QVERIFY(f.catalog.updateDevice(d->id, update));
        QCOMPARE(q(f.catalog.device(d->id)->name), "renamed");
    }

    void aliasesOnCreate()
    {
        Fixture f;
        const auto r = f.catalog.createRegistry(registryDraft("r"));
        Device draft = deviceDraft(r->id, "d");
        draft.topicAliases = {{"kitchen/t", "$devices/{id}/events/t"}};
        const auto d = f.catalog.createDevice(draft);
        QVERIFY2(d, d.error.c_str());
        QCOMPARE(q(d->topicAliases.at("kitchen/t")), "$devices/" + q(d->id) + "/events/t");

        Device clash = deviceDraft(r->id, "d2");
        clash.topicAliases = {{"kitchen", "$devices/{id}/events"}};
        QCOMPARE(q(f.catalog.createDevice(clash).error),
                 "topic alias \"kitchen\" is a prefix of topic alias \"kitchen/t\" in the same registry");
        QVERIFY(!f.catalog.deviceByName(r->id, "d2"));

        // Another registry has its own alias space.
        const auto other = f.catalog.createRegistry(registryDraft("other"));
        clash.registryId = other->id;
        QVERIFY(f.catalog.createDevice(clash));

        Device six = deviceDraft(r->id, "d3");
        for (int i = 0; i < 6; ++i)
            six.topicAliases["a" + std::to_string(i) + "/x"] = "$devices/{id}/events";
        QCOMPARE(q(f.catalog.createDevice(six).error), "too many topic aliases: 6 (at most 5 per device)");

        Device foreign = deviceDraft(r->id, "d4");
        foreign.topicAliases = {{"f", "$devices/are99999999999999999/events"}};
        QVERIFY(q(f.catalog.createDevice(foreign).error).contains("must point below"));
    }

    void addRemoveAliases()
    {
        Fixture f;
        const auto r = f.catalog.createRegistry(registryDraft("r"));
        const auto a = f.catalog.createDevice(deviceDraft(r->id, "a"));
        const auto b = f.catalog.createDevice(deviceDraft(r->id, "b"));
        QVERIFY(f.catalog.addTopicAliases(a->id, {{"room1", "$devices/{id}/state"}}));
        QCOMPARE(q(f.catalog.addTopicAliases(b->id, {{"room", "$devices/{id}/state"}}).error),
                 "topic alias \"room\" is a prefix of topic alias \"room1\" in the same registry");
        QCOMPARE(q(f.catalog.addTopicAliases(b->id, {{"room1", "$devices/{id}/state"}}).error),
                 "topic alias \"room1\" is used twice in the registry");
        QCOMPARE(q(f.catalog.addTopicAliases(a->id, {{"room1", "$devices/{id}/events"}}).error),
                 "device \"a\" already has topic alias \"room1\"");
        QVERIFY(f.catalog.addTopicAliases(b->id, {{"hall", "$devices/{id}/state"},
                                                   {"yard", "$devices/{id}/events"}}));
        QCOMPARE(f.catalog.device(b->id)->topicAliases.size(), std::size_t(2));
        // Adding a sixth in one batch is refused whole.
        TopicAliases four;
        for (int i = 0; i < 4; ++i)
            four["z" + std::to_string(i) + "/"] = "$devices/{id}/events";
        QVERIFY(q(f.catalog.addTopicAliases(b->id, four).error).contains("too many topic aliases: 6"));
        QCOMPARE(f.catalog.device(b->id)->topicAliases.size(), std::size_t(2));

        QCOMPARE(q(f.catalog.removeTopicAliases(b->id, {"hall", "nope"}).error),
                 "device \"b\" has no topic alias \"nope\"");
        QCOMPARE(f.catalog.device(b->id)->topicAliases.size(), std::size_t(2));
        QVERIFY(f.catalog.removeTopicAliases(a->id, {"room1"}));
        QVERIFY(f.catalog.addTopicAliases(b->id, {{"room", "$devices/{id}/state"}})); // now free
    }

    void certificatesHaveOneOwner()
    {
        Fixture f;
        const auto r = f.catalog.createRegistry(registryDraft("r"));
        const auto d = f.catalog.createDevice(deviceDraft(r->id, "d"));
        Device draft = deviceDraft(r->id, "e");
        draft.certificates = {certificate('1')};
        const auto e = f.catalog.createDevice(draft);
        QVERIFY(f.catalog.addCertificate(d->id, certificate('2')));
        QCOMPARE(q(f.catalog.addCertificate(r->id, certificate('2')).error),
                 "certificate " + q(fingerprint('2')) + " already belongs to device \"d\" (" + q(d->id) + ")");
        QCOMPARE(q(f.catalog.addCertificate(d->id, certificate('1')).error),
                 "certificate " + q(fingerprint('1')) + " already belongs to device \"e\" (" + q(e->id) + ")");
        QVERIFY(f.catalog.ownerOfCertificate(fingerprint('2')) == (EntityRef{EntityKind::Device, d->id}));
        QVERIFY(q(f.catalog.addCertificate(d->id, Certificate{"ABC", "x", {}}).error).contains("40 lowercase"));

        for (char c : {'3', '4', '5', '6'})
            QVERIFY(f.catalog.addCertificate(d->id, certificate(c)));
        QCOMPARE(q(f.catalog.addCertificate(d->id, certificate('7')).error),
                 "device \"d\" (" + q(d->id) + ") already has 5 certificates (at most 5 per entity)");
        QVERIFY(!f.catalog.ownerOfCertificate(fingerprint('7')));

        QVERIFY(q(f.catalog.removeCertificate(d->id, fingerprint('1')).error).contains("has no certificate"));
        QVERIFY(f.catalog.removeCertificate(d->id, fingerprint('2')));
        QVERIFY(!f.catalog.ownerOfCertificate(fingerprint('2')));
        QVERIFY(f.catalog.addCertificate(r->id, certificate('2')));
        QVERIFY(f.catalog.deleteDevice(e->id));
        QVERIFY(f.catalog.addCertificate(r->id, certificate('1'))); // freed by the delete
    }

    void passwords()
    {
        Fixture f;
        const auto r = f.catalog.createRegistry(registryDraft("r"));
        std::vector<std::string> ids;
        for (int i = 0; i < 5; ++i) {
            f.now += std::chrono::seconds(1);
            const auto added = f.catalog.addPassword(r->id, someHash());
            QVERIFY2(added, added.error.c_str());
            QVERIFY(added->createdAt == f.now);
            ids.push_back(added->id);
        }
        QCOMPARE(q(f.catalog.addPassword(r->id, someHash()).error),
                 "registry \"r\" (" + q(r->id) + ") already has 5 passwords (at most 5 per entity)");
        QVERIFY(f.catalog.removePassword(r->id, ids[2]));
        QCOMPARE(f.catalog.passwordsOf(r->id)->size(), std::size_t(4));
        QVERIFY(q(f.catalog.removePassword(r->id, ids[2]).error).contains("has no password with id"));
        QVERIFY(q(f.catalog.addPassword(r->id, "plain").error).contains("not a mosquitto $7$"));
        QCOMPARE(f.catalog.passwordsOf(r->id)->size(), std::size_t(4));
        QVERIFY(q(f.catalog.addPassword("are99999999999999999", someHash()).error)
                    .contains("no registry, device or broker"));
        QVERIFY(!f.catalog.passwordsOf("are99999999999999999"));
    }

    void brokers()
    {
        Fixture f;
        IotBroker draft;
        draft.name = "plant";
        draft.certificates = {certificate('b')};
        draft.passwords = {PasswordRecord{{}, someHash(), {}}};
        const auto b = f.catalog.createBroker(draft);
        QVERIFY2(b, b.error.c_str());
        QCOMPARE(q(f.catalog.createBroker(draft).error), "a broker named \"plant\" already exists");
        draft.name = "other";
        QVERIFY(q(f.catalog.createBroker(draft).error).contains("already belongs to broker \"plant\""));
        QVERIFY(f.catalog.entity(b->id)->kind == EntityKind::Broker);
        QCOMPARE(f.catalog.brokerByName("plant")->id, b->id);
        QVERIFY(f.catalog.registryByName("plant") == nullptr); // separate name spaces
        QVERIFY(f.catalog.createRegistry(registryDraft("plant")));
        BrokerUpdate update;
        update.description = "line 1";
        QVERIFY(f.catalog.updateBroker(b->id, update));
        QCOMPARE(q(f.catalog.broker(b->id)->description), "line 1");
        QVERIFY(f.catalog.addPassword(b->id, someHash()));
        QVERIFY(f.catalog.deleteBroker(b->id));
        QVERIFY(!f.catalog.ownerOfCertificate(fingerprint('b')));
        QVERIFY(!f.catalog.entity(b->id));
        QCOMPARE(f.catalog.brokers().size(), std::size_t(0));
    }

    void idsUniqueAcrossKinds()
    {
        int calls = 0;
        // A poor generator that repeats itself: the catalog retries, then gives up clearly.
        Catalog catalog({}, [&] {
            ++calls;
            return std::string("are00000000000000000");
        });
        QVERIFY(catalog.createRegistry(registryDraft("r")));
        IotBroker broker;
        broker.name = "b";
        QCOMPARE(q(catalog.createBroker(broker).error), "could not generate a free id");
        QCOMPARE(calls, 1 + 8);
    }
};

QTEST_GUILESS_MAIN(TestCatalog)
#include "tst_catalog.moc"
