#pragma once

// The random numbers of the sensors. Every sensor of every device draws from a generator of its
// own, seeded from (scenario seed, device, sensor name), so a device's values do not depend on how
// many devices run or on the order they are sampled in. The generator is SplitMix64 (Steele, Lea
// and Flood, "Fast splittable pseudorandom number generators", 2014, with Vigna's constants): it
// passes BigCrush and keeps 8 bytes of state, so 100,000 devices with several sensors each stay
// small where a std::mt19937 would take 5 KB per sensor.

#include <QStringView>
#include <QtGlobal>

#include <cmath>
#include <numbers>

namespace iotcore::sim {

class Random
{
public:
    explicit Random(quint64 seed = 0) : m_state(seed) {}

    quint64 next()
    {
        m_state += 0x9e3779b97f4a7c15ULL;
        return finalize(m_state);
    }

    // Uniform in [0, 1), from the top 53 bits.
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }

    bool chance(double probability) { return uniform() < probability; }

    // Box-Muller; the second value of the pair is dropped to keep the state 8 bytes.
    double normal(double mean, double stddev)
    {
        const double u1 = 1.0 - uniform(); // (0, 1]: log() stays finite
        const double u2 = uniform();
        const double radius = std::sqrt(-2.0 * std::log(u1));
        return mean + stddev * radius * std::cos(2.0 * std::numbers::pi * u2);
    }

    double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }

    // SplitMix64's output function, also a good 64-bit mixer for deriving seeds.
    static constexpr quint64 finalize(quint64 z)
    {
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

private:
    quint64 m_state;
};

// The seed of one sensor of one device. Text is hashed with FNV-1a over its UTF-16 code units,
// which is the same on every platform, so a scenario gives the same values everywhere.
inline quint64 sensorSeed(quint64 scenarioSeed, QStringView device, QStringView sensor)
{
    const auto fnv1a = [](QStringView text) {
        quint64 hash = 0xcbf29ce484222325ULL;
        for (const QChar c : text) {
            hash ^= c.unicode();
            hash *= 0x100000001b3ULL;
        }
        return hash;
    };
    const quint64 golden = 0x9e3779b97f4a7c15ULL;
    quint64 seed = Random::finalize(scenarioSeed + golden);
    seed = Random::finalize(seed ^ (fnv1a(device) + golden));
    return Random::finalize(seed ^ (fnv1a(sensor) + 2 * golden));
}

} // namespace iotcore::sim
