#pragma once

// What the engine needs of a connection's transport (TCP, TLS, WebSocket, in-process). The
// engine appends encoded packets to outbox() and asks for a flush; the transport writes them at
// the end of the event-loop turn, so many packets leave in one system call.

#include <cstddef>
#include <string>
#include <string_view>

namespace iotcore::broker {

class TransportHandler
{
public:
    virtual ~TransportHandler() = default;
    virtual void onTransportData(std::string_view bytes) = 0;
    // The peer closed, the network failed or the transport gave up. Not called after close().
    virtual void onTransportClosed(std::string_view reason) = 0;
};

struct PeerCertificate {
    std::string sha1Fingerprint; // lowercase hex of the DER encoding's SHA-1, 40 characters
    std::string subject;         // one-line distinguished name
    std::string pem;             // the certificate as presented
};

class Transport
{
public:
    virtual ~Transport() = default;

    void setHandler(TransportHandler *handler) { m_handler = handler; }

    // Plain bytes waiting to be sent; append, then call requestFlush().
    std::string &outbox() { return m_outbox; }
    virtual void requestFlush() = 0;

    // Bytes accepted but not yet written to the peer (outbox plus what the transport holds).
    virtual std::size_t pendingBytes() const = 0;

    // Sends what is pending, then closes. The handler hears nothing more.
    virtual void close() = 0;

    virtual std::string peerAddress() const = 0; // "ip:port"

    // Called now and then by the engine: a transport that holds large empty buffers from a burst
    // gives them back. Keeping them while traffic flows saves allocating them again each turn.
    virtual void releaseSpareMemory() {}
    virtual const PeerCertificate *peerCertificate() const { return nullptr; }

protected:
    TransportHandler *m_handler = nullptr;
    std::string m_outbox;
};

} // namespace iotcore::broker
