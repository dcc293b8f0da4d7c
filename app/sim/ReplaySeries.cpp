#include "ReplaySeries.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutexLocker>

#include <algorithm>
#include <cmath>

namespace iotcore::sim {

namespace {

// RFC 4180 fields of one line: commas, double quotes around fields that hold commas or quotes,
// "" for a quote inside them. A record does not span lines. Nothing when a quote is left open.
std::optional<QStringList> csvFields(QStringView line)
{
    QStringList fields;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line[i];
        if (quoted) {
            if (c == u'"' && i + 1 < line.size() && line[i + 1] == u'"') {
                field += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == u'"') {
            quoted = true;
        } else if (c == u',') {
            fields.append(std::exchange(field, {}));
        } else {
            field += c;
        }
    }
    if (quoted)
        return std::nullopt;
    fields.append(field);
    return fields;
}

std::optional<double> numberFrom(QStringView text)
{
    bool ok = false;
    const double value = text.trimmed().toDouble(&ok);
    return ok && std::isfinite(value) ? std::optional(value) : std::nullopt;
}

// Seconds as a number, or an ISO 8601 date-time; in milliseconds.
std::optional<qint64> timeFrom(const QJsonValue &value)
{
    if (value.isDouble() && std::isfinite(value.toDouble()) && std::abs(value.toDouble()) < 1e12)
        return std::llround(value.toDouble() * 1000.0);
    if (value.isString()) {
        if (const std::optional<double> seconds = numberFrom(value.toString());
            seconds && std::abs(*seconds) < 1e12)
            return std::llround(*seconds * 1000.0);
        const QDateTime time = QDateTime::fromString(value.toString().trimmed(), Qt::ISODateWithMs);
        if (time.isValid())
            return time.toMSecsSinceEpoch();
    }
    return std::nullopt;
}

// A value inside nested JSON objects, by a path such as "env.temperature".
QJsonValue fieldAt(const QJsonObject &object, const QString &path)
{
    QJsonValue value = object;
    for (const QString &part : path.split(u'.')) {
        if (!value.isObject())
            return QJsonValue(QJsonValue::Undefined);
        value = value.toObject().value(part);
    }
    return value;
}

QString quoted(const QString &text)
{
    return u'"' + text + u'"';
}

} // namespace

std::shared_ptr<const ReplaySeries> ReplaySeries::load(const ReplaySource &source, QString *error)
{
    const QString where =
            QStringLiteral("replay file %1").arg(quoted(QDir::toNativeSeparators(source.path)));
    QFile file(source.path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("%1: %2").arg(where, file.errorString());
        return nullptr;
    }
    const QList<QByteArray> lines = file.readAll().split('\n');
    auto series = std::make_shared<ReplaySeries>();
    const bool paced = !source.timeKey.isEmpty();
    int valueColumn = -1;
    int timeColumn = -1;
    qsizetype columns = 0;

    for (qsizetype i = 0; i < lines.size(); ++i) {
        const int lineNumber = int(i + 1);
        QString line = QString::fromUtf8(lines[i]).remove(u'\r');
        if (i == 0 && line.startsWith(QChar(0xfeff))) // the byte order mark spreadsheets write
            line.remove(0, 1);
        if (line.trimmed().isEmpty())
            continue;
        const QString at = QStringLiteral("%1 line %2").arg(where).arg(lineNumber);

        if (source.format == ReplaySource::Format::JsonLines) {
            QJsonParseError parseError;
            const QJsonDocument document = QJsonDocument::fromJson(line.toUtf8(), &parseError);
            if (!document.isObject()) {
                *error = QStringLiteral("%1: not a JSON object (%2)")
                                 .arg(at, parseError.errorString());
                return nullptr;
            }
            const QJsonValue value = fieldAt(document.object(), source.valueKey);
            if (!value.isDouble()) {
                const QString problem = value.isUndefined() ? QStringLiteral("missing")
                                                            : QStringLiteral("not a number");
                *error = QStringLiteral("%1: field %2 is %3")
                                 .arg(at, quoted(source.valueKey), problem);
                return nullptr;
            }
            std::optional<qint64> time;
            if (paced && !(time = timeFrom(fieldAt(document.object(), source.timeKey)))) {
                *error = QStringLiteral("%1: field %2 is not a time (seconds or ISO 8601)")
                                 .arg(at, quoted(source.timeKey));
                return nullptr;
            }
            if (!series->append(value.toDouble(), time)) {
                *error = QStringLiteral("%1: the time goes back").arg(at);
                return nullptr;
            }
            continue;
        }

        const std::optional<QStringList> fields = csvFields(line);
        if (!fields) {
            *error = QStringLiteral("%1: a quoted field is not closed").arg(at);
            return nullptr;
        }
        if (valueColumn < 0) { // the header
            QStringList names;
            for (const QString &name : *fields)
                names.append(name.trimmed());
            columns = names.size();
            valueColumn = int(names.indexOf(source.valueKey));
            timeColumn = paced ? int(names.indexOf(source.timeKey)) : -1;
            const QString &absent = valueColumn < 0 ? source.valueKey : source.timeKey;
            if (valueColumn < 0 || (paced && timeColumn < 0)) {
                *error = QStringLiteral("%1: the header has no column %2").arg(at, quoted(absent));
                return nullptr;
            }
            continue;
        }
        if (fields->size() != columns) {
            *error = QStringLiteral("%1: %2 fields where the header has %3")
                             .arg(at).arg(fields->size()).arg(columns);
            return nullptr;
        }
        const std::optional<double> value = numberFrom(fields->at(valueColumn));
        if (!value) {
            *error = QStringLiteral("%1: column %2: %3 is not a number")
                             .arg(at, quoted(source.valueKey), quoted(fields->at(valueColumn)));
            return nullptr;
        }
        std::optional<qint64> time;
        if (paced && !(time = timeFrom(fields->at(timeColumn)))) {
            *error = QStringLiteral("%1: column %2: %3 is not a time (seconds or ISO 8601)")
                             .arg(at, quoted(source.timeKey), quoted(fields->at(timeColumn)));
            return nullptr;
        }
        if (!series->append(*value, time)) {
            *error = QStringLiteral("%1: the time goes back").arg(at);
            return nullptr;
        }
    }
    if (series->m_values.empty()) {
        *error = QStringLiteral("%1: no data rows").arg(where);
        return nullptr;
    }
    if (paced) {
        const qint64 span = series->m_offsetsMs.back();
        const qint64 rows = qint64(series->m_offsetsMs.size());
        series->m_cycleMs = std::max<qint64>(1, rows > 1 ? span + span / (rows - 1) : 1);
    }
    return series;
}

bool ReplaySeries::append(double value, std::optional<qint64> timeMs)
{
    if (timeMs) {
        if (m_values.empty())
            m_firstMs = *timeMs;
        const qint64 offset = *timeMs - m_firstMs;
        if (!m_offsetsMs.empty() && offset < m_offsetsMs.back())
            return false;
        m_offsetsMs.push_back(offset);
    }
    m_values.push_back(value);
    return true;
}

qsizetype ReplaySeries::rowAt(qint64 elapsedMs, bool loop) const
{
    const qint64 t = loop ? elapsedMs % m_cycleMs : elapsedMs;
    const auto after = std::upper_bound(m_offsetsMs.begin(), m_offsetsMs.end(), t);
    return std::max<qsizetype>(0, (after - m_offsetsMs.begin()) - 1);
}

std::shared_ptr<const ReplaySeries> ReplayCache::load(const ReplaySource &source, QString *error)
{
    QMutexLocker locker(&m_mutex);
    if (std::shared_ptr<const ReplaySeries> series = m_series[source].lock())
        return series;
    std::shared_ptr<const ReplaySeries> series = ReplaySeries::load(source, error);
    if (series)
        m_series[source] = series;
    return series;
}

} // namespace iotcore::sim
