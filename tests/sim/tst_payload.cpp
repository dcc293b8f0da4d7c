// PayloadTemplate: what a simulated device publishes. Every format (JSON by default and by
// template, CSV, plain text, binary) and placeholder, escaping, the checks made when a template
// is compiled, byte-exact binary encodings, RFC 4180 quoting, the malformed and oversized
// variants the fault injector sends, and the JSON form of a payload spec.

#include "sim/PayloadTemplate.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest/QTest>

#include <cmath>
#include <limits>

using namespace iotcore::sim;

Q_DECLARE_METATYPE(iotcore::sim::PayloadSpec)

namespace {

class Values final : public PayloadValues
{
public:
    explicit Values(QList<QJsonValue> values) : m_values(std::move(values)) {}
    QJsonValue value(int index) const override { return m_values.at(index); }

private:
    QList<QJsonValue> m_values;
};

// 2026-11-25T12:34:56.789Z
constexpr qint64 SampleTime = 1'795'610'096'789;

PayloadContext context()
{
    return {QStringLiteral("thermostat-7"), QStringLiteral("are0device7"), 6, SampleTime, 42};
}

const QStringList sensors{"temperature", "humidity", "door", "mode", "position"};

Values sampleValues()
{
    return Values({21.456, 40, true, QStringLiteral("eco"),
                   QJsonObject{{"lat", 55.75}, {"lon", 37.62}}});
}

PayloadTemplate compiled(const PayloadSpec &spec, const QStringList &names = sensors)
{
    QString error;
    auto result = PayloadTemplate::compile(spec, names, &error);
    if (!result)
        qFatal("compile: %s", qPrintable(error));
    return std::move(*result);
}

PayloadSpec jsonSpec(const QString &text)
{
    PayloadSpec spec;
    spec.templateText = text;
    return spec;
}

PayloadSpec textSpec(const QString &text)
{
    PayloadSpec spec;
    spec.format = PayloadFormat::Text;
    spec.templateText = text;
    return spec;
}

PayloadSpec binarySpec(const QStringList &fields)
{
    PayloadSpec spec;
    spec.format = PayloadFormat::Binary;
    spec.binary = fields;
    return spec;
}

QByteArray renderText(const QString &text, const Values &values)
{
    return compiled(textSpec(text), {"v"}).render(context(), values);
}

} // namespace

class tst_Payload : public QObject
{
    Q_OBJECT

private slots:
    void defaultJsonHasNameTimestampSeqAndEveryValue();
    void jsonTemplateEncodesValuesWhereTheyStand();
    void jsonEscapesStrings();
    void builtInPlaceholders_data();
    void builtInPlaceholders();
    void numberFormats_data();
    void numberFormats();
    void timestamps_data();
    void timestamps();
    void csvRecords();
    void csvQuotingFollowsRfc4180();
    void plainTextIsVerbatim();
    void binaryIsByteExact_data();
    void binaryIsByteExact();
    void compileErrors_data();
    void compileErrors();
    void malformedPayloads();
    void oversizedPayloads();
    void specJsonRoundTrip_data();
    void specJsonRoundTrip();
    void specJsonErrors_data();
    void specJsonErrors();
};

void tst_Payload::defaultJsonHasNameTimestampSeqAndEveryValue()
{
    const PayloadTemplate payload = compiled(PayloadSpec());
    QCOMPARE(payload.format(), PayloadFormat::Json);
    const QByteArray rendered = payload.render(context(), sampleValues());
    QCOMPARE(rendered,
             QByteArray(R"({"name":"thermostat-7","timestamp":"2026-11-25T12:34:56.789Z",)"
                        R"("seq":42,"temperature":21.456,"humidity":40,"door":true,)"
                        R"("mode":"eco","position":{"lat":55.75,"lon":37.62}})"));
    QJsonParseError error;
    const QJsonObject object = QJsonDocument::fromJson(rendered, &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(object.value("position").toObject().value("lon").toDouble(), 37.62);

    // A device without sensors still says who it is and when.
    QCOMPARE(compiled(PayloadSpec(), {}).render(context(), Values({})),
             QByteArray(R"({"name":"thermostat-7","timestamp":"2026-11-25T12:34:56.789Z",)"
                        R"("seq":42})"));
}

void tst_Payload::jsonTemplateEncodesValuesWhereTheyStand()
{
    const PayloadTemplate payload = compiled(jsonSpec(
        R"({"t": {temperature:.1f}, "h": {humidity}, "open": {door}, "mode": {mode}, )"
        R"("at": {position}, "label": "{name} in {mode} at {temperature:.2f}"})"));
    QCOMPARE(payload.render(context(), sampleValues()),
             QByteArray(R"({"t": 21.5, "h": 40, "open": true, "mode": "eco", )"
                        R"("at": {"lat":55.75,"lon":37.62}, )"
                        R"("label": "thermostat-7 in eco at 21.46"})"));

    // Any value in any place still makes JSON: a string where a number was, null for nothing.
    const Values odd({QStringLiteral("n/a \"quoted\""), QJsonValue(), false, 7,
                      QJsonArray{1, "two"}});
    const QByteArray rendered = payload.render(context(), odd);
    QJsonParseError error;
    const QJsonObject object = QJsonDocument::fromJson(rendered, &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, rendered.constData());
    QCOMPARE(object.value("t").toString(), QStringLiteral("n/a \"quoted\""));
    QVERIFY(object.value("h").isNull());
    QCOMPARE(object.value("mode").toInt(), 7);
    QCOMPARE(object.value("at").toArray(), QJsonArray({1, "two"}));
    QCOMPARE(object.value("label").toString(),
             QStringLiteral("thermostat-7 in 7 at n/a \"quoted\""));
}

void tst_Payload::jsonEscapesStrings()
{
    const PayloadTemplate payload = compiled(jsonSpec(R"({"v": {mode}, "in": "<{mode}>"})"));
    const QString wide = QStringLiteral("\u00e9\u4e2d"); // passed through as UTF-8
    const QString nasty = QStringLiteral("a\"b\\c\nd\te") + QChar(1) + 'f' + wide + '/';
    const Values values({0, 0, false, nasty, QJsonValue()});
    const QByteArray rendered = payload.render(context(), values);
    const QByteArray escaped = R"(a\"b\\c\nd\te\u0001f)" + wide.toUtf8() + '/';
    QCOMPARE(rendered, R"({"v": ")" + escaped + R"(", "in": "<)" + escaped + R"(>"})");
    const QJsonObject object = QJsonDocument::fromJson(rendered).object();
    QCOMPARE(object.value("v").toString(), nasty);
    QCOMPARE(object.value("in").toString(), '<' + nasty + '>');

    // An escaped quote in the template's own string does not end the string.
    const PayloadTemplate quoted =
        compiled(jsonSpec(R"({"say": "\"{mode}\" \\", "n": {humidity}})"));
    QCOMPARE(quoted.render(context(), sampleValues()),
             QByteArray(R"({"say": "\"eco\" \\", "n": 40})"));
}

void tst_Payload::builtInPlaceholders_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QByteArray>("rendered");
    QTest::newRow("name") << "{name}" << QByteArray("thermostat-7");
    QTest::newRow("id") << "{id}" << QByteArray("are0device7");
    QTest::newRow("index") << "{index}" << QByteArray("6");
    QTest::newRow("timestamp") << "{timestamp}" << QByteArray("2026-11-25T12:34:56.789Z");
    QTest::newRow("timestamp_ms") << "{timestamp_ms}" << QByteArray("1795610096789");
    QTest::newRow("seq") << "{seq}" << QByteArray("42");
    QTest::newRow("seq with a spec") << "{seq:.1f}" << QByteArray("42.0");
    QTest::newRow("a sensor") << "{v}" << QByteArray("21.456");
    QTest::newRow("literal brace") << "{{name} {{" << QByteArray("{name} {");
    QTest::newRow("braces without a name") << "{ } {1} {\"a\"}" << QByteArray("{ } {1} {\"a\"}");
}

void tst_Payload::builtInPlaceholders()
{
    QFETCH(QString, text);
    QFETCH(QByteArray, rendered);
    QCOMPARE(renderText(text, Values({21.456})), rendered);
}

void tst_Payload::numberFormats_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QByteArray>("rendered");
    QTest::newRow("shortest") << "{v}" << QJsonValue(0.1) << QByteArray("0.1");
    QTest::newRow("whole numbers as integers") << "{v}" << QJsonValue(1e6) << QByteArray("1000000");
    QTest::newRow("negative zero") << "{v}" << QJsonValue(-0.0) << QByteArray("0");
    QTest::newRow("64-bit integer exactly") << "{v}" << QJsonValue(qint64(9007199254740993))
                                            << QByteArray("9007199254740993");
    QTest::newRow("huge") << "{v}" << QJsonValue(1.5e300) << QByteArray("1.5e+300");
    QTest::newRow("fixed") << "{v:.2f}" << QJsonValue(21.456) << QByteArray("21.46");
    QTest::newRow("fixed, no decimals") << "{v:.0f}" << QJsonValue(2.5) << QByteArray("2");
    QTest::newRow("fixed pads") << "{v:.3f}" << QJsonValue(7) << QByteArray("7.000");
    QTest::newRow("exponent") << "{v:.3e}" << QJsonValue(123456.0) << QByteArray("1.235e+05");
    QTest::newRow("general") << "{v:.4g}" << QJsonValue(3.14159265) << QByteArray("3.142");
    QTest::newRow("rounded") << "{v:d}" << QJsonValue(-2.5) << QByteArray("-3");
    QTest::newRow("boolean") << "{v:.2f}" << QJsonValue(true) << QByteArray("true");
    QTest::newRow("string") << "{v:.2f}" << QJsonValue("on") << QByteArray("on");
    QTest::newRow("geo") << "{v:.3f}" << QJsonValue(QJsonObject{{"lat", 55.7558}, {"lon", 37.6173}})
                         << QByteArray("55.756,37.617");
    QTest::newRow("not a number") << "{v}" << QJsonValue(std::nan("")) << QByteArray("nan");
    QTest::newRow("infinity") << "{v}" << QJsonValue(-std::numeric_limits<double>::infinity())
                              << QByteArray("-inf");
    QTest::newRow("null is nothing") << "[{v}]" << QJsonValue() << QByteArray("[]");
}

void tst_Payload::numberFormats()
{
    QFETCH(QString, text);
    QFETCH(QJsonValue, value);
    QFETCH(QByteArray, rendered);
    QCOMPARE(renderText(text, Values({value})), rendered);

    // JSON has no NaN or infinity.
    if (value.isDouble() && !std::isfinite(value.toDouble())) {
        const PayloadTemplate json = compiled(jsonSpec(R"({"v": {v}})"), {"v"});
        QCOMPARE(json.render(context(), Values({value})), QByteArray(R"({"v": null})"));
    }
}

void tst_Payload::timestamps_data()
{
    QTest::addColumn<qint64>("epochMs");
    QTest::addColumn<QByteArray>("rendered");
    QTest::newRow("epoch") << qint64(0) << QByteArray("1970-01-01T00:00:00.000Z");
    QTest::newRow("leap day")
        << qint64(1'709'251'199'999)
        << QByteArray("2024-02-29T23:59:59.999Z");
    QTest::newRow("before the epoch") << qint64(-1) << QByteArray("1969-12-31T23:59:59.999Z");
    QTest::newRow("y2k38") << qint64(2'147'483'648'000) << QByteArray("2038-01-19T03:14:08.000Z");
}

void tst_Payload::timestamps()
{
    QFETCH(qint64, epochMs);
    QFETCH(QByteArray, rendered);
    PayloadContext at = context();
    at.timestampMs = epochMs;
    QCOMPARE(compiled(textSpec("{timestamp}")).render(at, sampleValues()), rendered);
    QCOMPARE(QDateTime::fromString(QString::fromLatin1(rendered), Qt::ISODateWithMs)
                 .toMSecsSinceEpoch(),
             epochMs);
}

void tst_Payload::csvRecords()
{
    PayloadSpec spec;
    spec.format = PayloadFormat::Csv;
    QCOMPARE(compiled(spec).render(context(), sampleValues()),
             QByteArray("thermostat-7,2026-11-25T12:34:56.789Z,42,21.456,40,true,eco,"
                        "\"55.75,37.62\""));

    spec.columns = QStringList{"timestamp", "temperature:.1f", "humidity", "mode"};
    spec.separator = ";";
    spec.header = true;
    const PayloadTemplate payload = compiled(spec);
    QCOMPARE(payload.format(), PayloadFormat::Csv);
    QCOMPARE(payload.render(context(), sampleValues()),
             QByteArray("timestamp;temperature;humidity;mode\r\n"
                        "2026-11-25T12:34:56.789Z;21.5;40;eco"));
}

void tst_Payload::csvQuotingFollowsRfc4180()
{
    PayloadSpec spec;
    spec.format = PayloadFormat::Csv;
    spec.columns = QStringList{"a;b", "c", "d"};
    spec.header = true;
    spec.separator = ";";
    const PayloadTemplate payload = compiled(spec, {"a;b", "c", "d"});
    const Values values({QStringLiteral("say \"hi\""), QStringLiteral("two\r\nlines"),
                         QStringLiteral("plain, with comma")});
    QCOMPARE(payload.render(context(), values),
             QByteArray("\"a;b\";c;d\r\n\"say \"\"hi\"\"\";\"two\r\nlines\";plain, with comma"));

    // A separator that can appear in numbers quotes them.
    spec.columns = QStringList{"c", "d"};
    spec.separator = ".";
    spec.header = false;
    QCOMPARE(compiled(spec, {"c", "d"}).render(context(), Values({1.5, 2})),
             QByteArray("\"1.5\".2"));
}

void tst_Payload::plainTextIsVerbatim()
{
    const PayloadTemplate payload = compiled(
        textSpec("{name} t={temperature:.1f}°C door={door} mode=\"{mode}\" at {position}\n{"));
    QCOMPARE(payload.format(), PayloadFormat::Text);
    QCOMPARE(payload.render(context(), sampleValues()),
             QString("thermostat-7 t=21.5°C door=true mode=\"eco\" at 55.75,37.62\n{").toUtf8());
}

void tst_Payload::binaryIsByteExact_data()
{
    QTest::addColumn<QStringList>("fields");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QByteArray>("bytes");
    auto row = [](const char *name, QStringList fields, QJsonValue value, const char *hex) {
        QTest::newRow(name) << fields << value << QByteArray::fromHex(hex);
    };
    row("the example", {"0xA5", "v:i16le*10", "h:u8"}, 21.5, "a5d70028");
    row("u8", {"v:u8"}, 200, "c8");
    row("u8 saturates", {"v:u8"}, 300, "ff");
    row("u8 below zero", {"v:u8"}, -5, "00");
    row("i8 negative", {"v:i8"}, -2, "fe");
    row("u16 big-endian", {"v:u16be"}, 0x1234, "1234");
    row("u16 little-endian", {"v:u16le"}, 0x1234, "3412");
    row("i16 negative", {"v:i16be"}, -2, "fffe");
    row("i16 saturates", {"v:i16le"}, -40000, "0080");
    row("u32", {"v:u32be"}, 3735928559.0, "deadbeef");
    row("u32 little-endian", {"v:u32le"}, 3735928559.0, "efbeadde");
    row("i32", {"v:i32le"}, -100000, "6079feff");
    row("f32", {"v:f32be"}, 1.5, "3fc00000");
    row("f32 little-endian", {"v:f32le"}, -2.0, "000000c0");
    row("f64", {"v:f64be"}, 0.1, "3fb999999999999a");
    row("f64 little-endian", {"v:f64le"}, 1.0, "000000000000f03f");
    row("scale rounds", {"v:u16be*100"}, 12.3456, "04d3");
    row("fractional scale", {"v:u8*0.5"}, 100, "32");
    row("boolean", {"v:u8", "v:u16be"}, true, "010001");
    row("text is zero", {"v:u8"}, "on", "00");
    row("not a number is zero", {"v:i16be"}, std::nan(""), "0000");
    row("literals only", {"0x00ff", "0XaB"}, 0, "00ffab");
    row("built-ins", {"seq:u32be", "index:u8", "timestamp_ms:u32be*0.001"}, 0,
        "0000002a066b06d5f1");
}

void tst_Payload::binaryIsByteExact()
{
    QFETCH(QStringList, fields);
    QFETCH(QJsonValue, value);
    QFETCH(QByteArray, bytes);
    const PayloadTemplate payload = compiled(binarySpec(fields), {"v", "h"});
    QCOMPARE(payload.format(), PayloadFormat::Binary);
    QCOMPARE(payload.render(context(), Values({value, 40})).toHex(), bytes.toHex());
}

void tst_Payload::compileErrors_data()
{
    QTest::addColumn<PayloadSpec>("spec");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown placeholder")
        << jsonSpec(R"({"t": {temprature}})")
        << "template: unknown placeholder {temprature} (available: name, id, index, timestamp, "
           "timestamp_ms, seq, temperature, humidity, door, mode, position)";
    QTest::newRow("unknown in text") << textSpec("{nme}") << "template: unknown placeholder {nme}";
    QTest::newRow("unclosed")
        << textSpec("t={temperature")
        << "template: \"{temperature\" at character 3 has no closing }";
    QTest::newRow("bad spec")
        << textSpec("{temperature:.2x}")
        << "template: \".2x\" in {temperature:.2x} is not a format spec (use .2f, .3e, .4g or d)";
    QTest::newRow("spec on text")
        << textSpec("{name:.2f}")
        << "template: {name} takes no format spec";
    QTest::newRow("precision too high")
        << textSpec("{temperature:.20f}")
        << "template: \".20f\" in {temperature:.20f} is not a format spec";
    QTest::newRow("not JSON: unclosed object")
        << jsonSpec(R"({"t": {temperature})")
        << "template: not JSON once its placeholders are filled (";
    QTest::newRow("not JSON: trailing comma")
        << jsonSpec(R"({"t": {temperature},})")
        << "template: not JSON once its placeholders are filled (";
    QTest::newRow("not JSON: quoted placeholder as key")
        << jsonSpec(R"({{name}: 1})") << "template: not JSON once its placeholders are filled (";
    QTest::newRow("not JSON: a bare value")
        << jsonSpec(" {temperature}")
        << "template: a JSON payload is an object or an array (for a bare value, use the text "
           "format)";
    QTest::newRow("text without template") << textSpec("")
                                           << "template: a text payload needs a template";

    PayloadSpec csv;
    csv.format = PayloadFormat::Csv;
    csv.columns = QStringList{"timestamp", "pressure"};
    QTest::newRow("csv unknown column") << csv << "columns[1]: unknown placeholder {pressure}";
    csv.columns = QStringList{"timestamp"};
    csv.separator = "\"";
    QTest::newRow("csv separator")
        << csv
        << "separator: must be one ASCII character other than a quote or a line break";

    QTest::newRow("binary bad hex")
        << binarySpec({"0xA"})
        << "binary[0]: \"0xA\" is not whole bytes in hex";
    QTest::newRow("binary not hex")
        << binarySpec({"0xZZ"})
        << "binary[0]: \"0xZZ\" is not whole bytes in hex";
    QTest::newRow("binary no type") << binarySpec({"0xA5", "humidity"})
                                    << "binary[1]: \"humidity\" needs a type, like humidity:u8";
    QTest::newRow("binary no byte order") << binarySpec({"temperature:i16"})
                                          << "binary[0]: i16 needs a byte order: i16le or i16be";
    QTest::newRow("binary byte order on a byte")
        << binarySpec({"humidity:u8le"})
        << "binary[0]: u8 is one byte and has no byte order";
    QTest::newRow("binary unknown type") << binarySpec({"humidity:u24be"})
                                         << "binary[0]: \"u24be\" is not a binary type";
    QTest::newRow("binary bad scale") << binarySpec({"humidity:u8*ten"})
                                      << "binary[0]: \"*ten\" is not a scale";
    QTest::newRow("binary text field") << binarySpec({"name:u8"})
                                       << "binary[0]: {name} is text; binary fields take numbers";
    QTest::newRow("binary unknown value") << binarySpec({"pressure:u8"})
                                          << "binary[0]: unknown placeholder {pressure}";
    QTest::newRow("binary empty") << binarySpec({}) << "binary: a binary payload needs its fields";
}

void tst_Payload::compileErrors()
{
    QFETCH(PayloadSpec, spec);
    QFETCH(QString, error);
    QString message;
    QVERIFY(!PayloadTemplate::compile(spec, sensors, &message));
    QVERIFY2(message.startsWith(error), qPrintable(message));
    QVERIFY(!message.contains(u'\n'));

    // The JSON check shows where the filled-in template stops being JSON.
    QVERIFY(!PayloadTemplate::compile(jsonSpec(R"({"t": {temperature:.1f})"), sensors, &message));
    QVERIFY2(message.endsWith(R"( near "{"t": 21.5"))"), qPrintable(message));

    // A value may not take a built-in's name: which one would {seq} be?
    QVERIFY(!PayloadTemplate::compile(PayloadSpec(), {"temperature", "seq"}, &message));
    QCOMPARE(message,
             QStringLiteral("value \"seq\" has the name of the built-in {seq}; rename it"));
}

void tst_Payload::malformedPayloads()
{
    const PayloadTemplate json = compiled(PayloadSpec());
    const QByteArray whole = json.render(context(), sampleValues());

    const QByteArray truncated = json.renderMalformed(context(), sampleValues(),
                                                      PayloadTemplate::Malformation::Truncated);
    QCOMPARE(truncated, whole.left(whole.size() / 2));
    QJsonParseError error;
    QJsonDocument::fromJson(truncated, &error);
    QVERIFY(error.error != QJsonParseError::NoError);

    const QByteArray flipped = json.renderMalformed(context(), sampleValues(),
                                                    PayloadTemplate::Malformation::FlippedBytes);
    QCOMPARE(flipped.size(), whole.size());
    for (qsizetype i = 0; i < whole.size(); ++i)
        QCOMPARE(quint8(flipped.at(i)), quint8(~quint8(whole.at(i))));
    QJsonDocument::fromJson(flipped, &error);
    QVERIFY(error.error != QJsonParseError::NoError);

    const PayloadTemplate binary = compiled(binarySpec({"0xA5", "temperature:i16le*10"}));
    QCOMPARE(binary.renderMalformed(context(), sampleValues(),
                                    PayloadTemplate::Malformation::Truncated),
             QByteArray::fromHex("a5"));
    QCOMPARE(binary.renderMalformed(context(), sampleValues(),
                                    PayloadTemplate::Malformation::FlippedBytes),
             QByteArray::fromHex("5a28ff"));
}

void tst_Payload::oversizedPayloads()
{
    constexpr qsizetype IotCoreLimit = 262'144;
    const PayloadTemplate json = compiled(PayloadSpec());
    const QByteArray big = json.renderOversized(context(), sampleValues(), IotCoreLimit + 1);
    QCOMPARE(big.size(), IotCoreLimit + 1);
    // Still the same JSON: only its size is at fault.
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(big, &error);
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(document.object().value("seq").toInt(), 42);

    const PayloadTemplate binary = compiled(binarySpec({"0xA5", "humidity:u8"}));
    QCOMPARE(binary.renderOversized(context(), sampleValues(), 6),
             QByteArray::fromHex("a52800000000"));

    const PayloadTemplate text = compiled(textSpec("{name}"));
    QCOMPARE(text.renderOversized(context(), sampleValues(), 15), QByteArray("thermostat-7   "));
    // Already that large: unchanged.
    QCOMPARE(text.renderOversized(context(), sampleValues(), 4), QByteArray("thermostat-7"));
}

void tst_Payload::specJsonRoundTrip_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("written");
    QTest::newRow("default") << "{}" << R"({"format":"json"})";
    QTest::newRow("json template") << R"({"format": "json", "template": "{\"t\": {temperature}}"})"
                                   << R"({"format":"json","template":"{\"t\": {temperature}}"})";
    QTest::newRow("text") << R"({"format": "text", "template": "{name}"})"
                          << R"({"format":"text","template":"{name}"})";
    QTest::newRow("csv") << R"({"format": "csv", "columns": ["timestamp", "temperature:.1f"],
                                "separator": ";", "header": true})"
                         << R"({"columns":["timestamp","temperature:.1f"],"format":"csv",)"
                            R"("header":true,"separator":";"})";
    QTest::newRow("csv inferred")
        << R"({"columns": ["seq"]})"
        << R"({"columns":["seq"],"format":"csv"})";
    QTest::newRow("binary inferred")
        << R"({"binary": ["0xA5", "temperature:i16le*10", "humidity:u8"]})"
        << R"({"binary":["0xA5","temperature:i16le*10","humidity:u8"],)" R"("format":"binary"})";
}

void tst_Payload::specJsonRoundTrip()
{
    QFETCH(QString, input);
    QFETCH(QString, written);
    QString error;
    const QJsonObject json = QJsonDocument::fromJson(input.toUtf8()).object();
    const auto spec = PayloadSpec::fromJson(json, &error);
    QVERIFY2(spec, qPrintable(error));
    QCOMPARE(QJsonDocument(spec->toJson()).toJson(QJsonDocument::Compact), written.toUtf8());
    const auto again = PayloadSpec::fromJson(spec->toJson(), &error);
    QVERIFY2(again, qPrintable(error));
    QVERIFY(*again == *spec);
    QVERIFY(PayloadTemplate::compile(*spec, sensors, &error));
}

void tst_Payload::specJsonErrors_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("error");
    QTest::newRow("unknown format")
        << R"({"format": "xml"})"
        << "format: \"xml\" is not a payload format (json, csv, text or binary)";
    QTest::newRow("format not a string") << R"({"format": 3})"
                                         << "format: must be a string: json, csv, text or binary";
    QTest::newRow("field of another format")
        << R"({"format": "json", "columns": ["seq"]})"
        << "columns: not a field of a json payload (its fields: format, template)";
    QTest::newRow("unknown field")
        << R"({"format": "csv", "colums": ["seq"]})"
        << "colums: not a field of a csv payload (its fields: format, columns, separator, header)";
    QTest::newRow("template not a string") << R"({"template": 5})" << "template: must be a string";
    QTest::newRow("columns empty")
        << R"({"format": "csv", "columns": []})"
        << "columns: must be a list like";
    QTest::newRow("columns not strings")
        << R"({"columns": ["seq", 5]})"
        << "columns[1]: must be a non-empty string";
    QTest::newRow("separator too long")
        << R"({"columns": ["seq"], "separator": ";;"})"
        << "separator: must be one ASCII character";
    QTest::newRow("header not a flag")
        << R"({"columns": ["seq"], "header": "yes"})"
        << "header: must be true or false";
    QTest::newRow("binary not a list") << R"({"binary": "0xA5"})" << "binary: must be a list like";
    QTest::newRow("text without template")
        << R"({"format": "text"})"
        << "template: a text payload needs a template";
}

void tst_Payload::specJsonErrors()
{
    QFETCH(QString, input);
    QFETCH(QString, error);
    QString message;
    QVERIFY(!PayloadSpec::fromJson(QJsonDocument::fromJson(input.toUtf8()).object(), &message));
    QVERIFY2(message.startsWith(error), qPrintable(message));
}

QTEST_GUILESS_MAIN(tst_Payload)
#include "tst_payload.moc"
