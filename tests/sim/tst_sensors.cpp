// The sensor models of the fleet simulator, through the public API a device uses: specs parsed
// by SensorSetModel, values sampled by SensorSet on a fake clock. Statistics are taken over
// seeded runs long enough that the tolerances hold for any seed, not only the one used here.

#include "sim/Expression.h"
#include "sim/Random.h"
#include "sim/ReplaySeries.h"
#include "sim/SensorSet.h"
#include "sim/SensorTemplates.h"

#include <QFile>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QtTest/QTest>

#include <cmath>
#include <numeric>

using namespace iotcore::sim;

namespace {

QJsonArray jsonArray(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (!document.isArray())
        qFatal("test spec is not a JSON array: %s", qPrintable(error.errorString()));
    return document.array();
}

std::shared_ptr<const SensorSetModel> parseModel(const QByteArray &json,
                                                 const SensorParseOptions &options = {})
{
    QString error;
    auto model = SensorSetModel::parse(jsonArray(json), options, &error);
    if (!model)
        qWarning("%s", qPrintable(error));
    return model;
}

QString parseError(const QByteArray &json, const SensorParseOptions &options = {})
{
    QString error;
    return SensorSetModel::parse(jsonArray(json), options, &error) ? QString() : error;
}

double number(const SensorSet &set, QStringView name)
{
    return std::get<double>(*set.value(name));
}

// The numbers a sensor reads at `count` samples, `stepMs` apart from time 0.
std::vector<double> series(SensorSet &set, QStringView name, int count, qint64 stepMs = 1000)
{
    std::vector<double> values;
    for (int i = 0; i < count; ++i) {
        set.sample(i * stepMs);
        values.push_back(number(set, name));
    }
    return values;
}

double mean(const std::vector<double> &values)
{
    return std::accumulate(values.begin(), values.end(), 0.0) / double(values.size());
}

double stddev(const std::vector<double> &values)
{
    const double m = mean(values);
    double sum = 0;
    for (double v : values)
        sum += (v - m) * (v - m);
    return std::sqrt(sum / double(values.size() - 1));
}

void writeFile(const QString &path, const QByteArray &content)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
}

} // namespace

class tst_Sensors : public QObject
{
    Q_OBJECT

private slots:
    void durations_data();
    void durations();
    void parseErrors_data();
    void parseErrors();
    void roundTrip();

    void sameSeedSameValues();
    void noiseStatistics();
    void boundsAndDecimals();
    void waveformsAtKnownTimes_data();
    void waveformsAtKnownTimes();
    void steps();
    void spikes();
    void randomWalk();
    void counter();
    void booleanProbability();
    void booleanDwellTimes();
    void enumerationWeights();
    void enumerationStay();

    void gpsAlongTrack();
    void gpsGreatCircle();
    void gpsLoopAndEnd();
    void gpsArea();

    void replayCsvRows();
    void replayCsvPaced();
    void replayJsonLines();
    void replayErrors_data();
    void replayErrors();
    void replayReadOnce();

    void expressionPrecedence_data();
    void expressionPrecedence();
    void expressionErrors_data();
    void expressionErrors();
    void expressionRandomText();
    void composition();

    void templates();
};

void tst_Sensors::durations_data()
{
    QTest::addColumn<QJsonValue>("period");
    QTest::addColumn<qint64>("milliseconds"); // 0: refused

    QTest::newRow("ms") << QJsonValue(QStringLiteral("500ms")) << qint64(500);
    QTest::newRow("s") << QJsonValue(QStringLiteral("10s")) << qint64(10'000);
    QTest::newRow("m") << QJsonValue(QStringLiteral("5m")) << qint64(300'000);
    QTest::newRow("h") << QJsonValue(QStringLiteral("24h")) << qint64(86'400'000);
    QTest::newRow("fraction") << QJsonValue(QStringLiteral("1.5s")) << qint64(1'500);
    QTest::newRow("seconds as a number") << QJsonValue(2.25) << qint64(2'250);
    QTest::newRow("negative") << QJsonValue(QStringLiteral("-1s")) << qint64(0);
    QTest::newRow("negative number") << QJsonValue(-3) << qint64(0);
    QTest::newRow("unknown unit") << QJsonValue(QStringLiteral("10 parsecs")) << qint64(0);
    QTest::newRow("boolean") << QJsonValue(true) << qint64(0);
}

// Durations in a spec, seen through a sawtooth's period: half way through it reads 0.5.
void tst_Sensors::durations()
{
    QFETCH(QJsonValue, period);
    QFETCH(qint64, milliseconds);
    QJsonObject spec{{"name", "saw"}, {"type", "sawtooth"}, {"min", 0}, {"max", 1}, {"period", period}};
    QString error;
    const auto model = SensorSetModel::parse(QJsonArray{spec}, {}, &error);
    if (milliseconds == 0) {
        QVERIFY(!model);
        QVERIFY2(error.startsWith(QStringLiteral("sensor \"saw\": period ")), qPrintable(error));
        return;
    }
    QVERIFY2(model, qPrintable(error));
    SensorSet set(model, 1, u"d");
    set.sample(milliseconds / 2);
    QCOMPARE(number(set, u"saw"), 0.5);
    set.sample(milliseconds);
    QCOMPARE(number(set, u"saw"), 0.0);
}

void tst_Sensors::parseErrors_data()
{
    QTest::addColumn<QByteArray>("specs");
    QTest::addColumn<QString>("error");

    QTest::newRow("period zero")
            << QByteArray(R"json([{"name":"temperature","type":"sine","min":15,"max":30,"period":0}])json")
            << "sensor \"temperature\": period must be positive";
    QTest::newRow("period not a duration")
            << QByteArray(R"json([{"name":"t","type":"sine","min":15,"max":30,"period":"soon"}])json")
            << "sensor \"t\": period \"soon\" is not a duration";
    QTest::newRow("period missing")
            << QByteArray(R"json([{"name":"t","type":"sine","min":15,"max":30}])json")
            << "sensor \"t\": period is missing";
    QTest::newRow("min above max")
            << QByteArray(R"json([{"name":"t","type":"triangle","min":30,"max":15,"period":"1h"}])json")
            << "sensor \"t\": min must not be above max";
    QTest::newRow("unknown field")
            << QByteArray(R"json([{"name":"t","type":"constant","value":1,"amplitude":3}])json")
            << "sensor \"t\": unknown field \"amplitude\"";
    QTest::newRow("unknown nested field")
            << QByteArray(R"json([{"name":"t","type":"constant","value":1,"noise":{"sigma":3}}])json")
            << "sensor \"t\": noise.stddev is missing";
    QTest::newRow("value not a number")
            << QByteArray(R"json([{"name":"t","type":"constant","value":"hot"}])json")
            << "sensor \"t\": value must be a number";
    QTest::newRow("unknown type")
            << QByteArray(R"json([{"name":"t","type":"cosine"}])json")
            << "sensor \"t\": type must be one of constant, sine";
    QTest::newRow("type missing")
            << QByteArray(R"json([{"name":"t"}])json") << "sensor \"t\": type is missing";
    QTest::newRow("name missing")
            << QByteArray(R"json([{"name":"a","type":"constant","value":1},{"type":"constant"}])json")
            << "sensor 2: name must be letters, digits and _";
    QTest::newRow("name with a space")
            << QByteArray(R"json([{"name":"room temp","type":"constant","value":1}])json")
            << "sensor 1: name must be letters";
    QTest::newRow("name twice")
            << QByteArray(R"json([{"name":"a","type":"constant","value":1},{"name":"a","type":"constant","value":2}])json")
            << "sensor \"a\": the name is used by another sensor too";
    QTest::newRow("not an object") << QByteArray(R"json([3])json") << "sensor 1: not a JSON object";
    QTest::newRow("unit not text")
            << QByteArray(R"json([{"name":"t","type":"constant","value":1,"unit":5}])json")
            << "sensor \"t\": unit must be a string";
    QTest::newRow("negative noise")
            << QByteArray(R"json([{"name":"t","type":"constant","value":1,"noise":{"stddev":-1}}])json")
            << "sensor \"t\": noise.stddev must not be negative";
    QTest::newRow("noise on a boolean")
            << QByteArray(R"json([{"name":"door","type":"boolean","probability":0.5,"noise":{"stddev":1}}])json")
            << "sensor \"door\": noise applies to numeric sensors only";
    QTest::newRow("bounds reversed")
            << QByteArray(R"json([{"name":"t","type":"constant","value":1,"bounds":{"min":5,"max":1}}])json")
            << "sensor \"t\": bounds.min must not be above max";
    QTest::newRow("bounds empty")
            << QByteArray(R"json([{"name":"t","type":"constant","value":1,"bounds":{}}])json")
            << "sensor \"t\": bounds must have \"min\", \"max\" or both";
    QTest::newRow("decimals out of range")
            << QByteArray(R"json([{"name":"t","type":"constant","value":1,"decimals":20}])json")
            << "sensor \"t\": decimals must be between 0 and 15";
    QTest::newRow("decimals not whole")
            << QByteArray(R"json([{"name":"t","type":"constant","value":1,"decimals":1.5}])json")
            << "sensor \"t\": decimals must be a whole number";
    QTest::newRow("steps out of order")
            << QByteArray(R"json([{"name":"t","type":"constant","value":1,"steps":[{"at":"2m","offset":1},{"at":"1m","offset":2}]}])json")
            << "sensor \"t\": steps[1] must come after the step before it";
    QTest::newRow("spike probability")
            << QByteArray(R"json([{"name":"t","type":"constant","value":1,"spikes":{"probability":2,"magnitude":1}}])json")
            << "sensor \"t\": spikes.probability must be between 0 and 1";
    QTest::newRow("walk reversion")
            << QByteArray(R"json([{"name":"p","type":"random-walk","start":1,"step":1,"reversion":1.5}])json")
            << "sensor \"p\": reversion must be between 0 and 1";
    QTest::newRow("counter without pace")
            << QByteArray(R"json([{"name":"c","type":"counter","start":1}])json")
            << "sensor \"c\": a counter needs either \"increment\" (per sample) or \"rate\" (per second)";
    QTest::newRow("counter rollover")
            << QByteArray(R"json([{"name":"c","type":"counter","increment":1,"rollover":0}])json")
            << "sensor \"c\": rollover must be positive";
    QTest::newRow("boolean probability")
            << QByteArray(R"json([{"name":"b","type":"boolean","probability":1.5}])json")
            << "sensor \"b\": probability must be between 0 and 1";
    QTest::newRow("boolean half a dwell")
            << QByteArray(R"json([{"name":"b","type":"boolean","meanTrue":"1s"}])json")
            << "sensor \"b\": meanFalse is missing";
    QTest::newRow("enum weights")
            << QByteArray(R"json([{"name":"m","type":"enum","states":["a","b"],"weights":[1]}])json")
            << "sensor \"m\": weights must have one number per state";
    QTest::newRow("enum state twice")
            << QByteArray(R"json([{"name":"m","type":"enum","states":["a","a"]}])json")
            << "sensor \"m\": states must be different non-empty strings";
    QTest::newRow("gps one waypoint")
            << QByteArray(R"json([{"name":"g","type":"gps","speed":1,"waypoints":[[0,0]]}])json")
            << "sensor \"g\": waypoints must be an array of at least two";
    QTest::newRow("gps off the Earth")
            << QByteArray(R"json([{"name":"g","type":"gps","speed":1,"waypoints":[[0,0],[95,0]]}])json")
            << "sensor \"g\": waypoints[1] is not on Earth";
    QTest::newRow("gps no speed")
            << QByteArray(R"json([{"name":"g","type":"gps","speed":0,"waypoints":[[0,0],[1,0]]}])json")
            << "sensor \"g\": speed must be positive";
    QTest::newRow("gps area reversed")
            << QByteArray(R"json([{"name":"g","type":"gps","speed":1,"area":{"south":2,"west":0,"north":1,"east":1}}])json")
            << "sensor \"g\": area.south must be below north";
    QTest::newRow("expr unknown sensor")
            << QByteArray(R"json([{"name":"temperature","type":"constant","value":20},
                             {"name":"humidity","type":"expression","expr":"80 - temprature"}])json")
            << "sensor \"humidity\": expr names unknown sensor \"temprature\"";
    QTest::newRow("expr cycle")
            << QByteArray(R"json([{"name":"a","type":"expression","expr":"b + 1"},
                             {"name":"b","type":"expression","expr":"2 * a"}])json")
            << "sensor \"a\": expr depends on itself: a -> b -> a";
    QTest::newRow("expr on itself")
            << QByteArray(R"json([{"name":"a","type":"expression","expr":"a + 1"}])json")
            << "sensor \"a\": expr depends on itself: a -> a";
    QTest::newRow("expr syntax")
            << QByteArray(R"json([{"name":"a","type":"expression","expr":"(1 + )"}])json")
            << "sensor \"a\": expr is not valid: unexpected \")\" at character 6";
    QTest::newRow("expr reads an enumeration")
            << QByteArray(R"json([{"name":"mode","type":"enum","states":["a","b"]},
                             {"name":"x","type":"expression","expr":"mode * 2"}])json")
            << "sensor \"x\": expr reads \"mode\", an enumeration, which is not a number";
    QTest::newRow("expr reads a GPS sensor whole")
            << QByteArray(R"json([{"name":"track","type":"gps","speed":1,"waypoints":[[0,0],[1,0]]},
                             {"name":"x","type":"expression","expr":"track + 1"}])json")
            << "sensor \"x\": expr reads GPS sensor \"track\" as \"track\"; use track.lat";
    QTest::newRow("replay without column or field")
            << QByteArray(R"json([{"name":"r","type":"replay","file":"x.csv"}])json")
            << "sensor \"r\": a replay needs either \"column\" (CSV) or \"field\" (JSON lines)";
}

void tst_Sensors::parseErrors()
{
    QFETCH(QByteArray, specs);
    QFETCH(QString, error);
    const QString actual = parseError(specs);
    QVERIFY2(actual.startsWith(error), qPrintable(actual));
    QVERIFY2(!actual.contains(u'\n'), "one line");
}

void tst_Sensors::roundTrip()
{
    const QJsonArray specs = jsonArray(R"json([
        {"name":"temperature","type":"sine","unit":"°C","min":15,"max":30,"period":"24h",
         "noise":{"stddev":0.2},"decimals":1},
        {"name":"humidity","type":"expression","expr":"80 - 1.5 * (temperature - 20)",
         "bounds":{"min":0,"max":100}},
        {"name":"mode","type":"enum","states":["idle","heating"],"weights":[3,1],"stay":0.9},
        {"name":"level","type":"random-walk","start":5,"step":0.5,"steps":[{"at":60,"offset":2}],
         "spikes":{"probability":0.01,"magnitude":3,"duration":"2s"}}
    ])json");
    QString error;
    const auto model = SensorSetModel::parse(specs, {}, &error);
    QVERIFY2(model, qPrintable(error));
    QCOMPARE(model->toJson(), specs);
    QCOMPARE(model->size(), 4);
    QCOMPARE(model->unit(0), QStringLiteral("°C"));
    QCOMPARE(model->decimals(0), 1);
    QCOMPARE(model->kind(2), ValueKind::Text);

    // What is written back parses again into a model that reads the same values.
    const auto again = SensorSetModel::parse(model->toJson(), {}, &error);
    QVERIFY2(again, qPrintable(error));
    SensorSet first(model, 7, u"dev");
    SensorSet second(again, 7, u"dev");
    for (qint64 t = 0; t < 100'000; t += 1000) {
        first.sample(t);
        second.sample(t);
        QCOMPARE(first.values(), second.values());
    }
}

void tst_Sensors::sameSeedSameValues()
{
    const auto model = parseModel(R"json([
        {"name":"t","type":"constant","value":20,"noise":{"stddev":1}},
        {"name":"b","type":"boolean","probability":0.5},
        {"name":"w","type":"random-walk","start":0,"step":1}
    ])json");
    QVERIFY(model);
    SensorSet alone(model, 42, u"thermostat-1");
    SensorSet again(model, 42, u"thermostat-1");
    SensorSet neighbour(model, 42, u"thermostat-2");
    SensorSet otherRun(model, 43, u"thermostat-1");
    std::vector<std::vector<SensorValue>> aloneValues;
    for (qint64 t = 0; t < 50'000; t += 1000) {
        alone.sample(t);
        aloneValues.push_back(alone.values());
    }
    // Sampled in another order and interleaved with other devices, the device reads the same.
    int differentFromNeighbour = 0;
    int differentFromOtherRun = 0;
    for (qint64 t = 0, i = 0; t < 50'000; t += 1000, ++i) {
        neighbour.sample(t);
        otherRun.sample(t);
        again.sample(t);
        QCOMPARE(again.values(), aloneValues[size_t(i)]);
        differentFromNeighbour += neighbour.values() != again.values();
        differentFromOtherRun += otherRun.values() != again.values();
    }
    QCOMPARE(differentFromNeighbour, 50);
    QCOMPARE(differentFromOtherRun, 50);
}

void tst_Sensors::noiseStatistics()
{
    const auto model = parseModel(R"json([{"name":"t","type":"constant","value":20,"noise":{"stddev":0.5}}])json");
    QVERIFY(model);
    SensorSet set(model, 1, u"d");
    const std::vector<double> values = series(set, u"t", 20'000);
    QVERIFY2(std::abs(mean(values) - 20) < 0.02, qPrintable(QString::number(mean(values))));
    QVERIFY2(std::abs(stddev(values) - 0.5) < 0.02, qPrintable(QString::number(stddev(values))));
    // A normal distribution: about 68 % within one standard deviation.
    const auto within = std::count_if(values.begin(), values.end(),
                                      [](double v) { return std::abs(v - 20) < 0.5; });
    QVERIFY(std::abs(double(within) / double(values.size()) - 0.6827) < 0.02);
}

void tst_Sensors::boundsAndDecimals()
{
    const auto model = parseModel(R"json([{"name":"t","type":"constant","value":100,
        "noise":{"stddev":10},"bounds":{"min":95,"max":105},"decimals":1}])json");
    QVERIFY(model);
    SensorSet set(model, 3, u"d");
    const std::vector<double> values = series(set, u"t", 5000);
    int atUpper = 0;
    int atLower = 0;
    for (double v : values) {
        QVERIFY(v >= 95 && v <= 105);
        QCOMPARE(std::round(v * 10) / 10, v);
        atUpper += v == 105;
        atLower += v == 95;
    }
    // P(|N(0, 10)| > 5) is 0.31 on each side: clamped, not redrawn.
    QVERIFY(atUpper > 1300 && atUpper < 1800);
    QVERIFY(atLower > 1300 && atLower < 1800);
}

void tst_Sensors::waveformsAtKnownTimes_data()
{
    QTest::addColumn<QByteArray>("spec");
    QTest::addColumn<QList<qint64>>("times");
    QTest::addColumn<QList<double>>("expected");

    const QList<qint64> quarters{0, 1000, 2000, 3000, 4000, 5000};
    QTest::newRow("sine") << QByteArray(R"json({"type":"sine","min":10,"max":20,"period":"4s"})json")
                          << quarters << QList<double>{15, 20, 15, 10, 15, 20};
    QTest::newRow("sine with phase")
            << QByteArray(R"json({"type":"sine","min":10,"max":20,"period":"4s","phase":"1s"})json")
            << quarters << QList<double>{20, 15, 10, 15, 20, 15};
    QTest::newRow("square") << QByteArray(R"json({"type":"square","min":10,"max":20,"period":4})json")
                            << QList<qint64>{0, 1999, 2000, 3999, 4000}
                            << QList<double>{20, 20, 10, 10, 20};
    QTest::newRow("triangle") << QByteArray(R"json({"type":"triangle","min":10,"max":20,"period":"4s"})json")
                              << quarters << QList<double>{10, 15, 20, 15, 10, 15};
    QTest::newRow("sawtooth") << QByteArray(R"json({"type":"sawtooth","min":10,"max":20,"period":"4s"})json")
                              << QList<qint64>{0, 1000, 2000, 3000, 4000}
                              << QList<double>{10, 12.5, 15, 17.5, 10};
    QTest::newRow("constant") << QByteArray(R"json({"type":"constant","value":-3.5})json")
                              << QList<qint64>{0, 86'400'000} << QList<double>{-3.5, -3.5};
}

void tst_Sensors::waveformsAtKnownTimes()
{
    QFETCH(QByteArray, spec);
    QFETCH(QList<qint64>, times);
    QFETCH(QList<double>, expected);
    QJsonObject object = QJsonDocument::fromJson(spec).object();
    object.insert(QStringLiteral("name"), QStringLiteral("wave"));
    QString error;
    const auto model = SensorSetModel::parse(QJsonArray{object}, {}, &error);
    QVERIFY2(model, qPrintable(error));
    SensorSet set(model, 1, u"d");
    for (qsizetype i = 0; i < times.size(); ++i) {
        set.sample(times[i]);
        const double value = number(set, u"wave");
        QVERIFY2(std::abs(value - expected[i]) < 1e-9,
                 qPrintable(QStringLiteral("at %1 ms: %2, expected %3")
                                    .arg(times[i])
                                    .arg(value)
                                    .arg(expected[i])));
    }
}

void tst_Sensors::steps()
{
    const auto model = parseModel(R"json([{"name":"s","type":"constant","value":10,
        "steps":[{"at":"10s","offset":5},{"at":"20s","offset":-2},{"at":30,"offset":0}]}])json");
    QVERIFY(model);
    SensorSet set(model, 1, u"d");
    const QList<std::pair<qint64, double>> expected{
        {0, 10}, {9999, 10}, {10'000, 15}, {19'999, 15}, {20'000, 8}, {30'000, 10}, {99'000, 10}};
    for (const auto &[time, value] : expected) {
        set.sample(time);
        QCOMPARE(number(set, u"s"), value);
    }
}

void tst_Sensors::spikes()
{
    // Without a duration a spike is one sample: about `probability` of the samples.
    auto model = parseModel(R"json([{"name":"s","type":"constant","value":1,
        "spikes":{"probability":0.1,"magnitude":100}}])json");
    QVERIFY(model);
    SensorSet single(model, 5, u"d");
    const std::vector<double> values = series(single, u"s", 20'000);
    const auto spiked = std::count(values.begin(), values.end(), 101.0);
    QCOMPARE(std::count(values.begin(), values.end(), 1.0) + spiked, qsizetype(values.size()));
    QVERIFY2(std::abs(double(spiked) / 20'000 - 0.1) < 0.01, qPrintable(QString::number(spiked)));

    // With a duration of 3 s, sampled each second, every spike lasts exactly 3 samples.
    model = parseModel(R"json([{"name":"s","type":"constant","value":1,
        "spikes":{"probability":0.05,"magnitude":-1,"duration":"3s"}}])json");
    QVERIFY(model);
    SensorSet lasting(model, 5, u"d");
    const std::vector<double> levels = series(lasting, u"s", 10'000);
    int run = 0;
    int spikesSeen = 0;
    for (size_t i = 0; i + 3 < levels.size(); ++i) { // the last run may be cut by the end
        if (levels[i] == 0) {
            ++run;
        } else if (run > 0) {
            QVERIFY2(run % 3 == 0, qPrintable(QStringLiteral("run of %1 at %2").arg(run).arg(i)));
            spikesSeen += run / 3;
            run = 0;
        }
    }
    QVERIFY(spikesSeen > 100);
}

void tst_Sensors::randomWalk()
{
    // Free: the steps are N(0, step).
    auto model = parseModel(R"json([{"name":"w","type":"random-walk","start":50,"step":2}])json");
    QVERIFY(model);
    SensorSet free(model, 9, u"d");
    const std::vector<double> walk = series(free, u"w", 20'000);
    QCOMPARE(walk.front(), 50.0);
    std::vector<double> steps;
    for (size_t i = 1; i < walk.size(); ++i)
        steps.push_back(walk[i] - walk[i - 1]);
    QVERIFY(std::abs(stddev(steps) - 2) < 0.05);
    QVERIFY(std::abs(mean(steps)) < 0.07);

    // Bounded: the walk itself stays inside and reaches both sides.
    model = parseModel(R"json([{"name":"w","type":"random-walk","start":0,"step":1,
        "bounds":{"min":-10,"max":10}}])json");
    QVERIFY(model);
    SensorSet bounded(model, 9, u"d");
    const std::vector<double> inside = series(bounded, u"w", 20'000);
    QCOMPARE(*std::min_element(inside.begin(), inside.end()), -10.0);
    QCOMPARE(*std::max_element(inside.begin(), inside.end()), 10.0);

    // Mean reverting: it keeps to its mean, with the spread of an AR(1) process:
    // stddev = step / sqrt(1 - (1 - reversion)^2) = 1 / sqrt(0.19) = 2.294.
    model = parseModel(R"json([{"name":"w","type":"random-walk","start":0,"mean":100,"step":1,
        "reversion":0.1}])json");
    QVERIFY(model);
    SensorSet reverting(model, 9, u"d");
    std::vector<double> settled = series(reverting, u"w", 40'000);
    settled.erase(settled.begin(), settled.begin() + 1000);
    QVERIFY2(std::abs(mean(settled) - 100) < 0.2, qPrintable(QString::number(mean(settled))));
    QVERIFY2(std::abs(stddev(settled) - 2.294) < 0.1, qPrintable(QString::number(stddev(settled))));
}

void tst_Sensors::counter()
{
    auto model = parseModel(R"json([
        {"name":"n","type":"counter","start":3,"increment":2},
        {"name":"r","type":"counter","increment":1,"rollover":4},
        {"name":"kwh","type":"counter","start":100,"rate":0.5}
    ])json");
    QVERIFY(model);
    SensorSet set(model, 1, u"d");
    const QList<double> n{3, 5, 7, 9, 11, 13};
    const QList<double> r{0, 1, 2, 3, 0, 1};
    // The per-sample counters ignore the time; the rate counter follows it.
    const QList<qint64> times{0, 10, 20'000, 20'001, 60'000, 61'000};
    for (qsizetype i = 0; i < times.size(); ++i) {
        set.sample(times[i]);
        QCOMPARE(number(set, u"n"), n[i]);
        QCOMPARE(number(set, u"r"), r[i]);
        QCOMPARE(number(set, u"kwh"), 100 + 0.5 * double(times[i]) / 1000);
    }
}

void tst_Sensors::booleanProbability()
{
    const auto model = parseModel(R"json([{"name":"b","type":"boolean","probability":0.3}])json");
    QVERIFY(model);
    SensorSet set(model, 11, u"d");
    int on = 0;
    for (int i = 0; i < 20'000; ++i) {
        set.sample(i * 1000);
        on += std::get<bool>(set.value(0));
    }
    QVERIFY2(std::abs(on / 20'000.0 - 0.3) < 0.015, qPrintable(QString::number(on)));
}

void tst_Sensors::booleanDwellTimes()
{
    const auto model = parseModel(R"json([{"name":"b","type":"boolean","meanTrue":"1s","meanFalse":"3s"}])json");
    QVERIFY(model);
    SensorSet set(model, 11, u"d");
    // 20,000 s sampled every 10 ms: the share of true and the mean length of its periods.
    int onSamples = 0;
    int onPeriods = 0;
    bool previous = false;
    const int samples = 2'000'000;
    for (int i = 0; i < samples; ++i) {
        set.sample(qint64(i) * 10);
        const bool on = std::get<bool>(set.value(0));
        onSamples += on;
        onPeriods += on && !previous;
        previous = on;
    }
    const double share = double(onSamples) / samples;
    const double meanOnMs = 10.0 * onSamples / onPeriods;
    QVERIFY2(std::abs(share - 0.25) < 0.02, qPrintable(QString::number(share)));
    QVERIFY2(std::abs(meanOnMs - 1000) < 100, qPrintable(QString::number(meanOnMs)));
}

void tst_Sensors::enumerationWeights()
{
    const auto model = parseModel(R"json([{"name":"m","type":"enum","states":["idle","heating","cooling"],
        "weights":[5,3,2]}])json");
    QVERIFY(model);
    SensorSet set(model, 13, u"d");
    QHash<QString, int> counts;
    const int samples = 30'000;
    for (int i = 0; i < samples; ++i) {
        set.sample(i * 1000);
        ++counts[std::get<QString>(*set.value(u"m"))];
    }
    QCOMPARE(counts.size(), 3);
    QVERIFY(std::abs(counts[QStringLiteral("idle")] / double(samples) - 0.5) < 0.015);
    QVERIFY(std::abs(counts[QStringLiteral("heating")] / double(samples) - 0.3) < 0.015);
    QVERIFY(std::abs(counts[QStringLiteral("cooling")] / double(samples) - 0.2) < 0.015);
}

void tst_Sensors::enumerationStay()
{
    const auto model = parseModel(R"json([{"name":"m","type":"enum","states":["a","b","c"],"stay":0.9}])json");
    QVERIFY(model);
    SensorSet set(model, 13, u"d");
    QString previous;
    int stayed = 0;
    const int samples = 30'000;
    for (int i = 0; i < samples; ++i) {
        set.sample(i * 1000);
        const QString state = std::get<QString>(set.value(0));
        QVERIFY(state == u"a" || state == u"b" || state == u"c");
        stayed += i > 0 && state == previous;
        previous = state;
    }
    QVERIFY2(std::abs(stayed / double(samples - 1) - 0.9) < 0.01, qPrintable(QString::number(stayed)));
}

void tst_Sensors::gpsAlongTrack()
{
    // One degree of the equator is 111,195 m on the mean-radius sphere; at 1000 m/s the device is
    // half way after 55.6 s, heading east, at the altitude half way between.
    const auto model = parseModel(R"json([{"name":"track","type":"gps","speed":1000,
        "waypoints":[[0,0,100],[0,1,300]]}])json");
    QVERIFY(model);
    SensorSet set(model, 1, u"d");
    const double degreeM = 6371008.8 * M_PI / 180;
    set.sample(0);
    GeoPoint point = std::get<GeoPoint>(set.value(0));
    QCOMPARE(point.latitude, 0.0);
    QCOMPARE(point.longitude, 0.0);
    QVERIFY(point.hasAltitude);
    QCOMPARE(point.altitude, 100.0);

    set.sample(qint64(std::llround(degreeM / 2)));
    point = std::get<GeoPoint>(set.value(0));
    QVERIFY(std::abs(point.latitude) < 1e-9);
    QVERIFY2(std::abs(point.longitude - 0.5) < 1e-5, qPrintable(QString::number(point.longitude, 'g', 10)));
    QVERIFY(std::abs(point.altitude - 200) < 0.01);
    QVERIFY(std::abs(point.heading - 90) < 1e-6);
    QCOMPARE(point.speed, 1000.0);
}

void tst_Sensors::gpsGreatCircle()
{
    // From 60°N 0° to 60°N 90° the great circle passes north of the parallel: its midpoint is at
    // 67.7923°N 45°E, where the heading is due east.
    const auto model = parseModel(R"json([{"name":"track","type":"gps","speed":1,
        "waypoints":[[60,0],[60,90]]}])json");
    QVERIFY(model);
    SensorSet set(model, 1, u"d");
    const double radius = 6371008.8;
    const double phi = 60 * M_PI / 180;
    // Central angle between the two points: cos c = sin²φ + cos²φ cos 90° = sin²φ.
    const double length = radius * std::acos(std::sin(phi) * std::sin(phi));
    set.sample(qint64(std::llround(length / 2 * 1000)));
    const GeoPoint point = std::get<GeoPoint>(set.value(0));
    QVERIFY2(std::abs(point.latitude - 67.7923457) < 1e-4,
             qPrintable(QString::number(point.latitude, 'g', 10)));
    QVERIFY2(std::abs(point.longitude - 45) < 1e-4, qPrintable(QString::number(point.longitude, 'g', 10)));
    QVERIFY2(std::abs(point.heading - 90) < 1e-3, qPrintable(QString::number(point.heading, 'g', 10)));
    QVERIFY(!point.hasAltitude);
}

void tst_Sensors::gpsLoopAndEnd()
{
    const auto model = parseModel(R"json([
        {"name":"once","type":"gps","speed":1000,"waypoints":[[0,0],[0,1]]},
        {"name":"round","type":"gps","speed":1000,"loop":true,"waypoints":[[0,0],[0,1]]}
    ])json");
    QVERIFY(model);
    SensorSet set(model, 1, u"d");
    const double legMs = 6371008.8 * M_PI / 180; // one degree at 1000 m/s, in ms

    // One and a half legs in: the single pass waits at its end, the loop is on its way back.
    set.sample(qint64(std::llround(legMs * 1.5)));
    const GeoPoint once = std::get<GeoPoint>(*set.value(u"once"));
    const GeoPoint round = std::get<GeoPoint>(*set.value(u"round"));
    QVERIFY(std::abs(once.longitude - 1) < 1e-9);
    QCOMPARE(once.speed, 0.0);
    QVERIFY(std::abs(once.heading - 90) < 1e-6);
    QVERIFY(std::abs(round.longitude - 0.5) < 1e-5);
    QVERIFY(std::abs(round.heading - 270) < 1e-6);
    QCOMPARE(round.speed, 1000.0);

    // Two legs and a quarter: the loop has started over.
    set.sample(qint64(std::llround(legMs * 2.25)));
    QVERIFY(std::abs(std::get<GeoPoint>(*set.value(u"round")).longitude - 0.25) < 1e-5);
}

void tst_Sensors::gpsArea()
{
    const auto model = parseModel(R"json([{"name":"walker","type":"gps","speed":5,"turn":20,
        "area":{"south":55.70,"west":37.50,"north":55.71,"east":37.52}}])json");
    QVERIFY(model);
    SensorSet set(model, 17, u"d");
    GeoPoint previous;
    double maxStepM = 0;
    QSet<int> cellsVisited; // the area in a 4 x 4 grid
    for (int i = 0; i < 5000; ++i) {
        set.sample(qint64(i) * 10'000);
        const GeoPoint point = std::get<GeoPoint>(set.value(0));
        QVERIFY(point.latitude >= 55.70 && point.latitude <= 55.71);
        QVERIFY(point.longitude >= 37.50 && point.longitude <= 37.52);
        QVERIFY(point.heading >= 0 && point.heading < 360);
        if (i > 0) {
            const double dy = (point.latitude - previous.latitude) * 111'195;
            const double dx = (point.longitude - previous.longitude) * 111'195 * std::cos(55.7 * M_PI / 180);
            maxStepM = std::max(maxStepM, std::hypot(dx, dy));
        }
        const int row = int((point.latitude - 55.70) / 0.0025);
        const int column = int((point.longitude - 37.50) / 0.005);
        cellsVisited.insert(row * 4 + column);
        previous = point;
    }
    // 5 m/s for 10 s: never more than 50 m between samples (less when it bounces off an edge).
    QVERIFY2(maxStepM < 50.5, qPrintable(QString::number(maxStepM)));
    QVERIFY(maxStepM > 45);
    QVERIFY(cellsVisited.size() >= 12);
}

void tst_Sensors::replayCsvRows()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    writeFile(dir.filePath(QStringLiteral("boiler.csv")),
              "time,\"temp, °C\",note\r\n"
              "0,20.5,\"said \"\"hi\"\"\"\r\n"
              "\r\n"
              "1,21,\r\n"
              "2,-3.25,x\r\n");
    SensorParseOptions options;
    options.baseDirectory = dir.path();
    const auto model = parseModel(R"json([
        {"name":"looped","type":"replay","file":"boiler.csv","column":"temp, °C"},
        {"name":"held","type":"replay","file":"boiler.csv","column":"temp, °C","end":"hold"}
    ])json", options);
    QVERIFY(model);
    SensorSet set(model, 1, u"d");
    // One row per sample whatever the time between samples.
    const QList<double> looped{20.5, 21, -3.25, 20.5, 21, -3.25, 20.5};
    const QList<double> held{20.5, 21, -3.25, -3.25, -3.25, -3.25, -3.25};
    for (qsizetype i = 0; i < looped.size(); ++i) {
        set.sample(i * 777);
        QCOMPARE(number(set, u"looped"), looped[i]);
        QCOMPARE(number(set, u"held"), held[i]);
    }
}

void tst_Sensors::replayCsvPaced()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    writeFile(dir.filePath(QStringLiteral("meter.csv")),
              "at,kw\n2026-03-01T10:00:00Z,1\n2026-03-01T10:00:10Z,2\n2026-03-01T10:00:30Z,3\n");
    // With the byte order mark a spreadsheet writes, and spaces after the commas.
    writeFile(dir.filePath(QStringLiteral("seconds.csv")), "\xef\xbb\xbft, v\n100, 7\n100.5, 8\n");
    SensorParseOptions options;
    options.baseDirectory = dir.path();
    const auto model = parseModel(R"json([
        {"name":"looped","type":"replay","file":"meter.csv","column":"kw","timeColumn":"at"},
        {"name":"held","type":"replay","file":"meter.csv","column":"kw","timeColumn":"at","end":"hold"},
        {"name":"fast","type":"replay","file":"seconds.csv","column":"v","timeColumn":"t","end":"hold"}
    ])json", options);
    QVERIFY(model);
    SensorSet set(model, 1, u"d");
    // The recording spans 30 s with rows every 15 s on average: a loop lasts 45 s, the last row
    // showing for 15 s of it.
    const QList<std::tuple<qint64, double, double, double>> expected{
        {0, 1, 1, 7},      {499, 1, 1, 7},       {500, 1, 1, 8},      {9999, 1, 1, 8},
        {10'000, 2, 2, 8}, {29'999, 2, 2, 8},
        {30'000, 3, 3, 8}, {44'999, 3, 3, 8},    {45'000, 1, 3, 8},   {55'000, 2, 3, 8},
        {90'000, 1, 3, 8}};
    for (const auto &[time, looped, held, fast] : expected) {
        set.sample(time);
        QCOMPARE(number(set, u"looped"), looped);
        QCOMPARE(number(set, u"held"), held);
        QCOMPARE(number(set, u"fast"), fast);
    }
}

void tst_Sensors::replayJsonLines()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    writeFile(dir.filePath(QStringLiteral("log.jsonl")),
              R"json({"ts": 0, "env": {"temperature": 19.5}, "other": "x"}
{"ts": 2, "env": {"temperature": 20.25}}

{"ts": 2.5, "env": {"temperature": -1e-3}}
)json");
    SensorParseOptions options;
    options.baseDirectory = dir.path();
    const auto model = parseModel(R"json([
        {"name":"rows","type":"replay","file":"log.jsonl","field":"env.temperature"},
        {"name":"paced","type":"replay","file":"log.jsonl","field":"env.temperature","timeField":"ts",
         "end":"hold"}
    ])json", options);
    QVERIFY(model);
    SensorSet set(model, 1, u"d");
    const QList<std::tuple<qint64, double, double>> expected{
        {0, 19.5, 19.5}, {1999, 20.25, 19.5}, {2000, -1e-3, 20.25}, {2500, 19.5, -1e-3}, {9000, 20.25, -1e-3}};
    for (const auto &[time, rows, paced] : expected) {
        set.sample(time);
        QCOMPARE(number(set, u"rows"), rows);
        QCOMPARE(number(set, u"paced"), paced);
    }
}

void tst_Sensors::replayErrors_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QByteArray>("spec");
    QTest::addColumn<QString>("error"); // after `sensor "r": replay file "<path>"`

    QTest::newRow("not a number") << QByteArray("t,temp\n0,1\n1,abc\n")
                                  << QByteArray(R"json("column":"temp")json")
                                  << " line 3: column \"temp\": \"abc\" is not a number";
    QTest::newRow("missing column") << QByteArray("t,temp\n0,1\n") << QByteArray(R"json("column":"humidity")json")
                                    << " line 1: the header has no column \"humidity\"";
    QTest::newRow("missing time column") << QByteArray("t,temp\n0,1\n")
                                         << QByteArray(R"json("column":"temp","timeColumn":"when")json")
                                         << " line 1: the header has no column \"when\"";
    QTest::newRow("short row") << QByteArray("t,temp\n0,1\n1\n") << QByteArray(R"json("column":"temp")json")
                               << " line 3: 1 fields where the header has 2";
    QTest::newRow("open quote") << QByteArray("t,temp\n0,\"1\n") << QByteArray(R"json("column":"temp")json")
                                << " line 2: a quoted field is not closed";
    QTest::newRow("bad time") << QByteArray("t,temp\n0,1\nnoon,2\n")
                              << QByteArray(R"json("column":"temp","timeColumn":"t")json")
                              << " line 3: column \"t\": \"noon\" is not a time (seconds or ISO 8601)";
    QTest::newRow("time going back") << QByteArray("t,temp\n5,1\n4,2\n")
                                     << QByteArray(R"json("column":"temp","timeColumn":"t")json")
                                     << " line 3: the time goes back";
    QTest::newRow("header only") << QByteArray("t,temp\n") << QByteArray(R"json("column":"temp")json")
                                 << ": no data rows";
    QTest::newRow("broken JSON line") << QByteArray("{\"v\": 1}\n{\"v\": \n") << QByteArray(R"json("field":"v")json")
                                      << " line 2: not a JSON object (";
    QTest::newRow("missing field") << QByteArray("{\"v\": 1}\n{\"w\": 2}\n") << QByteArray(R"json("field":"v")json")
                                   << " line 2: field \"v\" is missing";
    QTest::newRow("field not a number") << QByteArray("{\"a\": {\"v\": \"1\"}}\n")
                                        << QByteArray(R"json("field":"a.v")json")
                                        << " line 1: field \"a.v\" is not a number";
}

void tst_Sensors::replayErrors()
{
    QFETCH(QByteArray, content);
    QFETCH(QByteArray, spec);
    QFETCH(QString, error);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("data.txt"));
    writeFile(path, content);
    SensorParseOptions options;
    options.baseDirectory = dir.path();
    const QByteArray specs = R"json([{"name":"r","type":"replay","file":"data.txt",)json" + spec + "}]";
    const QString actual = parseError(specs, options);
    const QString expected = QStringLiteral("sensor \"r\": replay file \"%1\"").arg(path) + error;
    QVERIFY2(actual.startsWith(expected), qPrintable(actual));
}

void tst_Sensors::replayReadOnce()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("shared.csv"));
    writeFile(path, "v\n1\n2\n");
    SensorParseOptions options;
    options.baseDirectory = dir.path();
    ReplayCache cache;
    options.replayCache = &cache;
    const QByteArray spec = R"json([{"name":"r","type":"replay","file":"shared.csv","column":"v"}])json";
    const auto first = parseModel(spec, options);
    QVERIFY(first);

    // While a model uses the data, other models get it from the cache without reading the file.
    QVERIFY(QFile::remove(path));
    const auto second = parseModel(spec, options);
    QVERIFY(second);
    SensorSet device(second, 1, u"d");
    device.sample(0);
    device.sample(1000);
    QCOMPARE(number(device, u"r"), 2.0);

    // And a missing file is an error naming it.
    const QString missing = parseError(spec, SensorParseOptions{dir.path(), nullptr});
    QVERIFY2(missing.startsWith(QStringLiteral("sensor \"r\": replay file \"%1\": ").arg(path)),
             qPrintable(missing));
}

void tst_Sensors::expressionPrecedence_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<double>("expected");

    QTest::newRow("product before sum") << "2 + 3 * 4" << 14.0;
    QTest::newRow("left to right") << "10 - 4 - 3" << 3.0;
    QTest::newRow("division left to right") << "64 / 4 / 2" << 8.0;
    QTest::newRow("power before product") << "2 * 3 ^ 2" << 18.0;
    QTest::newRow("power right to left") << "2 ^ 3 ^ 2" << 512.0;
    QTest::newRow("power above unary minus") << "-2 ^ 2" << -4.0;
    QTest::newRow("negative exponent") << "2 ^ -1" << 0.5;
    QTest::newRow("parentheses") << "(2 + 3) * 4" << 20.0;
    QTest::newRow("double negation") << "--3" << 3.0;
    QTest::newRow("exponent notation") << "1.5e3 + .5" << 1500.5;
    QTest::newRow("min") << "min(3, 1, 2)" << 1.0;
    QTest::newRow("max") << "max(3, 1 + 5, 2)" << 6.0;
    QTest::newRow("abs") << "abs(2 - 7)" << 5.0;
    QTest::newRow("clamp high") << "clamp(15, 0, 10)" << 10.0;
    QTest::newRow("clamp low") << "clamp(-15, 0, 10)" << 0.0;
    QTest::newRow("sin") << "sin(0)" << 0.0;
    QTest::newRow("cos") << "cos(0) * 2" << 2.0;
    QTest::newRow("sqrt") << "sqrt(16) + 1" << 5.0;
    QTest::newRow("round") << "round(2.5)" << 3.0;
    QTest::newRow("round to decimals") << "round(3.14159, 2)" << 3.14;
    QTest::newRow("variables") << "80 - 1.5 * (temperature - 20)" << 65.0; // temperature = 30
    QTest::newRow("variable twice") << "temperature * temperature / x" << 450.0; // x = 2
}

void tst_Sensors::expressionPrecedence()
{
    QFETCH(QString, text);
    QFETCH(double, expected);
    QString error;
    const std::optional<Expression> expression = Expression::parse(text, &error);
    QVERIFY2(expression, qPrintable(error));
    std::vector<double> values;
    for (const QString &name : expression->variables())
        values.push_back(name == u"temperature" ? 30 : 2);
    QCOMPARE(expression->evaluate(values), expected);
}

void tst_Sensors::expressionErrors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");

    QTest::newRow("empty") << "" << "the expression ends too early";
    QTest::newRow("dangling operator") << "1 +" << "the expression ends too early";
    QTest::newRow("two numbers") << "1 2" << "unexpected \"2\" at character 3";
    QTest::newRow("unclosed") << "(1 + 2" << "\")\" missing at the end";
    QTest::newRow("stray parenthesis") << "1)" << "unexpected \")\" at character 2";
    QTest::newRow("unknown function") << "exp(1)" << "unknown function \"exp\" at character 1";
    QTest::newRow("too few arguments") << "min(1)" << "min() takes at least 2 arguments, not 1";
    QTest::newRow("too many arguments") << "abs(1, 2)" << "abs() takes 1 arguments, not 2";
    QTest::newRow("bad number") << "1.2.3" << "bad number at character 1";
    QTest::newRow("assignment") << "x = 1" << "unexpected \"=\" at character 3";
    QTest::newRow("deep nesting") << QString(5000, u'(') + u'1' + QString(5000, u')')
                                  << "the expression is nested too deeply";
}

void tst_Sensors::expressionErrors()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    QString actual;
    QVERIFY(!Expression::parse(text, &actual));
    QCOMPARE(actual, error);
}

// Any text is an expression or one error, never a crash (the ASan build runs this too).
void tst_Sensors::expressionRandomText()
{
    const QString alphabet = QStringLiteral("0123456789.e+-*/^(),  abxminmaxclampsqrtround");
    Random random(2026);
    for (int i = 0; i < 50'000; ++i) {
        QString text;
        const int length = int(random.next() % 24);
        for (int c = 0; c < length; ++c)
            text += alphabet[qsizetype(random.next() % quint64(alphabet.size()))];
        QString error;
        const std::optional<Expression> expression = Expression::parse(text, &error);
        if (!expression) {
            QVERIFY2(!error.isEmpty(), qPrintable(text));
            continue;
        }
        const std::vector<double> values(size_t(expression->variables().size()), 1.5);
        expression->evaluate(values);
    }
}

void tst_Sensors::composition()
{
    // Declared before the sensors it reads, still computed from their current values.
    const auto model = parseModel(R"json([
        {"name":"humidity","type":"expression","expr":"80 - 1.5 * (temperature - 20)",
         "bounds":{"min":0,"max":100}},
        {"name":"temperature","type":"sawtooth","min":0,"max":100,"period":"100s"},
        {"name":"heating","type":"expression","expr":"on * 10 + kmh"},
        {"name":"on","type":"square","min":0,"max":1,"period":"10s"},
        {"name":"kmh","type":"expression","expr":"round(track.speed * 3.6) + track.heading"},
        {"name":"track","type":"gps","speed":10,"waypoints":[[0,0],[1,0]]}
    ])json");
    QVERIFY(model);
    const std::vector<int> &order = model->samplingOrder();
    const auto position = [&](const char *name) {
        return std::find(order.begin(), order.end(), model->indexOf(QString::fromLatin1(name))) - order.begin();
    };
    QVERIFY(position("temperature") < position("humidity"));
    QVERIFY(position("kmh") < position("heating"));
    QVERIFY(position("on") < position("heating"));
    QVERIFY(position("track") < position("kmh"));

    SensorSet set(model, 1, u"d");
    const QList<std::tuple<qint64, double, double>> expected{
        // time, temperature, humidity = clamp(80 - 1.5 * (t - 20), 0, 100)
        {0, 0, 100}, {20'000, 20, 80}, {40'000, 40, 50}, {60'000, 60, 20}, {90'000, 90, 0}};
    for (const auto &[time, temperature, humidity] : expected) {
        set.sample(time);
        QCOMPARE(number(set, u"temperature"), temperature);
        QCOMPARE(number(set, u"humidity"), humidity);
    }
    // Heading north (0°) at 36 km/h; the square wave is 1 for the first 5 s of each 10.
    set.sample(1000);
    QCOMPARE(number(set, u"kmh"), 36.0);
    QCOMPARE(number(set, u"heating"), 46.0);
    set.sample(6000);
    QCOMPARE(number(set, u"heating"), 36.0);
}

void tst_Sensors::templates()
{
    QCOMPARE(sensorTemplateNames(),
             (QStringList{"thermostat", "energy-meter", "gps-tracker", "door-sensor"}));
    QVERIFY(!sensorTemplate(QStringLiteral("toaster")));
    const QHash<QString, QStringList> sensorsOf{
        {"thermostat", {"temperature", "humidity", "setpoint"}},
        {"energy-meter", {"power", "energy", "voltage"}},
        {"gps-tracker", {"track", "speed", "battery"}},
        {"door-sensor", {"open", "battery"}}};
    for (const QString &name : sensorTemplateNames()) {
        const std::optional<QJsonArray> specs = sensorTemplate(name);
        QVERIFY(specs);
        QString error;
        const auto model = SensorSetModel::parse(*specs, {}, &error);
        QVERIFY2(model, qPrintable(name + QStringLiteral(": ") + error));
        QCOMPARE(model->toJson(), *specs);
        QStringList names;
        for (int i = 0; i < model->size(); ++i)
            names.append(model->name(i));
        QCOMPARE(names, sensorsOf.value(name));

        // A day of samples a minute apart: every value of its kind, every number finite.
        SensorSet set(model, 2026, QString(name + QStringLiteral("-1")));
        for (qint64 t = 0; t < 86'400'000; t += 60'000) {
            set.sample(t);
            for (int i = 0; i < set.size(); ++i) {
                const SensorValue &value = set.value(i);
                QCOMPARE(qsizetype(value.index()), qsizetype(model->kind(i)));
                if (const double *number = std::get_if<double>(&value))
                    QVERIFY2(std::isfinite(*number), qPrintable(name + u'.' + model->name(i)));
            }
        }
    }
    // The composed humidity of the thermostat falls as the temperature rises.
    QString error;
    const auto thermostat = SensorSetModel::parse(*sensorTemplate(QStringLiteral("thermostat")), {}, &error);
    QVERIFY2(thermostat, qPrintable(error));
    SensorSet set(thermostat, 1, u"thermostat-1");
    std::vector<double> temperature;
    std::vector<double> humidity;
    for (qint64 t = 0; t < 86'400'000; t += 60'000) {
        set.sample(t);
        temperature.push_back(number(set, u"temperature"));
        humidity.push_back(number(set, u"humidity"));
    }
    double covariance = 0;
    for (size_t i = 0; i < temperature.size(); ++i)
        covariance += (temperature[i] - mean(temperature)) * (humidity[i] - mean(humidity));
    covariance /= double(temperature.size() - 1);
    const double correlation = covariance / (stddev(temperature) * stddev(humidity));
    QVERIFY2(correlation < -0.9, qPrintable(QString::number(correlation)));
}

QTEST_GUILESS_MAIN(tst_Sensors)

#include "tst_sensors.moc"
