#pragma once

// "Inject fault" in the simulator panel: a fault kind, the fleet and which of its devices (a
// share, picked by the scenario's seed, or devices by name), how long, and the kind's own
// parameter. The entry is checked as you type by the scenario's own parser, so the dialog
// accepts exactly what a timeline entry of `sim scenario import` would, with the same words.

#include "sim/Scenario.h"

#include <QDialog>
#include <QJsonObject>

#include <optional>

class QComboBox;
class QDialogButtonBox;
class QFormLayout;
class QLineEdit;
class QRadioButton;
class QSpinBox;
class QDoubleSpinBox;

namespace iotcore::ui {

class FieldMessage;

class FaultDialog : public QDialog
{
    Q_OBJECT

public:
    // `scenario`: the running one (its fleets and their device names).
    explicit FaultDialog(const sim::Scenario &scenario, QWidget *parent = nullptr);

    // The fault as entered; nothing while the form is not valid.
    std::optional<sim::TimelineEvent> fault() const { return m_fault; }

    // The form's controls, named for tests and accessibility: "fault", "fleet", "share",
    // "devices", "duration", "delay", "loss", "repeat", "interval", "size", "offset", "rate".

private:
    QJsonObject entry() const;
    void showRowsOfKind();
    void validate();

    const sim::Scenario &m_scenario;
    QFormLayout *m_form = nullptr;
    QComboBox *m_kind = nullptr;
    QComboBox *m_fleet = nullptr;
    QRadioButton *m_byShare = nullptr;
    QRadioButton *m_byName = nullptr;
    QSpinBox *m_share = nullptr;
    QLineEdit *m_devices = nullptr;
    QLineEdit *m_duration = nullptr;
    QLineEdit *m_delay = nullptr;
    QDoubleSpinBox *m_loss = nullptr;
    QSpinBox *m_repeat = nullptr;
    QLineEdit *m_interval = nullptr;
    QSpinBox *m_size = nullptr;
    QLineEdit *m_offset = nullptr;
    QDoubleSpinBox *m_rate = nullptr;
    FieldMessage *m_message = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    std::optional<sim::TimelineEvent> m_fault;
};

} // namespace iotcore::ui
