#include "SensorSpecReader.h"

#include "Duration.h"

#include <cmath>
#include <limits>

namespace iotcore::sim {

SensorSpecReader::SensorSpecReader(QJsonObject object, QString label, QString *error,
                                   QString fieldPrefix)
    : m_object(std::move(object))
    , m_label(std::move(label))
    , m_error(error)
    , m_prefix(std::move(fieldPrefix))
{
}

bool SensorSpecReader::contains(const QString &key) const
{
    return m_object.contains(key);
}

QJsonValue SensorSpecReader::take(const QString &key)
{
    m_read.insert(key);
    return m_object.value(key);
}

bool SensorSpecReader::missing(const QString &key, Need need)
{
    return need == Need::Required ? fail(key, QStringLiteral("is missing")) : true;
}

bool SensorSpecReader::number(const QString &key, double *out, Need need)
{
    const QJsonValue value = take(key);
    if (value.isUndefined())
        return missing(key, need);
    if (!value.isDouble())
        return fail(key, QStringLiteral("must be a number"));
    *out = value.toDouble();
    return true;
}

bool SensorSpecReader::integer(const QString &key, int *out, Need need)
{
    const QJsonValue value = take(key);
    if (value.isUndefined())
        return missing(key, need);
    const double number = value.toDouble(0.5);
    if (!value.isDouble() || number != std::floor(number)
        || std::abs(number) > std::numeric_limits<int>::max())
        return fail(key, QStringLiteral("must be a whole number"));
    *out = int(number);
    return true;
}

bool SensorSpecReader::boolean(const QString &key, bool *out, Need need)
{
    const QJsonValue value = take(key);
    if (value.isUndefined())
        return missing(key, need);
    if (!value.isBool())
        return fail(key, QStringLiteral("must be true or false"));
    *out = value.toBool();
    return true;
}

bool SensorSpecReader::text(const QString &key, QString *out, Need need)
{
    const QJsonValue value = take(key);
    if (value.isUndefined())
        return missing(key, need);
    if (!value.isString())
        return fail(key, QStringLiteral("must be a string"));
    *out = value.toString();
    return true;
}

bool SensorSpecReader::duration(const QString &key, qint64 *milliseconds, Need need)
{
    const QJsonValue value = take(key);
    if (value.isUndefined())
        return missing(key, need);
    if (!value.isDouble() && !value.isString())
        return fail(key, QStringLiteral("must be a number of seconds or a string such as \"10s\""));
    QString why; // `"soon" is not a duration (…)`
    const std::optional<std::int64_t> parsed = parseDurationMs(value, &why);
    if (!parsed)
        return fail(key, why);
    *milliseconds = *parsed;
    return true;
}

std::optional<SensorSpecReader> SensorSpecReader::object(const QString &key)
{
    return nested(key, take(key));
}

std::optional<SensorSpecReader> SensorSpecReader::nested(const QString &field,
                                                         const QJsonValue &value)
{
    if (!value.isObject()) {
        fail(field, QStringLiteral("must be an object"));
        return std::nullopt;
    }
    return SensorSpecReader(value.toObject(), m_label, m_error, m_prefix + field + u'.');
}

bool SensorSpecReader::fail(const QString &key, const QString &why)
{
    return failWith(m_prefix + key + u' ' + why);
}

bool SensorSpecReader::failWith(const QString &message)
{
    if (m_error->isEmpty())
        *m_error = m_label + QStringLiteral(": ") + message;
    return false;
}

bool SensorSpecReader::finish()
{
    for (auto it = m_object.begin(); it != m_object.end(); ++it) {
        if (!m_read.contains(it.key()))
            return failWith(QStringLiteral("unknown field \"%1%2\"").arg(m_prefix, it.key()));
    }
    return true;
}

} // namespace iotcore::sim
