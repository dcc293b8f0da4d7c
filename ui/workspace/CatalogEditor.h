#pragma once

// Catalog edits made in the console, undoable. Each edit goes through Workspace::edit (the
// Catalog's rules, then a save); an accepted one becomes an undo step holding the catalog before
// and after, so undo and redo restore exactly what was there, ids and creation times included.
// When another process changes the file, the history no longer describes it and is cleared.

#include "workspace/Workspace.h"

#include <QObject>
#include <QUndoStack>

namespace iotcore::ui {

class CatalogEditor : public QObject
{
    Q_OBJECT

public:
    explicit CatalogEditor(app::Workspace &workspace, QObject *parent = nullptr);

    app::Workspace &workspace() { return m_workspace; }
    const broker::Catalog &catalog() const { return m_workspace.catalog(); }
    QUndoStack &undoStack() { return m_undo; }

    // `description` is what Edit › Undo says ("Create device thermostat"). False with the
    // catalog's message when the edit is refused; nothing changes then.
    bool apply(const QString &description, const app::Workspace::Edit &change, QString *error);

private:
    app::Workspace &m_workspace;
    QUndoStack m_undo;
};

} // namespace iotcore::ui
