#include "CommandTemplates.h"

#include <QCoreApplication>
#include <QSettings>

#include <algorithm>

namespace iotcore::ui {

namespace {

const QString SettingsArray = QStringLiteral("console/commandTemplates");

QList<CommandTemplates::Template> builtInTemplates()
{
    return {{QStringLiteral("ping"), QByteArrayLiteral("{\"command\": \"ping\"}"), true},
            {QStringLiteral("reboot"), QByteArrayLiteral("{\"command\": \"reboot\"}"), true},
            {QStringLiteral("setpoint"), QByteArrayLiteral("{\"setpoint\": 21}"), true}};
}

} // namespace

CommandTemplates::CommandTemplates()
{
    load();
}

const CommandTemplates::Template *CommandTemplates::find(const QString &name) const
{
    const auto found = std::find_if(m_templates.cbegin(), m_templates.cend(),
                                    [&](const Template &t) { return t.name == name; });
    return found == m_templates.cend() ? nullptr : &*found;
}

bool CommandTemplates::save(const QString &name, const QByteArray &payload, QString *error)
{
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty()) {
        *error = QCoreApplication::translate("CommandTemplates", "A template needs a name.");
        return false;
    }
    if (const Template *existing = find(trimmed); existing && existing->builtIn) {
        *error = QCoreApplication::translate("CommandTemplates",
                                             "\"%1\" is a built-in template; choose another name.")
                     .arg(trimmed);
        return false;
    }
    remove(trimmed);
    m_templates.append({trimmed, payload, false});
    // Stable: the built-in ones keep their order.
    std::stable_sort(m_templates.begin(), m_templates.end(), [](const Template &a, const Template &b) {
        if (a.builtIn != b.builtIn)
            return a.builtIn;
        return a.builtIn ? false : a.name.localeAwareCompare(b.name) < 0;
    });
    store();
    return true;
}

bool CommandTemplates::remove(const QString &name)
{
    const auto removed = m_templates.removeIf(
        [&](const Template &t) { return !t.builtIn && t.name == name; });
    if (removed > 0)
        store();
    return removed > 0;
}

void CommandTemplates::load()
{
    m_templates = builtInTemplates();
    QSettings settings;
    const int count = settings.beginReadArray(SettingsArray);
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        const QString name = settings.value(QStringLiteral("name")).toString();
        if (!name.isEmpty() && !find(name))
            m_templates.append({name, settings.value(QStringLiteral("payload")).toByteArray(), false});
    }
    settings.endArray();
}

void CommandTemplates::store() const
{
    QSettings settings;
    settings.remove(SettingsArray);
    settings.beginWriteArray(SettingsArray);
    int index = 0;
    for (const Template &t : m_templates) {
        if (t.builtIn)
            continue;
        settings.setArrayIndex(index++);
        settings.setValue(QStringLiteral("name"), t.name);
        settings.setValue(QStringLiteral("payload"), t.payload);
    }
    settings.endArray();
}

} // namespace iotcore::ui
