// Catalog edits in the main window: undo and redo restore exactly what was there (in memory and
// in the file), deletion follows IoT Core's rules (a registry with devices is refused, with the
// reason), entity pages follow the catalog, and edits reach the running broker.

#include "CatalogFixture.h"

#include "core/Broker.h"
#include "client/MqttClient.h"
#include "pages/EntityLogModel.h"
#include "pages/EntityPage.h"
#include "store/CatalogStore.h"
#include "window/BrokerStatusBar.h"
#include "window/MainWindow.h"
#include "wizards/EntityEditDialog.h"
#include "wizards/EntityFieldsForm.h"
#include "workspace/CatalogEditor.h"
#include "workspace/CatalogWorkspace.h"
#include "workspace/Credentials.h"
#include "workspace/EmbeddedBroker.h"
#include "workspace/Workspace.h"
#include "workspace/WorkspaceTreeModel.h"

#include <QLineEdit>
#include <QPointer>
#include <QStandardItemModel>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QUndoStack>

using namespace iotcore;
using namespace iotcore::broker;
using ui::MainWindow;

namespace {

// A workspace file holding the fixture's catalog, as the command line would have made it.
QString writeFixture(const QTemporaryDir &dir, ui::test::CatalogFixture &fixture)
{
    const QString path = dir.filePath(QStringLiteral("ws.sqlite"));
    QString error;
    std::unique_ptr<app::CatalogWorkspace> file = app::CatalogWorkspace::open(path, true, &error);
    file->catalog() = fixture.catalog;
    if (!file->save(&error))
        qFatal("cannot write the fixture: %s", qPrintable(error));
    return path;
}

std::optional<Catalog> loadFromFile(const QString &path)
{
    std::string error;
    std::unique_ptr<CatalogStore> store = CatalogStore::open(path.toStdString(), false, &error);
    return store ? store->load(&error) : std::nullopt;
}

} // namespace

class TestCatalogEditing : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_fixture = std::make_unique<ui::test::CatalogFixture>();
        m_path = writeFixture(m_dir, *m_fixture);
        m_window = std::make_unique<MainWindow>(MainWindow::Session::FreshLayout);
        QString error;
        QVERIFY2(m_window->openWorkspace(m_path, &error), qPrintable(error));
    }

    void cleanup()
    {
        m_window.reset();
        QFile::remove(m_path);
    }

    void registryWithDevicesCannotBeDeleted()
    {
        QString refusal;
        QVERIFY(!m_window->deleteEntity(m_fixture->home, &refusal));
        QCOMPARE(refusal, QStringLiteral("Registry \"home\" still has 2 devices: delete them first."));
        QVERIFY(m_window->workspace()->catalog().registry(m_fixture->home));
        QVERIFY(loadFromFile(m_path)->registry(m_fixture->home));
        QCOMPARE(m_window->editor()->undoStack().count(), 0);

        // An empty registry can go.
        QVERIFY2(m_window->deleteEntity(m_fixture->office, &refusal), qPrintable(refusal));
        QVERIFY(!m_window->workspace()->catalog().registry(m_fixture->office));
        QVERIFY(!loadFromFile(m_path)->registry(m_fixture->office));
    }

    void deletionIsUndoneExactly()
    {
        const Device before = *m_window->workspace()->catalog().device(m_fixture->boiler);
        QString refusal;
        QVERIFY(m_window->deleteEntity(m_fixture->boiler, &refusal));
        QVERIFY(!m_window->workspace()->catalog().device(m_fixture->boiler));
        QVERIFY(!m_window->treeModel()->indexOf(EntityKind::Device, QString::fromStdString(m_fixture->boiler)).isValid());
        QUndoStack &undo = m_window->editor()->undoStack();
        QCOMPARE(undo.undoText(), QStringLiteral("Delete device boiler"));

        undo.undo();
        const Device *restored = m_window->workspace()->catalog().device(m_fixture->boiler);
        QVERIFY(restored);
        QCOMPARE(restored->name, before.name);
        QCOMPARE(restored->createdAt, before.createdAt);
        QCOMPARE(restored->topicAliases, before.topicAliases);
        QVERIFY(loadFromFile(m_path)->device(m_fixture->boiler));
        QVERIFY(m_window->treeModel()->indexOf(EntityKind::Device, QString::fromStdString(m_fixture->boiler)).isValid());

        undo.redo();
        QVERIFY(!m_window->workspace()->catalog().device(m_fixture->boiler));
        QVERIFY(!loadFromFile(m_path)->device(m_fixture->boiler));
    }

    void pagesFollowTheCatalog()
    {
        ui::EntityPage *page = m_window->openEntityPage(EntityRef{EntityKind::Device, m_fixture->boiler});
        QVERIFY(page);
        QCOMPARE(page->detail(QStringLiteral("ID")), QString::fromStdString(m_fixture->boiler));
        QCOMPARE(page->detail(QStringLiteral("Name")), QStringLiteral("boiler"));
        QCOMPARE(page->detail(QStringLiteral("Registry")),
                 QStringLiteral("home (%1)").arg(QString::fromStdString(m_fixture->home)));
        QCOMPARE(m_window->openEntityPage(EntityRef{EntityKind::Device, m_fixture->boiler}), page);

        // Renamed through the edit dialog, as typed by a user.
        ui::EntityEditDialog dialog(*m_window->editor(), m_fixture->boiler, m_window.get());
        auto *name = dialog.fieldsForm()->findChild<QLineEdit *>(QStringLiteral("name"));
        name->clear();
        QTest::keyClicks(name, QStringLiteral("water-heater"));
        dialog.accept();
        QCOMPARE(page->detail(QStringLiteral("Name")), QStringLiteral("water-heater"));
        QCOMPARE(m_window->tabs()->tabText(m_window->tabs()->indexOf(page)), QStringLiteral("water-heater"));
        QCOMPARE(m_window->workspace()->catalog().device(m_fixture->boiler)->topicAliases,
                 m_fixture->catalog.device(m_fixture->boiler)->topicAliases);

        // A deleted entity's tab closes.
        QPointer<ui::EntityPage> watched = page;
        QString refusal;
        QVERIFY(m_window->deleteEntity(m_fixture->boiler, &refusal));
        QTRY_VERIFY(!watched);
    }

    void theBrokerServesTheWorkspace()
    {
        app::EmbeddedBroker *broker = m_window->broker();
        QVERIFY(broker);
        QVERIFY(broker->isRunning());
        QCOMPARE(broker->listeners().size(), std::size_t(3));
        QVERIFY(m_window->brokerStatus()->listenersText().contains(
            QString::fromStdString(broker->listeners().front().url())));
        QTRY_COMPARE(m_window->brokerStatus()->clientsText(), QStringLiteral("Clients: 0"));
        // A device created in the console is known to the broker's authenticator at once.
        QString error;
        QVERIFY(m_window->editor()->apply(QStringLiteral("create"), [&](Catalog &catalog) {
            Device draft;
            draft.registryId = m_fixture->office;
            draft.name = "fan";
            return catalog.createDevice(draft).error;
        }, &error));
        const std::string fan = m_window->workspace()->catalog().deviceByName(m_fixture->office, "fan")->id;
        // Asked on the broker thread, which owns the authenticator's catalog.
        auto known = std::make_shared<std::atomic<bool>>(false);
        auto ask = [&] {
            broker->server().post([known, authenticator = broker->authenticator(), fan](Broker &) {
                *known = authenticator->catalog().device(fan) != nullptr;
            });
            return known->load();
        };
        QTRY_VERIFY(ask());
    }

    // A real client logs in as the boiler: its page shows the monitoring data and the connection
    // log line in the service's wording.
    void devicePageShowsActivity()
    {
        const QString password = QStringLiteral("Boiler-Pass-2026");
        QString error;
        const std::optional<std::string> hash = app::hashPassword(password.toStdString(), 1000, &error);
        const std::string boiler = m_fixture->boiler;
        QVERIFY(m_window->editor()->apply(QStringLiteral("password"), [&](Catalog &catalog) {
            return catalog.addPassword(boiler, *hash).error;
        }, &error));
        ui::EntityPage *page = m_window->openEntityPage(EntityRef{EntityKind::Device, boiler});
        QCOMPARE(page->detail(QStringLiteral("Last login")), QStringLiteral("never"));

        app::MqttClient client;
        client.setHostname(QStringLiteral("127.0.0.1"));
        client.setPort(m_window->broker()->listeners().front().port); // the IoT Core listener
        client.setUsername(QString::fromStdString(boiler));
        client.setPassword(password);
        client.connectToHost();
        QTRY_COMPARE(client.state(), app::MqttClient::State::Connected);
        client.publish(QStringLiteral("$devices/%1/events").arg(QString::fromStdString(boiler)), "21.5", 1);

        auto activity = [&] {
            page->refreshActivity();
            return page->detail(QStringLiteral("Last publish")) != QStringLiteral("never")
                && page->logModel()->rowCount() > 0;
        };
        QTRY_VERIFY_WITH_TIMEOUT(activity(), 10000);
        QCOMPARE(page->detail(QStringLiteral("Last login from")).section(u':', 0, 0), QStringLiteral("127.0.0.1"));
        const QString line = page->logModel()->index(0, ui::EntityLogModel::MessageColumn).data().toString();
        QVERIFY2(line.startsWith(QStringLiteral("connected")), qPrintable(line));
        QTRY_COMPARE(m_window->brokerStatus()->clientsText(), QStringLiteral("Clients: 1"));
    }

private:
    QTemporaryDir m_dir;
    QString m_path;
    std::unique_ptr<ui::test::CatalogFixture> m_fixture;
    std::unique_ptr<MainWindow> m_window;
};

QTEST_MAIN(TestCatalogEditing)
#include "tst_catalogediting.moc"
