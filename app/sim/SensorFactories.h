#pragma once

// One parse function per kind of sensor model, each in the file of its model. SensorSetModel
// reads a spec's "name" and "type" and hands the rest to the function of that type.

#include "NumericSensor.h"

#include <QHash>
#include <QString>

#include <memory>

namespace iotcore::sim {

class ReplayCache;

// A sensor of the same set as seen by an expression: where it is and what it reads.
struct SensorSlot
{
    int index;
    ValueKind kind;
};

struct SensorBuildContext
{
    NumericShaping shaping;                       // read already for numeric types
    const QHash<QString, SensorSlot> *sensors;    // every sensor of the set, by name
    QString baseDirectory;                        // relative replay paths start here
    ReplayCache *replays;                         // replay data shared between models
};

enum class Waveform { Sine, Square, Triangle, Sawtooth };

std::unique_ptr<SensorModel> parseConstantSensor(SensorSpecReader &reader,
                                  const SensorBuildContext &context);
std::unique_ptr<SensorModel> parseWaveformSensor(SensorSpecReader &reader,
                                                 const SensorBuildContext &context,
                                                 Waveform waveform);
std::unique_ptr<SensorModel> parseRandomWalkSensor(SensorSpecReader &reader,
                                  const SensorBuildContext &context);
std::unique_ptr<SensorModel> parseCounterSensor(SensorSpecReader &reader,
                                  const SensorBuildContext &context);
std::unique_ptr<SensorModel> parseBooleanSensor(SensorSpecReader &reader,
                                  const SensorBuildContext &context);
std::unique_ptr<SensorModel> parseEnumerationSensor(SensorSpecReader &reader,
                                  const SensorBuildContext &context);
std::unique_ptr<SensorModel> parseGpsSensor(SensorSpecReader &reader,
                                  const SensorBuildContext &context);
std::unique_ptr<SensorModel> parseReplaySensor(SensorSpecReader &reader,
                                  const SensorBuildContext &context);
std::unique_ptr<SensorModel> parseExpressionSensor(SensorSpecReader &reader,
                                  const SensorBuildContext &context);

} // namespace iotcore::sim
