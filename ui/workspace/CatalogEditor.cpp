#include "CatalogEditor.h"

#include <QUndoCommand>

namespace iotcore::ui {

using namespace iotcore::broker;

namespace {

class CatalogSnapshotCommand : public QUndoCommand
{
public:
    CatalogSnapshotCommand(app::Workspace &workspace, const QString &text, Catalog before, Catalog after)
        : QUndoCommand(text), m_workspace(workspace), m_before(std::move(before)), m_after(std::move(after))
    {
    }

    // The edit was made before the command was pushed; redo() applies it again after an undo.
    void redo() override
    {
        if (m_done)
            m_workspace.replaceCatalog(m_after);
        m_done = true;
    }
    void undo() override { m_workspace.replaceCatalog(m_before); }

private:
    app::Workspace &m_workspace;
    Catalog m_before;
    Catalog m_after;
    bool m_done = false;
};

} // namespace

CatalogEditor::CatalogEditor(app::Workspace &workspace, QObject *parent)
    : QObject(parent), m_workspace(workspace)
{
    // Each step holds two catalogs; a long session must not grow without bound.
    m_undo.setUndoLimit(50);
    connect(&m_workspace, &app::Workspace::reloadedFromFile, &m_undo, &QUndoStack::clear);
}

bool CatalogEditor::apply(const QString &description, const app::Workspace::Edit &change,
                          QString *error)
{
    Catalog before = m_workspace.catalog();
    if (!m_workspace.edit(change, error))
        return false;
    m_undo.push(new CatalogSnapshotCommand(m_workspace, description, std::move(before),
                                           m_workspace.catalog()));
    return true;
}

} // namespace iotcore::ui
