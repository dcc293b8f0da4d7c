#include "BundleExport.h"

#include "workspace/ConnectionBundle.h"
#include "workspace/Credentials.h"
#include "workspace/EmbeddedBroker.h"
#include "workspace/Workspace.h"

#include <QDir>
#include <QFileDialog>
#include <QMessageBox>

namespace iotcore::ui {

using namespace iotcore::broker;

void exportConnectionBundle(QWidget *parent, const app::Workspace &workspace,
                            const app::EmbeddedBroker *broker, const std::string &deviceId,
                            const std::optional<app::CertificateAndKey> &certificate)
{
    const Device *device = workspace.catalog().device(deviceId);
    if (!device)
        return;
    const QString title = QObject::tr("Save the connection bundle of %1")
                              .arg(QString::fromStdString(device->name));
    const QString directory = QFileDialog::getExistingDirectory(
        parent, title, QDir::home().filePath(QString::fromStdString(device->name)));
    if (directory.isEmpty())
        return;

    app::ConnectionBundle bundle;
    bundle.deviceId = device->id;
    bundle.deviceName = device->name;
    bundle.registryId = device->registryId;
    bundle.certificate = certificate;
    if (broker) {
        for (const BoundListener &listener : broker->listeners()) {
            if (listener.spec.mode != ListenerInfo::Mode::IotCore
                || listener.spec.protocol != ListenerSpec::Protocol::Mqtt)
                continue;
            (listener.spec.tls ? bundle.mqttsPort : bundle.mqttPort) = listener.port;
        }
    }
    QString error;
    if (const std::optional<std::string> ca = app::workspaceCaCertificate(workspace.path(), &error))
        bundle.caPem = *ca;
    std::optional<QStringList> written;
    if (error.isEmpty())
        written = bundle.write(directory, &error);
    if (!written) {
        QMessageBox::warning(parent, title, QObject::tr("The bundle was not saved: %1").arg(error));
        return;
    }
    QMessageBox::information(parent, title,
                             QObject::tr("Saved in %1:\n%2").arg(directory, written->join(u'\n')));
}

} // namespace iotcore::ui
