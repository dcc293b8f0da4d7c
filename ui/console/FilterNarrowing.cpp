#include "FilterNarrowing.h"

#include "iot/Catalog.h"
#include "iot/TopicPolicy.h"
#include "mqtt/Topic.h"

#include <QCoreApplication>

namespace iotcore::ui {

namespace {

using broker::IotIdentity;
using broker::TopicPolicy;

QString tr(const char *text)
{
    return QCoreApplication::translate("FilterNarrowing", text);
}

// The catalog as TopicPolicy sees it (the broker's IotAuthenticator answers the same way).
class CatalogDirectory final : public broker::TopicDirectory
{
public:
    explicit CatalogDirectory(const broker::Catalog &catalog) : m_catalog(catalog) {}

    std::optional<std::string> registryOfDevice(std::string_view deviceId) const override
    {
        if (const broker::Device *device = m_catalog.device(deviceId))
            return device->registryId;
        return std::nullopt;
    }

    std::vector<broker::TopicAlias> aliasesOfRegistry(std::string_view registryId) const override
    {
        std::vector<broker::TopicAlias> aliases;
        if (const broker::Catalog::AliasOwners *owners = m_catalog.aliasOwners(registryId)) {
            for (const auto &[alias, deviceId] : *owners) {
                if (const broker::Device *device = m_catalog.device(deviceId))
                    aliases.push_back({alias, device->topicAliases.at(alias), deviceId});
            }
        }
        return aliases;
    }

private:
    const broker::Catalog &m_catalog;
};

std::optional<IotIdentity> iotIdentity(const broker::Catalog &catalog,
                                       const ConsoleIdentity &identity)
{
    const std::string id = identity.id.toStdString();
    switch (identity.kind) {
    case ConsoleIdentity::Kind::Registry:
        if (catalog.registry(id))
            return IotIdentity{IotIdentity::Kind::Registry, id, id};
        break;
    case ConsoleIdentity::Kind::Device:
        if (const broker::Device *device = catalog.device(id))
            return IotIdentity{IotIdentity::Kind::Device, id, device->registryId};
        break;
    case ConsoleIdentity::Kind::Broker:
        if (catalog.broker(id))
            return IotIdentity{IotIdentity::Kind::Broker, id, std::string()};
        break;
    case ConsoleIdentity::Kind::Open:
        break;
    }
    return std::nullopt;
}

// Longest subtopic of a filter: what follows "<space>/<owner>/<kind>/".
qsizetype subtopicLength(const QString &filter)
{
    const QStringList levels = filter.split(u'/');
    return levels.size() > 3 ? levels.mid(3).join(u'/').size() : 0;
}

// Why TopicPolicy refused `filter` for `who`, in the words of IOT_CORE.md's table.
QString refusalOf(const IotIdentity &who, const QString &filter)
{
    if (who.kind == IotIdentity::Kind::Broker)
        return tr("A broker's clients may use any topic that does not start with \"$\".");
    if (!filter.startsWith(u'$'))
        return tr("Outside $devices/ and $registries/ a filter matches only topic aliases, and no "
                  "alias of this registry's devices matches it.");
    if (filter.startsWith(QLatin1String("$me/")) || filter == QLatin1String("$me")) {
        if (who.kind != IotIdentity::Kind::Device)
            return tr("Only a device has $me topics.");
        return tr("$me stands for $me/device/…, $me/registry/… and $me/monitoring/json only.");
    }
    if (subtopicLength(filter) > qsizetype(TopicPolicy::MaxSubtopicLength))
        return tr("The subtopic is longer than %1 characters.").arg(TopicPolicy::MaxSubtopicLength);
    if (who.kind == IotIdentity::Kind::Device)
        return tr("A device reads only its own commands and config, its registry's commands and "
                  "config, and the monitoring of its registry's devices.");
    return tr("A registry reads only the events and state of its own devices and of itself, and "
              "the monitoring of its devices.");
}

} // namespace

QString FilterNarrowing::summary() const
{
    if (!allowed)
        return refusal;
    if (narrowedTo.isEmpty())
        return tr("as asked");
    return tr("narrowed to %1").arg(narrowedTo.join(QLatin1String(", ")));
}

FilterNarrowing FilterNarrowing::of(const broker::Catalog &catalog,
                                    const ConsoleIdentity &identity, const QString &filter)
{
    FilterNarrowing result;
    std::string invalid;
    const std::string text = filter.toStdString();
    if (!broker::isValidTopicFilter(text, &invalid)) {
        result.refusal = tr("The filter %1.").arg(QString::fromStdString(invalid));
        return result;
    }
    if (identity.isOpen()) {
        result.allowed = true;
        return result;
    }
    const std::optional<IotIdentity> who = iotIdentity(catalog, identity);
    if (!who) {
        result.refusal = tr("%1 is not in the catalog any more.").arg(identity.label);
        return result;
    }
    const CatalogDirectory directory(catalog);
    const TopicPolicy::SubscribeDecision decision = TopicPolicy(directory).subscribe(*who, text);
    if (!decision.allowed) {
        result.refusal = refusalOf(*who, filter);
        return result;
    }
    result.allowed = true;
    // A broker's filters live in its own topic space; that is isolation, not narrowing.
    if (who->kind == IotIdentity::Kind::Broker)
        return result;
    const bool asAsked = decision.routes.size() == 1 && decision.routes.front().filter == text;
    if (!asAsked) {
        for (const TopicPolicy::Route &route : decision.routes)
            result.narrowedTo.append(QString::fromStdString(route.filter));
    }
    return result;
}

} // namespace iotcore::ui
