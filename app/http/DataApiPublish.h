#pragma once

// The broker-thread half of the data API (IOT_CORE.md, "Migration paths", the data API): checks
// who is calling and what it may publish, then routes the message exactly like the same
// entity's MQTT PUBLISH: same ClientRights, permanent topics kept, monitoring notice, log line.

#include <cstdint>
#include <functional>
#include <string>

namespace iotcore::broker {
class Broker;
class IotAuthenticator;
} // namespace iotcore::broker

namespace iotcore::app {

struct DataApiPublish {
    enum class Entity { Device, Registry };
    Entity entity = Entity::Device; // what the path names
    std::string id;                 // the path's device or registry id
    std::string username;           // HTTP Basic
    std::string password;
    std::string topic;
    std::string payload;
    std::string peer;               // "ip:port", for monitoring and the log
};

// What the caller is answered: HTTP status and the gRPC code of the service's REST gateway.
struct DataApiOutcome {
    int status = 200;
    int code = 0;
    std::string message;
};

// Broker thread. `done` is called on the broker thread, exactly once (not at all if the broker
// stops first).
void publishFromDataApi(broker::Broker &broker, broker::IotAuthenticator &authenticator,
                        DataApiPublish request, std::function<void(DataApiOutcome)> done);

} // namespace iotcore::app
