#include "EntityEditDialog.h"

#include "EntityFieldsForm.h"
#include "FieldMessage.h"
#include "TopicAliasForm.h"

#include "iot/Catalog.h"
#include "workspace/CatalogEditor.h"
#include "workspace/EntityIcons.h"

#include <QDialogButtonBox>
#include <QGroupBox>
#include <QPushButton>
#include <QVBoxLayout>

namespace iotcore::ui {

using namespace iotcore::broker;

EntityEditDialog::EntityEditDialog(CatalogEditor &editor, const std::string &entityId, QWidget *parent)
    : QDialog(parent)
    , m_editor(editor)
    , m_id(entityId)
    , m_fields(nullptr)
    , m_message(new FieldMessage)
    , m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel))
{
    const std::optional<EntityRef> entity = editor.catalog().entity(entityId);
    const EntityKind kind = entity ? entity->kind : EntityKind::Registry;
    setWindowIcon(entityIcon(kind));
    m_fields = new EntityFieldsForm(editor.workspace(), kind);
    m_fields->editExisting(entityId);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_fields);
    if (const Device *device = editor.catalog().device(entityId)) {
        setWindowTitle(tr("Edit device %1").arg(QString::fromStdString(device->name)));
        m_aliases = new TopicAliasForm(editor.workspace());
        m_aliases->setDevice(device->registryId, device->id, device->topicAliases);
        auto *box = new QGroupBox(tr("Topic aliases"));
        (new QVBoxLayout(box))->addWidget(m_aliases);
        layout->addWidget(box, 1);
    } else {
        setWindowTitle(tr("Edit %1").arg(QLatin1String(entityKindName(kind))));
    }
    layout->addWidget(m_message);
    layout->addWidget(m_buttons);
    resize(560, m_aliases ? 560 : 320);
    auto update = [this] { m_buttons->button(QDialogButtonBox::Ok)->setEnabled(m_fields->isValid()); };
    connect(m_fields, &EntityFieldsForm::changed, this, update);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &EntityEditDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &EntityEditDialog::reject);
    update();
}

void EntityEditDialog::accept()
{
    const std::string id = m_id;
    const std::string name = m_fields->name();
    const std::string description = m_fields->description();
    const Labels labels = m_fields->labels();
    const std::optional<TopicAliases> aliases = m_aliases ? std::optional(m_aliases->aliases()) : std::nullopt;
    auto change = [=](Catalog &catalog) -> std::string {
        const std::optional<EntityRef> entity = catalog.entity(id);
        if (!entity)
            return "it was deleted meanwhile";
        switch (entity->kind) {
        case EntityKind::Registry:
            return catalog.updateRegistry(id, RegistryUpdate{name, description, labels}).error;
        case EntityKind::Broker:
            return catalog.updateBroker(id, BrokerUpdate{name, description, labels}).error;
        case EntityKind::Device:
            break;
        }
        if (std::string refused = catalog.updateDevice(id, DeviceUpdate{name, description, labels}).error;
            !refused.empty())
            return refused;
        // Aliases: the old ones go, the new ones come, in the same edit.
        std::vector<std::string> old;
        for (const auto &[alias, target] : catalog.device(id)->topicAliases)
            old.push_back(alias);
        if (!old.empty()) {
            if (std::string refused = catalog.removeTopicAliases(id, old).error; !refused.empty())
                return refused;
        }
        if (!aliases->empty())
            return catalog.addTopicAliases(id, *aliases).error;
        return {};
    };
    QString error;
    if (!m_editor.apply(tr("Edit %1").arg(QString::fromStdString(name)), change, &error)) {
        m_message->setError(sentence(error.toStdString()));
        return;
    }
    QDialog::accept();
}

} // namespace iotcore::ui
