#include "FaultDialog.h"

#include "sim/Duration.h"
#include "wizards/FieldMessage.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QRegularExpression>
#include <QSpinBox>
#include <QVBoxLayout>

namespace iotcore::ui {

using Fault = sim::TimelineEvent::Fault;

namespace {

struct FaultKind {
    Fault fault;
    const char *label;
    const char *parameter; // the form row of the kind's own parameter; null: none
};

const FaultKind faultKinds[] = {
    {Fault::Offline, QT_TRANSLATE_NOOP("iotcore::ui::FaultDialog", "Offline: drop off the network"), nullptr},
    {Fault::ReconnectStorm, QT_TRANSLATE_NOOP("iotcore::ui::FaultDialog", "Reconnect storm"), "repeat"},
    {Fault::SlowLink, QT_TRANSLATE_NOOP("iotcore::ui::FaultDialog", "Slow link: every packet waits"), "delay"},
    {Fault::LossyLink, QT_TRANSLATE_NOOP("iotcore::ui::FaultDialog", "Lossy link: packets never leave"), "loss"},
    {Fault::MalformedPayload, QT_TRANSLATE_NOOP("iotcore::ui::FaultDialog", "Malformed payloads"), nullptr},
    {Fault::OversizedPayload, QT_TRANSLATE_NOOP("iotcore::ui::FaultDialog", "Oversized payloads"), "size"},
    {Fault::WrongCredentials, QT_TRANSLATE_NOOP("iotcore::ui::FaultDialog", "Wrong credentials: refused reconnects"), nullptr},
    {Fault::ClockSkew, QT_TRANSLATE_NOOP("iotcore::ui::FaultDialog", "Clock skew in timestamps"), "offset"},
    {Fault::BatteryDrain, QT_TRANSLATE_NOOP("iotcore::ui::FaultDialog", "Battery drain"), "rate"},
};

QLineEdit *durationEdit(const QString &name, const QString &placeholder, QWidget *parent)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(name);
    edit->setPlaceholderText(placeholder);
    return edit;
}

} // namespace

FaultDialog::FaultDialog(const sim::Scenario &scenario, QWidget *parent) : QDialog(parent), m_scenario(scenario)
{
    setWindowTitle(tr("Inject a fault"));
    m_form = new QFormLayout;
    m_form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);

    m_kind = new QComboBox(this);
    m_kind->setObjectName(QStringLiteral("fault"));
    for (const FaultKind &kind : faultKinds)
        m_kind->addItem(tr(kind.label), int(kind.fault));
    m_form->addRow(tr("Fault:"), m_kind);

    m_fleet = new QComboBox(this);
    m_fleet->setObjectName(QStringLiteral("fleet"));
    for (const sim::Fleet &fleet : scenario.fleets)
        m_fleet->addItem(fleet.name);
    m_form->addRow(tr("Fleet:"), m_fleet);

    m_byShare = new QRadioButton(tr("A share of the fleet:"), this);
    m_byShare->setChecked(true);
    m_share = new QSpinBox(this);
    m_share->setObjectName(QStringLiteral("share"));
    m_share->setRange(1, 100);
    m_share->setValue(25);
    m_share->setSuffix(QStringLiteral(" %"));
    m_byName = new QRadioButton(tr("These devices:"), this);
    m_devices = new QLineEdit(this);
    m_devices->setObjectName(QStringLiteral("devices"));
    m_devices->setPlaceholderText(tr("names, separated by commas"));
    m_devices->setEnabled(false);
    auto *shareRow = new QHBoxLayout;
    shareRow->addWidget(m_byShare);
    shareRow->addWidget(m_share);
    shareRow->addStretch();
    auto *namesRow = new QHBoxLayout;
    namesRow->addWidget(m_byName);
    namesRow->addWidget(m_devices, 1);
    m_form->addRow(tr("Devices:"), shareRow);
    m_form->addRow(QString(), namesRow);

    m_duration = durationEdit(QStringLiteral("duration"), tr("30s, 5m; empty: until the run stops"), this);
    m_duration->setText(QStringLiteral("30s"));
    m_form->addRow(tr("Duration:"), m_duration);

    m_delay = durationEdit(QStringLiteral("delay"), tr("500ms, 2s"), this);
    m_delay->setText(QStringLiteral("2s"));
    m_form->addRow(tr("Delay per packet:"), m_delay);
    m_loss = new QDoubleSpinBox(this);
    m_loss->setObjectName(QStringLiteral("loss"));
    m_loss->setRange(0, 100);
    m_loss->setValue(20);
    m_loss->setSuffix(QStringLiteral(" %"));
    m_form->addRow(tr("Packets lost:"), m_loss);
    m_repeat = new QSpinBox(this);
    m_repeat->setObjectName(QStringLiteral("repeat"));
    m_repeat->setRange(1, 1000);
    m_repeat->setValue(5);
    m_form->addRow(tr("Reconnections:"), m_repeat);
    m_interval = durationEdit(QStringLiteral("interval"), tr("1s"), this);
    m_interval->setText(QStringLiteral("1s"));
    m_form->addRow(tr("Between reconnections:"), m_interval);
    m_size = new QSpinBox(this);
    m_size->setObjectName(QStringLiteral("size"));
    m_size->setRange(0, 256 * 1024 * 1024);
    m_size->setValue(64 * 1024);
    m_size->setSuffix(tr(" bytes"));
    m_size->setGroupSeparatorShown(true);
    m_form->addRow(tr("Payload size:"), m_size);
    m_offset = durationEdit(QStringLiteral("offset"), tr("5m, -1h"), this);
    m_offset->setText(QStringLiteral("5m"));
    m_form->addRow(tr("Clock offset:"), m_offset);
    m_rate = new QDoubleSpinBox(this);
    m_rate->setObjectName(QStringLiteral("rate"));
    m_rate->setRange(0, 100);
    m_rate->setValue(5);
    m_rate->setSuffix(tr(" % per minute"));
    m_form->addRow(tr("Extra drain:"), m_rate);

    m_message = new FieldMessage(this);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Inject"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(m_form);
    layout->addWidget(m_message);
    layout->addStretch();
    layout->addWidget(m_buttons);

    connect(m_byName, &QRadioButton::toggled, this, [this](bool byName) {
        m_devices->setEnabled(byName);
        m_share->setEnabled(!byName);
        validate();
    });
    connect(m_kind, &QComboBox::currentIndexChanged, this, [this] {
        showRowsOfKind();
        validate();
    });
    connect(m_fleet, &QComboBox::currentIndexChanged, this, &FaultDialog::validate);
    for (QLineEdit *edit : {m_devices, m_duration, m_delay, m_interval, m_offset})
        connect(edit, &QLineEdit::textChanged, this, &FaultDialog::validate);
    for (QSpinBox *spin : {m_share, m_repeat, m_size})
        connect(spin, &QSpinBox::valueChanged, this, &FaultDialog::validate);
    for (QDoubleSpinBox *spin : {m_loss, m_rate})
        connect(spin, &QDoubleSpinBox::valueChanged, this, &FaultDialog::validate);
    showRowsOfKind();
    validate();
    setMinimumWidth(520);
}

void FaultDialog::showRowsOfKind()
{
    const auto fault = Fault(m_kind->currentData().toInt());
    const char *parameter = nullptr;
    for (const FaultKind &kind : faultKinds) {
        if (kind.fault == fault)
            parameter = kind.parameter;
    }
    const auto shows = [parameter](const char *name) { return parameter && qstrcmp(parameter, name) == 0; };
    m_form->setRowVisible(m_delay, shows("delay"));
    m_form->setRowVisible(m_loss, shows("loss"));
    m_form->setRowVisible(m_repeat, shows("repeat"));
    m_form->setRowVisible(m_interval, shows("repeat"));
    m_form->setRowVisible(m_size, shows("size"));
    m_form->setRowVisible(m_offset, shows("offset"));
    m_form->setRowVisible(m_rate, shows("rate"));
    // A storm ends when its reconnections are done.
    m_form->setRowVisible(m_duration, fault != Fault::ReconnectStorm);
}

QJsonObject FaultDialog::entry() const
{
    const auto fault = Fault(m_kind->currentData().toInt());
    QJsonObject json{{QStringLiteral("fleet"), m_fleet->currentText()},
                     {QStringLiteral("fault"), QLatin1String(sim::faultName(fault))}};
    if (m_byName->isChecked()) {
        QJsonArray devices;
        for (const QString &name : m_devices->text().split(u',', Qt::SkipEmptyParts)) {
            if (!name.trimmed().isEmpty())
                devices.append(name.trimmed());
        }
        json.insert(QStringLiteral("devices"), devices);
    } else {
        json.insert(QStringLiteral("share"), m_share->value() / 100.0);
    }
    if (fault != Fault::ReconnectStorm && !m_duration->text().trimmed().isEmpty())
        json.insert(QStringLiteral("duration"), sim::durationArgument(m_duration->text()));
    switch (fault) {
    case Fault::SlowLink:
        json.insert(QStringLiteral("delay"), sim::durationArgument(m_delay->text()));
        break;
    case Fault::LossyLink:
        json.insert(QStringLiteral("loss"), m_loss->value() / 100.0);
        break;
    case Fault::ReconnectStorm:
        json.insert(QStringLiteral("repeat"), m_repeat->value());
        json.insert(QStringLiteral("interval"), sim::durationArgument(m_interval->text()));
        break;
    case Fault::OversizedPayload:
        json.insert(QStringLiteral("size"), m_size->value());
        break;
    case Fault::ClockSkew:
        json.insert(QStringLiteral("offset"), m_offset->text().trimmed());
        break;
    case Fault::BatteryDrain:
        json.insert(QStringLiteral("rate"), m_rate->value());
        break;
    case Fault::Offline:
    case Fault::MalformedPayload:
    case Fault::WrongCredentials:
        break;
    }
    return json;
}

void FaultDialog::validate()
{
    // The scenario's parser judges the entry in the scenario it joins, as `sim scenario
    // import` would: fault parameters, fleet and device names, all with the same words.
    QJsonObject json = m_scenario.toJson();
    json.insert(QStringLiteral("duration"), 0); // a fault injected now is never after the end
    json.insert(QStringLiteral("timeline"), QJsonArray{entry()});
    QString error;
    const std::optional<sim::Scenario> parsed = sim::Scenario::fromJson(json, &error);
    m_fault.reset();
    if (parsed && m_byName->isChecked() && parsed->timeline.front().devices.isEmpty())
        error = tr("name at least one device of the fleet");
    else if (parsed)
        m_fault = parsed->timeline.front();
    static const QRegularExpression entryPrefix(QStringLiteral("^timeline entry 1: "));
    m_message->setError(sentence(error.remove(entryPrefix).toStdString()));
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(m_fault.has_value());
}

} // namespace iotcore::ui
