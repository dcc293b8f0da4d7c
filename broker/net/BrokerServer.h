#pragma once

// The embedded broker as the application sees it: the engine and its listeners running on a
// thread of their own. Listeners are opened before start(), so a port in use or an unreadable
// certificate is reported to the caller at once. Everything after start() reaches the engine
// through post(); what the engine did comes back through the event tap.

#include "core/BrokerConfig.h"
#include "core/BrokerPersistence.h"
#include "observe/EventTap.h"

#include <QObject>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace iotcore::broker {

class Broker;
class EventLoop;
class InProcessListener;
class Listener;
class Log;

struct ListenerSpec {
    enum class Protocol { Mqtt, WebSocket };
    std::string name;          // shown in logs and the ready line: "open-mqtt", "open-ws", ...
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;    // 0: the system picks
    Protocol protocol = Protocol::Mqtt;
    bool tls = false;
    std::string certificateFile; // PEM, with tls
    std::string privateKeyFile;  // PEM, with tls
    // With tls, instead of the files: the certificate (chain allowed) and key as PEM text.
    std::string certificatePem;
    std::string privateKeyPem;
    bool requestClientCertificate = true; // with tls: any certificate is accepted and becomes an identity
    ListenerInfo::Mode mode = ListenerInfo::Mode::Open;
};

struct BoundListener {
    ListenerSpec spec;
    std::uint16_t port = 0;
    std::string url() const; // "mqtt://127.0.0.1:1883", "wss://[::1]:8884"
};

class BrokerServer : public QObject
{
    Q_OBJECT

public:
    // `persistence` may be null (memory only); it must outlive the server.
    BrokerServer(BrokerConfig config, Log &log, BrokerPersistence *persistence,
                 QObject *parent = nullptr);
    ~BrokerServer() override;

    // Before start(): the state the store kept.
    void restore(const StoredBrokerState &state);
    // Before start(): who IoT Core listeners (mode IotCore) ask at CONNECT.
    void setAuthenticator(std::shared_ptr<Authenticator> authenticator)
    {
        m_authenticator = std::move(authenticator);
    }
    // Before start(): opens a listener. Returns false with `error` set (one line) on failure.
    bool addListener(const ListenerSpec &spec, std::string *error);
    const std::vector<BoundListener> &listeners() const { return m_bound; }
    // Before start(): a listener for clients in this process (app/client's
    // InProcessClientTransport), without a socket but with the same MQTT bytes, so the engine
    // treats its connections as any other: `mode` as in ListenerSpec, "inproc:<n>" as their
    // address. Returns false with `error` set (one line) when the name is taken or IoT Core mode
    // has no authenticator.
    bool addInProcessListener(const std::string &name, ListenerInfo::Mode mode,
                              std::string *error);
    // Before start(): an IoT Core in-process listener on which this process vouches for who its
    // clients are: a CONNECT's username (a device, registry or broker id) is the identity, with
    // no password or certificate, and the authenticator gives it exactly that entity's rights
    // (an unknown id or a disabled registry is refused, CONNACK 5). The console acts as any
    // identity this way while the workspace holds only password hashes. Only code in this
    // process reaches an in-process listener; socket listeners cannot be made to assert.
    // Returns false with `error` set (one line) as addInProcessListener does.
    bool addInProcessAssertedListener(const std::string &name, std::string *error);
    // The in-process listener called `name`, or null; from any thread once the server started.
    // Clients may keep it after the server is gone: it then refuses them ("broker stopped").
    std::shared_ptr<InProcessListener> inProcessListener(const std::string &name) const;

    bool start();
    // Closes every connection, writes what must survive and stops the thread. Returns false when
    // the store could not be written (the reason is in the log).
    bool stop();
    bool isRunning() const { return m_thread.joinable(); }

    // Runs `task` on the broker thread with the engine.
    void post(std::function<void(Broker &)> task);

    EventTap &tap() { return m_tap; }

private:
    struct ListenerEntry;
    struct InProcessEntry;

    bool addInProcess(const std::string &name, ListenerInfo::Mode mode, bool identityAsserted,
                      std::string *error);

    Log &m_log;
    BrokerPersistence *m_persistence;
    EventTap m_tap;
    std::unique_ptr<EventLoop> m_loop;
    std::unique_ptr<Broker> m_broker;
    std::vector<std::unique_ptr<ListenerEntry>> m_listeners;
    std::vector<BoundListener> m_bound;
    std::vector<InProcessEntry> m_inProcess;
    std::shared_ptr<Authenticator> m_authenticator;
    std::thread m_thread;
    bool m_stopResult = true;
};

} // namespace iotcore::broker
