#include "Workspace.h"

#include "CatalogWorkspace.h"

#include <QFile>
#include <QFileInfo>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

namespace iotcore::app {

using namespace iotcore::broker;

namespace {

// SQLite's own copy of a database (VACUUM INTO), consistent even while the broker writes to it;
// the file is never opened outside SQLite (ARCHITECTURE.md: that would drop SQLite's locks).
bool copyWorkspaceFile(const QString &from, const QString &to, QString *error)
{
    const QString connection = QLatin1String("iotcore-workspace-copy-")
        + QUuid::createUuid().toString(QUuid::WithoutBraces);
    bool copied = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection);
        db.setDatabaseName(from);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=5000"));
        if (!db.open()) {
            *error = QStringLiteral("cannot read %1: %2").arg(from, db.lastError().text());
        } else {
            QSqlQuery query(db);
            query.prepare(QStringLiteral("VACUUM INTO ?"));
            query.addBindValue(to);
            copied = query.exec();
            if (!copied)
                *error = QStringLiteral("cannot write %1: %2").arg(to, query.lastError().text());
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(connection);
    return copied;
}

} // namespace

Workspace::Workspace(std::unique_ptr<CatalogWorkspace> file, QObject *parent)
    : QObject(parent), m_file(std::move(file)), m_knownVersion(m_file->changeCounter())
{
    connect(&m_poll, &QTimer::timeout, this, &Workspace::reloadIfChanged);
    m_poll.start(1000);
}

Workspace::~Workspace() = default;

std::unique_ptr<Workspace> Workspace::open(const QString &path, QString *error, QObject *parent)
{
    std::unique_ptr<CatalogWorkspace> file = CatalogWorkspace::open(path, true, error);
    if (!file)
        return {};
    return std::unique_ptr<Workspace>(new Workspace(std::move(file), parent));
}

const QString &Workspace::path() const
{
    return m_file->path();
}

const Catalog &Workspace::catalog() const
{
    return m_file->catalog();
}

int Workspace::passwordIterations() const
{
    return m_file->passwordIterations();
}

bool Workspace::edit(const Edit &change, QString *error)
{
    Catalog changed = m_file->catalog();
    if (const std::string refused = change(changed); !refused.empty()) {
        *error = QString::fromStdString(refused);
        return false;
    }
    m_file->catalog() = std::move(changed);
    commit();
    return true;
}

void Workspace::replaceCatalog(Catalog catalog)
{
    m_file->catalog() = std::move(catalog);
    commit();
}

// Saved before it is announced, so that whoever reloads from the file on catalogChanged (the
// embedded broker) sees it; shown whether or not it reached the file: a failed save keeps it
// in memory.
void Workspace::commit()
{
    QString error;
    const bool written = save(&error);
    emit catalogChanged();
    if (!written)
        emit saveFailed(error);
}

bool Workspace::save(QString *error)
{
    if (!m_file->save(error)) {
        setModified(true);
        return false;
    }
    m_knownVersion = m_file->changeCounter();
    setModified(false);
    emit saved();
    return true;
}

bool Workspace::saveAs(const QString &path, QString *error)
{
    const QString target = QFileInfo(path).absoluteFilePath();
    if (target == QFileInfo(m_file->path()).absoluteFilePath())
        return save(error);
    // VACUUM INTO refuses an existing file; the caller has asked whether to replace it.
    if (QFileInfo::exists(target) && !QFile::remove(target)) {
        *error = QStringLiteral("cannot replace %1").arg(target);
        return false;
    }
    if (QFileInfo::exists(m_file->path()) && !copyWorkspaceFile(m_file->path(), target, error))
        return false;
    std::unique_ptr<CatalogWorkspace> copy = CatalogWorkspace::open(target, true, error);
    if (!copy)
        return false;
    copy->catalog() = m_file->catalog();
    if (!copy->save(error))
        return false;
    m_file = std::move(copy);
    m_knownVersion = m_file->changeCounter();
    setModified(false);
    emit pathChanged(m_file->path());
    emit saved();
    return true;
}

void Workspace::setExternalChangePolling(int intervalMs)
{
    if (intervalMs > 0)
        m_poll.start(intervalMs);
    else
        m_poll.stop();
}

void Workspace::setModified(bool modified)
{
    if (m_modified == modified)
        return;
    m_modified = modified;
    emit modifiedChanged(modified);
}

// Unsaved edits win over the file: they are reloaded only once saved (or given up by opening
// another workspace), so nothing typed in the console is lost to a command run elsewhere.
void Workspace::reloadIfChanged()
{
    if (m_modified)
        return;
    const std::int64_t version = m_file->changeCounter();
    if (version == m_knownVersion)
        return;
    QString error;
    if (!m_file->reload(&error))
        return; // a damaged file: keep what is shown, try again next time
    m_knownVersion = version;
    emit reloadedFromFile();
    emit catalogChanged();
}

} // namespace iotcore::app
