#pragma once

// Makes the transport a listener's accepted sockets need: plain TCP, TLS, WebSocket, or
// WebSocket over TLS. Built once per listener, so a bad certificate fails before listening.

#include "SocketTransport.h"

#include <memory>
#include <string>

namespace iotcore::broker {

struct ListenerSpec;

class TransportFactory
{
public:
    virtual ~TransportFactory() = default;

    // Returns null with `error` set (one line, e.g. "cannot read certificate file x.pem: ...").
    static std::unique_ptr<TransportFactory> forListener(const ListenerSpec &spec,
                                                         std::string *error);

    virtual std::unique_ptr<SocketTransport> create(EventLoop &loop, int fd,
                                                    std::string peerAddress) = 0;
};

} // namespace iotcore::broker
