#include "FieldUnits.h"

#include <QStringList>

#include <array>

namespace iotcore::ui {

namespace {

struct UnitWord {
    const char16_t *word;
    const char16_t *unit;
};

// A unit written as the name's last word: "temp_c", "powerW", "energy_kwh".
constexpr std::array SuffixUnits{
    UnitWord{u"c", u"°C"},     UnitWord{u"celsius", u"°C"}, UnitWord{u"f", u"°F"},
    UnitWord{u"fahrenheit", u"°F"}, UnitWord{u"k", u"K"},  UnitWord{u"v", u"V"},
    UnitWord{u"mv", u"mV"},    UnitWord{u"ma", u"mA"},     UnitWord{u"w", u"W"},
    UnitWord{u"kw", u"kW"},    UnitWord{u"wh", u"Wh"},     UnitWord{u"kwh", u"kWh"},
    UnitWord{u"hpa", u"hPa"},  UnitWord{u"kpa", u"kPa"},   UnitWord{u"pa", u"Pa"},
    UnitWord{u"dbm", u"dBm"},  UnitWord{u"db", u"dB"},     UnitWord{u"pct", u"%"},
    UnitWord{u"percent", u"%"}, UnitWord{u"ppm", u"ppm"},  UnitWord{u"lux", u"lx"},
    UnitWord{u"kmh", u"km/h"}, UnitWord{u"mps", u"m/s"},   UnitWord{u"ms", u"ms"},
    UnitWord{u"hz", u"Hz"},    UnitWord{u"rpm", u"rpm"},
};

// A quantity named anywhere in the name: "outsideTemperature", "battery_level".
constexpr std::array QuantityUnits{
    UnitWord{u"temperature", u"°C"}, UnitWord{u"temp", u"°C"},   UnitWord{u"humidity", u"%"},
    UnitWord{u"rh", u"%"},           UnitWord{u"battery", u"%"}, UnitWord{u"voltage", u"V"},
    UnitWord{u"current", u"A"},      UnitWord{u"power", u"W"},   UnitWord{u"energy", u"kWh"},
    UnitWord{u"pressure", u"hPa"},   UnitWord{u"rssi", u"dBm"},  UnitWord{u"latitude", u"°"},
    UnitWord{u"lat", u"°"},          UnitWord{u"longitude", u"°"}, UnitWord{u"lon", u"°"},
    UnitWord{u"lng", u"°"},          UnitWord{u"heading", u"°"}, UnitWord{u"bearing", u"°"},
    UnitWord{u"co2", u"ppm"},        UnitWord{u"illuminance", u"lx"}, UnitWord{u"altitude", u"m"},
    UnitWord{u"frequency", u"Hz"},
};

// "outsideTemp_c" -> {"outside", "temp", "c"}; "co2" stays one word.
QStringList words(QStringView name)
{
    QStringList result;
    QString word;
    const auto flush = [&] {
        if (!word.isEmpty())
            result.append(word.toLower());
        word.clear();
    };
    for (qsizetype i = 0; i < name.size(); ++i) {
        const QChar c = name[i];
        if (!c.isLetterOrNumber()) {
            flush();
            continue;
        }
        // A capital after a lower-case letter starts a word ("outsideTemp"), except after a
        // one-letter prefix of a unit ("kWh", "mV").
        const bool hump = c.isUpper() && i > 0 && name[i - 1].isLower() && word.size() > 1;
        if (hump)
            flush();
        word.append(c);
    }
    flush();
    return result;
}

QString find(const auto &table, const QString &word)
{
    QStringView letters(word);
    while (letters.size() > 1 && letters.back().isDigit())
        letters.chop(1);
    for (const UnitWord &entry : table) {
        if (word == QStringView(entry.word) || letters == QStringView(entry.word))
            return QString::fromUtf16(entry.unit);
    }
    return {};
}

} // namespace

QString unitSuggestedBy(QStringView name)
{
    const qsizetype dot = name.lastIndexOf(u'.');
    const QStringList parts = words(dot < 0 ? name : name.mid(dot + 1));
    if (parts.isEmpty())
        return {};
    // A single word is a quantity ("c" alone is no temperature); a last word may be a unit.
    if (parts.size() > 1) {
        if (const QString unit = find(SuffixUnits, parts.last()); !unit.isEmpty())
            return unit;
    }
    for (const QString &word : parts) {
        if (const QString unit = find(QuantityUnits, word); !unit.isEmpty())
            return unit;
    }
    return {};
}

} // namespace iotcore::ui
