#include "TransportFactory.h"

#include "BrokerServer.h"

namespace iotcore::broker {

namespace {

class TcpTransportFactory final : public TransportFactory
{
public:
    std::unique_ptr<SocketTransport> create(EventLoop &loop, int fd,
                                            std::string peerAddress) override
    {
        return std::make_unique<SocketTransport>(loop, fd, std::move(peerAddress));
    }
};

} // namespace

std::unique_ptr<TransportFactory> TransportFactory::forListener(const ListenerSpec &spec,
                                                                std::string *error)
{
    if (spec.tls || spec.protocol != ListenerSpec::Protocol::Mqtt) {
        *error = "listener " + spec.name + ": TLS and WebSocket transports are not built in";
        return nullptr;
    }
    return std::make_unique<TcpTransportFactory>();
}

} // namespace iotcore::broker
