// The registry and device wizards driven as a user would (QTest key clicks and mouse clicks):
// every field explains what is wrong as it is typed, Next waits for valid input, and what the
// wizard creates is in the catalog and in the workspace file afterwards.

#include "iot/CatalogRules.h"
#include "iot/PasswordHasher.h"
#include "store/CatalogStore.h"
#include "wizards/CredentialForm.h"
#include "wizards/EntityFieldsForm.h"
#include "wizards/EntityWizard.h"
#include "wizards/FieldMessage.h"
#include "wizards/TopicAliasForm.h"
#include "workspace/CatalogEditor.h"
#include "workspace/Workspace.h"

#include <QAbstractButton>
#include <QClipboard>
#include <QFile>
#include <QGuiApplication>
#include <QPlainTextEdit>
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QTemporaryDir>
#include <QTest>

using namespace iotcore;
using namespace iotcore::broker;
using ui::EntityWizard;

namespace {

// The message shown under a field (the FieldMessage that follows it in its row).
QString messageUnder(QWidget *field)
{
    for (QWidget *sibling : field->parentWidget()->findChildren<ui::FieldMessage *>(Qt::FindDirectChildrenOnly)) {
        if (sibling->isVisibleTo(field->window()))
            return static_cast<ui::FieldMessage *>(sibling)->text();
    }
    return {};
}

template<typename Widget = QLineEdit>
Widget *field(QWidget *root, const char *name)
{
    auto *found = root->findChild<Widget *>(QLatin1String(name));
    Q_ASSERT(found);
    return found;
}

// A radio button reacts to clicks on its indicator and label, not on the empty width beside them.
void clickRadio(QRadioButton *radio)
{
    QTest::mouseClick(radio, Qt::LeftButton, {}, QPoint(8, radio->height() / 2));
    QVERIFY(radio->isChecked());
}

void retype(QLineEdit *line, const QString &text)
{
    line->clear();
    QTest::keyClicks(line, text);
}

class WizardFixture
{
public:
    WizardFixture()
    {
        QString error;
        workspace = app::Workspace::open(dir.filePath(QStringLiteral("ws.sqlite")), &error);
        editor = std::make_unique<ui::CatalogEditor>(*workspace);
    }

    std::string createRegistry(const std::string &name)
    {
        QString error;
        editor->apply(QStringLiteral("create"), [name](Catalog &catalog) {
            Registry draft;
            draft.name = name;
            return catalog.createRegistry(draft).error;
        }, &error);
        return workspace->catalog().registryByName(name)->id;
    }

    QTemporaryDir dir;
    std::unique_ptr<app::Workspace> workspace;
    std::unique_ptr<ui::CatalogEditor> editor;
};

} // namespace

class TestEntityWizard : public QObject
{
    Q_OBJECT

private slots:
    void registryNameIsCheckedAsTyped()
    {
        WizardFixture fixture;
        fixture.createRegistry("home");
        EntityWizard wizard(EntityKind::Registry, *fixture.editor);
        wizard.show();
        QAbstractButton *next = wizard.button(QWizard::NextButton);
        QLineEdit *name = field(&wizard, "name");
        QVERIFY(!next->isEnabled()); // a name is needed

        QTest::keyClicks(name, QStringLiteral("my home"));
        QCOMPARE(messageUnder(name),
                 QStringLiteral("Registry name \"my home\" contains ' ' (only a-z, A-Z, 0-9, '-' and "
                                "'_' are allowed)."));
        QVERIFY(!next->isEnabled());

        retype(name, QStringLiteral("home"));
        QCOMPARE(messageUnder(name), QStringLiteral("A registry named \"home\" already exists."));
        QVERIFY(!next->isEnabled());

        retype(name, QString(51, u'a'));
        QVERIFY(messageUnder(name).contains(QStringLiteral("51 characters long (at most 50)")));

        retype(name, QStringLiteral("garage"));
        QVERIFY(!fixture.workspace->catalog().registryByName("garage"));
        QVERIFY(next->isEnabled());

        QLineEdit *labels = field(&wizard, "labels");
        QTest::keyClicks(labels, QStringLiteral("floor"));
        QCOMPARE(messageUnder(labels), QStringLiteral("Label \"floor\" is not key=value."));
        QVERIFY(!next->isEnabled());
        QTest::keyClicks(labels, QStringLiteral("=1, Zone=A"));
        QVERIFY2(messageUnder(labels).startsWith(QStringLiteral("Label key \"Zone\"")),
                 qPrintable(messageUnder(labels)));
        retype(labels, QStringLiteral("floor=1, zone=a"));
        QVERIFY(next->isEnabled());
    }

    void registryWithTypedPasswordIsCreated()
    {
        WizardFixture fixture;
        EntityWizard wizard(EntityKind::Registry, *fixture.editor);
        wizard.show();
        QTest::keyClicks(field(&wizard, "name"), QStringLiteral("garage"));
        QTest::keyClicks(field<QPlainTextEdit>(&wizard, "description"), QStringLiteral("Doors"));
        QTest::keyClicks(field(&wizard, "labels"), QStringLiteral("floor=1"));
        QTest::mouseClick(wizard.button(QWizard::NextButton), Qt::LeftButton);
        QCOMPARE(wizard.currentId(), int(EntityWizard::CredentialsPage));

        clickRadio(field<QRadioButton>(&wizard, "typedPassword"));
        QLineEdit *password = field(&wizard, "password");
        QAbstractButton *next = wizard.button(QWizard::NextButton);
        QTest::keyClicks(password, QStringLiteral("short"));
        QVERIFY2(messageUnder(password).startsWith(QStringLiteral("Password is too weak: it has 5 "
                                                                  "characters, at least 14 are needed")),
                 qPrintable(messageUnder(password)));
        QVERIFY(!next->isEnabled());
        retype(password, QStringLiteral("onlylowercaseletters"));
        QVERIFY(messageUnder(password).contains(QStringLiteral("add some of: uppercase letters, digits, other characters")));
        QVERIFY(!next->isEnabled());
        const QString strong = QStringLiteral("Garage-Door-2026");
        retype(password, strong);
        QCOMPARE(messageUnder(password), QStringLiteral("Strong enough for IoT Core."));
        QVERIFY(next->isEnabled());

        QTest::mouseClick(next, Qt::LeftButton);
        QCOMPARE(wizard.currentId(), int(EntityWizard::DonePage));
        QVERIFY(wizard.isCreated());
        const Registry *registry = fixture.workspace->catalog().registryByName("garage");
        QVERIFY(registry);
        QCOMPARE(registry->id, wizard.entityId());
        QCOMPARE(registry->description, std::string("Doors"));
        QCOMPARE(registry->labels, (Labels{{"floor", "1"}}));
        QCOMPARE(registry->passwords.size(), std::size_t(1));
        QCOMPARE(PasswordHasher::verify(strong.toStdString(), registry->passwords.front().hash),
                 PasswordHasher::Verdict::Match);
        QCOMPARE(field(&wizard, "shownPassword")->text(), strong); // shown once, at the end

        // In the file, as the command line sees it; and undoable.
        std::string error;
        auto store = CatalogStore::open(fixture.workspace->path().toStdString(), false, &error);
        QVERIFY(store && store->load(&error)->registryByName("garage"));
        QCOMPARE(fixture.editor->undoStack().undoText(), QStringLiteral("Create registry garage"));
    }

    void generatedPasswordIsStrongAndCopied()
    {
        WizardFixture fixture;
        EntityWizard wizard(EntityKind::Registry, *fixture.editor);
        wizard.show();
        QTest::keyClicks(field(&wizard, "name"), QStringLiteral("garage"));
        QTest::mouseClick(wizard.button(QWizard::NextButton), Qt::LeftButton);
        const QString generated = field(&wizard, "generated")->text();
        QCOMPARE(rules::checkPasswordStrength(generated.toStdString()), std::string());
        QTest::mouseClick(field<QPushButton>(&wizard, "copy"), Qt::LeftButton);
        QCOMPARE(QGuiApplication::clipboard()->text(), generated);
        QTest::mouseClick(wizard.button(QWizard::NextButton), Qt::LeftButton);
        const Registry *registry = fixture.workspace->catalog().registryByName("garage");
        QVERIFY(registry);
        QCOMPARE(PasswordHasher::verify(generated.toStdString(), registry->passwords.front().hash),
                 PasswordHasher::Verdict::Match);
    }

    void deviceAliasesAreCheckedAsTyped()
    {
        WizardFixture fixture;
        const std::string home = fixture.createRegistry("home");
        QString error;
        // Another device of the registry owns "home/boiler".
        QVERIFY(fixture.editor->apply(QStringLiteral("create"), [&](Catalog &catalog) {
            Device draft;
            draft.registryId = home;
            draft.name = "boiler";
            draft.topicAliases = {{"home/boiler", "$devices/{id}/events"}};
            return catalog.createDevice(draft).error;
        }, &error));

        EntityWizard wizard(EntityKind::Device, *fixture.editor);
        wizard.setRegistry(QString::fromStdString(home));
        wizard.show();
        QTest::keyClicks(field(&wizard, "name"), QStringLiteral("boiler"));
        QCOMPARE(messageUnder(field(&wizard, "name")),
                 QStringLiteral("Registry \"home\" already has a device named \"boiler\"."));
        retype(field(&wizard, "name"), QStringLiteral("thermostat"));
        QTest::mouseClick(wizard.button(QWizard::NextButton), Qt::LeftButton);
        QTest::mouseClick(wizard.button(QWizard::NextButton), Qt::LeftButton); // generated password
        QCOMPARE(wizard.currentId(), int(EntityWizard::AliasesPage));

        QLineEdit *alias = field(&wizard, "alias");
        QLineEdit *target = field(&wizard, "target");
        auto *add = field<QPushButton>(&wizard, "add");
        const QString id = QString::fromStdString(wizard.entityId());

        QTest::keyClicks(alias, QStringLiteral("$me/temp"));
        QCOMPARE(messageUnder(alias), QStringLiteral("Topic alias \"$me/temp\" must not start with '$'."));
        QVERIFY(!add->isEnabled());

        retype(alias, QStringLiteral("home/boiler/temp"));
        retype(target, QStringLiteral("$devices/{id}/events/temp"));
        QCOMPARE(messageUnder(alias), QStringLiteral("Topic alias \"home/boiler\" is a prefix of topic "
                                                     "alias \"home/boiler/temp\" in the same registry."));
        QVERIFY(!add->isEnabled());
        // The wizard cannot be left with an alias typed and refused.
        QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());

        retype(alias, QStringLiteral("home/temp"));
        retype(target, QStringLiteral("$devices/are00000000000000000/events"));
        QCOMPARE(messageUnder(alias),
                 QStringLiteral("Topic alias \"home/temp\" must point below \"$devices/%1/\", not to "
                                "\"$devices/are00000000000000000/events\".").arg(id));
        retype(target, QStringLiteral("$devices/{id}/events/temp"));
        QVERIFY(messageUnder(alias).contains(QStringLiteral("{id} stands for the device id")));
        QVERIFY(add->isEnabled());
        QTest::mouseClick(add, Qt::LeftButton);
        QVERIFY(alias->text().isEmpty());

        QTest::mouseClick(wizard.button(QWizard::NextButton), Qt::LeftButton);
        QVERIFY2(wizard.isCreated(), qPrintable(wizard.lastError()));
        const Device *device = fixture.workspace->catalog().deviceByName(home, "thermostat");
        QVERIFY(device);
        QCOMPARE(device->id, wizard.entityId());
        QCOMPARE(device->topicAliases,
                 (TopicAliases{{"home/temp", "$devices/" + device->id + "/events/temp"}}));
        QCOMPARE(device->passwords.size(), std::size_t(1));
    }

    void deviceWithIssuedCertificate()
    {
        WizardFixture fixture;
        const std::string home = fixture.createRegistry("home");
        EntityWizard wizard(EntityKind::Device, *fixture.editor);
        wizard.show();
        QCOMPARE(field<QComboBox>(&wizard, "registry")->currentData().toString(), QString::fromStdString(home));
        QTest::keyClicks(field(&wizard, "name"), QStringLiteral("camera"));
        QTest::mouseClick(wizard.button(QWizard::NextButton), Qt::LeftButton);
        clickRadio(field<QRadioButton>(&wizard, "issuedCertificate"));
        QTest::mouseClick(wizard.button(QWizard::NextButton), Qt::LeftButton);
        QTest::mouseClick(wizard.button(QWizard::NextButton), Qt::LeftButton);
        QVERIFY2(wizard.isCreated(), qPrintable(wizard.lastError()));
        const Device *device = fixture.workspace->catalog().deviceByName(home, "camera");
        QVERIFY(device);
        QCOMPARE(device->certificates.size(), std::size_t(1));
        QCOMPARE(device->certificates.front().fingerprint.size(), std::size_t(40));
        QVERIFY(device->passwords.empty());
        QVERIFY(!field(&wizard, "shownPassword")->isVisibleTo(&wizard));
    }

    void certificateFileIsReadAndRefusedWithReason()
    {
        WizardFixture fixture;
        fixture.createRegistry("home");
        EntityWizard wizard(EntityKind::Registry, *fixture.editor);
        wizard.show();
        QTest::keyClicks(field(&wizard, "name"), QStringLiteral("garage"));
        QTest::mouseClick(wizard.button(QWizard::NextButton), Qt::LeftButton);
        clickRadio(field<QRadioButton>(&wizard, "certificateFile"));
        QLineEdit *path = field(&wizard, "certificatePath");
        const QString notACertificate = fixture.dir.filePath(QStringLiteral("note.txt"));
        QFile note(notACertificate);
        QVERIFY(note.open(QIODevice::WriteOnly));
        note.write("hello\n");
        note.close();
        QTest::keyClicks(path, notACertificate);
        QVERIFY2(messageUnder(path).startsWith(QStringLiteral("Certificate file \"%1\": ").arg(notACertificate)),
                 qPrintable(messageUnder(path)));
        QVERIFY(!wizard.button(QWizard::NextButton)->isEnabled());
    }
};

QTEST_MAIN(TestEntityWizard)
#include "tst_entitywizard.moc"
