#pragma once

// A device's topic aliases (IOT_CORE.md, "User aliases"): an alias and the topic it stands for
// are typed, checked as they are typed (a valid topic name not starting with '$'; the target
// below the device's own "$devices/<id>/", where "{id}" stands for the id; no alias a prefix of
// another in the registry; at most 5), and added to the list below.

#include "iot/CatalogTypes.h"

#include <QWidget>

#include <string>

class QLineEdit;
class QPushButton;
class QStandardItemModel;
class QTableView;

namespace iotcore::app {
class Workspace;
}

namespace iotcore::ui {

class FieldMessage;

class TopicAliasForm : public QWidget
{
    Q_OBJECT

public:
    // Object names for tests: "alias", "target", "add", "remove", the list "aliases".
    explicit TopicAliasForm(const app::Workspace &workspace, QWidget *parent = nullptr);

    // The device the aliases belong to (its id may not be in the catalog yet) and the ones it
    // has now.
    void setDevice(const std::string &registryId, const std::string &deviceId,
                   const broker::TopicAliases &aliases = {});

    broker::TopicAliases aliases() const; // targets expanded
    // The message for what is typed now; empty when it could be added (or nothing is typed).
    QString entryError() const;

signals:
    void changed();

private:
    void validateEntry();
    void addEntry();
    void removeSelected();
    void showAliases();
    std::string checkEntry() const;

    const app::Workspace &m_workspace;
    std::string m_registryId;
    std::string m_deviceId;
    broker::TopicAliases m_aliases;
    QLineEdit *m_alias;
    QLineEdit *m_target;
    QPushButton *m_add;
    QPushButton *m_remove;
    FieldMessage *m_message;
    QStandardItemModel *m_model;
    QTableView *m_view;
};

} // namespace iotcore::ui
