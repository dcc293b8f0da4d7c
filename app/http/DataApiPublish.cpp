#include "DataApiPublish.h"

#include "core/Broker.h"
#include "iot/IotAuthenticator.h"
#include "observe/EventTap.h"
#include "observe/Log.h"

#include <memory>

namespace iotcore::app {

using namespace iotcore::broker;

namespace {

// gRPC status codes the service's REST gateway put beside the HTTP status.
constexpr int Unauthenticated = 16;
constexpr int PermissionDenied = 7;
constexpr int NotFound = 5;

const char *entityName(DataApiPublish::Entity entity)
{
    return entity == DataApiPublish::Entity::Device ? "device" : "registry";
}

void refuse(Broker &broker, const DataApiPublish &request, DataApiOutcome outcome,
            const std::function<void(DataApiOutcome)> &done)
{
    broker.log().write(LogLevel::Info, "http-refuse",
                       {{"entity", std::string(entityName(request.entity)) + " " + request.id},
                        {"topic", request.topic},
                        {"address", request.peer},
                        {"status", std::to_string(outcome.status)},
                        {"reason", outcome.message}});
    done(std::move(outcome));
}

// Like ClientConnection::handlePublish after its checks: the client's rights have already
// allowed the topic.
void route(Broker &broker, ClientRights &rights, const DataApiPublish &request,
           const ClientRights::PublishCheck &check)
{
    // The API has no QoS; the service delivered these messages at each subscription's QoS, so
    // the message is QoS 1 and a QoS 1 subscriber gets it at QoS 1. Retain does not exist here.
    MessagePtr message = broker.makeMessage(check.topic, request.payload, 1, false);
    if (broker.tap().enabled()) {
        BrokerEvent event;
        event.kind = BrokerEvent::Kind::Publish;
        event.clientId = "http " + request.peer;
        event.identity = rights.describe();
        event.topic = message->topic;
        event.message = message;
        event.qos = 1;
        event.kept = check.kept;
        broker.record(std::move(event));
    }
    if (check.kept)
        broker.keep(message);
    broker.publish(message);
    broker.reportActivity(rights, ClientRights::Activity::Publish);
    broker.log().write(LogLevel::Info, "http-publish",
                       {{"entity", rights.describe()},
                        {"topic", message->topic},
                        {"bytes", std::to_string(message->payload.size())},
                        {"address", request.peer}});
}

} // namespace

void publishFromDataApi(Broker &broker, IotAuthenticator &authenticator, DataApiPublish request,
                        std::function<void(DataApiOutcome)> done)
{
    const Catalog &catalog = authenticator.catalog();
    const bool exists = request.entity == DataApiPublish::Entity::Device
        ? catalog.device(request.id) != nullptr
        : catalog.registry(request.id) != nullptr;
    if (!exists) {
        refuse(broker, request,
               {404, NotFound, std::string(entityName(request.entity)) + " " + request.id + " not found"},
               done);
        return;
    }
    // The path names the entity; only its own credentials publish as it (IOT_CORE.md Decision).
    if (request.username != request.id) {
        refuse(broker, request,
               {401, Unauthenticated,
                "use the id and a password of " + std::string(entityName(request.entity)) + " "
                    + request.id + " (the entity the path names)"},
               done);
        return;
    }

    Authenticator::Request credentials;
    credentials.clientId = "http";
    credentials.username = request.username;
    credentials.password = request.password;
    credentials.address = request.peer;
    auto shared = std::make_shared<DataApiPublish>(std::move(request));
    authenticator.authenticate(std::move(credentials), [&broker, shared, done](Authenticator::Verdict verdict) {
        const DataApiPublish &request = *shared;
        if (verdict.code != ConnectReturnCode::Accepted || !verdict.rights) {
            refuse(broker, request, {401, Unauthenticated, "authentication failed: " + verdict.reason}, done);
            return;
        }
        ClientRights &rights = *verdict.rights;
        const ClientRights::PublishCheck check = rights.checkPublish(request.topic);
        if (!check.allowed) {
            refuse(broker, request, {403, PermissionDenied, check.reason}, done);
            return;
        }
        route(broker, rights, request, check);
        done({200, 0, {}});
    });
}

} // namespace iotcore::app
