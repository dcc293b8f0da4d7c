#pragma once

// Recorded data for replay sensors, read once and shared: 100,000 devices replaying the same
// column hold one copy of it. A series is a column of a CSV file (with a header line) or a field
// of a JSON lines file, with optional timestamps (seconds, or ISO 8601 date-times) from a time
// column or field, which then pace the replay as they were recorded.

#include <QMutex>
#include <QString>

#include <map>
#include <memory>
#include <optional>
#include <tuple>
#include <vector>

namespace iotcore::sim {

struct ReplaySource
{
    enum class Format { Csv, JsonLines };

    QString path;    // absolute
    Format format = Format::Csv;
    QString valueKey; // CSV column name, or JSON field path such as "env.temperature"
    QString timeKey;  // the same for the timestamps; empty: one row per sample

    bool operator<(const ReplaySource &other) const
    {
        return std::tie(path, format, valueKey, timeKey)
                < std::tie(other.path, other.format, other.valueKey, other.timeKey);
    }
};

class ReplaySeries
{
public:
    // The whole file, checked; nothing, with "replay file "PATH" line N: why" in `error`, when it
    // cannot be read or a line is broken.
    static std::shared_ptr<const ReplaySeries> load(const ReplaySource &source, QString *error);

    qsizetype size() const { return qsizetype(m_values.size()); }
    double value(qsizetype row) const { return m_values[size_t(row)]; }
    bool paced() const { return !m_offsetsMs.empty(); }

    // The row to show `elapsedMs` into a paced replay: the last row recorded at or before it.
    // Looping, the recording repeats every cycleMs(): its span plus one mean interval, so the
    // last row has its turn too.
    qsizetype rowAt(qint64 elapsedMs, bool loop) const;
    qint64 cycleMs() const { return m_cycleMs; }

private:
    // False when the time is before the previous row's.
    bool append(double value, std::optional<qint64> timeMs);

    std::vector<double> m_values;
    std::vector<qint64> m_offsetsMs; // from the first row; empty when not paced
    qint64 m_firstMs = 0;
    qint64 m_cycleMs = 1;
};

// The series already loaded, by source. Thread-safe: models may be parsed on any thread.
class ReplayCache
{
public:
    std::shared_ptr<const ReplaySeries> load(const ReplaySource &source, QString *error);

private:
    QMutex m_mutex;
    // weak: a series lives as long as some model uses it
    std::map<ReplaySource, std::weak_ptr<const ReplaySeries>> m_series;
};

} // namespace iotcore::sim
