#pragma once

// `serve --http`: the data API of Yandex IoT Core on HTTP (IOT_CORE.md, "Migration paths"):
//   POST /iot-devices/v1/devices/{deviceId}/publish
//   POST /iot-devices/v1/registries/{registryId}/publish
// with {"topic": "...", "data": "<base64>"}, answered {} or {"code": N, "message": "..."}.
// The request is read and its body checked here, on the thread of the Qt event loop; who the
// caller is and where the message goes are decided on the broker thread (DataApiPublish), and
// the answer comes back through the event loop: nothing here waits for the broker.

#include "HttpServer.h"

#include <QObject>

#include <cstdint>
#include <memory>
#include <unordered_map>

namespace iotcore::broker {
class BrokerServer;
class IotAuthenticator;
} // namespace iotcore::broker

namespace iotcore::app {

struct DataApiOutcome;

class IotDataApi : public QObject
{
    Q_OBJECT

public:
    // `server` must outlive this object; the authenticator is the one of the MQTT listeners.
    IotDataApi(broker::BrokerServer &server,
               std::shared_ptr<broker::IotAuthenticator> authenticator, QObject *parent = nullptr);
    ~IotDataApi() override;

    bool listen(const QHostAddress &address, quint16 port, QString *error);
    QString url() const; // "http://127.0.0.1:8080"
    void close();

private:
    struct Mailbox;

    void handle(HttpRequest request, HttpServer::Respond respond);
    void answer(std::uint64_t ticket, const DataApiOutcome &outcome);

    broker::BrokerServer &m_server;
    std::shared_ptr<broker::IotAuthenticator> m_authenticator;
    HttpServer *m_http;
    // Requests waiting for the broker thread, by ticket; only this thread touches it.
    std::unordered_map<std::uint64_t, HttpServer::Respond> m_waiting;
    std::uint64_t m_nextTicket = 1;
    std::shared_ptr<Mailbox> m_mailbox;
};

} // namespace iotcore::app
