#pragma once

// The workspace as the console holds it open: one file, its catalog in memory, every edit made
// through Catalog (so the console can never store what the command line would refuse) and saved
// at once. A save that fails keeps the edit in memory, says why (saveFailed) and leaves the
// document modified until a later save or Save As succeeds. Changes made by another process
// (`iotcore-studio iot …` in a shell) are picked up by polling the file's change counter.

#include "iot/Catalog.h"

#include <QObject>
#include <QString>
#include <QTimer>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace iotcore::app {

class CatalogWorkspace;

class Workspace : public QObject
{
    Q_OBJECT

public:
    // Opens `path`, or starts a new workspace there when the file does not exist yet (the file
    // is written by the first save). Null with one line in `error`.
    static std::unique_ptr<Workspace> open(const QString &path, QString *error,
                                           QObject *parent = nullptr);
    ~Workspace() override;

    const QString &path() const;
    const broker::Catalog &catalog() const;
    int passwordIterations() const;
    bool isModified() const { return m_modified; }

    // A change to the catalog: returns an empty string on success, otherwise one line saying
    // why (the Catalog's own messages). It runs on a copy, so a refused edit changes nothing.
    using Edit = std::function<std::string(broker::Catalog &catalog)>;
    // False with the edit's message when it was refused. An accepted edit is kept and saved;
    // when the save fails, saveFailed() says why and the document stays modified.
    bool edit(const Edit &change, QString *error);
    // The whole catalog at once (undo and redo), saved like an edit.
    void replaceCatalog(broker::Catalog catalog);

    // Writes the catalog to the file. One line in `error`.
    bool save(QString *error);
    // Copies the whole workspace (catalog, certificate authority, kept and retained messages,
    // logs) to `path`, through SQLite, and continues there. One line in `error`.
    bool saveAs(const QString &path, QString *error);

    // How often the file is checked for changes made by other processes (0 stops checking).
    void setExternalChangePolling(int intervalMs);
    // Reloads the catalog now if another process saved one (unless there are unsaved edits).
    void reloadIfChanged();

signals:
    void catalogChanged();
    // The catalog was replaced by what another process saved: undo history no longer applies.
    void reloadedFromFile();
    void saved();
    void saveFailed(const QString &error);
    void modifiedChanged(bool modified);
    void pathChanged(const QString &path);

private:
    explicit Workspace(std::unique_ptr<CatalogWorkspace> file, QObject *parent);
    void commit();
    void setModified(bool modified);

    std::unique_ptr<CatalogWorkspace> m_file;
    std::int64_t m_knownVersion = 0;
    bool m_modified = false;
    QTimer m_poll;
};

} // namespace iotcore::app
