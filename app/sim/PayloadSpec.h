#pragma once

// A device's payload as a scenario writes it (see PayloadTemplate.h for the forms and what
// they produce). This is the document only; PayloadTemplate::compile() turns it into something
// to render.

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

namespace iotcore::sim {

enum class PayloadFormat { Json, Csv, Text, Binary };

// A payload as the scenario writes it; compile it into a PayloadTemplate.
struct PayloadSpec {
    PayloadFormat format = PayloadFormat::Json;
    QString templateText;                       // Json (empty: the default object) and Text
    QStringList columns;                        // Csv (empty: name, timestamp, seq, every value)
    QString separator = QStringLiteral(",");    // Csv: one character
    bool header = false;                        // Csv
    QStringList binary;                         // Binary

    // Parses and checks (placeholders are checked by PayloadTemplate::compile()); nullopt with
    // one line in `error` naming the field. Without "format", a "binary" list means binary,
    // "columns" CSV, anything else JSON.
    static std::optional<PayloadSpec> fromJson(const QJsonObject &json, QString *error);
    QJsonObject toJson() const;
    // What is wrong with a spec built in code (the rules fromJson() applies); empty: fine.
    QString check() const;

    friend bool operator==(const PayloadSpec &, const PayloadSpec &) = default;
};

const char *payloadFormatName(PayloadFormat format);

} // namespace iotcore::sim
