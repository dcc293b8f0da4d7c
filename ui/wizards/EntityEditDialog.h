#pragma once

// Editing a registry's, device's or broker's name, description and labels (and a device's topic
// aliases), checked as typed like in the wizards and applied as one undoable edit.

#include <QDialog>

#include <string>

class QDialogButtonBox;

namespace iotcore::ui {

class CatalogEditor;
class EntityFieldsForm;
class FieldMessage;
class TopicAliasForm;

class EntityEditDialog : public QDialog
{
    Q_OBJECT

public:
    EntityEditDialog(CatalogEditor &editor, const std::string &entityId, QWidget *parent = nullptr);

    EntityFieldsForm *fieldsForm() const { return m_fields; }
    TopicAliasForm *aliasForm() const { return m_aliases; } // devices only

    void accept() override;

private:
    CatalogEditor &m_editor;
    std::string m_id;
    EntityFieldsForm *m_fields;
    TopicAliasForm *m_aliases = nullptr;
    FieldMessage *m_message;
    QDialogButtonBox *m_buttons;
};

} // namespace iotcore::ui
