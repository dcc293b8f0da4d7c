#pragma once

// A listening TCP socket on the broker's event loop. It accepts every pending connection when
// the socket is readable and hands each, non-blocking with Nagle's algorithm off, to a callback.

#include "EventLoop.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace iotcore::broker {

class Listener : public IoHandler
{
public:
    using AcceptHandler = std::function<void(int fd, std::string peerAddress)>;

    // Binds and listens (port 0: the system picks one). Returns null with `error` set when the
    // address is in use, cannot be resolved or is not allowed.
    static std::unique_ptr<Listener> open(const std::string &host, std::uint16_t port,
                                          std::string *error);
    ~Listener() override;

    std::string host() const { return m_host; }
    std::uint16_t port() const { return m_port; }

    // Starts accepting on the loop (loop thread).
    bool start(EventLoop &loop, AcceptHandler onAccept);
    // Stops accepting and closes the socket; the listener cannot start again.
    void stop();

    // Out of file descriptors, the listener stops watching its socket (which would otherwise
    // wake the loop without end) until resume() is called, e.g. by the next tick.
    bool isPaused() const { return m_paused; }
    void resume();

    void onIoEvent(std::uint32_t events) override;

private:
    Listener(int fd, std::string host, std::uint16_t port);

    int m_fd;
    std::string m_host;
    std::uint16_t m_port;
    EventLoop *m_loop = nullptr;
    AcceptHandler m_onAccept;
    bool m_paused = false;
};

} // namespace iotcore::broker
