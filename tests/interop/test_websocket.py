"""MQTT over WebSocket (MQTT 3.1.1 section 6, RFC 6455) on the --open-ws listener.

Clients: paho-mqtt 1.6.1 with transport="websockets", websocket-client (python3-websocket) for
frame-level checks, and a raw socket for the HTTP handshake.
"""

import base64
import hashlib
import os
import socket
import unittest

import brokerproc
import mqttraw
from brokerproc import unique
from clients import PahoClient

WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def handshake(host, port, protocols="mqtt", path="/mqtt", ssl_context=None):
    """A raw RFC 6455 opening handshake (over TLS with ssl_context); returns
    (status line, {header: value}, socket, key)."""
    key = base64.b64encode(os.urandom(16)).decode()
    request = ("GET %s HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n" % (path, host, port, key))
    if protocols:
        request += "Sec-WebSocket-Protocol: %s\r\n" % protocols
    sock = socket.create_connection((host, port), 5)
    if ssl_context is not None:
        sock = ssl_context.wrap_socket(sock, server_hostname=host)
    sock.sendall((request + "\r\n").encode())
    response = b""
    while b"\r\n\r\n" not in response:
        chunk = sock.recv(4096)
        if not chunk:
            break
        response += chunk
    head = response.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return head[0], headers, sock, key


class WsSocket:
    """websocket-client connection with the socket calls RawClient uses, so the same MQTT byte
    stream can be read over WebSocket. Writes go out as one binary frame each."""

    def __init__(self, ws):
        self.ws = ws

    def settimeout(self, t):
        self.ws.settimeout(t)

    def sendall(self, data):
        self.ws.send_binary(data)

    def recv(self, n):
        import websocket
        try:
            opcode, data = self.ws.recv_data(control_frame=False)
        except websocket.WebSocketTimeoutException:
            raise socket.timeout() from None
        except websocket.WebSocketConnectionClosedException:
            return b""
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            return b""
        if opcode != websocket.ABNF.OPCODE_BINARY:
            raise AssertionError("MQTT must come in binary frames [MQTT-6.0.0-1], got opcode %d" % opcode)
        return data

    def setsockopt(self, *args):
        self.ws.sock.setsockopt(*args)

    def close(self):
        self.ws.close()


class WebSocketTest(brokerproc.BrokerTestCase):
    broker_options = {"ws": True}

    @classmethod
    def setUpClass(cls):
        try:
            import paho.mqtt.client  # noqa: F401
            import websocket  # noqa: F401
        except ImportError as e:
            raise unittest.SkipTest("%s (install python3-paho-mqtt and python3-websocket)" % e)
        super().setUpClass()

    def setUp(self):
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.close()

    def paho(self, transport):
        c = PahoClient(unique(transport), transport=transport)
        self.clients.append(c)
        if transport == "websockets":
            result = c.connect(self.broker.host, self.broker.ws_port, ws_path="/mqtt")
        else:
            result = c.connect(self.broker.host, self.broker.mqtt_port)
        self.assertEqual(result, (False, 0))
        return c

    def ws_raw(self):
        import websocket
        ws = websocket.create_connection("ws://%s:%d/mqtt" % (self.broker.host, self.broker.ws_port),
                                         subprotocols=["mqtt"], timeout=5)
        client = mqttraw.RawClient(None, None, sock=WsSocket(ws))
        self.addCleanup(client.close)
        return ws, client

    # --- the opening handshake ------------------------------------------------------------------

    def test_handshake_selects_the_mqtt_subprotocol(self):
        status, headers, sock, key = handshake(self.broker.host, self.broker.ws_port)
        sock.close()
        self.assertRegex(status, r"^HTTP/1\.1 101\b")
        self.assertEqual(headers.get("sec-websocket-protocol"), "mqtt", "[MQTT-6.0.0-4]")
        expected = base64.b64encode(hashlib.sha1(key.encode() + WS_GUID).digest()).decode()
        self.assertEqual(headers.get("sec-websocket-accept"), expected, "RFC 6455 4.2.2")
        self.assertEqual(headers.get("upgrade", "").lower(), "websocket")

    def test_handshake_picks_mqtt_from_a_list(self):
        # Old MQTT.js and browser clients offer "mqttv3.1" before "mqtt".
        status, headers, sock, _ = handshake(self.broker.host, self.broker.ws_port, "mqttv3.1, mqtt")
        sock.close()
        self.assertRegex(status, r"^HTTP/1\.1 101\b")
        self.assertEqual(headers.get("sec-websocket-protocol"), "mqtt")

    # --- paho over WebSocket ----------------------------------------------------------------------

    def test_paho_round_trips_over_websocket(self):
        ws = self.paho("websockets")
        for qos in (0, 1, 2):
            with self.subTest(qos=qos):
                topic = unique("ws")
                self.assertEqual(ws.subscribe([(topic, qos)]), [qos])
                ws.publish(topic, b"over ws %d" % qos, qos=qos)
                got = ws.expect(1, topic=topic)[0]
                self.assertEqual((got.payload, got.qos), (b"over ws %d" % qos, qos))

    def test_messages_cross_between_tcp_and_websocket(self):
        tcp, ws = self.paho("tcp"), self.paho("websockets")
        t1, t2 = unique("tcp2ws"), unique("ws2tcp")
        ws.subscribe([(t1, 1)])
        tcp.subscribe([(t2, 1)])
        big = os.urandom(100_000)  # several WebSocket frames' worth, a multi-byte remaining length
        tcp.publish(t1, b"from tcp", qos=1)
        tcp.publish(t1, big, qos=1)
        ws.publish(t2, b"from ws", qos=1)
        ws.publish(t2, big, qos=1)
        self.assertEqual([m.payload for m in ws.expect(2, topic=t1)], [b"from tcp", big])
        self.assertEqual([m.payload for m in tcp.expect(2, topic=t2)], [b"from ws", big])

    def test_will_of_a_websocket_client(self):
        tcp = self.paho("tcp")
        will_topic = unique("wswill")
        tcp.subscribe([(will_topic, 1)])
        victim = PahoClient(unique("wsvictim"), transport="websockets")
        self.clients.append(victim)
        victim.connect(self.broker.host, self.broker.ws_port, ws_path="/mqtt",
                       will=(will_topic, b"ws gone", 1, False))
        victim.abort()
        got = tcp.expect(1, topic=will_topic)[0]
        self.assertEqual((got.payload, got.qos), (b"ws gone", 1))

    # --- framing (section 6) ----------------------------------------------------------------------

    def test_packets_are_not_aligned_to_frames(self):
        # [MQTT-6.0.0-2]: the receiver must not assume packets are aligned on frame boundaries.
        ws, client = self.ws_raw()
        connect = mqttraw.connect(unique("split"))
        ws.send_binary(connect[:5])
        ws.send_binary(connect[5:])
        self.assertEqual(client.expect(mqttraw.CONNACK).return_code, 0)
        topic = unique("frames")
        together = mqttraw.subscribe(1, [(topic, 1)]) + mqttraw.publish(topic, b"one frame", qos=1, pid=2)
        one_byte_each = mqttraw.publish(topic, b"byte by byte", qos=0)
        ws.send_binary(together)
        self.assertEqual(client.expect(mqttraw.SUBACK).granted, [1])
        self.assertEqual(client.expect(mqttraw.PUBACK).pid, 2)
        self.assertEqual(client.receive().payload, b"one frame")
        for i in range(len(one_byte_each)):
            ws.send_binary(one_byte_each[i:i + 1])
        self.assertEqual(client.receive().payload, b"byte by byte")

    def test_fragmented_websocket_message(self):
        import websocket
        ws, client = self.ws_raw()
        connect = mqttraw.connect(unique("frag"))
        ws.send_frame(websocket.ABNF.create_frame(connect[:4], websocket.ABNF.OPCODE_BINARY, fin=0))
        ws.send_frame(websocket.ABNF.create_frame(connect[4:9], websocket.ABNF.OPCODE_CONT, fin=0))
        ws.send_frame(websocket.ABNF.create_frame(connect[9:], websocket.ABNF.OPCODE_CONT, fin=1))
        self.assertEqual(client.expect(mqttraw.CONNACK).return_code, 0)

    def test_text_frame_closes_the_connection(self):
        # [MQTT-6.0.0-1]: MQTT goes in binary frames; any other data frame closes the connection.
        ws, client = self.ws_raw()
        client.handshake(unique("text"))
        ws.send(mqttraw.pingreq().decode("latin-1"))  # a text frame
        self.assertTrue(client.wait_closed(3), "still open after a text frame (read %r)" % client.unread)


if __name__ == "__main__":
    brokerproc.main()
