#include "IotDataApi.h"

#include "DataApiPublish.h"

#include "core/Broker.h"
#include "iot/IotAuthenticator.h"
#include "mqtt/Topic.h"
#include "net/BrokerServer.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QMetaObject>

#include <mutex>

namespace iotcore::app {

using namespace iotcore::broker;

namespace {

// gRPC status codes, as the service's REST gateway reported them beside the HTTP status.
constexpr int InvalidArgument = 3;
constexpr int NotFound = 5;
constexpr int Unimplemented = 12;
constexpr int Unauthenticated = 16;

// IOT_CORE.md: "topic ≤ 1024 characters, data ≤ 262,144 bytes".
constexpr qsizetype MaxTopicCharacters = 1024;
constexpr qsizetype MaxDataBytes = qsizetype(IotAuthenticator::MaxPayloadSize);

const QByteArray BasicChallenge = "Basic realm=\"iot-devices\", charset=\"UTF-8\"";

HttpResponse errorResponse(int status, int code, const QString &message)
{
    HttpResponse response;
    response.status = status;
    response.body = QJsonDocument(QJsonObject{{QStringLiteral("code"), code},
                                              {QStringLiteral("message"), message}})
                        .toJson(QJsonDocument::Compact);
    if (status == 401)
        response.headers.emplace_back("WWW-Authenticate", BasicChallenge);
    return response;
}

int grpcCodeOfHttpError(int status)
{
    switch (status) {
    case 404: return NotFound;
    case 405:
    case 501:
    case 505: return Unimplemented;
    default: return InvalidArgument;
    }
}

struct Route {
    DataApiPublish::Entity entity = DataApiPublish::Entity::Device;
    QByteArray id;
};

// "/iot-devices/v1/devices/{id}/publish" or ".../registries/{id}/publish".
std::optional<Route> routeOf(const QByteArray &path)
{
    const QList<QByteArray> parts = path.split('/');
    if (parts.size() != 6 || !parts[0].isEmpty() || parts[1] != "iot-devices" || parts[2] != "v1"
        || parts[4].isEmpty() || parts[5] != "publish")
        return std::nullopt;
    if (parts[3] == "devices")
        return Route{DataApiPublish::Entity::Device, parts[4]};
    if (parts[3] == "registries")
        return Route{DataApiPublish::Entity::Registry, parts[4]};
    return std::nullopt;
}

// protojson reads bytes in the standard or the URL-safe alphabet, padded or not.
std::optional<QByteArray> decodeBase64(const QByteArray &text)
{
    for (const auto alphabet : {QByteArray::Base64Encoding, QByteArray::Base64UrlEncoding}) {
        QByteArray::FromBase64Result decoded =
            QByteArray::fromBase64Encoding(text, alphabet | QByteArray::AbortOnBase64DecodingErrors);
        if (decoded)
            return std::move(decoded.decoded);
    }
    return std::nullopt;
}

} // namespace

// How the broker thread answers: a queued call to this object, made under a lock so that it
// never races with the object's destruction (after which answers are dropped).
struct IotDataApi::Mailbox {
    std::mutex mutex;
    IotDataApi *receiver = nullptr;

    void deliver(std::uint64_t ticket, DataApiOutcome outcome)
    {
        std::lock_guard lock(mutex);
        if (!receiver)
            return;
        IotDataApi *target = receiver;
        QMetaObject::invokeMethod(
            target, [target, ticket, outcome = std::move(outcome)] { target->answer(ticket, outcome); },
            Qt::QueuedConnection);
    }
};

IotDataApi::IotDataApi(BrokerServer &server, std::shared_ptr<IotAuthenticator> authenticator,
                       QObject *parent)
    : QObject(parent)
    , m_server(server)
    , m_authenticator(std::move(authenticator))
    , m_mailbox(std::make_shared<Mailbox>())
{
    m_mailbox->receiver = this;
    HttpServer::Options options;
    options.errorResponse = [](int status, const QString &message) {
        return errorResponse(status, grpcCodeOfHttpError(status), message);
    };
    m_http = new HttpServer([this](HttpRequest request, HttpServer::Respond respond) {
        handle(std::move(request), std::move(respond));
    }, std::move(options), this);
}

IotDataApi::~IotDataApi()
{
    std::lock_guard lock(m_mailbox->mutex);
    m_mailbox->receiver = nullptr;
}

bool IotDataApi::listen(const QHostAddress &address, quint16 port, QString *error)
{
    return m_http->listen(address, port, error);
}

QString IotDataApi::url() const
{
    const QHostAddress address = m_http->address();
    const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
        ? u'[' + address.toString() + u']'
        : address.toString();
    return QStringLiteral("http://%1:%2").arg(host).arg(m_http->port());
}

void IotDataApi::close()
{
    m_http->close();
    m_waiting.clear();
}

void IotDataApi::handle(HttpRequest request, HttpServer::Respond respond)
{
    const std::optional<Route> route = routeOf(request.path());
    if (!route) {
        respond(errorResponse(404, NotFound, QStringLiteral("no such path: %1")
                                                 .arg(QString::fromUtf8(request.path()))));
        return;
    }
    if (request.method != "POST") {
        HttpResponse response = errorResponse(405, Unimplemented,
                                              QStringLiteral("method %1 not allowed: use POST")
                                                  .arg(QString::fromLatin1(request.method)));
        response.headers.emplace_back("Allow", "POST");
        respond(std::move(response));
        return;
    }

    // Credentials: HTTP Basic with the id and a password of the entity the path names.
    const QByteArray authorization = request.header("authorization");
    const qsizetype space = authorization.indexOf(' ');
    const QByteArray scheme = (space < 0 ? authorization : authorization.left(space)).toLower();
    if (scheme != "basic") {
        const QString what = authorization.isEmpty()
            ? QStringLiteral("no credentials")
            : scheme == "bearer" ? QStringLiteral("IAM tokens (Bearer) do not exist here")
                                 : QStringLiteral("unsupported authorization scheme");
        respond(errorResponse(401, Unauthenticated,
                              QStringLiteral("%1: use HTTP Basic authentication with the device or "
                                             "registry id as the user name and one of its passwords")
                                  .arg(what)));
        return;
    }
    const std::optional<QByteArray> basic = decodeBase64(authorization.mid(space + 1).trimmed());
    const qsizetype colon = basic ? basic->indexOf(':') : -1;
    if (colon < 0) {
        respond(errorResponse(401, Unauthenticated,
                              QStringLiteral("malformed Basic credentials: expected base64 of "
                                             "\"id:password\"")));
        return;
    }

    // The body: {"topic": "...", "data": "<base64>"}; unknown fields are ignored, as protojson did.
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject()) {
        respond(errorResponse(400, InvalidArgument,
                              parseError.error != QJsonParseError::NoError
                                  ? QStringLiteral("malformed JSON body: %1 at offset %2")
                                        .arg(parseError.errorString())
                                        .arg(parseError.offset)
                                  : QStringLiteral("the body must be a JSON object")));
        return;
    }
    const QJsonObject body = document.object();
    const QJsonValue topicValue = body.value(QStringLiteral("topic"));
    if (!topicValue.isString() || topicValue.toString().isEmpty()) {
        respond(errorResponse(400, InvalidArgument,
                              QStringLiteral("\"topic\" is required and must be a string")));
        return;
    }
    const QString topic = topicValue.toString();
    if (topic.toUcs4().size() > MaxTopicCharacters) {
        respond(errorResponse(400, InvalidArgument,
                              QStringLiteral("topic of %1 characters is over the limit of %2")
                                  .arg(topic.toUcs4().size())
                                  .arg(MaxTopicCharacters)));
        return;
    }
    const std::string topicUtf8 = topic.toStdString();
    if (std::string reason; !isValidTopicName(topicUtf8, &reason)) {
        respond(errorResponse(400, InvalidArgument,
                              QStringLiteral("invalid topic: %1").arg(QString::fromStdString(reason))));
        return;
    }
    // A missing (or null) data is an empty payload.
    const QJsonValue dataValue = body.value(QStringLiteral("data"));
    QByteArray payload;
    if (!dataValue.isUndefined() && !dataValue.isNull()) {
        const std::optional<QByteArray> decoded =
            dataValue.isString() ? decodeBase64(dataValue.toString().toLatin1()) : std::nullopt;
        if (!decoded) {
            respond(errorResponse(400, InvalidArgument,
                                  QStringLiteral("\"data\" must be a base64 string")));
            return;
        }
        payload = *decoded;
    }
    if (payload.size() > MaxDataBytes) {
        respond(errorResponse(413, InvalidArgument,
                              QStringLiteral("data of %1 bytes is over the limit of %2")
                                  .arg(payload.size())
                                  .arg(MaxDataBytes)));
        return;
    }

    DataApiPublish publish;
    publish.entity = route->entity;
    publish.id = route->id.toStdString();
    publish.username = basic->left(colon).toStdString();
    publish.password = basic->mid(colon + 1).toStdString();
    publish.topic = topicUtf8;
    publish.payload = payload.toStdString();
    publish.peer = request.peer.toStdString();

    const std::uint64_t ticket = m_nextTicket++;
    m_waiting.emplace(ticket, std::move(respond));
    m_server.post([authenticator = m_authenticator, mailbox = m_mailbox, ticket,
                   publish = std::move(publish)](Broker &broker) mutable {
        publishFromDataApi(broker, *authenticator, std::move(publish),
                           [mailbox, ticket](DataApiOutcome outcome) {
                               mailbox->deliver(ticket, std::move(outcome));
                           });
    });
}

void IotDataApi::answer(std::uint64_t ticket, const DataApiOutcome &outcome)
{
    const auto it = m_waiting.find(ticket);
    if (it == m_waiting.end())
        return;
    HttpServer::Respond respond = std::move(it->second);
    m_waiting.erase(it);
    if (outcome.status == 200) {
        HttpResponse response;
        response.body = "{}";
        respond(std::move(response));
        return;
    }
    respond(errorResponse(outcome.status, outcome.code, QString::fromStdString(outcome.message)));
}

} // namespace iotcore::app
