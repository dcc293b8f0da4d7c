#include "CommandTarget.h"

#include "iot/Catalog.h"
#include "iot/TopicPolicy.h"
#include "mqtt/Topic.h"

#include <QCoreApplication>
#include <QStringList>

namespace iotcore::ui {

QString CommandTarget::topic() const
{
    const QString space = isDevice() ? QStringLiteral("$devices") : QStringLiteral("$registries");
    const QString kindName = isKept() ? QStringLiteral("config") : QStringLiteral("commands");
    QString topic = space + u'/' + entityId + u'/' + kindName;
    if (!subtopic.isEmpty())
        topic += u'/' + subtopic;
    return topic;
}

QString CommandTarget::problem() const
{
    if (entityId.isEmpty()) {
        return isDevice() ? QCoreApplication::translate("CommandTarget", "Choose a device.")
                          : QCoreApplication::translate("CommandTarget", "Choose a registry.");
    }
    std::string reason;
    if (!broker::isValidTopicName(topic().toStdString(), &reason)) {
        return QCoreApplication::translate("CommandTarget", "The topic %1.")
            .arg(QString::fromStdString(reason));
    }
    if (subtopic.size() > qsizetype(broker::TopicPolicy::MaxSubtopicLength)) {
        return QCoreApplication::translate("CommandTarget",
                                           "The subtopic is longer than %1 characters.")
            .arg(broker::TopicPolicy::MaxSubtopicLength);
    }
    return {};
}

QString CommandTarget::senderRegistry(const broker::Catalog &catalog) const
{
    const std::string id = entityId.toStdString();
    if (isDevice()) {
        const broker::Device *device = catalog.device(id);
        return device ? QString::fromStdString(device->registryId) : QString();
    }
    return catalog.registry(id) ? entityId : QString();
}

QString CommandTarget::replyFilter() const
{
    return isDevice() ? QStringLiteral("$devices/%1/#").arg(entityId) : QStringLiteral("$devices/#");
}

bool CommandTarget::isReply(const QString &topic) const
{
    const QStringList levels = topic.split(u'/');
    if (levels.size() < 3 || levels[0] != QLatin1String("$devices"))
        return false;
    if (levels[2] != QLatin1String("events") && levels[2] != QLatin1String("state"))
        return false;
    return !isDevice() || levels[1] == entityId;
}

} // namespace iotcore::ui
