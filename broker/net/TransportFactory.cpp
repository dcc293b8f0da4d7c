#include "TransportFactory.h"

#include "BrokerServer.h"
#include "TlsChannel.h"
#include "TlsServerContext.h"
#include "WebSocketTransport.h"

namespace iotcore::broker {

namespace {

// mqtt, mqtts, ws or wss: TLS or not at the socket level, WebSocket framing or none above it.
class ListenerTransportFactory final : public TransportFactory
{
public:
    ListenerTransportFactory(std::shared_ptr<const TlsServerContext> tls, bool webSocket)
        : m_tls(std::move(tls))
        , m_webSocket(webSocket)
    {
    }

    std::unique_ptr<SocketTransport> create(EventLoop &loop, int fd,
                                            std::string peerAddress) override
    {
        std::unique_ptr<TlsChannel> tls;
        if (m_tls)
            tls = std::make_unique<TlsChannel>(m_tls, fd);
        if (m_webSocket)
            return std::make_unique<WebSocketTransport>(loop, fd, std::move(peerAddress),
                                                        std::move(tls));
        return std::make_unique<SocketTransport>(loop, fd, std::move(peerAddress),
                                                 std::move(tls));
    }

private:
    std::shared_ptr<const TlsServerContext> m_tls; // shared with the connections it made
    bool m_webSocket;
};

} // namespace

std::unique_ptr<TransportFactory> TransportFactory::forListener(const ListenerSpec &spec,
                                                                std::string *error)
{
    std::shared_ptr<const TlsServerContext> tls;
    if (spec.tls) {
        tls = spec.certificatePem.empty()
                  ? TlsServerContext::load(spec.certificateFile, spec.privateKeyFile,
                                           spec.requestClientCertificate, error)
                  : TlsServerContext::fromPem(spec.certificatePem, spec.privateKeyPem,
                                              spec.requestClientCertificate, error);
        if (!tls)
            return nullptr;
    }
    return std::make_unique<ListenerTransportFactory>(
        std::move(tls), spec.protocol == ListenerSpec::Protocol::WebSocket);
}

} // namespace iotcore::broker
