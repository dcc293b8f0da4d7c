#pragma once

// MQTT to the embedded broker without a socket: the client's side of an InProcessChannel to one
// of the BrokerServer's in-process listeners. The bytes are those of any other transport, so the
// broker treats the connection as it treats a device on the network.
//
// Made for fleets of tens of thousands of clients on one or a few threads: whatever the broker
// sends to the clients of one thread is delivered by one queued call to a hub shared by that
// thread's transports, not by one event per client. A transport stays on the thread it was
// opened on, which must run a Qt event loop.

#include "ClientTransport.h"

#include <QString>

#include <memory>

namespace iotcore::broker {
class BrokerServer;
class InProcessChannel;
class InProcessListener;
} // namespace iotcore::broker

namespace iotcore::app {

class InProcessClientTransport : public ClientTransport
{
    Q_OBJECT

public:
    // A null `listener` fails on open() with a reason naming `listenerName`.
    InProcessClientTransport(std::shared_ptr<broker::InProcessListener> listener,
                             QString listenerName, QObject *parent = nullptr);
    ~InProcessClientTransport() override;

    void open() override;
    void write(const QByteArray &bytes) override;
    void close() override;
    void abort() override;
    QString peerDescription() const override; // "inproc://<listener>"

private:
    class Hub;

    void takeFromBroker(); // called by the hub
    void finish(const QString &reason);

    std::shared_ptr<broker::InProcessListener> m_listener;
    QString m_listenerName;
    std::shared_ptr<Hub> m_hub;
    std::shared_ptr<broker::InProcessChannel> m_channel;
    bool m_opened = false;
    bool m_finished = false;
};

// Transports to the in-process listener `listenerName` of `server` (BrokerServer::
// addInProcessListener), for MqttClient::connectWithTransport(). The listener is looked up once,
// here; the transports keep it, so they fail cleanly ("broker stopped") once the server is gone.
ClientTransportFactory inProcessTransportFactory(broker::BrokerServer &server,
                                                 const QString &listenerName);

} // namespace iotcore::app
