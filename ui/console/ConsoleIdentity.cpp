#include "ConsoleIdentity.h"

#include "iot/Catalog.h"

#include <QCoreApplication>

namespace iotcore::ui {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("ConsoleIdentity", text);
}

ConsoleIdentity registryIdentity(const broker::Registry &registry)
{
    return {ConsoleIdentity::Kind::Registry, QString::fromStdString(registry.id),
            tr("registry %1").arg(QString::fromStdString(registry.name))};
}

ConsoleIdentity deviceIdentity(const broker::Device &device, const broker::Registry *registry)
{
    const QString name = QString::fromStdString(device.name);
    const QString label = registry ? tr("device %1 (registry %2)")
                                         .arg(name, QString::fromStdString(registry->name))
                                   : tr("device %1").arg(name);
    return {ConsoleIdentity::Kind::Device, QString::fromStdString(device.id), label};
}

ConsoleIdentity brokerIdentity(const broker::IotBroker &broker)
{
    return {ConsoleIdentity::Kind::Broker, QString::fromStdString(broker.id),
            tr("broker %1").arg(QString::fromStdString(broker.name))};
}

} // namespace

ConsoleIdentity ConsoleIdentity::open()
{
    return {Kind::Open, QString(), tr("open mode (anonymous MQTT)")};
}

QList<ConsoleIdentity> ConsoleIdentity::allOf(const broker::Catalog &catalog)
{
    QList<ConsoleIdentity> identities{open()};
    for (const broker::Registry *registry : catalog.registries()) {
        identities.append(registryIdentity(*registry));
        for (const broker::Device *device : catalog.devices(registry->id))
            identities.append(deviceIdentity(*device, registry));
    }
    for (const broker::IotBroker *broker : catalog.brokers())
        identities.append(brokerIdentity(*broker));
    return identities;
}

std::optional<ConsoleIdentity> ConsoleIdentity::find(const broker::Catalog &catalog,
                                                     const QString &id)
{
    const std::string key = id.toStdString();
    if (const broker::Registry *registry = catalog.registry(key))
        return registryIdentity(*registry);
    if (const broker::Device *device = catalog.device(key))
        return deviceIdentity(*device, catalog.registry(device->registryId));
    if (const broker::IotBroker *broker = catalog.broker(key))
        return brokerIdentity(*broker);
    return std::nullopt;
}

} // namespace iotcore::ui
