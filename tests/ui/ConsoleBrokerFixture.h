#pragma once

// A running BrokerServer as the console's panels use it: the fixture's catalog behind an
// IotAuthenticator, an in-process listener that asserts identities ("console"), an open one
// ("console-open"), and the event tap recorded so that tests check what the broker did.

#include "CatalogFixture.h"

#include "console/IdentityConnections.h"
#include "iot/IotAuthenticator.h"
#include "net/BrokerServer.h"
#include "observe/Log.h"

#include <QString>

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace iotcore::ui::test {

class ConsoleBrokerFixture
{
public:
    ConsoleBrokerFixture()
        : m_log(broker::LogLevel::Error)
        , m_catalog(std::make_shared<broker::Catalog>(catalog.catalog))
        , m_server(broker::BrokerConfig{}, m_log, nullptr)
    {
        m_log.setWriter([](std::string_view) {});
        broker::BrokerServer *server = &m_server;
        m_authenticator = std::make_shared<broker::IotAuthenticator>(
            [server](std::function<void()> task) {
                server->post([task = std::move(task)](broker::Broker &) { task(); });
            },
            m_catalog);
        m_server.setAuthenticator(m_authenticator);
        std::string error;
        m_ready = m_server.addInProcessAssertedListener(listeners().asserted.toStdString(), &error)
            && m_server.addInProcessListener(listeners().open.toStdString(),
                                             broker::ListenerInfo::Mode::Open, &error);
        m_server.tap().addSink([this](std::vector<broker::BrokerEvent> &&batch) {
            std::lock_guard lock(m_eventsMutex);
            for (broker::BrokerEvent &event : batch)
                m_events.push_back(std::move(event));
        });
        m_ready = m_ready && m_server.start();
    }

    ~ConsoleBrokerFixture() { m_server.stop(); }

    bool ready() const { return m_ready; }
    broker::BrokerServer &server() { return m_server; }
    static IdentityConnections::Listeners listeners()
    {
        return {QStringLiteral("console"), QStringLiteral("console-open")};
    }
    CatalogLookup lookup() const
    {
        return [catalog = m_catalog]() -> const broker::Catalog & { return *catalog; };
    }

    // Every event of `kind` the broker recorded so far that `accept` takes.
    std::vector<broker::BrokerEvent>
    events(broker::BrokerEvent::Kind kind,
           const std::function<bool(const broker::BrokerEvent &)> &accept = {}) const
    {
        std::lock_guard lock(m_eventsMutex);
        std::vector<broker::BrokerEvent> found;
        for (const broker::BrokerEvent &event : m_events) {
            if (event.kind == kind && (!accept || accept(event)))
                found.push_back(event);
        }
        return found;
    }
    std::size_t count(broker::BrokerEvent::Kind kind, const std::string &topic) const
    {
        return events(kind, [&](const broker::BrokerEvent &event) { return event.topic == topic; })
            .size();
    }

    CatalogFixture catalog;

private:
    broker::Log m_log;
    std::shared_ptr<broker::Catalog> m_catalog;
    broker::BrokerServer m_server;
    std::shared_ptr<broker::IotAuthenticator> m_authenticator;
    bool m_ready = false;
    mutable std::mutex m_eventsMutex;
    std::vector<broker::BrokerEvent> m_events;
};

} // namespace iotcore::ui::test
