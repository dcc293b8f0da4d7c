#pragma once

// Gives a fleet's simulated devices their IoT Core identities in the workspace's catalog, in one
// step: the registry (or IoT Core broker) is created when missing, each device is created with
// a password derived from the fleet's secret (devicePassword()), and a device that already
// exists keeps its id and gets that password when it does not have it yet. Provisioning the
// same fleet twice changes nothing. Works on a Catalog in memory: the caller saves it.

#include "Scenario.h"

#include "iot/Catalog.h"

#include <QString>
#include <QStringList>

namespace iotcore::sim {

class FleetProvisioner
{
public:
    // Fleet passwords are 24 random-looking characters (~143 bits): no dictionary or brute-force
    // attack gains anything from a slower hash, so they are stored with fewer PBKDF2 rounds than
    // typed passwords. Ten thousand devices provision, and later log in, in seconds.
    static constexpr int PasswordIterations = 1000;

    struct Report {
        int created = 0;     // devices (or the broker) created
        int credentialed = 0; // existing entities that got the fleet's password
        int unchanged = 0;
        QStringList notes;   // "created registry \"home\"", for the user
    };

    explicit FleetProvisioner(broker::Catalog &catalog) : m_catalog(catalog) { }

    // Generates the fleet's secret when it has none. Anonymous fleets need nothing. On failure
    // returns false with one line in `error`; the catalog may then hold part of the change, so
    // the caller discards it (commands save only on success).
    bool provision(Fleet &fleet, Report *report, QString *error);

    // Removes the fleet's devices (by name, in its registry) from the catalog; the registry or
    // broker stays. Returns how many were removed.
    int deprovision(const Fleet &fleet);

private:
    bool provisionDevices(Fleet &fleet, Report *report, QString *error);
    bool provisionBroker(Fleet &fleet, Report *report, QString *error);

    broker::Catalog &m_catalog;
};

} // namespace iotcore::sim
