#include "ProfileSettings.h"

#include <QSettings>

namespace iotcore::ui {

namespace {

const QString ProfilesKey = QStringLiteral("console/profiles");

ConnectionProfile::Transport transportFromText(const QString &text)
{
    if (text == QLatin1String("tls"))
        return ConnectionProfile::Transport::Tls;
    if (text == QLatin1String("ws"))
        return ConnectionProfile::Transport::WebSocket;
    if (text == QLatin1String("wss"))
        return ConnectionProfile::Transport::SecureWebSocket;
    return ConnectionProfile::Transport::Tcp;
}

QString transportText(ConnectionProfile::Transport transport)
{
    switch (transport) {
    case ConnectionProfile::Transport::Tcp: return QStringLiteral("tcp");
    case ConnectionProfile::Transport::Tls: return QStringLiteral("tls");
    case ConnectionProfile::Transport::WebSocket: return QStringLiteral("ws");
    case ConnectionProfile::Transport::SecureWebSocket: return QStringLiteral("wss");
    }
    return QStringLiteral("tcp");
}

} // namespace

QList<ConnectionProfile> loadProfiles(QSettings &settings)
{
    QList<ConnectionProfile> profiles;
    const int count = settings.beginReadArray(ProfilesKey);
    for (int i = 0; i < count; ++i) {
        settings.setArrayIndex(i);
        ConnectionProfile profile;
        profile.name = settings.value(QStringLiteral("name")).toString();
        profile.host = settings.value(QStringLiteral("host")).toString();
        profile.transport = transportFromText(settings.value(QStringLiteral("transport")).toString());
        const uint port = settings.value(QStringLiteral("port")).toUInt();
        profile.port = port > 0 && port <= 65535 ? quint16(port)
                                                 : ConnectionProfile::defaultPort(profile.transport);
        profile.webSocketPath = settings.value(QStringLiteral("webSocketPath"),
                                               profile.webSocketPath).toString();
        profile.caFile = settings.value(QStringLiteral("caFile")).toString();
        profile.certificateFile = settings.value(QStringLiteral("certificateFile")).toString();
        profile.keyFile = settings.value(QStringLiteral("keyFile")).toString();
        profile.username = settings.value(QStringLiteral("username")).toString();
        profile.rememberPassword = settings.value(QStringLiteral("rememberPassword")).toBool();
        if (profile.rememberPassword)
            profile.password = settings.value(QStringLiteral("password")).toString();
        profile.clientId = settings.value(QStringLiteral("clientId")).toString();
        profile.filters.clear();
        const int filterCount = settings.beginReadArray(QStringLiteral("filters"));
        for (int f = 0; f < filterCount; ++f) {
            settings.setArrayIndex(f);
            profile.filters.append({settings.value(QStringLiteral("filter")).toString(),
                                    quint8(qMin(settings.value(QStringLiteral("qos")).toUInt(), 2u))});
        }
        settings.endArray();
        profiles.append(profile);
    }
    settings.endArray();
    return profiles;
}

void saveProfiles(QSettings &settings, const QList<ConnectionProfile> &profiles)
{
    settings.remove(ProfilesKey); // so that no password of a forgotten profile stays behind
    settings.beginWriteArray(ProfilesKey, int(profiles.size()));
    for (int i = 0; i < profiles.size(); ++i) {
        const ConnectionProfile &profile = profiles.at(i);
        settings.setArrayIndex(i);
        settings.setValue(QStringLiteral("name"), profile.name);
        settings.setValue(QStringLiteral("host"), profile.host);
        settings.setValue(QStringLiteral("port"), profile.port);
        settings.setValue(QStringLiteral("transport"), transportText(profile.transport));
        settings.setValue(QStringLiteral("webSocketPath"), profile.webSocketPath);
        settings.setValue(QStringLiteral("caFile"), profile.caFile);
        settings.setValue(QStringLiteral("certificateFile"), profile.certificateFile);
        settings.setValue(QStringLiteral("keyFile"), profile.keyFile);
        settings.setValue(QStringLiteral("username"), profile.username);
        settings.setValue(QStringLiteral("rememberPassword"), profile.rememberPassword);
        if (profile.rememberPassword)
            settings.setValue(QStringLiteral("password"), profile.password);
        settings.setValue(QStringLiteral("clientId"), profile.clientId);
        settings.beginWriteArray(QStringLiteral("filters"), int(profile.filters.size()));
        for (int f = 0; f < profile.filters.size(); ++f) {
            settings.setArrayIndex(f);
            settings.setValue(QStringLiteral("filter"), profile.filters.at(f).filter);
            settings.setValue(QStringLiteral("qos"), profile.filters.at(f).qos);
        }
        settings.endArray();
    }
    settings.endArray();
}

QList<ConnectionProfile> savedProfiles()
{
    QSettings settings;
    return loadProfiles(settings);
}

} // namespace iotcore::ui
