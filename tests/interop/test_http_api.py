"""`iotcore-studio serve --http`: the IoT Core data API, end to end, written from
../shared/IOT_CORE.md ("Migration paths users will expect", the data API paragraph).

    POST /iot-devices/v1/devices/{deviceId}/publish
    POST /iot-devices/v1/registries/{registryId}/publish
    {"topic": "...", "data": "<base64>"}  ->  200 {}

The workspace is provisioned with the `iot` command line, `serve --mqtt --http` is started on it,
Python's http.client plays the back-end and the raw MQTT client of mqttraw.py the devices and
registries that receive (exact QoS and RETAIN flags matter).

What is checked:
- a device's publish reaches its registry's MQTT subscriber (at QoS 1), a registry's command
  reaches its device's subscriber, a `state` topic is kept (an exact subscription afterwards gets
  it with RETAIN=1), the monitoring topic is updated, a log line is written;
- every error with its HTTP status and gRPC code: malformed JSON, invalid base64, a topic over
  1024 characters → 400 / 3; bad credentials, another entity's credentials, no credentials,
  Bearer (with a message saying to use Basic) → 401 / 16; a topic the entity may not publish →
  403 / 7; an id that names nothing → 404 / 5; data over 262,144 bytes → 413 / 3; a missing
  `data` is an empty payload; wrong method → 405; unknown path → 404;
- HTTP itself: keep-alive (several requests on one connection), concurrent requests, bodies over
  the bound refused.

Negative checks ("nothing arrives") never sleep: a sentinel the subscriber may receive is
published after the unwanted message, and everything up to it is inspected.

This is our IoT Core mode: under IOTCORE_TEST_BROKER=mosquitto it is skipped.
"""

import base64
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import unittest

import brokerproc
import mqttraw
from brokerproc import Broker, parse_logfmt, unique

PW_R1 = "Reg1-Passw0rd!one"
PW_R2 = "Reg2-Passw0rd!two"
PW_D1 = "Dev1-Passw0rd!aaa"
PW_D2 = "Dev2-Passw0rd!bbb"
PW_D3 = "Dev3-Passw0rd!ccc"
PW_WRONG = "Wrong-Passw0rd!zz"

MAX_DATA = 262144
MAX_TOPIC = 1024
HTTP_READY_RE = re.compile(r"^ready http http://(\[[^\]]+\]|[^\s:/]+):(\d+)$")


def cli_json(workspace, *args):
    done = subprocess.run([brokerproc.BINARY, "iot"] + list(args) + ["-w", workspace, "--format", "json"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError("iot %s failed (%d): %s" % (" ".join(args), done.returncode, done.stderr.strip()))
    return json.loads(done.stdout)


def b64(data):
    return base64.b64encode(data).decode("ascii")


def basic(user, password):
    return "Basic " + b64(("%s:%s" % (user, password)).encode())


class HttpServe(Broker):
    """`serve -w WS --mqtt 127.0.0.1:0 --open-mqtt 127.0.0.1:0 --http 127.0.0.1:0`.
    After start(): iot_port (MQTT, IoT Core) and http_port."""

    def __init__(self, workspace, name="serve"):
        super().__init__(workspace=workspace, name=name, log_level="info")
        self.iot_port = self.http_port = None

    def command(self):
        return [brokerproc.BINARY, "serve", "-w", self.workspace, "--mqtt", "127.0.0.1:0",
                "--open-mqtt", "127.0.0.1:0", "--http", "127.0.0.1:0", "--log-level", self.log_level]

    def _parse_ready_lines(self):
        for line in self.stdout_lines:
            m = HTTP_READY_RE.match(line)
            if m:
                self.ready["http"] = ("http", m.group(1), int(m.group(2)))
                continue
            m = brokerproc.READY_RE.match(line)
            if m:
                self.ready[m.group(1)] = (m.group(2), m.group(3), int(m.group(4)))
            elif line.startswith("ready"):
                raise brokerproc.BrokerStartError(self._failure("malformed ready line %r" % line))

    def start(self, timeout=brokerproc.START_TIMEOUT):
        super().start(timeout)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                self._parse_ready_lines()
                if {"mqtt", "http"} <= set(self.ready):
                    break
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise brokerproc.BrokerStartError(self._failure("no ready line for mqtt and http"))
                self._cond.wait(0.2)
        self.iot_port = self.ready["mqtt"][2]
        self.http_port = self.ready["http"][2]
        return self


class Reply:
    def __init__(self, response):
        self.status = response.status
        self.headers = {k.lower(): v for k, v in response.getheaders()}
        self.raw = response.read()
        try:
            self.json = json.loads(self.raw)
        except ValueError:
            self.json = None

    def __repr__(self):
        return "<HTTP %d %r>" % (self.status, self.raw[:200])


@brokerproc.only_ours("the IoT Core data API")
class HttpApiTest(brokerproc.BrokerTestCase):
    broker_options = None
    serve = None

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="iot-http-")
        cls.ws = os.path.join(cls.tmp, "workspace.iotcore")
        try:
            ids = {}
            ids["R1"] = cli_json(cls.ws, "registry", "create", "--name", "r1", "--password", PW_R1)["id"]
            ids["R2"] = cli_json(cls.ws, "registry", "create", "--name", "r2", "--password", PW_R2)["id"]
            for key, reg, pw in (("D1", "r1", PW_D1), ("D2", "r1", PW_D2), ("D3", "r2", PW_D3)):
                ids[key] = cli_json(cls.ws, "device", "create", "--registry-name", reg, "--name", key.lower(),
                                    "--password", pw)["id"]
            cls.ids = ids
            cls.serve = HttpServe(cls.ws, name="HttpApiTest").start()
        except BaseException:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.serve:
            cls.serve.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def setUp(self):
        self.closers = []

    def tearDown(self):
        for close in reversed(self.closers):
            try:
                close()
            except Exception:
                pass

    def brokers_to_report(self):
        return [type(self).serve]

    # --- helpers ---------------------------------------------------------------------------

    def t(self, text):
        return text.format(**self.ids)

    def password(self, key):
        return {"R1": PW_R1, "R2": PW_R2, "D1": PW_D1, "D2": PW_D2, "D3": PW_D3}[key]

    def path(self, key):
        kind = "devices" if key.startswith("D") else "registries"
        return "/iot-devices/v1/%s/%s/publish" % (kind, self.ids[key])

    def connection(self):
        c = http.client.HTTPConnection("127.0.0.1", self.serve.http_port, timeout=10)
        self.closers.append(c.close)
        return c

    def request(self, path, body=None, authorization=None, method="POST", conn=None, headers=None):
        """body: a dict (sent as JSON), bytes (sent as they are) or None."""
        c = conn or self.connection()
        h = {"Content-Type": "application/json"}
        if authorization:
            h["Authorization"] = authorization
        h.update(headers or {})
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        c.request(method, path, body=body, headers=h)
        return Reply(c.getresponse())

    def publish(self, key, topic, data=None, as_key=None, password=None, **kw):
        """POST to the path of `key` with the credentials of `as_key` (default: key)."""
        who = as_key or key
        body = {"topic": self.t(topic)}
        if data is not None:
            body["data"] = b64(data)
        return self.request(self.path(key), body,
                            basic(self.ids[who], password or self.password(who)), **kw)

    def assert_ok(self, reply):
        self.assertEqual((reply.status, reply.json), (200, {}), reply)
        self.assertEqual(reply.headers.get("content-type"), "application/json")

    def assert_error(self, reply, status, code, message_re=None):
        self.assertEqual(reply.status, status, reply)
        self.assertIsInstance(reply.json, dict, reply)
        self.assertEqual(reply.json.get("code"), code, reply)
        self.assertIsInstance(reply.json.get("message"), str, reply)
        if message_re:
            self.assertRegex(reply.json["message"], message_re)

    def mqtt(self, key, filters=None):
        """A raw MQTT client logged in as key, subscribed at QoS 1 to filters (all granted 1)."""
        c = mqttraw.RawClient("127.0.0.1", self.serve.iot_port)
        self.closers.append(c.close)
        ack = c.handshake(unique("c"), username=self.ids[key], password=self.password(key))
        self.assertEqual(ack.return_code, 0)
        if filters:
            granted = c.subscribe([(self.t(f), 1) for f in filters])
            self.assertEqual(granted, [1] * len(filters))
        return c

    def receive_payload(self, client, payload, timeout=5.0):
        got = client.receive_until(lambda p: p.payload == payload, timeout)
        return got[-1]

    # --- routing ---------------------------------------------------------------------------

    def test_device_publish_reaches_registry_subscriber(self):
        r1 = self.mqtt("R1", ["$devices/{D1}/events/#"])
        payload = unique("dev-event").encode() + b"\x00\xff"
        self.assert_ok(self.publish("D1", "$devices/{D1}/events/http", payload))
        m = self.receive_payload(r1, payload)
        self.assertEqual(m.topic, self.t("$devices/{D1}/events/http"))
        self.assertEqual(m.qos, 1, "a QoS 1 subscriber receives data API messages at QoS 1")
        self.assertFalse(m.retain)

    def test_qos0_subscriber_gets_qos0(self):
        r1 = self.mqtt("R1")
        self.assertEqual(r1.subscribe([(self.t("$devices/{D1}/events/q0"), 0)]), [0])
        payload = unique("q0").encode()
        self.assert_ok(self.publish("D1", "$devices/{D1}/events/q0", payload))
        self.assertEqual(self.receive_payload(r1, payload).qos, 0)

    def test_registry_command_reaches_device(self):
        d1 = self.mqtt("D1", ["$devices/{D1}/commands/#", "$registries/{R1}/commands"])
        d2 = self.mqtt("D2", ["$registries/{R1}/commands"])
        payload = unique("cmd").encode()
        self.assert_ok(self.publish("R1", "$devices/{D1}/commands/reboot", payload))
        m = self.receive_payload(d1, payload)
        self.assertEqual((m.topic, m.qos), (self.t("$devices/{D1}/commands/reboot"), 1))
        broadcast = unique("all").encode()
        self.assert_ok(self.publish("R1", "$registries/{R1}/commands", broadcast))
        self.assertEqual(self.receive_payload(d1, broadcast).topic, self.t("$registries/{R1}/commands"))
        self.assertEqual(self.receive_payload(d2, broadcast).topic, self.t("$registries/{R1}/commands"))

    def test_registry_events_and_device_config(self):
        """A device publishes its registry's events; a registry its device's config."""
        r1 = self.mqtt("R1", ["$registries/{R1}/events"])
        payload = unique("reg-event").encode()
        self.assert_ok(self.publish("D2", "$registries/{R1}/events", payload))
        self.assertEqual(self.receive_payload(r1, payload).topic, self.t("$registries/{R1}/events"))
        d2 = self.mqtt("D2", ["$me/device/config"])
        config = unique("config").encode()
        self.assert_ok(self.publish("R1", "$devices/{D2}/config", config))
        self.assertEqual(self.receive_payload(d2, config).topic, "$me/device/config")

    def test_state_is_kept(self):
        topic = "$devices/{D1}/state/" + unique("kept")
        payload = unique("state").encode()
        self.assert_ok(self.publish("D1", topic, payload))
        r1 = self.mqtt("R1", [topic])
        m = self.receive_payload(r1, payload)
        self.assertEqual((m.topic, m.retain), (self.t(topic), True),
                         "a permanent topic is replayed with RETAIN=1 to an exact subscription")

    def test_missing_data_is_an_empty_payload(self):
        topic = "$devices/{D1}/events/" + unique("empty")
        r1 = self.mqtt("R1", [topic])
        self.assert_ok(self.publish("D1", topic))
        m = r1.receive(5.0)
        self.assertEqual((m.topic, m.payload), (self.t(topic), b""))
        self.assert_ok(self.request(self.path("D1"), {"topic": self.t(topic), "data": ""},
                                    basic(self.ids["D1"], PW_D1)))
        self.assertEqual(r1.receive(5.0).payload, b"")

    def test_url_safe_base64_accepted(self):
        topic = "$devices/{D1}/events/" + unique("url")
        r1 = self.mqtt("R1", [topic])
        payload = b"\xfb\xff\xfe" + unique().encode()
        data = base64.urlsafe_b64encode(payload).decode().rstrip("=")
        self.assert_ok(self.request(self.path("D1"), {"topic": self.t(topic), "data": data},
                                    basic(self.ids["D1"], PW_D1)))
        self.assertEqual(r1.receive(5.0).payload, payload)

    def test_monitoring_updated(self):
        r1 = self.mqtt("R1", ["$monitoring/{D2}/json"])
        self.assert_ok(self.publish("D2", "$devices/{D2}/events/mon", b"x"))
        m = r1.receive_until(lambda p: "last_pub_activity_time" in json.loads(p.payload))[-1]
        self.assertEqual(m.topic, self.t("$monitoring/{D2}/json"))
        self.assertEqual(m.qos, 0, "monitoring is QoS 0")
        doc = json.loads(m.payload)
        self.assertEqual((doc["device_id"], doc["registry_id"]), (self.ids["D2"], self.ids["R1"]))
        self.assertRegex(doc["last_pub_activity_time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{1,9}Z$")

    def test_publish_is_logged(self):
        start = len(self.serve.log_lines)
        topic = "$devices/{D1}/events/" + unique("log")
        self.assert_ok(self.publish("D1", topic, b"x"))
        line = self.serve.wait_for_log(r"\shttp-publish\s", start=start)
        _, level, event, fields = parse_logfmt(line)
        self.assertEqual((level, event), ("info", "http-publish"))
        self.assertIn(self.ids["D1"], fields["entity"])
        self.assertEqual(fields["topic"], self.t(topic))

    # --- errors ----------------------------------------------------------------------------

    def test_malformed_json(self):
        auth = basic(self.ids["D1"], PW_D1)
        for body in (b"{", b"not json", b"", b"[1, 2]", b'{"topic": 5}', b'{"data": "eA=="}'):
            with self.subTest(body=body):
                self.assert_error(self.request(self.path("D1"), body, auth), 400, 3)

    def test_invalid_base64(self):
        auth = basic(self.ids["D1"], PW_D1)
        for data in ("not base64!", "eA=x", 42):
            with self.subTest(data=data):
                reply = self.request(self.path("D1"), {"topic": self.t("$devices/{D1}/events"), "data": data}, auth)
                self.assert_error(reply, 400, 3, "base64")

    def test_topic_length(self):
        prefix = self.t("$devices/{D1}/events/")
        longest = prefix + "a" * (MAX_TOPIC - len(prefix))
        r1 = self.mqtt("R1", [longest])
        self.assert_ok(self.publish("D1", longest, b"fits"))
        self.assertEqual(r1.receive(5.0).topic, longest)
        self.assert_error(self.publish("D1", longest + "a", b"x"), 400, 3, "1024")
        # characters, not bytes
        cyrillic = prefix + "я" * (MAX_TOPIC - len(prefix))
        self.assert_ok(self.publish("D1", cyrillic, b"x"))

    def test_invalid_topic(self):
        for topic in ("$devices/{D1}/events/+", "$devices/{D1}/events/#", ""):
            with self.subTest(topic=topic):
                self.assert_error(self.publish("D1", topic, b"x"), 400, 3)

    def test_bad_credentials(self):
        self.assert_error(self.publish("D1", "$devices/{D1}/events", b"x", password=PW_WRONG), 401, 16)
        self.assert_error(self.publish("R1", "$devices/{D1}/commands", b"x", password=PW_WRONG), 401, 16)
        reply = self.request(self.path("D1"), {"topic": self.t("$devices/{D1}/events")}, "Basic !!!")
        self.assert_error(reply, 401, 16)
        reply = self.request(self.path("D1"), {"topic": self.t("$devices/{D1}/events")}, "Basic " + b64(b"no-colon"))
        self.assert_error(reply, 401, 16)

    def test_another_entitys_credentials(self):
        r1 = self.mqtt("R1", ["$devices/{D1}/events/other"])
        cases = (("D1", "D2"), ("D1", "R1"), ("R1", "D1"), ("R1", "R2"), ("D1", "D3"))
        for path_key, cred_key in cases:
            with self.subTest(path=path_key, credentials=cred_key):
                reply = self.publish(path_key, "$devices/{D1}/events/other", b"stolen", as_key=cred_key)
                self.assert_error(reply, 401, 16)
        # the id of the path with another entity's password
        self.assert_error(self.publish("D1", "$devices/{D1}/events/other", b"stolen", password=PW_D2), 401, 16)
        got = self.before_sentinel(r1, "$devices/{D1}/events/other")
        self.assertEqual(got, [], "nothing published with refused credentials")

    def test_no_credentials(self):
        reply = self.request(self.path("D1"), {"topic": self.t("$devices/{D1}/events")})
        self.assert_error(reply, 401, 16, "Basic")
        self.assertIn("basic", reply.headers.get("www-authenticate", "").lower())

    def test_bearer_token(self):
        reply = self.request(self.path("D1"), {"topic": self.t("$devices/{D1}/events")},
                             "Bearer t1.9euelZqUzI2Sk5CVipGSnJaSk4yNle3rnpWaz5eTlZKJjpOWk5KQk4mWle_8.abc")
        self.assert_error(reply, 401, 16, r"(?i)use HTTP Basic")
        self.assertIn("basic", reply.headers.get("www-authenticate", "").lower())

    def test_topic_not_allowed(self):
        r1 = self.mqtt("R1", ["$devices/{D2}/events/#"])
        cases = (
            ("D1", "$devices/{D2}/events/x"),    # another device's events
            ("D1", "$devices/{D1}/commands"),    # a device does not publish its commands
            ("D1", "$registries/{R2}/events"),   # another registry
            ("D3", "$devices/{D2}/events/x"),
            ("R1", "$devices/{D1}/events"),      # a registry does not publish device events
            ("R1", "$devices/{D3}/commands"),    # another registry's device
            ("R2", "$registries/{R1}/commands"),
            ("D1", "plain/topic"),
            ("D1", "$monitoring/{D1}/json"),
        )
        for key, topic in cases:
            with self.subTest(entity=key, topic=topic):
                self.assert_error(self.publish(key, topic, b"refused"), 403, 7)
        got = self.before_sentinel(r1, "$devices/{D2}/events/x")
        self.assertEqual(got, [], "a refused publish is not routed")

    def test_unknown_id(self):
        for path in ("/iot-devices/v1/devices/are00000000000000000/publish",
                     "/iot-devices/v1/registries/are00000000000000000/publish",
                     "/iot-devices/v1/devices/%s/publish" % self.ids["R1"],      # a registry is not a device
                     "/iot-devices/v1/registries/%s/publish" % self.ids["D1"]):
            with self.subTest(path=path):
                reply = self.request(path, {"topic": self.t("$devices/{D1}/events")}, basic(self.ids["D1"], PW_D1))
                self.assert_error(reply, 404, 5)

    def test_data_size(self):
        topic = "$devices/{D1}/events/" + unique("big")
        r1 = self.mqtt("R1", [topic])
        biggest = os.urandom(MAX_DATA)
        self.assert_ok(self.publish("D1", topic, biggest))
        self.assertEqual(r1.receive(10.0).payload, biggest)
        self.assert_error(self.publish("D1", topic, biggest + b"x"), 413, 3, "262144")

    def test_body_over_bound(self):
        """Bodies over 512 KiB are refused from Content-Length, before they are read."""
        c = self.connection()
        c.putrequest("POST", self.path("D1"))
        c.putheader("Authorization", basic(self.ids["D1"], PW_D1))
        c.putheader("Content-Length", str(600 * 1024))
        c.endheaders()
        reply = Reply(c.getresponse())
        self.assert_error(reply, 413, 3)

    def test_unknown_path_and_method(self):
        auth = basic(self.ids["D1"], PW_D1)
        body = {"topic": self.t("$devices/{D1}/events")}
        for path in ("/", "/iot-devices/v1/devices", "/iot-devices/v1/devices/%s" % self.ids["D1"],
                     "/iot-devices/v1/devices/%s/subscribe" % self.ids["D1"],
                     "/iot-devices/v2/devices/%s/publish" % self.ids["D1"],
                     "/iot-devices/v1/brokers/%s/publish" % self.ids["D1"]):
            with self.subTest(path=path):
                self.assert_error(self.request(path, body, auth), 404, 5)
        for method in ("GET", "PUT", "DELETE"):
            with self.subTest(method=method):
                reply = self.request(self.path("D1"), body if method != "GET" else None, auth, method=method)
                self.assertEqual(reply.status, 405, reply)
                self.assertEqual(reply.headers.get("allow"), "POST")
                self.assertIsInstance(reply.json.get("code"), int)

    # --- HTTP --------------------------------------------------------------------------------

    def test_keep_alive(self):
        topic = "$devices/{D1}/events/" + unique("ka")
        r1 = self.mqtt("R1", [topic])
        c = self.connection()
        for i in range(5):
            self.assert_ok(self.publish("D1", topic, b"%d" % i, conn=c))
        self.assert_error(self.publish("D1", "$devices/{D2}/events", b"x", conn=c), 403, 7)
        self.assert_ok(self.publish("D1", topic, b"after", conn=c))
        got = [r1.receive(5.0).payload for _ in range(6)]
        self.assertEqual(got, [b"0", b"1", b"2", b"3", b"4", b"after"], "in order")

    def test_pipelined_requests(self):
        """Two requests sent at once on one connection are answered in order."""
        topic = self.t("$devices/{D1}/events/" + unique("pipe"))
        auth = basic(self.ids["D1"], PW_D1)
        raw = b""
        for body, connection in (({"topic": topic, "data": b64(b"one")}, b"keep-alive"),
                                 ({"topic": "$devices/x/commands"}, b"close")):
            data = json.dumps(body).encode()
            raw += (b"POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: %s\r\nConnection: %s\r\n"
                    b"Content-Length: %d\r\n\r\n"
                    % (self.path("D1").encode(), auth.encode(), connection, len(data))) + data
        answer = self.exchange(raw)
        statuses = re.findall(rb"HTTP/1\.1 (\d{3}) ", answer)
        self.assertEqual(statuses, [b"200", b"403"], answer)

    def test_malformed_http(self):
        for raw, status in ((b"NONSENSE\r\n\r\n", 400),
                            (b"POST /x HTTP/2.0\r\n\r\n", 505),
                            (b"POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
                            (b"POST /x HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
                            (b"POST /x HTTP/1.1\r\nX: " + b"a" * (17 * 1024) + b"\r\n\r\n", 431)):
            with self.subTest(raw=raw[:40]):
                answer = self.exchange(raw)  # the server closes after an unreadable request
                self.assertTrue(answer.startswith(b"HTTP/1.1 %d " % status), answer)
                self.assertIn(b'"code"', answer)

    def test_curl(self):
        """The usual back-end tool: curl -u ID:PASSWORD --data @file. "Expect: 100-continue" (which
        curl sends by itself for large bodies) is answered at once."""
        curl = brokerproc.require_tool(self, "curl", "curl")
        topic = "$devices/{D1}/events/" + unique("curl")
        r1 = self.mqtt("R1", [topic])
        payload = os.urandom(4096)
        body = os.path.join(self.tmp, unique("body") + ".json")
        with open(body, "w") as f:
            json.dump({"topic": self.t(topic), "data": b64(payload)}, f)
        done = subprocess.run([curl, "-sS", "-v", "--fail-with-body", "-u", "%s:%s" % (self.ids["D1"], PW_D1),
                               "-H", "Content-Type: application/json", "-H", "Expect: 100-continue",
                               "--data-binary", "@" + body,
                               "http://127.0.0.1:%d%s" % (self.serve.http_port, self.path("D1"))],
                              capture_output=True, timeout=30)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(json.loads(done.stdout), {})
        self.assertIn(b"100 Continue", done.stderr)
        self.assertEqual(r1.receive(5.0).payload, payload)
        done = subprocess.run([curl, "-sS", "-u", "%s:%s" % (self.ids["D1"], PW_WRONG), "-w", "\n%{http_code}",
                               "--data-binary", "@" + body,
                               "http://127.0.0.1:%d%s" % (self.serve.http_port, self.path("D1"))],
                              capture_output=True, timeout=30)
        text, status = done.stdout.rsplit(b"\n", 1)
        self.assertEqual(status, b"401")
        self.assertEqual(json.loads(text)["code"], 16)

    def test_head_has_no_body(self):
        c = self.connection()
        c.request("HEAD", self.path("D1"))
        response = c.getresponse()
        self.assertEqual(response.status, 405)
        self.assertEqual(response.read(), b"")
        # the connection is still usable: no stray body bytes were sent
        self.assert_ok(self.publish("D1", "$devices/{D1}/events/head", b"x", conn=c))

    def test_concurrent_requests(self):
        topic = "$devices/{D1}/events/" + unique("par")
        r1 = self.mqtt("R1", [topic])
        replies = []

        def one(i):
            c = http.client.HTTPConnection("127.0.0.1", self.serve.http_port, timeout=20)
            try:
                replies.append(self.publish("D1", topic, b"%d" % i, conn=c).status)
            finally:
                c.close()

        threads = [threading.Thread(target=one, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        self.assertEqual(sorted(replies), [200] * 16)
        got = sorted(int(r1.receive(5.0).payload) for _ in range(16))
        self.assertEqual(got, list(range(16)))

    def exchange(self, raw):
        """Sends raw bytes on a new connection and returns all the server sent until it closed."""
        answer = b""
        with socket.create_connection(("127.0.0.1", self.serve.http_port), 10) as s:
            s.sendall(raw)
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    answer += chunk
            except ConnectionResetError:
                pass
        return answer

    # --- negative checks ---------------------------------------------------------------------

    def before_sentinel(self, subscriber, topic, timeout=5.0):
        """Publishes a sentinel through the API as the topic's device and returns what the
        subscriber received before it."""
        key = next(k for k in ("D1", "D2", "D3") if self.ids[k] in self.t(topic))
        marker = unique("sentinel").encode()
        self.assert_ok(self.publish(key, topic, marker))
        got = subscriber.receive_until(lambda p: p.payload == marker, timeout)
        return [p.payload for p in got[:-1]]


if __name__ == "__main__":
    brokerproc.main()
