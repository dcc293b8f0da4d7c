#include "WebSocketHandshake.h"

#include <openssl/evp.h>

#include <algorithm>
#include <vector>

namespace iotcore::broker {

namespace {

// RFC 6455 section 1.3.
constexpr std::string_view AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool equalsIgnoringCase(std::string_view a, std::string_view b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c + 32) : c; };
        return lower(x) == lower(y);
    });
}

std::string_view trimmed(std::string_view text)
{
    const auto isSpace = [](char c) { return c == ' ' || c == '\t'; };
    while (!text.empty() && isSpace(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && isSpace(text.back()))
        text.remove_suffix(1);
    return text;
}

// The comma-separated elements of a header value (RFC 7230 section 7), trimmed.
std::vector<std::string_view> listElements(std::string_view value)
{
    std::vector<std::string_view> elements;
    while (!value.empty()) {
        const std::size_t comma = value.find(',');
        const std::string_view element = trimmed(value.substr(0, comma));
        if (!element.empty())
            elements.push_back(element);
        if (comma == std::string_view::npos)
            break;
        value.remove_prefix(comma + 1);
    }
    return elements;
}

bool containsTokenIgnoringCase(std::string_view value, std::string_view token)
{
    const auto elements = listElements(value);
    return std::any_of(elements.begin(), elements.end(),
                       [&](std::string_view e) { return equalsIgnoringCase(e, token); });
}

// A Sec-WebSocket-Key is the base64 encoding of 16 bytes (RFC 6455 section 4.2.1, item 5).
bool isValidKey(std::string_view key)
{
    if (key.size() != 24 || key.substr(22) != "==")
        return false;
    return std::all_of(key.begin(), key.begin() + 22, [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
               || c == '+' || c == '/';
    });
}

WebSocketHandshake refused(std::string error, std::string_view extraHeaders = {})
{
    WebSocketHandshake handshake;
    handshake.response = webSocketBadRequest(error);
    if (!extraHeaders.empty())
        handshake.response.insert(handshake.response.find("\r\n") + 2, extraHeaders);
    handshake.error = std::move(error);
    return handshake;
}

} // namespace

std::string webSocketAccept(std::string_view key)
{
    std::string input(key);
    input += AcceptGuid;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int digestSize = 0;
    if (!EVP_Digest(input.data(), input.size(), digest, &digestSize, EVP_sha1(), nullptr))
        return {};
    unsigned char encoded[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
    const int length = EVP_EncodeBlock(encoded, digest, int(digestSize));
    return std::string(reinterpret_cast<const char *>(encoded), std::size_t(length));
}

std::string webSocketBadRequest(std::string_view reason)
{
    std::string body(reason);
    body += '\n';
    return "HTTP/1.1 400 Bad Request\r\n"
           "Connection: close\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n"
           "Content-Length: "
           + std::to_string(body.size()) + "\r\n\r\n" + body;
}

WebSocketHandshake answerWebSocketRequest(std::string_view request)
{
    std::size_t lineEnd = request.find("\r\n");
    if (lineEnd == std::string_view::npos)
        return refused("incomplete HTTP request");

    // Request line: GET <any target> HTTP/1.1 (RFC 6455 section 4.1, item 2).
    const std::string_view requestLine = request.substr(0, lineEnd);
    const std::size_t firstSpace = requestLine.find(' ');
    const std::size_t lastSpace = requestLine.rfind(' ');
    if (firstSpace == std::string_view::npos || lastSpace == firstSpace)
        return refused("malformed HTTP request line");
    if (requestLine.substr(0, firstSpace) != "GET")
        return refused("a WebSocket handshake is a GET request");
    if (requestLine.substr(lastSpace + 1) != "HTTP/1.1")
        return refused("a WebSocket handshake needs HTTP/1.1");

    bool hasHost = false;
    bool upgrade = false;
    bool connectionUpgrade = false;
    std::string_view version;
    std::string_view key;
    bool offersMqtt = false;
    bool offersMqtt31 = false;

    std::size_t position = lineEnd + 2;
    for (;;) {
        lineEnd = request.find("\r\n", position);
        if (lineEnd == std::string_view::npos)
            return refused("incomplete HTTP request");
        const std::string_view line = request.substr(position, lineEnd - position);
        position = lineEnd + 2;
        if (line.empty())
            break;
        if (line.front() == ' ' || line.front() == '\t')
            return refused("folded HTTP header lines are not accepted");
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0)
            return refused("malformed HTTP header line");
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trimmed(line.substr(colon + 1));
        if (equalsIgnoringCase(name, "Host")) {
            hasHost = true;
        } else if (equalsIgnoringCase(name, "Upgrade")) {
            upgrade = upgrade || containsTokenIgnoringCase(value, "websocket");
        } else if (equalsIgnoringCase(name, "Connection")) {
            connectionUpgrade = connectionUpgrade || containsTokenIgnoringCase(value, "Upgrade");
        } else if (equalsIgnoringCase(name, "Sec-WebSocket-Version")) {
            version = value;
        } else if (equalsIgnoringCase(name, "Sec-WebSocket-Key")) {
            if (!key.empty())
                return refused("more than one Sec-WebSocket-Key");
            key = value;
        } else if (equalsIgnoringCase(name, "Sec-WebSocket-Protocol")) {
            // Subprotocol names are compared exactly (RFC 6455 section 4.1, item 10).
            for (const std::string_view offered : listElements(value)) {
                offersMqtt = offersMqtt || offered == "mqtt";
                offersMqtt31 = offersMqtt31 || offered == "mqttv3.1";
            }
        }
    }

    if (!hasHost)
        return refused("no Host header");
    if (!upgrade)
        return refused("not a WebSocket upgrade: no \"Upgrade: websocket\" header");
    if (!connectionUpgrade)
        return refused("not a WebSocket upgrade: no \"Connection: Upgrade\" header");
    if (version != "13")
        return refused("unsupported Sec-WebSocket-Version (13 is supported)",
                       "Sec-WebSocket-Version: 13\r\n");
    if (!isValidKey(key))
        return refused("missing or malformed Sec-WebSocket-Key");

    WebSocketHandshake handshake;
    handshake.accepted = true;
    handshake.subprotocol = offersMqtt ? "mqtt" : offersMqtt31 ? "mqttv3.1" : "";
    handshake.response = "HTTP/1.1 101 Switching Protocols\r\n"
                         "Upgrade: websocket\r\n"
                         "Connection: Upgrade\r\n"
                         "Sec-WebSocket-Accept: "
                         + webSocketAccept(key) + "\r\n";
    if (!handshake.subprotocol.empty())
        handshake.response += "Sec-WebSocket-Protocol: " + handshake.subprotocol + "\r\n";
    handshake.response += "\r\n";
    return handshake;
}

} // namespace iotcore::broker
