#pragma once

// Reads the connection logs of devices, registries and brokers from the workspace file (the
// iot_entity_logs table that SqliteBrokerStore writes while `serve` runs), for
// `iotcore-studio iot registry|device|broker logs` and the console. Read-only and short-lived:
// open, read, close, on the calling thread.

#include <QString>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace iotcore::broker {

struct EntityLogLine {
    std::string time; // RFC 3339 UTC, nine fraction digits, as stored
    std::string level; // "INFO", "WARN", "ERROR"
    std::string message;
};

class EntityLogStore
{
public:
    struct Query {
        std::string ownerKind; // "device", "registry", "broker"
        std::string ownerId;
        std::string since; // times as formatRfc3339Nanos() writes them; empty: no bound
        std::string until; // exclusive
        std::vector<std::string> levels; // empty: all
        std::size_t limit = 0; // the newest `limit` lines; 0: all
    };

    // The lines matching the query, oldest first. Nothing, with one line in *error, when the
    // workspace cannot be read.
    static std::optional<std::vector<EntityLogLine>> read(const QString &path, const Query &query,
                                                           std::string *error);
};

} // namespace iotcore::broker
