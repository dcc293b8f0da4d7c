#include "TopicAliasForm.h"

#include "FieldMessage.h"

#include "iot/CatalogRules.h"
#include "workspace/Workspace.h"

#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QStandardItemModel>
#include <QTableView>

namespace iotcore::ui {

using namespace iotcore::broker;

TopicAliasForm::TopicAliasForm(const app::Workspace &workspace, QWidget *parent)
    : QWidget(parent)
    , m_workspace(workspace)
    , m_alias(new QLineEdit)
    , m_target(new QLineEdit)
    , m_add(new QPushButton(tr("&Add")))
    , m_remove(new QPushButton(tr("&Remove")))
    , m_message(new FieldMessage)
    , m_model(new QStandardItemModel(0, 2, this))
    , m_view(new QTableView)
{
    m_alias->setObjectName(QStringLiteral("alias"));
    m_target->setObjectName(QStringLiteral("target"));
    m_target->setText(QStringLiteral("$devices/{id}/events/"));
    m_add->setObjectName(QStringLiteral("add"));
    m_remove->setObjectName(QStringLiteral("remove"));
    m_view->setObjectName(QStringLiteral("aliases"));
    m_model->setHorizontalHeaderLabels({tr("Alias"), tr("Topic")});
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setSectionResizeMode(0, QHeaderView::ResizeToContents);

    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(new QLabel(tr("A&lias:")), 0, 0);
    layout->addWidget(m_alias, 0, 1);
    layout->addWidget(new QLabel(tr("&Topic:")), 1, 0);
    layout->addWidget(m_target, 1, 1);
    layout->addWidget(m_add, 1, 2);
    layout->addWidget(m_message, 2, 1, 1, 2);
    layout->addWidget(m_view, 3, 0, 1, 2);
    layout->addWidget(m_remove, 3, 2, Qt::AlignTop);
    qobject_cast<QLabel *>(layout->itemAtPosition(0, 0)->widget())->setBuddy(m_alias);
    qobject_cast<QLabel *>(layout->itemAtPosition(1, 0)->widget())->setBuddy(m_target);
    layout->setRowStretch(3, 1);
    m_message->setHint(tr("Clients may publish and subscribe to the alias instead of the topic. "
                          "{id} stands for the device id."));

    connect(m_alias, &QLineEdit::textChanged, this, &TopicAliasForm::validateEntry);
    connect(m_target, &QLineEdit::textChanged, this, &TopicAliasForm::validateEntry);
    connect(m_alias, &QLineEdit::returnPressed, this, &TopicAliasForm::addEntry);
    connect(m_target, &QLineEdit::returnPressed, this, &TopicAliasForm::addEntry);
    connect(m_add, &QPushButton::clicked, this, &TopicAliasForm::addEntry);
    connect(m_remove, &QPushButton::clicked, this, &TopicAliasForm::removeSelected);
    showAliases();
    validateEntry();
}

void TopicAliasForm::setDevice(const std::string &registryId, const std::string &deviceId,
                               const TopicAliases &aliases)
{
    m_registryId = registryId;
    m_deviceId = deviceId;
    m_aliases = aliases;
    showAliases();
    validateEntry();
}

TopicAliases TopicAliasForm::aliases() const
{
    return m_aliases;
}

QString TopicAliasForm::entryError() const
{
    return m_message->error();
}

std::string TopicAliasForm::checkEntry() const
{
    const std::string alias = m_alias->text().toStdString();
    const std::string target = rules::expandAliasTarget(m_target->text().toStdString(), m_deviceId);
    if (const std::string invalid = rules::checkTopicAlias(alias, target, m_deviceId); !invalid.empty())
        return invalid;
    if (const std::string tooMany = rules::checkTopicAliasCount(m_aliases.size() + 1); !tooMany.empty())
        return tooMany;
    // The prefix rule holds across the registry: this device's aliases and the others'.
    std::vector<std::string> all{alias};
    for (const auto &[existing, topic] : m_aliases)
        all.push_back(existing);
    if (const Catalog::AliasOwners *owners = m_workspace.catalog().aliasOwners(m_registryId)) {
        for (const auto &[existing, owner] : *owners) {
            if (owner != m_deviceId)
                all.push_back(existing);
        }
    }
    return rules::checkAliasesDisjoint(all);
}

void TopicAliasForm::validateEntry()
{
    const bool typing = !m_alias->text().isEmpty();
    m_message->setError(typing ? sentence(checkEntry()) : QString());
    m_add->setEnabled(typing && !m_message->hasError());
    emit changed();
}

void TopicAliasForm::addEntry()
{
    validateEntry();
    if (!m_add->isEnabled())
        return;
    m_aliases[m_alias->text().toStdString()]
        = rules::expandAliasTarget(m_target->text().toStdString(), m_deviceId);
    m_alias->clear(); // validates the now empty entry, which tells the change
    showAliases();
}

void TopicAliasForm::removeSelected()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    for (const QModelIndex &row : rows)
        m_aliases.erase(m_model->item(row.row(), 0)->text().toStdString());
    showAliases();
    validateEntry();
}

void TopicAliasForm::showAliases()
{
    m_model->removeRows(0, m_model->rowCount());
    for (const auto &[alias, target] : m_aliases) {
        m_model->appendRow({new QStandardItem(QString::fromStdString(alias)),
                            new QStandardItem(QString::fromStdString(target))});
    }
    m_remove->setEnabled(!m_aliases.empty());
}

} // namespace iotcore::ui
