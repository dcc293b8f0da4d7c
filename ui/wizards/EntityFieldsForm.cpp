#include "EntityFieldsForm.h"

#include "FieldMessage.h"
#include "LabelsText.h"

#include "iot/CatalogRules.h"
#include "workspace/Workspace.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QVBoxLayout>

namespace iotcore::ui {

using namespace iotcore::broker;

namespace {

// A field with its message under it, as one row of the form.
QWidget *withMessage(QWidget *field, FieldMessage *message)
{
    auto *box = new QWidget;
    auto *layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(field);
    layout->addWidget(message);
    return box;
}

} // namespace

EntityFieldsForm::EntityFieldsForm(const app::Workspace &workspace, EntityKind kind, QWidget *parent)
    : QWidget(parent)
    , m_workspace(workspace)
    , m_kind(kind)
    , m_name(new QLineEdit)
    , m_description(new QPlainTextEdit)
    , m_labels(new QLineEdit)
    , m_nameMessage(new FieldMessage)
    , m_descriptionMessage(new FieldMessage)
    , m_labelsMessage(new FieldMessage)
{
    auto *form = new QFormLayout(this);
    form->setContentsMargins(0, 0, 0, 0);
    form->setFieldGrowthPolicy(QFormLayout::ExpandingFieldsGrow);
    if (kind == EntityKind::Device) {
        m_registry = new QComboBox;
        m_registry->setObjectName(QStringLiteral("registry"));
        m_registryMessage = new FieldMessage;
        for (const Registry *registry : workspace.catalog().registries()) {
            m_registry->addItem(QStringLiteral("%1 (%2)").arg(QString::fromStdString(registry->name),
                                                              QString::fromStdString(registry->id)),
                                QString::fromStdString(registry->id));
        }
        form->addRow(tr("&Registry:"), withMessage(m_registry, m_registryMessage));
        connect(m_registry, &QComboBox::currentIndexChanged, this, &EntityFieldsForm::validate);
    }
    m_name->setObjectName(QStringLiteral("name"));
    m_name->setMaxLength(int(rules::MaxNameLength) + 10); // long enough to say it is too long
    m_nameMessage->setHint(tr("Up to 50 letters, digits, '-' and '_'; unique %1.")
                               .arg(kind == EntityKind::Device ? tr("in the registry")
                                                               : tr("in the workspace")));
    form->addRow(tr("&Name:"), withMessage(m_name, m_nameMessage));

    m_description->setObjectName(QStringLiteral("description"));
    m_description->setTabChangesFocus(true);
    m_description->setFixedHeight(m_name->sizeHint().height() * 3);
    m_description->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
    form->addRow(tr("&Description:"), withMessage(m_description, m_descriptionMessage));

    m_labels->setObjectName(QStringLiteral("labels"));
    m_labelsMessage->setHint(tr("key=value pairs separated by commas, such as "
                                "room=kitchen, floor=2."));
    form->addRow(tr("&Labels:"), withMessage(m_labels, m_labelsMessage));

    connect(m_name, &QLineEdit::textChanged, this, &EntityFieldsForm::validate);
    connect(m_description, &QPlainTextEdit::textChanged, this, &EntityFieldsForm::validate);
    connect(m_labels, &QLineEdit::textChanged, this, &EntityFieldsForm::validate);
    validate();
    // An empty name is not an error worth red text before anything was typed.
    m_nameMessage->setError({});
}

void EntityFieldsForm::setRegistry(const QString &registryId)
{
    if (m_registry)
        m_registry->setCurrentIndex(std::max(0, m_registry->findData(registryId)));
}

void EntityFieldsForm::editExisting(const std::string &entityId)
{
    m_editing = entityId;
    const Catalog &catalog = m_workspace.catalog();
    auto fill = [this](const auto &entity) {
        m_name->setText(QString::fromStdString(entity.name));
        m_description->setPlainText(QString::fromStdString(entity.description));
        m_labels->setText(formatLabels(entity.labels));
    };
    if (const Registry *registry = catalog.registry(entityId))
        fill(*registry);
    else if (const Device *device = catalog.device(entityId)) {
        fill(*device);
        setRegistry(QString::fromStdString(device->registryId));
        m_registry->setEnabled(false);
    } else if (const IotBroker *broker = catalog.broker(entityId))
        fill(*broker);
    validate();
}

std::string EntityFieldsForm::registryId() const
{
    return m_registry ? m_registry->currentData().toString().toStdString() : std::string();
}

std::string EntityFieldsForm::name() const
{
    return m_name->text().toStdString();
}

std::string EntityFieldsForm::description() const
{
    return m_description->toPlainText().toStdString();
}

Labels EntityFieldsForm::labels() const
{
    QString error;
    return parseLabels(m_labels->text(), &error).value_or(Labels());
}

bool EntityFieldsForm::isValid() const
{
    return !name().empty() && !m_nameMessage->hasError() && !m_descriptionMessage->hasError()
        && !m_labelsMessage->hasError() && (!m_registryMessage || !m_registryMessage->hasError());
}

// The catalog's wording for a name in use, or empty.
std::string EntityFieldsForm::nameTakenBy() const
{
    const Catalog &catalog = m_workspace.catalog();
    const std::string wanted = name();
    const std::string quoted = "\"" + wanted + "\"";
    switch (m_kind) {
    case EntityKind::Registry:
        if (const Registry *other = catalog.registryByName(wanted); other && other->id != m_editing)
            return "a registry named " + quoted + " already exists";
        return {};
    case EntityKind::Device: {
        const Registry *registry = catalog.registry(registryId());
        if (const Device *other = catalog.deviceByName(registryId(), wanted);
            registry && other && other->id != m_editing)
            return "registry \"" + registry->name + "\" already has a device named " + quoted;
        return {};
    }
    case EntityKind::Broker:
        if (const IotBroker *other = catalog.brokerByName(wanted); other && other->id != m_editing)
            return "a broker named " + quoted + " already exists";
        return {};
    }
    return {};
}

void EntityFieldsForm::validate()
{
    if (m_registryMessage) {
        m_registryMessage->setError(m_registry->count() == 0
                                        ? tr("The workspace has no registry yet: create one first.")
                                        : QString());
    }
    const char *what = m_kind == EntityKind::Registry ? "registry name"
        : m_kind == EntityKind::Device               ? "device name"
                                                      : "broker name";
    std::string nameError = rules::checkName(name(), what);
    if (nameError.empty())
        nameError = nameTakenBy();
    m_nameMessage->setError(sentence(nameError));
    m_descriptionMessage->setError(sentence(rules::checkDescription(description())));
    QString labelsError;
    parseLabels(m_labels->text(), &labelsError);
    m_labelsMessage->setError(labelsError.isEmpty() ? QString() : sentence(labelsError.toStdString()));
    emit changed();
}

} // namespace iotcore::ui
