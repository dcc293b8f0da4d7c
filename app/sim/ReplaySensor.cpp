// Replay of recorded data: a column of a CSV file or a field of a JSON lines file, one row per
// sample, or paced by the recording's own timestamps; at the end it starts over ("end": "loop",
// the default) or keeps the last value ("end": "hold"). Relative paths start at the scenario's
// directory. The file is read when the sensor is parsed, never while sampling.
//
//   {"type": "replay", "file": "boiler.csv", "column": "temp", "timeColumn": "ts"}
//   {"type": "replay", "file": "log.jsonl", "field": "env.temperature", "end": "hold"}

#include "ReplaySeries.h"
#include "SensorFactories.h"

#include <QDir>

namespace iotcore::sim {

namespace {

class ReplaySensor final : public NumericSensor
{
public:
    ReplaySensor(NumericShaping shaping, std::shared_ptr<const ReplaySeries> series, bool loop)
        : NumericSensor(std::move(shaping)), m_series(std::move(series)), m_loop(loop) {}

protected:
    double baseValue(SensorState &state, const SampleContext &context) const override
    {
        const qsizetype rows = m_series->size();
        qsizetype row = 0;
        if (m_series->paced())
            row = m_series->rowAt(context.timeMs, m_loop);
        else
            row = m_loop ? qsizetype(state.samples % rows)
                         : std::min<qsizetype>(state.samples, rows - 1);
        return m_series->value(row);
    }

private:
    std::shared_ptr<const ReplaySeries> m_series;
    bool m_loop;
};

} // namespace

std::unique_ptr<SensorModel> parseReplaySensor(SensorSpecReader &reader,
                                               const SensorBuildContext &context)
{
    const bool csv = reader.contains(QStringLiteral("column"));
    if (csv == reader.contains(QStringLiteral("field"))) {
        reader.failWith(QStringLiteral("a replay needs either \"column\" (CSV) or \"field\" "
                                       "(JSON lines)"));
        return nullptr;
    }
    ReplaySource source;
    source.format = csv ? ReplaySource::Format::Csv : ReplaySource::Format::JsonLines;
    QString file;
    QString end = QStringLiteral("loop");
    const auto optional = SensorSpecReader::Need::Optional;
    if (!reader.text(QStringLiteral("file"), &file)
        || !reader.text(csv ? QStringLiteral("column") : QStringLiteral("field"), &source.valueKey)
        || !reader.text(csv ? QStringLiteral("timeColumn") : QStringLiteral("timeField"),
                        &source.timeKey, optional)
        || !reader.text(QStringLiteral("end"), &end, optional))
        return nullptr;
    if (file.isEmpty() || source.valueKey.isEmpty()) {
        const QString empty = file.isEmpty() ? QStringLiteral("file")
                : csv                         ? QStringLiteral("column")
                                              : QStringLiteral("field");
        reader.fail(empty, QStringLiteral("must not be empty"));
        return nullptr;
    }
    if (end != u"loop" && end != u"hold") {
        reader.fail(QStringLiteral("end"), QStringLiteral("must be \"loop\" or \"hold\""));
        return nullptr;
    }
    source.path = QDir::cleanPath(QDir(context.baseDirectory).absoluteFilePath(file));
    QString error;
    std::shared_ptr<const ReplaySeries> series = context.replays->load(source, &error);
    if (!series) {
        reader.failWith(error);
        return nullptr;
    }
    return std::make_unique<ReplaySensor>(context.shaping, std::move(series), end == u"loop");
}

} // namespace iotcore::sim
