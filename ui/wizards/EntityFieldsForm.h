#pragma once

// Name, description and labels of a registry, device or broker (and a device's registry), each
// checked as it is typed with the catalog's rules and wording: the name's characters and length,
// its uniqueness (among registries, among the registry's devices, among brokers), the
// description's length, the labels' keys and values.

#include "iot/Catalog.h"

#include <QWidget>

#include <string>

class QComboBox;
class QLineEdit;
class QPlainTextEdit;

namespace iotcore::app {
class Workspace;
}

namespace iotcore::ui {

class FieldMessage;

class EntityFieldsForm : public QWidget
{
    Q_OBJECT

public:
    // Object names of the fields, for tests and screenshots: "registry" (devices only), "name",
    // "description", "labels".
    EntityFieldsForm(const app::Workspace &workspace, broker::EntityKind kind,
                     QWidget *parent = nullptr);

    // A device form starts in this registry.
    void setRegistry(const QString &registryId);
    // Editing: the fields start with the entity's values, its own name does not count as taken
    // and a device's registry cannot change.
    void editExisting(const std::string &entityId);

    bool isValid() const;
    std::string registryId() const;
    std::string name() const;
    std::string description() const;
    broker::Labels labels() const;

signals:
    void changed();

private:
    void validate();
    std::string nameTakenBy() const;

    const app::Workspace &m_workspace;
    broker::EntityKind m_kind;
    std::string m_editing;
    QComboBox *m_registry = nullptr;
    QLineEdit *m_name;
    QPlainTextEdit *m_description;
    QLineEdit *m_labels;
    FieldMessage *m_registryMessage = nullptr;
    FieldMessage *m_nameMessage;
    FieldMessage *m_descriptionMessage;
    FieldMessage *m_labelsMessage;
};

} // namespace iotcore::ui
