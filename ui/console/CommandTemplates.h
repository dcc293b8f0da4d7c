#pragma once

// Payloads the command sender offers ready-made: a few built in (ping, reboot, a setpoint) and
// the user's own, kept in QSettings so that they are there on the next start.

#include <QByteArray>
#include <QList>
#include <QString>

namespace iotcore::ui {

class CommandTemplates
{
public:
    struct Template {
        QString name;
        QByteArray payload;
        bool builtIn = false;
    };

    // Reads the user's templates from QSettings.
    CommandTemplates();

    // Built-in ones first, then the user's by name.
    const QList<Template> &all() const { return m_templates; }
    const Template *find(const QString &name) const;

    // Saves a user template, replacing one of the same name. False (with `error`) for an empty
    // name or the name of a built-in one.
    bool save(const QString &name, const QByteArray &payload, QString *error);
    // Removes a user template; built-in ones stay.
    bool remove(const QString &name);

private:
    void load();
    void store() const;

    QList<Template> m_templates;
};

} // namespace iotcore::ui
