// The "new fleet" form (ui/sim/FleetForm) driven with QTest: it starts from a template, checks
// every field as you type with the words of `sim fleet create` and the scenario rules, accepts
// only a fleet that can run, and previews what the first device reads (SensorPreviewModel,
// checked with QAbstractItemModelTester).

#include "sim/FleetForm.h"
#include "sim/SensorPreviewModel.h"
#include "wizards/FieldMessage.h"

#include <QAbstractItemModelTester>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QtTest/QTest>

using namespace iotcore;
using namespace iotcore::ui;
using sim::Fleet;
using sim::Identity;
using sim::Scenario;

class tst_FleetForm : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void startsFromTheTemplateAndPreviewsIt();
    void acceptsAFleetTheCommandLineWouldTake();
    void refusesWhatTheCommandLineRefuses();
    void ownSensorsJoinTheTemplatesInThePreview();
    void anonymousFleetsNameNoRegistry();

private:
    QPushButton *createButton(FleetForm &form) const
    {
        return form.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
    }
    QString message(FleetForm &form) const { return form.findChild<FieldMessage *>()->error(); }
    template<typename T>
    T *field(FleetForm &form, const char *name) const
    {
        return form.findChild<T *>(QLatin1String(name));
    }

    broker::Catalog m_catalog;
    Scenario m_scenario;
};

void tst_FleetForm::init()
{
    m_catalog = broker::Catalog();
    broker::Registry registry;
    registry.name = "home";
    QVERIFY(m_catalog.createRegistry(std::move(registry)));
    m_scenario = Scenario();
    Fleet existing;
    existing.name = QStringLiteral("flats");
    existing.templateName = QStringLiteral("thermostat");
    existing.count = 3;
    existing.deviceName = QStringLiteral("flat-{i}");
    m_scenario.fleets = {existing};
}

void tst_FleetForm::startsFromTheTemplateAndPreviewsIt()
{
    FleetForm form(m_catalog, m_scenario);
    QCOMPARE(field<QComboBox>(form, "template")->currentText(), QStringLiteral("thermostat"));
    const QJsonDocument sensors = QJsonDocument::fromJson(field<QPlainTextEdit>(form, "sensors")->toPlainText().toUtf8());
    QCOMPARE(sensors.array(), sim::FleetModel::templateFleet(QStringLiteral("thermostat"))->sensors);
    QCOMPARE(field<QLineEdit>(form, "period")->text(), QStringLiteral("10s"));
    QCOMPARE(field<QLineEdit>(form, "jitter")->text(), QStringLiteral("1s"));
    QCOMPARE(field<QComboBox>(form, "identityName")->currentText(), QStringLiteral("home"));
    // Not yet: it has no name. The preview does not wait for one.
    QVERIFY(!createButton(form)->isEnabled());
    QCOMPARE(message(form), QStringLiteral("Name the fleet."));

    const SensorPreviewModel *preview = form.preview();
    QAbstractItemModelTester tester(const_cast<SensorPreviewModel *>(preview),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    QTRY_COMPARE(preview->rowCount(), SensorPreviewModel::MaxRows); // 10 minutes every 10 s
    QCOMPARE(preview->columnCount(), 4);
    QCOMPARE(preview->headerData(1, Qt::Horizontal).toString(), QStringLiteral("temperature"));
    QCOMPARE(preview->index(0, 0).data().toString(), QStringLiteral("0:00"));
    QCOMPARE(preview->index(60, 0).data().toString(), QStringLiteral("10:00"));
    bool isNumber = false;
    const double temperature = preview->index(1, 1).data().toString().section(u' ', 0, 0).toDouble(&isNumber);
    QVERIFY(isNumber);
    QVERIFY2(temperature > 15 && temperature < 27, qPrintable(QString::number(temperature)));
    QVERIFY(preview->index(1, 1).data().toString().endsWith(QStringLiteral(" °C")));

    // Another template brings its sensors, schedule and preview.
    field<QComboBox>(form, "template")->setCurrentText(QStringLiteral("energy-meter"));
    QCOMPARE(field<QLineEdit>(form, "period")->text(), QStringLiteral("15s"));
    QTRY_COMPARE(preview->headerData(1, Qt::Horizontal).toString(), QStringLiteral("power"));
    // A shorter period: one row per period.
    field<QLineEdit>(form, "period")->setText(QStringLiteral("30"));
    QTRY_COMPARE(preview->rowCount(), 21);
    QCOMPARE(preview->index(1, 0).data().toString(), QStringLiteral("0:30"));
}

void tst_FleetForm::acceptsAFleetTheCommandLineWouldTake()
{
    FleetForm form(m_catalog, m_scenario);
    QTest::keyClicks(field<QLineEdit>(form, "name"), QStringLiteral("offices"));
    field<QSpinBox>(form, "count")->setValue(25);
    auto *pattern = field<QLineEdit>(form, "deviceName");
    pattern->clear();
    QTest::keyClicks(pattern, QStringLiteral("office-{i}"));
    auto *registry = field<QComboBox>(form, "identityName");
    registry->setEditText(QStringLiteral("offices")); // created when the fleet is provisioned
    field<QLineEdit>(form, "period")->setText(QStringLiteral("5s"));
    field<QLineEdit>(form, "jitter")->setText(QStringLiteral("500ms"));
    field<QComboBox>(form, "qos")->setCurrentIndex(0);
    QVERIFY2(createButton(form)->isEnabled(), qPrintable(message(form)));
    QVERIFY(message(form).isEmpty());

    const Fleet fleet = *form.fleet();
    QCOMPARE(fleet.name, QStringLiteral("offices"));
    QCOMPARE(fleet.templateName, QStringLiteral("thermostat"));
    QCOMPARE(fleet.count, 25);
    QCOMPARE(fleet.deviceNameAt(24), QStringLiteral("office-25"));
    QCOMPARE(fleet.identity.kind, Identity::Kind::Device);
    QCOMPARE(fleet.identity.registry, QStringLiteral("offices"));
    QCOMPARE(fleet.qos, 0);
    QCOMPARE(sim::FleetModel::periodMs(fleet), 5000);
    QCOMPARE(fleet.schedule.value(QLatin1String("jitter")).toString(), QStringLiteral("500ms"));
    QVERIFY(fleet.sensors.isEmpty()); // the template's, as `fleet create` without --sensors-file
    // It joins the scenario as the command line would let it.
    Scenario joined = m_scenario;
    joined.fleets.push_back(fleet);
    QCOMPARE(joined.check(), QString());
    QTest::mouseClick(createButton(form), Qt::LeftButton);
    QCOMPARE(form.result(), int(QDialog::Accepted));
}

void tst_FleetForm::refusesWhatTheCommandLineRefuses()
{
    FleetForm form(m_catalog, m_scenario);
    auto *name = field<QLineEdit>(form, "name");
    QTest::keyClicks(name, QStringLiteral("flats"));
    QCOMPARE(message(form), QStringLiteral("A fleet named \"flats\" already exists."));
    name->setText(QStringLiteral("more-flats"));
    QVERIFY(createButton(form)->isEnabled());

    // Devices named twice: the pattern needs {i}.
    field<QLineEdit>(form, "deviceName")->setText(QStringLiteral("flat"));
    QVERIFY(!createButton(form)->isEnabled());
    QVERIFY2(message(form).contains(QStringLiteral("must contain {i}")), qPrintable(message(form)));
    // The same names as another fleet's devices.
    field<QLineEdit>(form, "deviceName")->setText(QStringLiteral("flat-{i}"));
    QVERIFY(!createButton(form)->isEnabled());
    QVERIFY2(message(form).contains(QStringLiteral("flat-1")), qPrintable(message(form)));
    field<QLineEdit>(form, "deviceName")->setText(QStringLiteral("{fleet}-{i}"));
    QVERIFY(createButton(form)->isEnabled());

    field<QLineEdit>(form, "period")->setText(QStringLiteral("often"));
    QCOMPARE(message(form), QStringLiteral("Period: \"often\" is not a duration (use a number of seconds or 500ms, 10s, 5m, 2h)."));
    field<QLineEdit>(form, "period")->setText(QStringLiteral("10s"));

    field<QComboBox>(form, "identityName")->setEditText(QString());
    QCOMPARE(message(form), QStringLiteral("Name the registry of the devices."));
    field<QComboBox>(form, "identityName")->setEditText(QStringLiteral("home"));

    auto *sensors = field<QPlainTextEdit>(form, "sensors");
    sensors->setPlainText(QStringLiteral("[{\"name\": \"level\""));
    QVERIFY(!createButton(form)->isEnabled());
    QVERIFY2(message(form).startsWith(QStringLiteral("Sensors are not JSON: ")), qPrintable(message(form)));
    sensors->setPlainText(QStringLiteral("{\"name\": \"level\"}"));
    QCOMPARE(message(form), QStringLiteral("Sensors must be a JSON list of sensor objects."));
    sensors->setPlainText(QStringLiteral(R"([{"name": "level", "type": "sine", "min": 0, "max": 10, "period": "0s"}])"));
    QVERIFY(!createButton(form)->isEnabled());
    QVERIFY2(message(form).contains(QStringLiteral("level")), qPrintable(message(form)));
    QVERIFY(!form.fleet());
}

void tst_FleetForm::ownSensorsJoinTheTemplatesInThePreview()
{
    FleetForm form(m_catalog, m_scenario);
    QTest::keyClicks(field<QLineEdit>(form, "name"), QStringLiteral("tanks"));
    field<QPlainTextEdit>(form, "sensors")->setPlainText(
        QStringLiteral(R"([{"name": "level", "type": "constant", "unit": "l", "value": 42}])"));
    QVERIFY2(createButton(form)->isEnabled(), qPrintable(message(form)));
    QCOMPARE(form.fleet()->sensors.size(), 1);
    // What a run samples: the template's sensors and the fleet's own.
    const SensorPreviewModel *preview = form.preview();
    QTRY_COMPARE(preview->columnCount(), 5);
    QCOMPARE(preview->headerData(4, Qt::Horizontal).toString(), QStringLiteral("level"));
    QCOMPARE(preview->index(3, 4).data().toString(), QStringLiteral("42 l"));
}

void tst_FleetForm::anonymousFleetsNameNoRegistry()
{
    FleetForm form(m_catalog, m_scenario);
    QTest::keyClicks(field<QLineEdit>(form, "name"), QStringLiteral("lab"));
    auto *kind = field<QComboBox>(form, "identityKind");
    kind->setCurrentIndex(kind->findData(int(Identity::Kind::Anonymous)));
    QVERIFY(!field<QComboBox>(form, "identityName")->isEnabled());
    QVERIFY(createButton(form)->isEnabled());
    QCOMPARE(form.fleet()->identity.kind, Identity::Kind::Anonymous);
    QVERIFY(form.fleet()->identity.registry.isEmpty());
}

QTEST_MAIN(tst_FleetForm)
#include "tst_fleetform.moc"
