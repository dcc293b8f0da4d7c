#pragma once

// "New fleet": a name, a device template, how many devices and how they are named, who they
// are to the broker (devices of a registry, clients of an IoT Core broker, or anonymous), their
// period, jitter and QoS, and their sensors as JSON (the template's to start with), with a live
// preview of what the first device would read over the next ten minutes. Every change is
// checked as you type by the rules `sim fleet create` applies (Scenario::check, then the fleet
// compiled as for a run), with the same words; the dialog accepts only a fleet the command line
// would take. Provisioning its identities and saving are the caller's (FleetProvisioner).

#include "sim/FleetModel.h"
#include "sim/Scenario.h"

#include "iot/Catalog.h"

#include <QDialog>
#include <QTimer>

#include <optional>

class QComboBox;
class QDialogButtonBox;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTableView;

namespace iotcore::ui {

class FieldMessage;
class SensorPreviewModel;

class FleetForm : public QDialog
{
    Q_OBJECT

public:
    // `catalog` offers its registries and brokers; `scenario` is the one the fleet joins.
    FleetForm(const broker::Catalog &catalog, const sim::Scenario &scenario, QWidget *parent = nullptr);

    // The fleet as entered; nothing while the form is not valid.
    const std::optional<sim::Fleet> &fleet() const { return m_fleet; }
    const SensorPreviewModel *preview() const { return m_preview; }

    // Controls by objectName: "name", "template", "count", "deviceName", "identityKind",
    // "identityName", "period", "jitter", "qos", "sensors", "preview".

private:
    void templateChosen();
    void identityKindChosen();
    void validate();
    // The fleet as the fields say, or one line saying why not; `runnable` gets it as soon as
    // its sensors and schedule can run, whatever is still wrong with its name.
    std::optional<sim::Fleet> fleetFromFields(QString *error, std::optional<sim::Fleet> *runnable) const;

    const broker::Catalog &m_catalog;
    const sim::Scenario &m_scenario;
    QLineEdit *m_name = nullptr;
    QComboBox *m_template = nullptr;
    QSpinBox *m_count = nullptr;
    QLineEdit *m_deviceName = nullptr;
    QComboBox *m_identityKind = nullptr;
    QComboBox *m_identityName = nullptr;
    QLineEdit *m_period = nullptr;
    QLineEdit *m_jitter = nullptr;
    QComboBox *m_qos = nullptr;
    QPlainTextEdit *m_sensors = nullptr;
    QTableView *m_previewView = nullptr;
    SensorPreviewModel *m_preview = nullptr;
    FieldMessage *m_message = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QTimer m_previewTimer;
    std::optional<sim::Fleet> m_fleet;
    sim::Fleet m_previewFleet;
};

} // namespace iotcore::ui
