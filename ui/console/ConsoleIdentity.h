#pragma once

// Who the console acts as when it subscribes or sends (issue 6, "Subscriptions"): the open mode
// (anonymous, the whole of MQTT 3.1.1) or any registry, device or broker of the catalog.

#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace iotcore::broker {
class Catalog;
}

namespace iotcore::ui {

struct ConsoleIdentity {
    enum class Kind { Open, Registry, Device, Broker };

    Kind kind = Kind::Open;
    QString id;    // the entity's id; empty in open mode
    QString label; // what a person reads: "device boiler (registry home)"

    bool isOpen() const { return kind == Kind::Open; }
    bool operator==(const ConsoleIdentity &other) const
    {
        return kind == other.kind && id == other.id;
    }

    static ConsoleIdentity open();
    // Open mode first, then each registry followed by its devices, then the brokers.
    static QList<ConsoleIdentity> allOf(const broker::Catalog &catalog);
    // The entity `id` names in the catalog, if any.
    static std::optional<ConsoleIdentity> find(const broker::Catalog &catalog, const QString &id);
};

// The workspace's catalog as it is now: the console's panels ask each time they need it, since
// every edit replaces the snapshot (Workspace::catalog()).
using CatalogLookup = std::function<const broker::Catalog &()>;

} // namespace iotcore::ui
