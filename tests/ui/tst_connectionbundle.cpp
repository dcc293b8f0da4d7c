// ConnectionBundle: the files a device's developer gets (CA, certificate and key when issued,
// README, scripts), with the key private to its owner, and scripts that really connect: the
// bundle's publish.sh run with mosquitto_pub against an embedded broker serving the workspace.

#include "iot/PasswordHasher.h"
#include "observe/Log.h"
#include "workspace/CatalogWorkspace.h"
#include "workspace/ConnectionBundle.h"
#include "workspace/Credentials.h"
#include "workspace/EmbeddedBroker.h"

#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace iotcore;
using namespace iotcore::broker;

namespace {

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestConnectionBundle : public QObject
{
    Q_OBJECT

private slots:
    void certificateBundleHoldsTheKeyPrivately()
    {
        QTemporaryDir dir;
        const QString workspace = dir.filePath(QStringLiteral("ws.sqlite"));
        QString error;
        const std::optional<app::IssuedCertificate> issued
            = app::issueWorkspaceCertificate(workspace, "are00000000000000001", &error);
        QVERIFY2(issued, qPrintable(error));
        app::ConnectionBundle bundle;
        bundle.deviceId = "are00000000000000001";
        bundle.deviceName = "camera";
        bundle.registryId = "are00000000000000002";
        bundle.mqttPort = 1883;
        bundle.mqttsPort = 8883;
        bundle.caPem = *app::workspaceCaCertificate(workspace, &error);
        bundle.certificate = issued->files;

        const QString target = dir.filePath(QStringLiteral("camera"));
        const std::optional<QStringList> written = bundle.write(target, &error);
        QVERIFY2(written, qPrintable(error));
        QCOMPARE(QSet<QString>(written->begin(), written->end()),
                 (QSet<QString>{QStringLiteral("README.md"), QStringLiteral("subscribe.sh"),
                                QStringLiteral("publish.sh"), QStringLiteral("device.py"),
                                QStringLiteral("ca.pem"), QStringLiteral("device.pem"),
                                QStringLiteral("device.key")}));
        QCOMPARE(readAll(target + QStringLiteral("/device.key")).toStdString(), issued->files.privateKeyPem);
        QCOMPARE(QFile::permissions(target + QStringLiteral("/device.key")),
                 QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser | QFile::WriteUser);
        QVERIFY(QFile::permissions(target + QStringLiteral("/publish.sh")) & QFile::ExeOwner);
        // Certificates go over TLS, with the CA and the key; no password is asked for.
        const QByteArray publish = readAll(target + QStringLiteral("/publish.sh"));
        QVERIFY(publish.contains("-p 8883 --cafile ca.pem --cert device.pem --key device.key"));
        QVERIFY(!publish.contains("DEVICE_PASSWORD"));
        QVERIFY(publish.contains("'$devices/are00000000000000001/events'"));
        QVERIFY(readAll(target + QStringLiteral("/device.py")).contains("certfile=str(HERE / \"device.pem\")"));
    }

    void aDirectoryThatCannotBeMadeIsReported()
    {
        app::ConnectionBundle bundle;
        bundle.deviceId = "are00000000000000001";
        QString error;
        QVERIFY(!bundle.write(QStringLiteral("/proc/iotcore-no-such/bundle"), &error));
        QCOMPARE(error, QStringLiteral("cannot create /proc/iotcore-no-such/bundle"));
    }

    void passwordBundlePublishesThroughTheBroker()
    {
        if (QStandardPaths::findExecutable(QStringLiteral("mosquitto_pub")).isEmpty())
            QSKIP("mosquitto_pub is not installed (Debian: mosquitto-clients)");
        QTemporaryDir dir;
        const QString workspace = dir.filePath(QStringLiteral("ws.sqlite"));
        const std::string password = "Bundle-Test-2026";
        std::string deviceId;
        {
            QString error;
            auto file = app::CatalogWorkspace::open(workspace, true, &error);
            Registry registry;
            registry.name = "home";
            const std::string registryId = file->catalog().createRegistry(registry)->id;
            Device device;
            device.registryId = registryId;
            device.name = "boiler";
            device.passwords.push_back({{}, PasswordHasher(1000).hash(password), {}});
            deviceId = file->catalog().createDevice(device)->id;
            QVERIFY(file->save(&error));
        }
        Log log(LogLevel::Error);
        app::EmbeddedBroker::Options options;
        options.workspacePath = workspace;
        options.iotCore = true;
        app::EmbeddedBroker broker(options, log);
        QString error;
        ListenerSpec spec;
        spec.name = "mqtt";
        spec.mode = ListenerInfo::Mode::IotCore;
        QVERIFY2(broker.open(&error) && broker.addListeners({spec}, &error) && broker.start(&error),
                 qPrintable(error));

        app::ConnectionBundle bundle;
        bundle.deviceId = deviceId;
        bundle.deviceName = "boiler";
        bundle.mqttPort = broker.listeners().front().port;
        const QString target = dir.filePath(QStringLiteral("boiler"));
        QVERIFY2(bundle.write(target, &error), qPrintable(error));

        QProcess script;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("DEVICE_PASSWORD"), QString::fromStdString(password));
        script.setProcessEnvironment(environment);
        script.start(QStringLiteral("/bin/sh"), {target + QStringLiteral("/publish.sh"), QStringLiteral("{\"t\": 1}")});
        QVERIFY(script.waitForFinished(20000));
        QCOMPARE(script.exitCode(), 0);

        QSignalSpy monitored(&broker, &app::EmbeddedBroker::monitoringReady);
        broker.requestMonitoring(QString::fromStdString(deviceId));
        QTRY_COMPARE(monitored.count(), 1);
        const auto monitoring = monitored.first().at(1).value<IotAuthenticator::Monitoring>();
        QVERIFY(monitoring.lastPublish != Timestamp{});

        // Without the password the script says what is missing instead of connecting.
        QProcess unset;
        environment.remove(QStringLiteral("DEVICE_PASSWORD"));
        unset.setProcessEnvironment(environment);
        unset.start(QStringLiteral("/bin/sh"), {target + QStringLiteral("/publish.sh")});
        QVERIFY(unset.waitForFinished(20000));
        QVERIFY(unset.exitCode() != 0);
        QVERIFY(unset.readAllStandardError().contains("set DEVICE_PASSWORD"));
    }
};

QTEST_MAIN(TestConnectionBundle)
#include "tst_connectionbundle.moc"
