#pragma once

// Reads the fields of one sensor's JSON object with the checks every model needs, and words the
// first problem as one line naming the sensor and the field: `sensor "temperature": period must be
// positive`. Every field a model accepts is read through here, so finish() can refuse the fields
// nobody read: a misspelt "peroid" is an error, never a silently ignored setting.

#include <QJsonObject>
#include <QSet>
#include <QString>

#include <optional>

namespace iotcore::sim {

class SensorSpecReader
{
public:
    enum class Need { Required, Optional };

    // `label` names the sensor in messages (`sensor "temperature"`); the first error goes to
    // `error`, which outlives the reader and every reader made by object().
    SensorSpecReader(QJsonObject object, QString label, QString *error, QString fieldPrefix = {});

    bool contains(const QString &key) const;
    // The raw value, marked as read (undefined when absent).
    QJsonValue take(const QString &key);

    // Each returns false after recording an error; an absent optional field leaves *out as it is.
    bool number(const QString &key, double *out, Need need = Need::Required);
    bool integer(const QString &key, int *out, Need need = Need::Required);
    bool boolean(const QString &key, bool *out, Need need = Need::Required);
    bool text(const QString &key, QString *out, Need need = Need::Required);
    // Seconds as a number, or a string such as "500ms", "10s", "5m" or "24h" (Duration.h).
    bool duration(const QString &key, qint64 *milliseconds, Need need = Need::Required);
    // A nested object read by its own reader, whose messages name the field as `noise.stddev`.
    std::optional<SensorSpecReader> object(const QString &key);
    // The same for a value found elsewhere (an array element), named `field` in messages.
    std::optional<SensorSpecReader> nested(const QString &field, const QJsonValue &value);

    // `<label>: <prefix><key> <why>`, e.g. fail("period", "must be positive").
    bool fail(const QString &key, const QString &why);
    // `<label>: <message>`.
    bool failWith(const QString &message);

    // Refuses the first field nobody read.
    bool finish();

    const QString &label() const { return m_label; }

private:
    bool missing(const QString &key, Need need);

    QJsonObject m_object;
    QString m_label;
    QString *m_error;
    QString m_prefix;
    QSet<QString> m_read;
};

} // namespace iotcore::sim
