#include "BrokerTarget.h"

#include "client/ClientTlsFiles.h"
#include "client/SocketClientTransport.h"
#include "client/WebSocketClientTransport.h"

namespace iotcore::sim {

using namespace iotcore::app;

std::optional<BrokerTarget> BrokerTarget::fromUrl(const QString &text, const TlsFiles &files, QString *error)
{
    const QUrl url(text, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    struct Scheme {
        const char *name;
        quint16 defaultPort;
        bool tls;
        bool webSocket;
    };
    static const Scheme schemes[] = {{"mqtt", 1883, false, false}, {"tcp", 1883, false, false},
                                     {"mqtts", 8883, true, false}, {"ssl", 8883, true, false},
                                     {"ws", 80, false, true},      {"wss", 443, true, true}};
    const Scheme *match = nullptr;
    for (const Scheme &candidate : schemes) {
        if (scheme == QLatin1String(candidate.name))
            match = &candidate;
    }
    if (!url.isValid() || !match || url.host().isEmpty()) {
        *error = QStringLiteral("broker \"%1\" is not a broker URL (mqtt://HOST:PORT, mqtts://, ws:// or wss://)")
                     .arg(text);
        return std::nullopt;
    }
    const bool tlsFilesGiven = !files.caFile.isEmpty() || !files.certificateFile.isEmpty()
                               || !files.keyFile.isEmpty(); // the workspace CA is only offered
    if (tlsFilesGiven && !match->tls) {
        *error = QStringLiteral("TLS files are given but broker \"%1\" is not a TLS URL (mqtts:// or wss://)")
                     .arg(text);
        return std::nullopt;
    }
    std::optional<QSslConfiguration> tls;
    if (match->tls) {
        tls = loadClientTlsConfiguration(files.caFile, files.certificateFile, files.keyFile, error);
        if (!tls)
            return std::nullopt;
        if (files.caFile.isEmpty() && !files.extraCaPem.isEmpty())
            tls->setCaCertificates(tls->caCertificates() + QSslCertificate::fromData(files.extraCaPem, QSsl::Pem));
    }
    const QString host = url.host();
    const auto port = quint16(url.port(match->defaultPort));
    QUrl normalized = url;
    normalized.setPort(port);
    if (match->webSocket) {
        QUrl webSocketUrl = normalized;
        if (webSocketUrl.path().isEmpty())
            webSocketUrl.setPath(QStringLiteral("/mqtt"));
        return BrokerTarget([webSocketUrl, tls] { return std::make_unique<WebSocketClientTransport>(webSocketUrl, tls); },
                            webSocketUrl.toString());
    }
    return BrokerTarget([host, port, tls] { return std::make_unique<SocketClientTransport>(host, port, tls); },
                        normalized.toString());
}

BrokerTarget BrokerTarget::inProcess(ClientTransportFactory iotCore, ClientTransportFactory open,
                                     QString description)
{
    BrokerTarget target(std::move(iotCore), std::move(description));
    target.m_openFactory = std::move(open);
    return target;
}

} // namespace iotcore::sim
