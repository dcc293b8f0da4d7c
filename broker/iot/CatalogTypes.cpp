#include "CatalogTypes.h"

#include <cstdio>
#include <ctime>

namespace iotcore::broker {

namespace {

std::string format(Timestamp time, int fractionDigits)
{
    using namespace std::chrono;
    const auto nanos = duration_cast<nanoseconds>(time.time_since_epoch()).count();
    long long seconds = nanos / 1'000'000'000;
    long long fraction = nanos % 1'000'000'000;
    if (fraction < 0) { // before 1970: the fraction counts forward from the second below
        fraction += 1'000'000'000;
        --seconds;
    }
    const std::time_t whole = static_cast<std::time_t>(seconds);
    std::tm utc{};
    gmtime_r(&whole, &utc);
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d", utc.tm_year + 1900,
                  utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
    std::string result = text;
    if (fractionDigits < 0) { // as short as exact: 0, 3, 6 or 9 digits
        fractionDigits = fraction == 0              ? 0
                         : fraction % 1'000'000 == 0 ? 3
                         : fraction % 1'000 == 0     ? 6
                                                     : 9;
    }
    if (fractionDigits > 0) {
        char digits[16];
        std::snprintf(digits, sizeof digits, ".%09lld", fraction);
        result.append(digits, std::size_t(1 + fractionDigits));
    }
    result += 'Z';
    return result;
}

} // namespace

const char *entityKindName(EntityKind kind)
{
    switch (kind) {
    case EntityKind::Registry: return "registry";
    case EntityKind::Device: return "device";
    case EntityKind::Broker: return "broker";
    }
    return "entity";
}

const char *registryStatusName(RegistryStatus status)
{
    return status == RegistryStatus::Active ? "ACTIVE" : "DISABLED";
}

std::string formatRfc3339(Timestamp time)
{
    return format(time, -1);
}

std::string formatRfc3339Nanos(Timestamp time)
{
    return format(time, 9);
}

} // namespace iotcore::broker
