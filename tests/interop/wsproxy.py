"""A WebSocket front end (RFC 6455, ws:// or wss://) for a plain MQTT broker, for reference runs only.

Debian 12 builds mosquitto without websockets, so to check the WebSocket tests against the
reference broker, this accepts MQTT over WebSocket the way MQTT 3.1.1 section 6 describes it
(binary frames, `mqtt` subprotocol, packets not aligned to frames) and relays the bytes to
mosquitto's TCP listener.
"""

import base64
import hashlib
import socket
import struct
import threading

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def _recv_exact(sock, n):
    data = bytearray()
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("eof")
        data += chunk
    return bytes(data)


def _frame(opcode, payload):
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([n])
    elif n < 65536:
        head += bytes([126]) + struct.pack("!H", n)
    else:
        head += bytes([127]) + struct.pack("!Q", n)
    return head + payload


class WebSocketFrontEnd:
    def __init__(self, host, upstream_port, tls=None):
        """tls: (cert_file, key_file) to serve wss:// instead of ws://."""
        self.upstream = (host, upstream_port)
        self.tls = None
        if tls:
            import ssl
            self.tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.tls.load_cert_chain(tls[0], tls[1])
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((host, 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self):
        self.closing = True
        try:
            self.listener.close()
        except OSError:
            pass

    def _accept(self):
        while not self.closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client):
        try:
            if self.tls:
                client.settimeout(10)
                client = self.tls.wrap_socket(client, server_side=True)
                client.settimeout(None)
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = client.recv(4096)
                if not chunk:
                    client.close()
                    return
                request += chunk
            head, rest = request.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            key = headers.get("sec-websocket-key")
            if not lines[0].startswith("GET ") or not key or headers.get("upgrade", "").lower() != "websocket":
                client.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                client.close()
                return
            accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
            protocols = [p.strip() for p in headers.get("sec-websocket-protocol", "").split(",") if p.strip()]
            response = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        "Sec-WebSocket-Accept: %s\r\n" % accept)
            if "mqtt" in protocols:
                response += "Sec-WebSocket-Protocol: mqtt\r\n"
            client.sendall((response + "\r\n").encode())
            upstream = socket.create_connection(self.upstream)
        except OSError:
            client.close()
            return
        threading.Thread(target=self._down, args=(upstream, client), daemon=True).start()
        self._up(client, upstream, rest)

    def _up(self, client, upstream, pending):
        """Client frames -> broker bytes."""
        buffered = [pending]

        def read(n):
            data = b""
            if buffered[0]:
                data, buffered[0] = buffered[0][:n], buffered[0][n:]
            return data + (_recv_exact(client, n - len(data)) if len(data) < n else b"")

        try:
            while True:
                b0, b1 = read(2)
                opcode, masked, n = b0 & 0x0F, b1 & 0x80, b1 & 0x7F
                if n == 126:
                    (n,) = struct.unpack("!H", read(2))
                elif n == 127:
                    (n,) = struct.unpack("!Q", read(8))
                mask = read(4) if masked else b"\0\0\0\0"
                payload = bytes(c ^ mask[i % 4] for i, c in enumerate(read(n)))
                if opcode in (0x0, 0x2):
                    upstream.sendall(payload)
                elif opcode == 0x9:
                    client.sendall(_frame(0xA, payload))
                elif opcode == 0xA:
                    pass
                elif opcode == 0x8:
                    client.sendall(_frame(0x8, payload[:2]))
                    break
                else:  # text frames are not MQTT [MQTT-6.0.0-1]
                    client.sendall(_frame(0x8, struct.pack("!H", 1003)))
                    break
        except (OSError, ConnectionError, ValueError):
            pass
        for s in (upstream, client):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def _down(self, upstream, client):
        """Broker bytes -> binary frames."""
        try:
            while True:
                data = upstream.recv(65536)
                if not data:
                    break
                client.sendall(_frame(0x2, data))
        except OSError:
            pass
        for s in (upstream, client):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
