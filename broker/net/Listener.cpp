#include "Listener.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace iotcore::broker {

namespace {

std::string formatAddress(const sockaddr_storage &address)
{
    char host[INET6_ADDRSTRLEN] = {};
    std::uint16_t port = 0;
    if (address.ss_family == AF_INET) {
        const auto *in = reinterpret_cast<const sockaddr_in *>(&address);
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        port = ntohs(in->sin_port);
        return std::string(host) + ":" + std::to_string(port);
    }
    if (address.ss_family == AF_INET6) {
        const auto *in6 = reinterpret_cast<const sockaddr_in6 *>(&address);
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        port = ntohs(in6->sin6_port);
        return "[" + std::string(host) + "]:" + std::to_string(port);
    }
    return "unknown";
}

} // namespace

std::unique_ptr<Listener> Listener::open(const std::string &host, std::uint16_t port,
                                         std::string *error)
{
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    addrinfo *found = nullptr;
    const std::string service = std::to_string(port);
    const char *node = (host.empty() || host == "*") ? nullptr : host.c_str();
    if (const int rc = getaddrinfo(node, service.c_str(), &hints, &found); rc != 0) {
        *error = "cannot resolve " + host + ": " + gai_strerror(rc);
        return nullptr;
    }
    std::string lastError = "no address";
    for (addrinfo *candidate = found; candidate; candidate = candidate->ai_next) {
        const int fd = ::socket(candidate->ai_family,
                                candidate->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            lastError = std::strerror(errno);
            continue;
        }
        const int on = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (::bind(fd, candidate->ai_addr, candidate->ai_addrlen) != 0
            || ::listen(fd, 4096) != 0) {
            lastError = std::strerror(errno);
            ::close(fd);
            continue;
        }
        sockaddr_storage bound{};
        socklen_t length = sizeof bound;
        getsockname(fd, reinterpret_cast<sockaddr *>(&bound), &length);
        std::uint16_t boundPort = port;
        if (bound.ss_family == AF_INET)
            boundPort = ntohs(reinterpret_cast<sockaddr_in *>(&bound)->sin_port);
        else if (bound.ss_family == AF_INET6)
            boundPort = ntohs(reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port);
        freeaddrinfo(found);
        return std::unique_ptr<Listener>(new Listener(fd, host, boundPort));
    }
    freeaddrinfo(found);
    *error = "cannot listen on " + host + ":" + service + ": " + lastError;
    return nullptr;
}

Listener::Listener(int fd, std::string host, std::uint16_t port)
    : m_fd(fd)
    , m_host(std::move(host))
    , m_port(port)
{
}

Listener::~Listener()
{
    stop();
}

bool Listener::start(EventLoop &loop, AcceptHandler onAccept)
{
    m_loop = &loop;
    m_onAccept = std::move(onAccept);
    return loop.watch(m_fd, EPOLLIN, this);
}

void Listener::stop()
{
    if (m_loop && m_fd >= 0 && !m_paused)
        m_loop->unwatch(m_fd);
    m_loop = nullptr;
    m_paused = false;
    // Closed, not only unwatched: the kernel would otherwise go on completing handshakes that
    // nobody answers, and a client would wait for its CONNACK until its own timeout.
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

void Listener::resume()
{
    if (!m_paused || !m_loop)
        return;
    m_paused = false;
    m_loop->watch(m_fd, EPOLLIN, this);
}

void Listener::onIoEvent(std::uint32_t)
{
    // Bounded per turn so that a connection storm does not starve established clients.
    for (int i = 0; i < 256; ++i) {
        sockaddr_storage peer{};
        socklen_t length = sizeof peer;
        const int fd = ::accept4(m_fd, reinterpret_cast<sockaddr *>(&peer), &length,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            // EAGAIN: drained. Out of descriptors or memory: the connection waits in the backlog
            // and accepting resumes on the next tick.
            if ((errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                && m_loop) {
                m_loop->unwatch(m_fd);
                m_paused = true;
            }
            return;
        }
        const int on = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        m_onAccept(fd, formatAddress(peer));
    }
}

} // namespace iotcore::broker
