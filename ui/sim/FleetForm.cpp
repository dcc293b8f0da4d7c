#include "FleetForm.h"

#include "SensorPreviewModel.h"

#include "sim/Duration.h"
#include "wizards/FieldMessage.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

namespace iotcore::ui {

using sim::Identity;

namespace {

// How long typing may pause before the preview is sampled again.
constexpr int PreviewDelayMs = 150;

QString durationText(const QJsonValue &value)
{
    const std::optional<std::int64_t> ms = sim::parseDurationMs(value);
    return ms ? sim::formatDurationMs(*ms) : QString();
}

} // namespace

FleetForm::FleetForm(const broker::Catalog &catalog, const sim::Scenario &scenario, QWidget *parent)
    : QDialog(parent), m_catalog(catalog), m_scenario(scenario)
{
    setWindowTitle(tr("New fleet"));
    auto *form = new QFormLayout;
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);

    m_name = new QLineEdit(this);
    m_name->setObjectName(QStringLiteral("name"));
    m_name->setPlaceholderText(tr("thermostats"));
    form->addRow(tr("Name:"), m_name);

    m_template = new QComboBox(this);
    m_template->setObjectName(QStringLiteral("template"));
    m_template->addItems(sim::FleetModel::templateNames());
    form->addRow(tr("Template:"), m_template);

    m_count = new QSpinBox(this);
    m_count->setObjectName(QStringLiteral("count"));
    m_count->setRange(1, 1'000'000);
    m_count->setValue(10);
    m_count->setGroupSeparatorShown(true);
    m_deviceName = new QLineEdit(sim::Fleet().deviceName, this);
    m_deviceName->setObjectName(QStringLiteral("deviceName"));
    m_deviceName->setToolTip(tr("{i} counts from 1, {fleet} is the fleet's name"));
    auto *devicesRow = new QHBoxLayout;
    devicesRow->addWidget(m_count);
    devicesRow->addWidget(new QLabel(tr("named"), this));
    devicesRow->addWidget(m_deviceName, 1);
    form->addRow(tr("Devices:"), devicesRow);

    m_identityKind = new QComboBox(this);
    m_identityKind->setObjectName(QStringLiteral("identityKind"));
    m_identityKind->addItem(tr("Devices of the registry"), int(Identity::Kind::Device));
    m_identityKind->addItem(tr("Clients of the IoT Core broker"), int(Identity::Kind::Broker));
    m_identityKind->addItem(tr("Anonymous (open listener)"), int(Identity::Kind::Anonymous));
    m_identityName = new QComboBox(this);
    m_identityName->setObjectName(QStringLiteral("identityName"));
    m_identityName->setEditable(true); // a new name is created when the fleet is provisioned
    m_identityName->setMinimumContentsLength(16);
    auto *identityRow = new QHBoxLayout;
    identityRow->addWidget(m_identityKind);
    identityRow->addWidget(m_identityName, 1);
    form->addRow(tr("Identity:"), identityRow);

    m_period = new QLineEdit(this);
    m_period->setObjectName(QStringLiteral("period"));
    m_jitter = new QLineEdit(this);
    m_jitter->setObjectName(QStringLiteral("jitter"));
    m_jitter->setPlaceholderText(tr("none"));
    m_qos = new QComboBox(this);
    m_qos->setObjectName(QStringLiteral("qos"));
    m_qos->addItems({QStringLiteral("0"), QStringLiteral("1")});
    m_qos->setCurrentIndex(1);
    m_qos->setToolTip(tr("IoT Core has no QoS 2"));
    auto *scheduleRow = new QHBoxLayout;
    scheduleRow->addWidget(m_period, 1);
    scheduleRow->addWidget(new QLabel(tr("jitter"), this));
    scheduleRow->addWidget(m_jitter, 1);
    scheduleRow->addWidget(new QLabel(tr("QoS"), this));
    scheduleRow->addWidget(m_qos);
    form->addRow(tr("Every:"), scheduleRow);

    m_sensors = new QPlainTextEdit(this);
    m_sensors->setObjectName(QStringLiteral("sensors"));
    m_sensors->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_sensors->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_preview = new SensorPreviewModel(this);
    m_previewView = new QTableView(this);
    m_previewView->setObjectName(QStringLiteral("preview"));
    m_previewView->setModel(m_preview);
    m_previewView->verticalHeader()->hide();
    m_previewView->setAlternatingRowColors(true);
    m_previewView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto *sensorsBox = new QWidget(this);
    auto *sensorsLayout = new QVBoxLayout(sensorsBox);
    sensorsLayout->setContentsMargins(0, 0, 0, 0);
    sensorsLayout->addWidget(new QLabel(tr("Sensors (JSON):"), this));
    sensorsLayout->addWidget(m_sensors);
    auto *previewBox = new QWidget(this);
    auto *previewLayout = new QVBoxLayout(previewBox);
    previewLayout->setContentsMargins(0, 0, 0, 0);
    previewLayout->addWidget(new QLabel(tr("What the first device reads over the next ten minutes:"), this));
    previewLayout->addWidget(m_previewView);
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(sensorsBox);
    splitter->addWidget(previewBox);
    splitter->setChildrenCollapsible(false);

    m_message = new FieldMessage(this);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_buttons->button(QDialogButtonBox::Ok)->setText(tr("Create fleet"));
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(splitter, 1);
    layout->addWidget(m_message);
    layout->addWidget(m_buttons);

    m_previewTimer.setSingleShot(true);
    m_previewTimer.setInterval(PreviewDelayMs);
    connect(&m_previewTimer, &QTimer::timeout, this, [this] {
        QString error;
        m_preview->preview(sim::FleetModel::compile(m_previewFleet, {}, &error), m_scenario.seed);
    });
    connect(m_template, &QComboBox::currentIndexChanged, this, &FleetForm::templateChosen);
    connect(m_identityKind, &QComboBox::currentIndexChanged, this, &FleetForm::identityKindChosen);
    for (QLineEdit *edit : {m_name, m_deviceName, m_period, m_jitter})
        connect(edit, &QLineEdit::textChanged, this, &FleetForm::validate);
    connect(m_identityName, &QComboBox::currentTextChanged, this, &FleetForm::validate);
    connect(m_qos, &QComboBox::currentIndexChanged, this, &FleetForm::validate);
    connect(m_count, &QSpinBox::valueChanged, this, &FleetForm::validate);
    connect(m_sensors, &QPlainTextEdit::textChanged, this, &FleetForm::validate);
    identityKindChosen();
    templateChosen();
    resize(980, 640);
}

void FleetForm::templateChosen()
{
    const std::optional<sim::Fleet> base = sim::FleetModel::templateFleet(m_template->currentText());
    if (!base)
        return;
    const QSignalBlocker quiet(m_sensors);
    m_sensors->setPlainText(QString::fromUtf8(QJsonDocument(base->sensors).toJson(QJsonDocument::Indented)));
    m_period->setText(durationText(base->schedule.value(QLatin1String("period"))));
    m_jitter->setText(durationText(base->schedule.value(QLatin1String("jitter"))));
    validate();
}

void FleetForm::identityKindChosen()
{
    const auto kind = Identity::Kind(m_identityKind->currentData().toInt());
    const QString typed = m_identityName->currentText();
    const QSignalBlocker quiet(m_identityName);
    m_identityName->clear();
    if (kind == Identity::Kind::Device) {
        for (const broker::Registry *registry : m_catalog.registries())
            m_identityName->addItem(QString::fromStdString(registry->name));
    } else if (kind == Identity::Kind::Broker) {
        for (const broker::IotBroker *iotBroker : m_catalog.brokers())
            m_identityName->addItem(QString::fromStdString(iotBroker->name));
    }
    m_identityName->setEnabled(kind != Identity::Kind::Anonymous);
    m_identityName->lineEdit()->setPlaceholderText(kind == Identity::Kind::Anonymous ? QString() : tr("created when missing"));
    validate();
}

std::optional<sim::Fleet> FleetForm::fleetFromFields(QString *error, std::optional<sim::Fleet> *runnable) const
{
    sim::Fleet fleet;
    fleet.name = m_name->text().trimmed();
    fleet.templateName = m_template->currentText();
    fleet.count = m_count->value();
    if (!m_deviceName->text().trimmed().isEmpty())
        fleet.deviceName = m_deviceName->text().trimmed();
    fleet.identity.kind = Identity::Kind(m_identityKind->currentData().toInt());
    const QString identityName = m_identityName->currentText().trimmed();
    if (fleet.identity.kind != Identity::Kind::Anonymous && identityName.isEmpty()) {
        *error = fleet.identity.kind == Identity::Kind::Device ? tr("name the registry of the devices")
                                                               : tr("name the IoT Core broker");
        return std::nullopt;
    }
    if (fleet.identity.kind == Identity::Kind::Device)
        fleet.identity.registry = identityName;
    else if (fleet.identity.kind == Identity::Kind::Broker)
        fleet.identity.broker = identityName;
    fleet.qos = m_qos->currentIndex();

    // The same checks and words as `sim fleet create --period/--jitter`.
    for (const auto &[field, edit] : {std::pair{QStringLiteral("period"), m_period}, std::pair{QStringLiteral("jitter"), m_jitter}}) {
        if (edit->text().trimmed().isEmpty())
            continue;
        QString reason;
        const QJsonValue value = sim::durationArgument(edit->text());
        if (!sim::parseDurationMs(value, &reason)) {
            *error = QStringLiteral("%1: %2").arg(field, reason);
            return std::nullopt;
        }
        fleet.schedule.insert(field, value);
    }

    QJsonParseError parseError;
    const QJsonDocument sensors = QJsonDocument::fromJson(m_sensors->toPlainText().toUtf8(), &parseError);
    if (!sensors.isArray()) {
        *error = parseError.error == QJsonParseError::NoError
            ? tr("sensors must be a JSON list of sensor objects")
            : tr("sensors are not JSON: %1 at offset %2").arg(parseError.errorString()).arg(parseError.offset);
        return std::nullopt;
    }
    // The template's own sensors stay implicit, as `fleet create` without --sensors-file.
    if (sensors.array() != sim::FleetModel::templateFleet(fleet.templateName)->sensors)
        fleet.sensors = sensors.array();

    if (QString problem = sim::FleetModel::check(fleet); !problem.isEmpty()) {
        *error = problem;
        return std::nullopt;
    }
    // It can run: the preview shows it while the name is still being typed.
    *runnable = fleet;
    if (fleet.name.isEmpty()) {
        *error = tr("name the fleet");
        return std::nullopt;
    }
    if (m_scenario.fleet(fleet.name)) {
        *error = tr("a fleet named \"%1\" already exists").arg(fleet.name);
        return std::nullopt;
    }
    sim::Scenario joined = m_scenario;
    joined.fleets.push_back(fleet);
    if (QString problem = joined.check(); !problem.isEmpty()) {
        *error = problem;
        return std::nullopt;
    }
    return fleet;
}

void FleetForm::validate()
{
    QString error;
    std::optional<sim::Fleet> runnable;
    m_fleet = fleetFromFields(&error, &runnable);
    m_message->setError(m_fleet ? QString() : sentence(error.toStdString()));
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(m_fleet.has_value());
    // While the sensors or schedule are mid-edit and wrong, the last preview stays.
    if (runnable) {
        m_previewFleet = std::move(*runnable);
        m_previewTimer.start();
    }
}

} // namespace iotcore::ui
