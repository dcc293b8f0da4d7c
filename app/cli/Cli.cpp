#include "Cli.h"

#include <cstdio>

#include <csignal>
#include <sys/signalfd.h>

namespace iotcore::app {

void printError(const QString &message)
{
    const QByteArray line = "iotcore-studio: " + message.toUtf8() + '\n';
    std::fwrite(line.constData(), 1, std::size_t(line.size()), stderr);
    std::fflush(stderr);
}

bool parseHostPort(const QString &text, HostPort *out, QString *error)
{
    QString host = QStringLiteral("127.0.0.1");
    QString portText = text;
    if (text.startsWith(u'[')) {
        const qsizetype close = text.indexOf(u']');
        if (close < 0 || text.mid(close + 1, 1) != QStringLiteral(":")) {
            *error = QStringLiteral("bad address \"%1\": expected [IPv6]:PORT").arg(text);
            return false;
        }
        host = text.mid(1, close - 1);
        portText = text.mid(close + 2);
    } else if (const qsizetype colon = text.lastIndexOf(u':'); colon >= 0) {
        host = text.left(colon);
        portText = text.mid(colon + 1);
        if (host.isEmpty())
            host = QStringLiteral("0.0.0.0");
    }
    bool ok = false;
    const uint port = portText.toUInt(&ok);
    if (!ok || port > 65535) {
        *error = QStringLiteral("bad address \"%1\": expected HOST:PORT with a port from 0 to 65535")
                     .arg(text);
        return false;
    }
    out->host = host.toStdString();
    out->port = std::uint16_t(port);
    return true;
}

int blockStopSignals()
{
    sigset_t stopSignals;
    sigemptyset(&stopSignals);
    sigaddset(&stopSignals, SIGINT);
    sigaddset(&stopSignals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
    return signalfd(-1, &stopSignals, SFD_NONBLOCK | SFD_CLOEXEC);
}

bool parseMessageRateLimit(const QString &text, broker::IotAuthenticator::RateLimit *mode, QString *error)
{
    using RateLimit = broker::IotAuthenticator::RateLimit;
    if (text == QLatin1String("warn"))
        *mode = RateLimit::Warn;
    else if (text == QLatin1String("drop"))
        *mode = RateLimit::Drop;
    else if (text == QLatin1String("off"))
        *mode = RateLimit::Off;
    else {
        *error = QStringLiteral("--message-rate-limit takes off, warn or drop, not \"%1\"").arg(text);
        return false;
    }
    return true;
}

QString messageRateLimitHelp()
{
    return QStringLiteral("IoT Core listeners: past 1 message/s per device or 50 per broker, warn "
                          "(default: counted and logged), drop (logged, acknowledged, not routed) "
                          "or off.");
}

} // namespace iotcore::app
