#pragma once

// Where the console sends a command or config (issue 6, "Commands and config"; IOT_CORE.md,
// "Topics"): one device's commands or config, or a whole registry's, each with an optional
// subtopic. Always sent as the registry that owns the target, the only identity allowed to.

#include <QString>

namespace iotcore::broker {
class Catalog;
}

namespace iotcore::ui {

struct CommandTarget {
    enum class Kind {
        DeviceCommands,   // $devices/<id>/commands
        RegistryCommands, // $registries/<id>/commands: reaches all its devices
        DeviceConfig,     // $devices/<id>/config: kept
        RegistryConfig,   // $registries/<id>/config: kept
    };

    Kind kind = Kind::DeviceCommands;
    QString entityId; // the device or registry
    QString subtopic; // may be empty

    bool isDevice() const { return kind == Kind::DeviceCommands || kind == Kind::DeviceConfig; }
    bool isKept() const { return kind == Kind::DeviceConfig || kind == Kind::RegistryConfig; }
    QString topic() const;

    // Empty when the topic is one IoT Core accepts; otherwise why not, as a sentence.
    QString problem() const;
    // The registry that sends: the device's own, or the registry itself. Empty when the catalog
    // has no such entity.
    QString senderRegistry(const broker::Catalog &catalog) const;

    // What the sending registry subscribes to for the replies: the events and state of the
    // device, or of all its devices (IoT Core narrows `$devices/#` to those).
    QString replyFilter() const;
    // Whether a message the registry received on `topic` is a reply to this target: the events
    // or state of the device, or of any device for a registry-wide target.
    bool isReply(const QString &topic) const;

    bool operator==(const CommandTarget &other) const = default;
};

} // namespace iotcore::ui
