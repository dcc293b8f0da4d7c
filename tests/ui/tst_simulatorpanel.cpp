// The simulator panel (ui/sim/SimulatorPanel) driven with QTest against the embedded broker's
// open in-process listener: start, pause and resume, per-device state, a fault injected through
// the fault dialog, a refused start, and stop without waiting. Also the fault dialog's
// validation (the scenario parser's words) and the device table model (QAbstractItemModelTester).

#include "../net/NetTestSupport.h"

#include "client/InProcessClientTransport.h"
#include "sim/DeviceStateModel.h"
#include "sim/FaultDialog.h"
#include "sim/SensorTemplates.h"
#include "sim/SimulatorPanel.h"
#include "wizards/FieldMessage.h"
#include "workspace/EmbeddedBroker.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QtTest/QTest>

using namespace iotcore;
using namespace iotcore::ui;
using sim::DeviceSnapshot;
using sim::Fleet;
using sim::Scenario;
using sim::TimelineEvent;

namespace {

Fleet anonymousFleet(const QString &name, const QString &templateName, int count)
{
    Fleet fleet;
    fleet.name = name;
    fleet.templateName = templateName;
    fleet.count = count;
    fleet.schedule = QJsonObject{{QStringLiteral("period"), QStringLiteral("100ms")}};
    return fleet;
}

Scenario twoFleets()
{
    Scenario scenario;
    scenario.fleets = {anonymousFleet(QStringLiteral("t"), QStringLiteral("thermostat"), 3),
                       anonymousFleet(QStringLiteral("m"), QStringLiteral("energy-meter"), 2)};
    return scenario;
}

QString counter(const SimulatorPanel &panel, const char *key)
{
    return panel.findChild<QLabel *>(QStringLiteral("counter-") + QLatin1String(key))->text();
}

QPushButton *button(const QWidget &parent, const char *name)
{
    return parent.findChild<QPushButton *>(QLatin1String(name));
}

DeviceSnapshot snapshotOf(const QString &name, const QString &fleet, const QString &templateName, bool connected)
{
    QString error;
    DeviceSnapshot device;
    device.name = device.id = name;
    device.fleet = fleet;
    device.connected = connected;
    device.sent = 1234;
    device.sensors = sim::SensorSetModel::parse(*sim::sensorTemplate(templateName), {}, &error);
    device.values.resize(std::size_t(device.sensors->size()), sim::SensorValue(20.26));
    return device;
}

} // namespace

class tst_SimulatorPanel : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void runsPausesAndStopsAScenario();
    void injectsAFaultThroughTheDialog();
    void refusedStartIsShown();
    void faultDialogValidatesAsTheScenarioParserDoes();
    void deviceStateModelUpdatesRowsInPlace();

private:
    SimulatorPanel::SimulationFactory factory();

    test::CapturedLog m_log;
    std::unique_ptr<app::EmbeddedBroker> m_broker;
    broker::Catalog m_catalog; // anonymous fleets need no identities
};

void tst_SimulatorPanel::init()
{
    m_broker = std::make_unique<app::EmbeddedBroker>(app::EmbeddedBroker::Options{}, m_log.log());
    QString error;
    std::string reason;
    QVERIFY2(m_broker->open(&error), qPrintable(error));
    QVERIFY2(m_broker->server().addInProcessListener("open", broker::ListenerInfo::Mode::Open, &reason), reason.c_str());
    QVERIFY2(m_broker->start(&error), qPrintable(error));
}

void tst_SimulatorPanel::cleanup()
{
    m_broker.reset();
}

SimulatorPanel::SimulationFactory tst_SimulatorPanel::factory()
{
    return [this](const Scenario &scenario, QString *error) {
        const app::ClientTransportFactory open = app::inProcessTransportFactory(m_broker->server(), QStringLiteral("open"));
        sim::SimulationOptions options;
        options.threads = 2;
        return sim::Simulation::create(scenario, m_catalog, sim::BrokerTarget::inProcess(open, open, QStringLiteral("the test broker")),
                                       options, error);
    };
}

void tst_SimulatorPanel::runsPausesAndStopsAScenario()
{
    SimulatorPanel panel(factory());
    panel.resize(1200, 700);
    panel.show();
    QVERIFY(!button(panel, "start")->isEnabled()); // nothing to run yet
    panel.setScenario(twoFleets());
    auto *fleets = panel.findChild<QTableView *>(QStringLiteral("fleets"));
    QCOMPARE(fleets->model()->rowCount(), 2);
    QCOMPARE(fleets->model()->index(0, 2).data().toString(), QStringLiteral("3 (t-1 … t-3)"));
    QVERIFY(button(panel, "start")->isEnabled());
    QVERIFY(!button(panel, "pause")->isEnabled());

    QSignalSpy running(&panel, &SimulatorPanel::runningChanged);
    QTest::mouseClick(button(panel, "start"), Qt::LeftButton);
    QVERIFY(panel.isRunning());
    QCOMPARE(running.size(), 1);
    QVERIFY(!button(panel, "start")->isEnabled());
    QTRY_COMPARE_WITH_TIMEOUT(counter(panel, "connected"), QStringLiteral("5"), 10'000);
    QCOMPARE(counter(panel, "devices"), QStringLiteral("5"));

    // Every device in scenario order, connected, with its values.
    auto *devices = panel.findChild<QTableView *>(QStringLiteral("devices"));
    QAbstractItemModel *model = devices->model();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 5, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(model->index(4, DeviceStateModel::ConnectionColumn).data().toString(),
                              QStringLiteral("connected"), 5000);
    QCOMPARE(model->index(0, DeviceStateModel::DeviceColumn).data().toString(), QStringLiteral("t-1"));
    QCOMPARE(model->index(4, DeviceStateModel::DeviceColumn).data().toString(), QStringLiteral("m-2"));
    QTRY_VERIFY_WITH_TIMEOUT(model->index(0, DeviceStateModel::ValuesColumn).data().toString().contains(QStringLiteral("temperature")), 5000);
    QTRY_VERIFY_WITH_TIMEOUT(counter(panel, "rate") != QStringLiteral("0"), 5000);

    QTest::mouseClick(button(panel, "pause"), Qt::LeftButton);
    QVERIFY(panel.simulation()->isPaused());
    QCOMPARE(button(panel, "pause")->text(), QStringLiteral("Resume"));
    QTRY_COMPARE_WITH_TIMEOUT(counter(panel, "rate"), QStringLiteral("0"), 5000);
    QCOMPARE(counter(panel, "connected"), QStringLiteral("5")); // quiet, not gone
    QTest::mouseClick(button(panel, "pause"), Qt::LeftButton);
    QVERIFY(!panel.simulation()->isPaused());
    QCOMPARE(button(panel, "pause")->text(), QStringLiteral("Pause"));

    QTest::mouseClick(button(panel, "stop"), Qt::LeftButton);
    QVERIFY(!button(panel, "stop")->isEnabled()); // the devices say goodbye meanwhile
    QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning(), 10'000);
    QCOMPARE(running.size(), 2);
    QCOMPARE(running.at(1).at(0).toBool(), false);
    QVERIFY(button(panel, "start")->isEnabled());
    QVERIFY(panel.findChild<QLabel *>(QStringLiteral("status"))->text().startsWith(QStringLiteral("Stopped after")));
}

void tst_SimulatorPanel::injectsAFaultThroughTheDialog()
{
    SimulatorPanel panel(factory());
    panel.setScenario(twoFleets());
    panel.show();
    QVERIFY(panel.start());
    QTRY_COMPARE_WITH_TIMEOUT(counter(panel, "connected"), QStringLiteral("5"), 10'000);

    QTest::mouseClick(button(panel, "injectFault"), Qt::LeftButton);
    auto *dialog = panel.findChild<FaultDialog *>();
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->isVisible());
    dialog->findChild<QComboBox *>(QStringLiteral("fleet"))->setCurrentText(QStringLiteral("m"));
    dialog->findChild<QRadioButton *>()->setChecked(false);
    const auto radios = dialog->findChildren<QRadioButton *>();
    radios.last()->setChecked(true); // these devices
    auto *names = dialog->findChild<QLineEdit *>(QStringLiteral("devices"));
    names->clear();
    QTest::keyClicks(names, QStringLiteral("m-2"));
    auto *duration = dialog->findChild<QLineEdit *>(QStringLiteral("duration"));
    duration->clear();
    QTest::keyClicks(duration, QStringLiteral("1m"));
    QPushButton *inject = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    QVERIFY(inject->isEnabled());
    QTest::mouseClick(inject, Qt::LeftButton);

    // The offline fault takes m-2 down, and its row says why.
    QTRY_COMPARE_WITH_TIMEOUT(counter(panel, "connected"), QStringLiteral("4"), 5000);
    QTRY_COMPARE_WITH_TIMEOUT(counter(panel, "faults"), QStringLiteral("1"), 5000);
    QAbstractItemModel *model = panel.findChild<QTableView *>(QStringLiteral("devices"))->model();
    QTRY_COMPARE_WITH_TIMEOUT(model->index(4, DeviceStateModel::ConnectionColumn).data().toString(),
                              QStringLiteral("disconnected · offline"), 5000);
    panel.stop();
    QTRY_VERIFY_WITH_TIMEOUT(!panel.isRunning(), 10'000);
}

void tst_SimulatorPanel::refusedStartIsShown()
{
    SimulatorPanel panel([](const Scenario &, QString *error) {
        *error = QStringLiteral("fleet \"t\": registry \"home\" is not in the workspace");
        return std::unique_ptr<sim::Simulation>();
    });
    panel.setScenario(twoFleets());
    QVERIFY(!panel.start());
    QVERIFY(!panel.isRunning());
    QCOMPARE(panel.findChild<QLabel *>(QStringLiteral("status"))->text(),
             QStringLiteral("Cannot start: fleet \"t\": registry \"home\" is not in the workspace"));
    QVERIFY(button(panel, "start")->isEnabled());
}

void tst_SimulatorPanel::faultDialogValidatesAsTheScenarioParserDoes()
{
    const Scenario scenario = twoFleets();
    FaultDialog dialog(scenario);
    QPushButton *inject = dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    auto *message = dialog.findChild<FieldMessage *>();
    auto *kind = dialog.findChild<QComboBox *>(QStringLiteral("fault"));
    auto *duration = dialog.findChild<QLineEdit *>(QStringLiteral("duration"));

    // The defaults: 25 % of the first fleet offline for 30 s.
    QVERIFY(inject->isEnabled());
    std::optional<TimelineEvent> fault = dialog.fault();
    QVERIFY(fault);
    QCOMPARE(fault->fleet, QStringLiteral("t"));
    QCOMPARE(fault->fault, TimelineEvent::Fault::Offline);
    QCOMPARE(fault->share, 0.25);
    QCOMPARE(fault->durationMs, 30'000);

    duration->setText(QStringLiteral("10 parsecs"));
    QVERIFY(!inject->isEnabled());
    QVERIFY2(message->error().startsWith(QStringLiteral("Duration is wrong: \"10 parsecs\" is not a duration")),
             qPrintable(message->error()));
    duration->clear();
    QVERIFY(!inject->isEnabled());
    QCOMPARE(message->error(), QStringLiteral("Duration must be positive for an offline fault."));

    // Each kind shows its own parameter, checked by the same rules.
    kind->setCurrentIndex(kind->findData(int(TimelineEvent::Fault::SlowLink)));
    auto *delay = dialog.findChild<QLineEdit *>(QStringLiteral("delay"));
    QVERIFY(delay->isVisibleTo(&dialog));
    QVERIFY(!dialog.findChild<QSpinBox *>(QStringLiteral("size"))->isVisibleTo(&dialog));
    QVERIFY(inject->isEnabled()); // a slow link may last until the run stops
    QCOMPARE(dialog.fault()->delayMs, 2000);
    delay->setText(QStringLiteral("0"));
    QCOMPARE(message->error(), QStringLiteral("Delay must be positive for a slow link."));

    // Devices by name must be the fleet's.
    kind->setCurrentIndex(kind->findData(int(TimelineEvent::Fault::MalformedPayload)));
    dialog.findChildren<QRadioButton *>().last()->setChecked(true);
    auto *names = dialog.findChild<QLineEdit *>(QStringLiteral("devices"));
    QCOMPARE(message->error(), QStringLiteral("Name at least one device of the fleet."));
    names->setText(QStringLiteral("t-1, t-9"));
    QCOMPARE(message->error(), QStringLiteral("Fleet \"t\" has no device \"t-9\"."));
    names->setText(QStringLiteral("t-1, t-3"));
    QVERIFY(inject->isEnabled());
    QCOMPARE(dialog.fault()->devices, (QStringList{QStringLiteral("t-1"), QStringLiteral("t-3")}));
}

void tst_SimulatorPanel::deviceStateModelUpdatesRowsInPlace()
{
    DeviceStateModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changes(&model, &QAbstractItemModel::dataChanged);

    std::vector<DeviceSnapshot> devices{snapshotOf(QStringLiteral("t-1"), QStringLiteral("t"), QStringLiteral("thermostat"), true),
                                        snapshotOf(QStringLiteral("m-1"), QStringLiteral("m"), QStringLiteral("energy-meter"), false)};
    devices[1].faults = {TimelineEvent::Fault::Offline, TimelineEvent::Fault::ClockSkew};
    model.setDevices(devices);
    QCOMPARE(resets.size(), 1);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(model.columnCount(), int(DeviceStateModel::ColumnCount));
    QCOMPARE(model.index(0, DeviceStateModel::ConnectionColumn).data().toString(), QStringLiteral("connected"));
    QCOMPARE(model.index(1, DeviceStateModel::ConnectionColumn).data().toString(),
             QStringLiteral("disconnected · offline · clock-skew"));
    QCOMPARE(model.index(0, DeviceStateModel::SentColumn).data().toString(), QLocale().toString(1234));
    // Values with the sensors' names, units and decimals.
    const QString values = model.index(0, DeviceStateModel::ValuesColumn).data().toString();
    QVERIFY2(values.startsWith(QStringLiteral("temperature 20.3 °C")), qPrintable(values));
    QVERIFY2(values.contains(QStringLiteral("humidity ")), qPrintable(values));
    QCOMPARE(model.headerData(DeviceStateModel::ValuesColumn, Qt::Horizontal).toString(), QStringLiteral("Last values"));

    // The same devices again: rows change in place.
    devices[1].connected = true;
    devices[1].faults.clear();
    model.setDevices(devices);
    QCOMPARE(resets.size(), 1);
    QVERIFY(changes.size() >= 1);
    QCOMPARE(model.index(1, DeviceStateModel::ConnectionColumn).data().toString(), QStringLiteral("connected"));
    // Other devices: a new table.
    devices.pop_back();
    model.setDevices(devices);
    QCOMPARE(resets.size(), 2);
    QCOMPARE(model.rowCount(), 1);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

QTEST_MAIN(tst_SimulatorPanel)
#include "tst_simulatorpanel.moc"
