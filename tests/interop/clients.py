"""Third-party clients driven from the tests: paho-mqtt 1.6.1 and mosquitto_pub/mosquitto_sub."""

import collections
import shutil
import socket
import struct
import subprocess
import threading
import time

Msg = collections.namedtuple("Msg", "topic payload qos retain dup")

CLIENT_TIMEOUT = 10.0


# --- paho-mqtt ---------------------------------------------------------------------------------

class PahoClient:
    """paho.mqtt.client.Client (MQTT 3.1.1) with its callbacks recorded, and blocking helpers
    that wait with a timeout. It never reconnects by itself: a disconnect is an observation."""

    def __init__(self, client_id="", clean_session=True, transport="tcp"):
        import paho.mqtt.client as mqtt
        self.mqtt = mqtt
        extra = {}
        if hasattr(mqtt, "CallbackAPIVersion"):  # paho-mqtt 2 (Debian 13): keep 1.x callbacks
            extra["callback_api_version"] = mqtt.CallbackAPIVersion.VERSION1
        self.client = mqtt.Client(client_id=client_id, clean_session=clean_session,
                                  protocol=mqtt.MQTTv311, transport=transport,
                                  reconnect_on_failure=False, **extra)
        self.cond = threading.Condition()
        self.messages = []
        self.connacks = []      # (session_present, rc)
        self.disconnects = []   # rc (0 = we asked for it)
        self.subacks = {}       # mid -> granted qos list
        self.unsubacks = set()
        self.acked = set()      # mids whose publish flow completed
        self.client.on_connect = self._on_connect
        self.client.on_disconnect = self._on_disconnect
        self.client.on_message = self._on_message
        self.client.on_subscribe = self._on_subscribe
        self.client.on_unsubscribe = self._on_unsubscribe
        self.client.on_publish = self._on_publish
        self.looping = False

    # callbacks (network thread)
    def _on_connect(self, client, userdata, flags, rc):
        with self.cond:
            self.connacks.append((bool(flags.get("session present")), rc))
            self.cond.notify_all()

    def _on_disconnect(self, client, userdata, rc):
        with self.cond:
            self.disconnects.append(rc)
            self.cond.notify_all()

    def _on_message(self, client, userdata, m):
        with self.cond:
            self.messages.append(Msg(m.topic, bytes(m.payload), m.qos, bool(m.retain), bool(m.dup)))
            self.cond.notify_all()

    def _on_subscribe(self, client, userdata, mid, granted):
        with self.cond:
            self.subacks[mid] = list(granted)
            self.cond.notify_all()

    def _on_unsubscribe(self, client, userdata, mid):
        with self.cond:
            self.unsubacks.add(mid)
            self.cond.notify_all()

    def _on_publish(self, client, userdata, mid):
        with self.cond:
            self.acked.add(mid)
            self.cond.notify_all()

    def wait(self, predicate, timeout, what):
        with self.cond:
            if not self.cond.wait_for(predicate, timeout):
                raise AssertionError("paho client %r: timed out after %.1f s waiting for %s"
                                     % (self.client._client_id, timeout, what))

    # actions
    def connect(self, host, port, keepalive=60, will=None, tls_ca=None, tls_cert=None, tls_key=None,
                ws_path=None, timeout=CLIENT_TIMEOUT):
        """Returns (session_present, return_code) from the CONNACK."""
        if will is not None:
            topic, payload, qos, retain = will
            self.client.will_set(topic, payload, qos, retain)
        if tls_ca is not None:
            self.client.tls_set(ca_certs=tls_ca, certfile=tls_cert, keyfile=tls_key)
        if ws_path is not None:
            self.client.ws_set_options(path=ws_path)
        count = len(self.connacks)
        self.client.connect(host, port, keepalive)
        self.client.loop_start()
        self.looping = True
        self.wait(lambda: len(self.connacks) > count or self.disconnects, timeout, "CONNACK")
        if len(self.connacks) <= count:
            raise AssertionError("connection closed before CONNACK")
        return self.connacks[-1]

    def subscribe(self, filters, timeout=CLIENT_TIMEOUT):
        """filters: [(filter, qos), ...]; returns the granted QoS list from SUBACK."""
        rc, mid = self.client.subscribe(list(filters))
        assert rc == self.mqtt.MQTT_ERR_SUCCESS, "subscribe: %s" % self.mqtt.error_string(rc)
        self.wait(lambda: mid in self.subacks, timeout, "SUBACK %d" % mid)
        return self.subacks[mid]

    def unsubscribe(self, filters, timeout=CLIENT_TIMEOUT):
        rc, mid = self.client.unsubscribe(list(filters))
        assert rc == self.mqtt.MQTT_ERR_SUCCESS, "unsubscribe: %s" % self.mqtt.error_string(rc)
        self.wait(lambda: mid in self.unsubacks, timeout, "UNSUBACK %d" % mid)

    def publish(self, topic, payload=b"", qos=0, retain=False, timeout=CLIENT_TIMEOUT):
        """Publishes and waits until paho reports the flow complete (QoS 1: PUBACK, QoS 2:
        PUBCOMP; QoS 0: written to the socket)."""
        info = self.client.publish(topic, payload, qos, retain)
        assert info.rc == self.mqtt.MQTT_ERR_SUCCESS, "publish: %s" % self.mqtt.error_string(info.rc)
        self.wait(lambda: info.mid in self.acked, timeout, "the end of the QoS %d flow of mid %d" % (qos, info.mid))
        return info.mid

    def expect(self, count, timeout=CLIENT_TIMEOUT, topic=None):
        """Waits until `count` messages (on `topic`, if given) have arrived; returns them."""
        pick = (lambda: [m for m in self.messages if topic is None or m.topic == topic])
        self.wait(lambda: len(pick()) >= count, timeout, "%d message(s)%s" % (count, " on " + topic if topic else ""))
        return pick()[:count]

    def expect_until(self, predicate, timeout=CLIENT_TIMEOUT, what="a message"):
        """All messages up to and including the first that satisfies predicate."""
        def found():
            return any(predicate(m) for m in self.messages)
        self.wait(found, timeout, what)
        with self.cond:
            for i, m in enumerate(self.messages):
                if predicate(m):
                    return self.messages[:i + 1]

    def take(self):
        with self.cond:
            taken, self.messages = self.messages, []
            return taken

    def wait_disconnected(self, timeout=CLIENT_TIMEOUT):
        self.wait(lambda: self.disconnects, timeout, "a disconnect")
        return self.disconnects[-1]

    def disconnect(self):
        """A normal disconnect: DISCONNECT, then the connection closes."""
        if self.looping:
            self.client.disconnect()
            self.client.loop_stop()
            self.looping = False

    def abort(self):
        """An abnormal disconnect: the TCP connection is reset without DISCONNECT."""
        sock = self.client.socket()
        if self.looping:
            self.client._thread_terminate = True  # stop the network thread without sending anything
            self.client.loop_stop()
            self.looping = False
        if sock is not None:
            raw = getattr(sock, "_socket", sock)  # the socket under paho's WebSocket wrapper
            try:
                raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except (OSError, AttributeError):
                pass
            try:
                raw.close()
            except OSError:
                pass

    def close(self):
        try:
            self.disconnect()
        except Exception:
            pass


# --- mosquitto_pub / mosquitto_sub ---------------------------------------------------------------

# One line per message: retain flag, QoS, payload length, payload as hex, topic (last: may hold '|').
SUB_FORMAT = "MSG|%r|%q|%l|%x|%t"


def mosquitto_pub(port, topic, message=None, qos=0, retain=False, null=False, file=None,
                  client_id=None, extra=(), host="127.0.0.1", timeout=CLIENT_TIMEOUT, check=True):
    cmd = ["mosquitto_pub", "-h", host, "-p", str(port), "-t", topic, "-q", str(qos)]
    if retain:
        cmd.append("-r")
    if null:
        cmd.append("-n")
    elif file is not None:
        cmd += ["-f", file]
    elif message is not None:
        cmd += ["-m", message]
    if client_id:
        cmd += ["-i", client_id]
    cmd += list(extra)
    done = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    if check and done.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (" ".join(cmd), done.returncode,
                                                     done.stderr.decode(errors="replace").strip()))
    return done


class MosquittoSub:
    """A running mosquitto_sub with -d, its output parsed: SUBACK seen, messages received."""

    def __init__(self, port, topics, qos=0, client_id=None, clean=True, extra=(), host="127.0.0.1"):
        # stdout of mosquitto_sub is block-buffered on a pipe; stdbuf makes it line-buffered.
        stdbuf = ["stdbuf", "-oL"] if shutil.which("stdbuf") else []
        self.cmd = stdbuf + ["mosquitto_sub", "-h", host, "-p", str(port), "-d", "-q", str(qos), "-F", SUB_FORMAT]
        for t in topics:
            self.cmd += ["-t", t]
        if client_id:
            self.cmd += ["-i", client_id]
        if not clean:
            self.cmd.append("-c")
        self.cmd += list(extra)
        self.cond = threading.Condition()
        self.lines = []
        self.messages = []
        self.subscribed = False
        self.connack = None
        self.eof = False
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.pump = threading.Thread(target=self._pump, daemon=True)
        self.pump.start()

    def _pump(self):
        for raw in iter(self.proc.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self.cond:
                self.lines.append(line)
                if line.startswith("MSG|"):
                    _, retain, qos, length, hexpayload, topic = line.split("|", 5)
                    payload = bytes.fromhex(hexpayload)
                    assert len(payload) == int(length), line
                    self.messages.append(Msg(topic, payload, int(qos), retain == "1", False))
                elif line.startswith("Subscribed (mid"):
                    self.subscribed = True
                elif "received CONNACK" in line:
                    self.connack = line
                self.cond.notify_all()
        self.proc.stdout.close()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def wait(self, predicate, timeout, what):
        with self.cond:
            self.cond.wait_for(lambda: predicate() or self.eof, timeout)
            if not predicate():
                raise AssertionError("mosquitto_sub: %s waiting for %s; output:\n  %s"
                                     % ("exited" if self.eof else "timed out after %.1f s" % timeout,
                                        what, "\n  ".join(self.lines[-30:])))

    def wait_subscribed(self, timeout=CLIENT_TIMEOUT):
        self.wait(lambda: self.subscribed, timeout, "SUBACK")
        return self

    def expect(self, count, timeout=CLIENT_TIMEOUT):
        self.wait(lambda: len(self.messages) >= count, timeout, "%d message(s)" % count)
        with self.cond:
            return list(self.messages[:count])

    def expect_until(self, predicate, timeout=CLIENT_TIMEOUT, what="a message"):
        self.wait(lambda: any(predicate(m) for m in self.messages), timeout, what)
        with self.cond:
            for i, m in enumerate(self.messages):
                if predicate(m):
                    return list(self.messages[:i + 1])

    def wait_exit(self, timeout=CLIENT_TIMEOUT):
        try:
            code = self.proc.wait(timeout)
            # Everything it printed is read before anyone looks at self.lines: the process can
            # exit before the reading thread has taken its last lines.
            self.pump.join(timeout)
            return code
        except subprocess.TimeoutExpired:
            raise AssertionError("mosquitto_sub did not exit within %.1f s; output:\n  %s"
                                 % (timeout, "\n  ".join(self.lines[-30:])))

    def kill(self, sig=9):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            self.proc.wait(CLIENT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def close(self):
        self.kill(15)


def settle(seconds=0.3):
    """A bounded pause for negative checks only (nothing must arrive); never used to wait for
    something that should happen."""
    time.sleep(seconds)
