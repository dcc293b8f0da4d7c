"""A minimal MQTT 3.1.1 client on a raw socket, written from the OASIS standard.

Used where a test must see or send exact bytes: CONNACK return codes, DUP and RETAIN flags,
malformed packets, silence for keep-alive. Nothing here knows about the broker under test.
"""

import socket
import struct
import time

CONNECT, CONNACK, PUBLISH, PUBACK, PUBREC, PUBREL, PUBCOMP = 1, 2, 3, 4, 5, 6, 7
SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ, PINGRESP, DISCONNECT = 8, 9, 10, 11, 12, 13, 14

TYPE_NAMES = {
    CONNECT: "CONNECT", CONNACK: "CONNACK", PUBLISH: "PUBLISH", PUBACK: "PUBACK",
    PUBREC: "PUBREC", PUBREL: "PUBREL", PUBCOMP: "PUBCOMP", SUBSCRIBE: "SUBSCRIBE",
    SUBACK: "SUBACK", UNSUBSCRIBE: "UNSUBSCRIBE", UNSUBACK: "UNSUBACK", PINGREQ: "PINGREQ",
    PINGRESP: "PINGRESP", DISCONNECT: "DISCONNECT",
}


# --- encoding (section 1.5 data representation, 2.2.3 remaining length) ----------------------

def remaining_length(n):
    out = bytearray()
    while True:
        byte, n = n % 128, n // 128
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def utf8(s):
    data = s.encode("utf-8") if isinstance(s, str) else bytes(s)
    return struct.pack("!H", len(data)) + data


def packet(ptype, flags, body=b""):
    return bytes([(ptype << 4) | flags]) + remaining_length(len(body)) + body


def connect(client_id="", clean=True, keepalive=60, will=None, username=None, password=None,
            proto_name="MQTT", proto_level=4, reserved_flag=False):
    """will = (topic, payload, qos, retain)."""
    flags = 0
    if clean:
        flags |= 0x02
    payload = utf8(client_id)
    if will is not None:
        topic, message, qos, retain = will
        flags |= 0x04 | (qos << 3) | (0x20 if retain else 0)
        payload += utf8(topic) + utf8(message)
    if username is not None:
        flags |= 0x80
        payload += utf8(username)
    if password is not None:
        flags |= 0x40
        payload += utf8(password)
    if reserved_flag:
        flags |= 0x01
    body = utf8(proto_name) + bytes([proto_level, flags]) + struct.pack("!H", keepalive) + payload
    return packet(CONNECT, 0, body)


def publish(topic, payload=b"", qos=0, retain=False, dup=False, pid=None):
    if isinstance(payload, str):
        payload = payload.encode()
    flags = (0x08 if dup else 0) | (qos << 1) | (0x01 if retain else 0)
    body = utf8(topic)
    if qos > 0:
        body += struct.pack("!H", pid)
    return packet(PUBLISH, flags, body + payload)


def ack(ptype, pid):
    return packet(ptype, 0x02 if ptype == PUBREL else 0, struct.pack("!H", pid))


def subscribe(pid, filters, flags=0x02):
    """filters = [(filter, qos), ...]; flags other than 2 are a protocol violation (3.8.1)."""
    body = struct.pack("!H", pid) + b"".join(utf8(f) + bytes([q]) for f, q in filters)
    return packet(SUBSCRIBE, flags, body)


def unsubscribe(pid, filters):
    body = struct.pack("!H", pid) + b"".join(utf8(f) for f in filters)
    return packet(UNSUBSCRIBE, 0x02, body)


def pingreq():
    return packet(PINGREQ, 0)


def disconnect():
    return packet(DISCONNECT, 0)


# --- decoding -------------------------------------------------------------------------------

class Packet:
    def __init__(self, first, body):
        self.type = first >> 4
        self.flags = first & 0x0F
        self.body = body

    @property
    def name(self):
        return TYPE_NAMES.get(self.type, "TYPE%d" % self.type)

    # CONNACK
    @property
    def session_present(self):
        return bool(self.body[0] & 0x01)

    @property
    def return_code(self):
        return self.body[1]

    # PUBLISH
    @property
    def qos(self):
        return (self.flags >> 1) & 0x03

    @property
    def retain(self):
        return bool(self.flags & 0x01)

    @property
    def dup(self):
        return bool(self.flags & 0x08)

    @property
    def topic(self):
        (n,) = struct.unpack_from("!H", self.body, 0)
        return self.body[2:2 + n].decode("utf-8")

    @property
    def pid(self):
        if self.type == PUBLISH:
            if self.qos == 0:
                return None
            (n,) = struct.unpack_from("!H", self.body, 0)
            return struct.unpack_from("!H", self.body, 2 + n)[0]
        return struct.unpack_from("!H", self.body, 0)[0]

    @property
    def payload(self):
        (n,) = struct.unpack_from("!H", self.body, 0)
        start = 2 + n + (2 if self.qos else 0)
        return bytes(self.body[start:])

    # SUBACK
    @property
    def granted(self):
        return list(self.body[2:])

    def __repr__(self):
        if self.type == PUBLISH:
            return "<PUBLISH d%d q%d r%d pid=%s %r %r>" % (
                self.dup, self.qos, self.retain, self.pid, self.topic, self.payload)
        return "<%s flags=%x body=%s>" % (self.name, self.flags, self.body.hex())


class Closed(Exception):
    """The server closed the network connection."""


class RawClient:
    """One MQTT network connection driven byte by byte."""

    def __init__(self, host, port, timeout=5.0, sock=None):
        self.sock = sock if sock is not None else socket.create_connection((host, port), timeout)
        self.sock.settimeout(timeout)
        self.buffer = bytearray()
        self.closed = False
        self.next_pid = 1
        self.pending = []  # packets read while looking for another kind, in arrival order

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def abort(self):
        """Close with a TCP reset, no DISCONNECT: an abnormal disconnect for the server."""
        try:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        self.close()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("no data from the server in time")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError("no data from the server in time") from None
        except (ConnectionResetError, BrokenPipeError):
            chunk = b""
        if not chunk:
            self.closed = True
            raise Closed()
        self.buffer += chunk

    def _read_packet(self, deadline):
        while True:
            parsed = self._parse()
            if parsed is not None:
                return parsed
            if self.closed:
                raise Closed()
            self._fill(deadline)

    def recv(self, timeout=5.0):
        """The next packet (set aside ones first). Raises Closed on end of stream,
        TimeoutError on silence."""
        if self.pending:
            return self.pending.pop(0)
        return self._read_packet(time.monotonic() + timeout)

    def _parse(self):
        if len(self.buffer) < 2:
            return None
        length, multiplier, i = 0, 1, 1
        while True:
            if i >= len(self.buffer):
                return None
            byte = self.buffer[i]
            length += (byte & 0x7F) * multiplier
            multiplier *= 128
            i += 1
            if not byte & 0x80:
                break
            if i > 4:
                raise ValueError("malformed remaining length from the server")
        if len(self.buffer) < i + length:
            return None
        pkt = Packet(self.buffer[0], bytes(self.buffer[i:i + length]))
        del self.buffer[:i + length]
        return pkt

    def expect(self, ptype, timeout=5.0, pid=None):
        """The first packet of type ptype (and packet identifier pid, if given). Packets of
        other kinds read on the way are set aside for later recv()/receive() calls, so a client
        subscribed to what it publishes sees its PUBACK and the PUBLISH in either order."""
        def wanted(p):
            return p.type == ptype and (pid is None or p.pid == pid)
        for i, p in enumerate(self.pending):
            if wanted(p):
                return self.pending.pop(i)
        deadline = time.monotonic() + timeout
        while True:
            try:
                p = self._read_packet(deadline)
            except TimeoutError:
                raise TimeoutError("no %s from the server within %.1f s (set aside: %r)"
                                   % (TYPE_NAMES[ptype], timeout, self.pending)) from None
            if wanted(p):
                return p
            self.pending.append(p)

    def wait_closed(self, timeout=5.0):
        """True when the server closes the connection within timeout; packets read meanwhile
        are returned in self.unread."""
        self.unread = []
        deadline = time.monotonic() + timeout
        try:
            while True:
                self.unread.append(self.recv(max(0.0, deadline - time.monotonic())))
        except Closed:
            return True
        except TimeoutError:
            return False

    # conveniences for well-behaved flows
    def pid(self):
        pid = self.next_pid
        self.next_pid = pid % 65535 + 1
        return pid

    def handshake(self, client_id="", clean=True, keepalive=60, will=None, timeout=5.0, **kw):
        self.send(connect(client_id, clean, keepalive, will, **kw))
        return self.expect(CONNACK, timeout)

    def subscribe(self, filters, timeout=5.0):
        pid = self.pid()
        self.send(subscribe(pid, filters))
        return self.expect(SUBACK, timeout, pid).granted

    def unsubscribe(self, filters, timeout=5.0):
        pid = self.pid()
        self.send(unsubscribe(pid, filters))
        return self.expect(UNSUBACK, timeout, pid)

    def publish(self, topic, payload=b"", qos=0, retain=False, timeout=5.0):
        """Publish and finish the QoS flow (PUBACK, or PUBREC/PUBREL/PUBCOMP)."""
        pid = self.pid() if qos else None
        self.send(publish(topic, payload, qos, retain, pid=pid))
        if qos == 1:
            self.expect(PUBACK, timeout, pid)
        elif qos == 2:
            self.expect(PUBREC, timeout, pid)
            self.send(ack(PUBREL, pid))
            self.expect(PUBCOMP, timeout, pid)
        return pid

    def receive(self, timeout=5.0, auto_ack=True):
        """The next PUBLISH, acknowledging it (QoS 1: PUBACK; QoS 2: PUBREC, PUBREL, PUBCOMP)."""
        pkt = self.expect(PUBLISH, timeout)
        if auto_ack and pkt.qos == 1:
            self.send(ack(PUBACK, pkt.pid))
        elif auto_ack and pkt.qos == 2:
            self.send(ack(PUBREC, pkt.pid))
            rel = self.expect(PUBREL, timeout, pkt.pid)
            assert rel.flags == 0x02, "PUBREL flags must be 0010 [MQTT-3.6.1-1]: %r" % rel
            self.send(ack(PUBCOMP, pkt.pid))
        return pkt

    def receive_until(self, predicate, timeout=5.0):
        """PUBLISH packets up to and including the first one for which predicate is true."""
        got = []
        deadline = time.monotonic() + timeout
        while True:
            pkt = self.receive(max(0.01, deadline - time.monotonic()))
            got.append(pkt)
            if predicate(pkt):
                return got

    def disconnect(self):
        try:
            self.send(disconnect())
        except OSError:
            pass
        # The client must close the connection after DISCONNECT [MQTT-3.14.4-1]; the server
        # should close it too. Waiting for that makes "the server has processed DISCONNECT"
        # a fact before the test goes on.
        try:
            self.sock.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        self.wait_closed(2.0)
        self.close()
