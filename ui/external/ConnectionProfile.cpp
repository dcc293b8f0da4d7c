#include "ConnectionProfile.h"

#include "mqtt/Topic.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QSet>
#include <QUrl>

namespace iotcore::ui {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("iotcore::ui::ConnectionProfile", text);
}

// "", or why `path` cannot be used as the TLS file called `what`.
QString fileProblem(const QString &what, const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return tr("%1 \"%2\" does not exist.").arg(what, path);
    if (!info.isFile() || !info.isReadable())
        return tr("%1 \"%2\" is not a readable file.").arg(what, path);
    return {};
}

QString mqttStringProblem(const QString &what, const QString &text)
{
    std::string reason;
    if (!broker::isValidMqttString(text.toStdString(), &reason))
        return tr("%1 is not a valid MQTT string: %2.").arg(what, QString::fromStdString(reason));
    return {};
}

} // namespace

quint16 ConnectionProfile::defaultPort(Transport transport)
{
    switch (transport) {
    case Transport::Tcp: return 1883;
    case Transport::Tls: return 8883;
    case Transport::WebSocket: return 80;
    case Transport::SecureWebSocket: return 443;
    }
    return 1883;
}

bool ConnectionProfile::isEncrypted(Transport transport)
{
    return transport == Transport::Tls || transport == Transport::SecureWebSocket;
}

QList<ConnectionProfile::Problem> ConnectionProfile::validate() const
{
    QList<Problem> problems;
    const auto add = [&problems](Field field, const QString &message) {
        if (!message.isEmpty())
            problems.append({field, message});
    };

    if (name.trimmed().isEmpty())
        add(Field::Name, tr("The profile needs a name."));

    if (host.trimmed().isEmpty()) {
        add(Field::Host, tr("The host name or address must not be empty."));
    } else if (host.contains(QStringLiteral("://"))) {
        add(Field::Host, tr("Give the host alone (\"broker.example.com\"); the transport chooses "
                            "the scheme."));
    } else {
        QUrl probe;
        probe.setHost(host, QUrl::StrictMode);
        if (probe.host().isEmpty() || host.trimmed() != host)
            add(Field::Host, tr("\"%1\" is not a host name or IP address.").arg(host));
    }

    if (port == 0)
        add(Field::Port, tr("The port must be between 1 and 65535."));

    const bool webSocket = transport == Transport::WebSocket
        || transport == Transport::SecureWebSocket;
    if (webSocket && !webSocketPath.startsWith(QLatin1Char('/')))
        add(Field::WebSocketPath, tr("The WebSocket path must start with \"/\" (\"/mqtt\")."));

    const bool encrypted = isEncrypted(transport);
    const auto tlsFile = [&](Field field, const QString &what, const QString &path) {
        if (path.isEmpty())
            return;
        if (!encrypted)
            add(field, tr("%1 is only used over TLS or secure WebSocket.").arg(what));
        else
            add(field, fileProblem(what, path));
    };
    tlsFile(Field::CaFile, tr("The CA file"), caFile);
    tlsFile(Field::CertificateFile, tr("The client certificate"), certificateFile);
    tlsFile(Field::KeyFile, tr("The client key"), keyFile);
    if (encrypted && certificateFile.isEmpty() != keyFile.isEmpty())
        add(certificateFile.isEmpty() ? Field::CertificateFile : Field::KeyFile,
            tr("A client certificate and its key go together: give both or neither."));

    add(Field::Username, mqttStringProblem(tr("The user name"), username));
    if (!password.isEmpty() && username.isEmpty())
        add(Field::Password, tr("A password is only sent with a user name (MQTT-3.1.2-22)."));
    add(Field::ClientId, mqttStringProblem(tr("The client id"), clientId));

    if (filters.isEmpty())
        add(Field::Filters, tr("Subscribe to at least one topic filter (\"#\" for everything)."));
    QSet<QString> seen;
    for (const ProfileFilter &entry : filters) {
        std::string reason;
        if (!broker::isValidTopicFilter(entry.filter.toStdString(), &reason))
            add(Field::Filters, tr("Filter \"%1\": %2.").arg(entry.filter, QString::fromStdString(reason)));
        else if (entry.qos > 2)
            add(Field::Filters, tr("Filter \"%1\": QoS must be 0, 1 or 2.").arg(entry.filter));
        else if (seen.contains(entry.filter))
            add(Field::Filters, tr("Filter \"%1\" is listed twice.").arg(entry.filter));
        seen.insert(entry.filter);
    }
    return problems;
}

QString ConnectionProfile::url() const
{
    static const char *const schemes[] = {"mqtt", "mqtts", "ws", "wss"};
    QUrl url;
    url.setScheme(QLatin1String(schemes[int(transport)]));
    url.setHost(host);
    url.setPort(port);
    if (transport == Transport::WebSocket || transport == Transport::SecureWebSocket)
        url.setPath(webSocketPath);
    return url.toString();
}

QString ConnectionProfile::endpoint() const
{
    const QString address = host.contains(QLatin1Char(':'))
        ? QStringLiteral("[%1]:%2").arg(host).arg(port) // an IPv6 address
        : QStringLiteral("%1:%2").arg(host).arg(port);
    return username.isEmpty() ? address : tr("%1 as %2").arg(address, username);
}

std::optional<sim::BrokerTarget> ConnectionProfile::target(QString *error) const
{
    sim::TlsFiles files;
    if (isEncrypted(transport)) {
        files.caFile = caFile;
        files.certificateFile = certificateFile;
        files.keyFile = keyFile;
    }
    return sim::BrokerTarget::fromUrl(url(), files, error);
}

} // namespace iotcore::ui
