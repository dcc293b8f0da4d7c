#pragma once

// The workspace's scenario (the `sim_scenario` table, one JSON document as `sim scenario export`
// writes it). Loaded and saved whole, like the catalog: a refused change leaves the file as it
// was. Single-threaded: the store's Qt SQL connection belongs to the thread that opened it.

#include "Scenario.h"

#include <QSqlDatabase>
#include <QString>

#include <memory>
#include <optional>

namespace iotcore::sim {

class ScenarioStore
{
public:
    // Opens (with `create`, creates) the workspace; null with one line in `error` on failure.
    static std::unique_ptr<ScenarioStore> open(const QString &path, bool create, QString *error);
    ~ScenarioStore();
    ScenarioStore(const ScenarioStore &) = delete;
    ScenarioStore &operator=(const ScenarioStore &) = delete;

    // The stored scenario; an empty one (no fleets) when none was saved yet. A stored document
    // that no longer parses (edited by hand) gives nullopt and a line naming what is wrong.
    std::optional<Scenario> load(QString *error);
    bool save(const Scenario &scenario, QString *error);

private:
    ScenarioStore(QString path, QString connectionName);

    QString m_path;
    QString m_connectionName;
};

} // namespace iotcore::sim
