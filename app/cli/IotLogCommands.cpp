// `iotcore-studio iot registry|device|broker logs`, like `yc iot registry|device|broker logs`: the
// connection log that `serve` keeps for each entity (IOT_CORE.md, "Connection log lines"), read
// from the workspace file. Text is yc's form, "<date> <time>" and the message; JSON and YAML add
// the level.

#include "Cli.h"
#include "IotCommands.h"

#include "iot/CatalogTypes.h"
#include "store/EntityLogStore.h"

#include <QDateTime>
#include <QRegularExpression>
#include <QTimeZone>

#include <chrono>

namespace iotcore::app {

using namespace iotcore::broker;

namespace {

// yc's time flags: RFC 3339, HH:MM:SS (today, UTC), or a duration before now ("2h", "3h30m ago").
std::optional<Timestamp> parseTimeFlag(const QString &given)
{
    QString text = given.trimmed();
    const auto now = std::chrono::system_clock::now();
    static const QRegularExpression duration(
        QStringLiteral("^((\\d+(\\.\\d+)?)(h|m|s|ms))+$"));
    QString spanText = text;
    if (spanText.endsWith(QLatin1String(" ago")))
        spanText.chop(4);
    if (duration.match(spanText).hasMatch()) {
        static const QRegularExpression part(QStringLiteral("(\\d+(?:\\.\\d+)?)(ms|h|m|s)"));
        double seconds = 0;
        for (auto it = part.globalMatch(spanText); it.hasNext();) {
            const QRegularExpressionMatch m = it.next();
            const double value = m.captured(1).toDouble();
            const QString unit = m.captured(2);
            seconds += unit == QLatin1String("h")    ? value * 3600
                : unit == QLatin1String("m")         ? value * 60
                : unit == QLatin1String("ms")        ? value / 1000
                                                     : value;
        }
        return now
            - std::chrono::duration_cast<Timestamp::duration>(std::chrono::duration<double>(seconds));
    }
    static const QRegularExpression clock(QStringLiteral("^\\d\\d:\\d\\d:\\d\\d$"));
    if (clock.match(text).hasMatch()) {
        const QTime time = QTime::fromString(text, QStringLiteral("HH:mm:ss"));
        if (!time.isValid())
            return std::nullopt;
        const QDateTime today(QDateTime::currentDateTimeUtc().date(), time, QTimeZone::utc());
        return std::chrono::system_clock::time_point(
            std::chrono::milliseconds(today.toMSecsSinceEpoch()));
    }
    QDateTime parsed = QDateTime::fromString(text, Qt::ISODateWithMs);
    if (!parsed.isValid())
        return std::nullopt;
    if (parsed.timeSpec() == Qt::LocalTime)
        parsed.setTimeZone(QTimeZone::utc()); // no offset given: UTC, as the log's times are
    return std::chrono::system_clock::time_point(
        std::chrono::milliseconds(parsed.toMSecsSinceEpoch()));
}

// "2026-05-01T12:00:00.123456789Z" → "2026-05-01 12:00:00", as yc prints a log line.
std::string shownTime(const std::string &stored)
{
    if (stored.size() < 19)
        return stored;
    std::string shown = stored.substr(0, 19);
    shown[10] = ' ';
    return shown;
}

int logs(EntityKind kind, const QStringList &arguments)
{
    const QString kindName = QString::fromLatin1(entityKindName(kind));
    QString title = kindName;
    title[0] = title[0].toUpper();
    IotCommandLine command(kindName + QStringLiteral(" logs"),
                           QStringLiteral("Shows the connection log of the %1: connections, "
                                          "disconnections and refused operations, oldest first.")
                               .arg(kindName),
                           QStringLiteral("[%1-NAME|%1-ID]").arg(kindName.toUpper()));
    addNameOptions(command, {}, title);
    if (kind == EntityKind::Device)
        addNameOptions(command, QStringLiteral("registry-"), QStringLiteral("Registry"));
    command.addValueOption({QStringLiteral("since")},
                           QStringLiteral("Lines since this time: RFC 3339, HH:MM:SS (today, "
                                          "UTC) or a duration before now ('2h', '3h30m ago')."),
                           QStringLiteral("TIME"));
    command.addValueOption({QStringLiteral("until")},
                           QStringLiteral("Lines before this time, in the same forms."),
                           QStringLiteral("TIME"));
    command.addValueOption({QStringLiteral("limit")},
                           QStringLiteral("At most this many lines, the newest."),
                           QStringLiteral("N"));
    command.addValueOption({QStringLiteral("levels")},
                           QStringLiteral("Only these levels: INFO,WARN,ERROR."),
                           QStringLiteral("LEVELS"));

    std::unique_ptr<CatalogWorkspace> workspace;
    std::string id;
    if (auto exit = openNamedEntity(command, arguments, kind, {}, &workspace, &id))
        return *exit;

    EntityLogStore::Query query;
    query.ownerKind = entityKindName(kind);
    query.ownerId = id;
    for (const char *bound : {"since", "until"}) {
        const QString name = QString::fromLatin1(bound);
        if (!command.isSet(name))
            continue;
        const std::optional<Timestamp> time = parseTimeFlag(command.value(name));
        if (!time)
            return command.usageError(
                QStringLiteral("--%1 \"%2\" is not a time (RFC 3339, HH:MM:SS or a duration "
                               "such as 2h)")
                    .arg(name, command.value(name)));
        (name == QLatin1String("since") ? query.since : query.until) = formatRfc3339Nanos(*time);
    }
    if (command.isSet(QStringLiteral("limit"))) {
        bool ok = false;
        const qlonglong limit = command.value(QStringLiteral("limit")).toLongLong(&ok);
        if (!ok || limit <= 0)
            return command.usageError(QStringLiteral("--limit takes a positive number"));
        query.limit = std::size_t(limit);
    }
    if (command.isSet(QStringLiteral("levels"))) {
        for (const std::string &level : parseKeyList(command.value(QStringLiteral("levels")))) {
            const QString upper = QString::fromStdString(level).toUpper();
            if (upper != QLatin1String("INFO") && upper != QLatin1String("WARN")
                && upper != QLatin1String("ERROR"))
                return command.usageError(
                    QStringLiteral("unknown level \"%1\" (INFO, WARN or ERROR)")
                        .arg(QString::fromStdString(level)));
            query.levels.push_back(upper.toStdString());
        }
    }

    std::string error;
    const auto lines
        = EntityLogStore::read(command.value(QStringLiteral("workspace")), query, &error);
    if (!lines)
        return command.fail(error);
    if (command.format() == OutputFormat::Text) {
        std::string text;
        for (const EntityLogLine &line : *lines)
            text += shownTime(line.time) + '\t' + line.message + '\n';
        return command.print(text);
    }
    OutputValue list = OutputValue::list();
    for (const EntityLogLine &line : *lines) {
        OutputValue entry = OutputValue::map();
        entry.set("timestamp", line.time);
        entry.set("level", line.level);
        entry.set("message", line.message);
        list.append(std::move(entry));
    }
    return command.print(formatList(list, {}, command.format()));
}

} // namespace

int runIotLogs(EntityKind kind, const QStringList &arguments)
{
    return logs(kind, arguments);
}

} // namespace iotcore::app
