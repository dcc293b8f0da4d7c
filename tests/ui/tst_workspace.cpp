// Workspace: the console's document. Edits go through Catalog and are saved at once; a refused
// edit changes nothing; a failed save keeps the edit, says why and leaves the document modified
// until Save As succeeds; what another process saves is picked up; Save As copies the whole file.

#include "store/CatalogStore.h"
#include "workspace/CatalogWorkspace.h"
#include "workspace/Credentials.h"
#include "workspace/Workspace.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace iotcore;
using namespace iotcore::broker;
using app::Workspace;

namespace {

Workspace::Edit createRegistry(const std::string &name)
{
    return [name](Catalog &catalog) {
        Registry draft;
        draft.name = name;
        return catalog.createRegistry(draft).error;
    };
}

// The catalog as the command line would load it from the file.
std::optional<Catalog> loadFromFile(const QString &path)
{
    std::string error;
    std::unique_ptr<CatalogStore> store = CatalogStore::open(path.toStdString(), false, &error);
    return store ? store->load(&error) : std::nullopt;
}

} // namespace

class TestWorkspace : public QObject
{
    Q_OBJECT

private slots:
    void anAcceptedEditIsSavedAtOnce()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("ws.sqlite"));
        QString error;
        std::unique_ptr<Workspace> workspace = Workspace::open(path, &error);
        QVERIFY2(workspace, qPrintable(error));
        QVERIFY(!QFile::exists(path)); // nothing written before the first edit
        QSignalSpy changed(workspace.get(), &Workspace::catalogChanged);
        QSignalSpy saved(workspace.get(), &Workspace::saved);

        QVERIFY2(workspace->edit(createRegistry("home"), &error), qPrintable(error));
        QCOMPARE(changed.count(), 1);
        QCOMPARE(saved.count(), 1);
        QVERIFY(!workspace->isModified());
        QVERIFY(workspace->catalog().registryByName("home"));
        const std::optional<Catalog> stored = loadFromFile(path);
        QVERIFY(stored);
        QVERIFY(stored->registryByName("home"));
    }

    void aRefusedEditChangesNothing()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("ws.sqlite"));
        QString error;
        std::unique_ptr<Workspace> workspace = Workspace::open(path, &error);
        QVERIFY(workspace->edit(createRegistry("home"), &error));
        QSignalSpy changed(workspace.get(), &Workspace::catalogChanged);

        QVERIFY(!workspace->edit(createRegistry("home"), &error));
        QCOMPARE(error, QStringLiteral("a registry named \"home\" already exists"));
        QVERIFY(!workspace->edit(createRegistry("bad name!"), &error));
        QVERIFY2(error.contains(QStringLiteral("registry name")), qPrintable(error));
        QCOMPARE(changed.count(), 0);
        QCOMPARE(workspace->catalog().registries().size(), std::size_t(1));
        QCOMPARE(loadFromFile(path)->registries().size(), std::size_t(1));
    }

    // A place nobody can write to, not even root: the save fails however the tests are run.
    void aFailedSaveKeepsTheEditAndSaysWhy()
    {
        const QString unwritable = QStringLiteral("/proc/iotcore-studio-no-such-dir/ws.sqlite");
        QString error;
        std::unique_ptr<Workspace> workspace = Workspace::open(unwritable, &error);
        QVERIFY2(workspace, qPrintable(error));
        QSignalSpy failed(workspace.get(), &Workspace::saveFailed);
        QSignalSpy modified(workspace.get(), &Workspace::modifiedChanged);

        QVERIFY(workspace->edit(createRegistry("home"), &error)); // the edit itself is accepted
        QCOMPARE(failed.count(), 1);
        const QString reason = failed.first().first().toString();
        QVERIFY2(reason.contains(QStringLiteral("iotcore-studio-no-such-dir")), qPrintable(reason));
        QVERIFY(workspace->isModified());
        QCOMPARE(modified.count(), 1);
        QVERIFY(workspace->catalog().registryByName("home")); // the data stays

        // A second edit is kept too, and Save As writes both somewhere else.
        QVERIFY(workspace->edit(createRegistry("office"), &error));
        QCOMPARE(failed.count(), 2);
        QTemporaryDir dir;
        const QString elsewhere = dir.filePath(QStringLiteral("rescued.sqlite"));
        QSignalSpy moved(workspace.get(), &Workspace::pathChanged);
        QVERIFY2(workspace->saveAs(elsewhere, &error), qPrintable(error));
        QVERIFY(!workspace->isModified());
        QCOMPARE(moved.count(), 1);
        QCOMPARE(workspace->path(), elsewhere);
        const std::optional<Catalog> stored = loadFromFile(elsewhere);
        QVERIFY(stored);
        QVERIFY(stored->registryByName("home"));
        QVERIFY(stored->registryByName("office"));
    }

    void aReadOnlyFileFailsToSaveAndKeepsTheData()
    {
        if (geteuid() == 0)
            QSKIP("root writes to read-only files; the unwritable path above covers saving as root");
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("ws.sqlite"));
        QString error;
        {
            std::unique_ptr<Workspace> first = Workspace::open(path, &error);
            QVERIFY(first->edit(createRegistry("home"), &error));
        }
        QVERIFY(QFile::setPermissions(path, QFile::ReadOwner | QFile::ReadGroup | QFile::ReadOther));
        std::unique_ptr<Workspace> workspace = Workspace::open(path, &error);
        if (!workspace) {
            QVERIFY(!error.isEmpty()); // refused at open: nothing to lose
            return;
        }
        QSignalSpy failed(workspace.get(), &Workspace::saveFailed);
        QVERIFY(workspace->edit(createRegistry("office"), &error));
        QCOMPARE(failed.count(), 1);
        QVERIFY(!failed.first().first().toString().isEmpty());
        QVERIFY(workspace->isModified());
        QVERIFY(workspace->catalog().registryByName("office"));
    }

    void whatAnotherProcessSavesIsReloaded()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("ws.sqlite"));
        QString error;
        std::unique_ptr<Workspace> workspace = Workspace::open(path, &error);
        QVERIFY(workspace->edit(createRegistry("home"), &error));
        workspace->setExternalChangePolling(50);
        QSignalSpy reloaded(workspace.get(), &Workspace::reloadedFromFile);

        // As `iotcore-studio iot registry create` does it.
        std::unique_ptr<app::CatalogWorkspace> shell = app::CatalogWorkspace::open(path, false, &error);
        QVERIFY2(shell, qPrintable(error));
        Registry draft;
        draft.name = "garage";
        QVERIFY(shell->catalog().createRegistry(draft));
        QVERIFY(shell->save(&error));

        QTRY_COMPARE(reloaded.count(), 1);
        QVERIFY(workspace->catalog().registryByName("garage"));
        QVERIFY(workspace->catalog().registryByName("home"));
    }

    void saveAsCopiesTheWholeWorkspace()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("ws.sqlite"));
        QString error;
        std::unique_ptr<Workspace> workspace = Workspace::open(path, &error);
        QVERIFY(workspace->edit(createRegistry("home"), &error));
        const std::optional<std::string> ca = app::workspaceCaCertificate(path, &error);
        QVERIFY2(ca, qPrintable(error));

        const QString copy = dir.filePath(QStringLiteral("copy.sqlite"));
        QVERIFY2(workspace->saveAs(copy, &error), qPrintable(error));
        QCOMPARE(app::workspaceCaCertificate(copy, &error), ca); // the CA travels with the file
        QVERIFY(loadFromFile(copy)->registryByName("home"));
        QVERIFY(workspace->edit(createRegistry("office"), &error));
        QVERIFY(loadFromFile(copy)->registryByName("office"));
        QVERIFY(!loadFromFile(path)->registryByName("office")); // the original is left as it was
    }
};

QTEST_MAIN(TestWorkspace)
#include "tst_workspace.moc"
