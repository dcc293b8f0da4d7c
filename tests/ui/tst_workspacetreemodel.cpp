// WorkspaceTreeModel: registries with their devices, and brokers, as a tree that the Qt model
// contract holds for (QAbstractItemModelTester), rebuilt when the catalog changes.

#include "CatalogFixture.h"

#include "workspace/WorkspaceTreeModel.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace iotcore;
using namespace iotcore::broker;
using iotcore::ui::WorkspaceTreeModel;

class TestWorkspaceTreeModel : public QObject
{
    Q_OBJECT

private slots:
    void emptyCatalogHasTheTwoGroups()
    {
        WorkspaceTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCatalog(Catalog());
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(model.data(model.index(0, 0)).toString(), QStringLiteral("Registries (0)"));
        QCOMPARE(model.data(model.index(1, 0)).toString(), QStringLiteral("Brokers (0)"));
        QVERIFY(!model.entityAt(model.index(0, 0)));
    }

    void registriesHoldTheirDevices()
    {
        ui::test::CatalogFixture fixture;
        WorkspaceTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCatalog(fixture.catalog);

        const QModelIndex registries = model.groupIndex(WorkspaceTreeModel::Group::Registries);
        QCOMPARE(model.rowCount(registries), 2);
        const QModelIndex home = model.indexOf(EntityKind::Registry, QString::fromStdString(fixture.home));
        QVERIFY(home.isValid());
        QCOMPARE(home.parent(), registries);
        QCOMPARE(model.data(home).toString(), QStringLiteral("home (2)"));
        QCOMPARE(model.data(home, Qt::ToolTipRole).toString(),
                 QStringLiteral("Registry %1").arg(QString::fromStdString(fixture.home)));
        QCOMPARE(model.rowCount(home), 2);

        const QModelIndex boiler = model.indexOf(EntityKind::Device, QString::fromStdString(fixture.boiler));
        QCOMPARE(boiler.parent(), home);
        QCOMPARE(model.data(boiler).toString(), QStringLiteral("boiler"));
        QCOMPARE(model.data(boiler, WorkspaceTreeModel::EntityIdRole).toString(),
                 QString::fromStdString(fixture.boiler));
        QCOMPARE(model.data(boiler, WorkspaceTreeModel::EntityKindRole).toInt(), int(EntityKind::Device));
        QCOMPARE(*model.entityAt(boiler), (EntityRef{EntityKind::Device, fixture.boiler}));

        const QModelIndex office = model.indexOf(EntityKind::Registry, QString::fromStdString(fixture.office));
        QCOMPARE(model.rowCount(office), 0);

        const QModelIndex brokers = model.groupIndex(WorkspaceTreeModel::Group::Brokers);
        QCOMPARE(model.rowCount(brokers), 1);
        const QModelIndex factory = model.index(0, 0, brokers);
        QCOMPARE(model.data(factory).toString(), QStringLiteral("factory"));
        QCOMPARE(*model.entityAt(factory), (EntityRef{EntityKind::Broker, fixture.broker}));
        QCOMPARE(model.rowCount(factory), 0);
    }

    void followsTheCatalogAsItChanges()
    {
        ui::test::CatalogFixture fixture;
        WorkspaceTreeModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setCatalog(fixture.catalog);

        QVERIFY(fixture.catalog.deleteDevice(fixture.lamp).ok());
        QVERIFY(fixture.catalog.setRegistryStatus(fixture.home, RegistryStatus::Disabled).ok());
        Device fan;
        fan.registryId = fixture.office;
        fan.name = "fan";
        const std::string fanId = fixture.catalog.createDevice(fan)->id;
        model.setCatalog(fixture.catalog);

        QVERIFY(!model.indexOf(EntityKind::Device, QString::fromStdString(fixture.lamp)).isValid());
        const QModelIndex home = model.indexOf(EntityKind::Registry, QString::fromStdString(fixture.home));
        QCOMPARE(model.rowCount(home), 1);
        QVERIFY(model.data(home, Qt::ToolTipRole).toString().contains(QStringLiteral("disabled")));
        QVERIFY(model.data(home, Qt::ForegroundRole).isValid());
        const QModelIndex fanIndex = model.indexOf(EntityKind::Device, QString::fromStdString(fanId));
        QCOMPARE(model.data(fanIndex.parent()).toString(), QStringLiteral("office (1)"));
    }

    void foreignAndStaleIndexesGiveNothing()
    {
        ui::test::CatalogFixture fixture;
        WorkspaceTreeModel model;
        model.setCatalog(fixture.catalog);
        QVERIFY(!model.index(5, 0).isValid());
        QVERIFY(!model.index(0, 1).isValid());
        QVERIFY(!model.index(-1, 0).isValid());
        WorkspaceTreeModel other;
        other.setCatalog(fixture.catalog);
        QVERIFY(!model.entityAt(other.index(0, 0, other.index(0, 0))));
        QVERIFY(!model.data(QModelIndex()).isValid());
    }
};

QTEST_MAIN(TestWorkspaceTreeModel)
#include "tst_workspacetreemodel.moc"
