#pragma once

// A fleet compiled for a run: the device template filled in, the sensors parsed once (shared by
// every device of the fleet), the schedule, the payload templates and the topic patterns. What a
// device needs at each tick is ready here; a SimulatedDevice adds only its own state.
//
// Device templates: a set of sensors (SensorTemplates), a schedule and the command rules a
// device of that kind answers. A fleet's own sensors replace the template's of the same name
// and add the others; its own schedule replaces the template's.

#include "PayloadTemplate.h"
#include "Scenario.h"
#include "Schedule.h"
#include "SensorSetModel.h"

#include <QStringList>

#include <memory>
#include <optional>

namespace iotcore::sim {

class FleetModel
{
public:
    // "thermostat", "energy-meter", "gps-tracker", "door-sensor".
    static QStringList templateNames();
    // The template's sensors, schedule and command rules, as scenario JSON would give them
    // (the GUI shows them in its form; `fleet create` starts from them).
    static std::optional<Fleet> templateFleet(const QString &templateName);

    // Nullopt with one line naming the fleet and what is wrong. `options` finds replay files.
    static std::shared_ptr<const FleetModel> compile(const Fleet &fleet, const SensorParseOptions &options,
                                                     QString *error);
    // compile() for its verdict only: empty when the fleet can run.
    static QString check(const Fleet &fleet, const SensorParseOptions &options = {});
    // The period of the fleet's schedule (its own, else its template's).
    static qint64 periodMs(const Fleet &fleet);

    const Fleet &fleet() const { return m_fleet; }
    const SensorSetModel &sensors() const { return *m_sensors; }
    const std::shared_ptr<const SensorSetModel> &sensorsShared() const { return m_sensors; }
    const Schedule &schedule() const { return m_schedule; }
    const std::vector<CommandRule> &commandRules() const { return m_fleet.behaviours.commands; }
    const PayloadTemplate &eventsPayload() const { return *m_events; }
    // The state payload: a JSON object of every sensor (state is what a device is, not a reading).
    const PayloadTemplate &statePayload() const { return *m_state; }
    // The reply payload of command rule `rule` (Reply rules only).
    const PayloadTemplate *replyPayload(std::size_t rule) const;

    // Topics of one device, with {id}, {name} and {fleet} filled in. Commands and config are
    // subscribed only with IoT Core identities (device kind), where the topics are the service's.
    QString eventsTopic(const QString &id, const QString &name) const;
    QString stateTopic(const QString &id, const QString &name) const;
    QString commandsFilter(const QString &id) const;
    QString configTopic(const QString &id) const;
    bool listensForCommands() const { return m_fleet.identity.kind == Identity::Kind::Device; }

private:
    FleetModel() = default;
    QString expand(const QString &pattern, const QString &id, const QString &name) const;

    Fleet m_fleet;
    std::shared_ptr<const SensorSetModel> m_sensors;
    Schedule m_schedule;
    std::optional<PayloadTemplate> m_events;
    std::optional<PayloadTemplate> m_state;
    std::vector<std::optional<PayloadTemplate>> m_replies;
    QString m_eventsPattern;
    QString m_statePattern;
};

} // namespace iotcore::sim
