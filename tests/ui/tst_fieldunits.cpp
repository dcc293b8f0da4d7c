// unitSuggestedBy: the unit a field's name suggests, or none.

#include "charts/FieldUnits.h"

#include <QTest>

using namespace iotcore::ui;

class TestFieldUnits : public QObject
{
    Q_OBJECT

private slots:
    void units_data();
    void units();
};

void TestFieldUnits::units_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("unit");
    // Quantities named as words
    QTest::newRow("temperature") << "temperature" << "°C";
    QTest::newRow("camelCase") << "outsideTemp" << "°C";
    QTest::newRow("numbered") << "temp2" << "°C";
    QTest::newRow("humidity") << "humidity" << "%";
    QTest::newRow("battery") << "battery_level" << "%";
    QTest::newRow("power") << "power" << "W";
    QTest::newRow("energy") << "energy" << "kWh";
    QTest::newRow("voltage") << "voltage" << "V";
    QTest::newRow("latitude") << "lat" << "°";
    QTest::newRow("co2") << "co2" << "ppm";
    QTest::newRow("rssi") << "wifi-rssi" << "dBm";
    // A unit as the last word wins over the quantity
    QTest::newRow("suffix c") << "temp_c" << "°C";
    QTest::newRow("suffix f") << "temp_f" << "°F";
    QTest::newRow("suffix kWh") << "energyKWh" << "kWh";
    QTest::newRow("suffix kwh") << "energy_kwh" << "kWh";
    QTest::newRow("suffix mV") << "cell_mV" << "mV";
    QTest::newRow("suffix pct") << "fill_pct" << "%";
    QTest::newRow("suffix W") << "powerW" << "W";
    // Only the last path component counts
    QTest::newRow("path") << "track.lat" << "°";
    QTest::newRow("path of a unitless") << "temperature.count" << "";
    // Nothing suggested
    QTest::newRow("count") << "count" << "";
    QTest::newRow("lone letter") << "c" << "";
    QTest::newRow("setpoint") << "setpoint" << "";
    QTest::newRow("empty") << "" << "";
    QTest::newRow("punctuation") << "__" << "";
}

void TestFieldUnits::units()
{
    QFETCH(QString, name);
    QFETCH(QString, unit);
    QCOMPARE(unitSuggestedBy(name), unit);
}

QTEST_GUILESS_MAIN(TestFieldUnits)
#include "tst_fieldunits.moc"
