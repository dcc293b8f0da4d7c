"""`iotcore-studio serve` in IoT Core mode, end to end, written from ../shared/IOT_CORE.md.

The workspace is provisioned with the `iot` command line (registries, devices, brokers, their
passwords, certificates made by the openssl CLI, topic aliases), then `serve --mqtt` (and
`--mqtts`) is started on it next to an `--open-mqtt` listener, and third-party clients connect
the way IoT Core's own samples do: paho-mqtt and mosquitto_pub/mosquitto_sub with -u/-P,
--cafile, --cert and --key, plus the raw client of mqttraw.py where exact bytes matter
(CONNACK codes, SUBACK codes, RETAIN flags, who closed what).

What is checked, with the IOT_CORE.md rule each test stands for:
- identity at CONNECT: password of a device or registry (wrong, unknown, missing → CONNACK 5),
  the client id plays no part, protocol level other than 4 → CONNACK 1, certificates over TLS,
  "password wins over certificate" in its three cases, a disabled registry (refused and its live
  sessions dropped), a catalog changed while serve runs;
- the permission table row by row, wildcard narrowing, `$me`, user topic aliases, device and
  registry topics never mixed, refused SUBSCRIBE (SUBACK 0x80 for that filter only) and refused
  PUBLISH (connection closed);
- permanent topics (state, config): kept per exact topic, replayed with RETAIN=1 on an exact
  subscription only (direct, `$me`, alias), never on a wildcard;
- session semantics: QoS 2 SUBSCRIBE granted 1, QoS 2 PUBLISH closes, CleanSession=0 treated as
  clean, RETAIN=1 accepted and not retained, will only when its topic is allowed;
- limits: 262,144-byte payloads, 1024-character subtopics;
- the monitoring topic's JSON and the broker's log lines;
- the open listener beside it keeps the whole of MQTT 3.1.1.

Negative checks ("nothing arrives") never sleep: the unwanted message is published at QoS 1 and
its PUBACK awaited (so the broker has routed it), then a sentinel the subscriber may receive is
published, and everything up to the sentinel is inspected.

This is our IoT Core mode, not plain MQTT: under IOTCORE_TEST_BROKER=mosquitto it is skipped.
"""

import json
import os
import re
import shutil
import socket
import sqlite3
import ssl
import subprocess
import tempfile
import time
import unittest
from datetime import datetime, timezone

import brokerproc
import mqttraw
from brokerproc import Broker, parse_logfmt, unique, wait_for
from clients import MosquittoSub, PahoClient, mosquitto_pub

NOT_MOSQUITTO = "IoT Core identities, topic permissions and permanent topics"

PW_R1 = "Reg1-Passw0rd!one"
PW_R2 = "Reg2-Passw0rd!two"
PW_R3 = "Reg3-Passw0rd!three"
PW_D1 = "Dev1-Passw0rd!aaa"
PW_D2 = "Dev2-Passw0rd!bbb"
PW_D3 = "Dev3-Passw0rd!ccc"
PW_DA = "DevA-Passw0rd!ddd"
PW_D4 = "Dev4-Passw0rd!eee"
PW_BROKER = "Brok-Passw0rd!fff"
PW_WRONG = "Wrong-Passw0rd!zz"

MAX_PAYLOAD = 262144
MAX_SUBTOPIC = 1024
# RFC 3339, UTC, with a fraction of up to nanoseconds (Go's RFC3339Nano drops trailing zeros).
NANO_TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.(\d{1,9})Z$")

RELOAD_TIMEOUT = 5.0   # "the catalog is reloaded by a running serve within ~1 s of a CLI change"
DROP_TIMEOUT = 5.0     # "live sessions are dropped" (within a few seconds)


# --- the command line ----------------------------------------------------------------------------

def cli(workspace, *args, timeout=60):
    """Runs `iotcore-studio iot ARGS -w WORKSPACE`; fails the test on a non-zero exit."""
    done = subprocess.run([brokerproc.BINARY, "iot"] + list(args) + ["-w", workspace],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    if done.returncode != 0:
        raise AssertionError("iot %s failed (%d): %s" % (" ".join(args), done.returncode, done.stderr.strip()))
    return done


def cli_json(workspace, *args):
    return json.loads(cli(workspace, *args, "--format", "json").stdout)


def openssl(*args, cwd):
    done = subprocess.run(["openssl"] + list(args), cwd=cwd, capture_output=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (" ".join(args), done.stderr.decode(errors="replace")))


def make_ca_and_server(d):
    """ca.pem/ca.key and server.pem/server.key (127.0.0.1, localhost) signed by it."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    openssl("req", "-x509", *ec, "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
            "-subj", "/CN=IoT Core Studio serve test CA",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
    with open(os.path.join(d, "server.ext"), "w") as f:
        f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("req", *ec, "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost", cwd=d)
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.pem", "-days", "2", "-extfile", "server.ext", cwd=d)


def make_self_signed(d, name):
    """A self-signed client certificate (the service's usual form): NAME.pem, NAME.key."""
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + name, cwd=d)
    return os.path.join(d, name + ".pem"), os.path.join(d, name + ".key")


# --- the broker ----------------------------------------------------------------------------------

class IotServe(Broker):
    """`serve -w WS --mqtt 127.0.0.1:0 --open-mqtt 127.0.0.1:0 [--mqtts 127.0.0.1:0 --tls-cert F
    --tls-key F]`. After start(): iot_port, iot_tls_port, and mqtt_port (the open listener)."""

    def __init__(self, workspace, mqtts=None, name="serve"):
        super().__init__(workspace=workspace, name=name, log_level="info")
        self.mqtts = mqtts
        self.iot_port = self.iot_tls_port = None

    def command(self):
        cmd = [brokerproc.BINARY, "serve", "-w", self.workspace, "--mqtt", "127.0.0.1:0",
               "--open-mqtt", "127.0.0.1:0"]
        if self.mqtts:
            cmd += ["--mqtts", "127.0.0.1:0", "--tls-cert", self.mqtts[0], "--tls-key", self.mqtts[1]]
        return cmd + ["--log-level", self.log_level]

    def start(self, timeout=brokerproc.START_TIMEOUT):
        super().start(timeout)
        wanted = {"mqtt"} | ({"mqtts"} if self.mqtts else set())
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                self._parse_ready_lines()
                if wanted <= set(self.ready):
                    break
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise brokerproc.BrokerStartError(self._failure("no ready line for %s" % sorted(wanted)))
                self._cond.wait(0.2)
        self.iot_port = self.ready["mqtt"][2]
        self.iot_tls_port = self.ready["mqtts"][2] if self.mqtts else None
        return self


# --- the test cases ------------------------------------------------------------------------------

class IotTestCase(brokerproc.BrokerTestCase):
    """Helpers shared by the test classes: connect with an identity, publish and see closed,
    wait for something, check that something did not arrive."""

    broker_options = None
    serve = None

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

    # connections

    def raw(self, username=None, password=None, client_id=None, port=None, clean=True, expect_rc=0,
            will=None, sock=None, keepalive=60, **kw):
        """A raw connection; asserts the CONNACK return code; returns the client."""
        c = mqttraw.RawClient("127.0.0.1", port or self.serve.iot_port, sock=sock)
        self.closers.append(c.close)
        ack = c.handshake(unique("c") if client_id is None else client_id, clean=clean, will=will,
                          username=username, password=password, keepalive=keepalive, **kw)
        self.assertEqual(ack.return_code, expect_rc, "CONNACK return code for username %r" % username)
        if expect_rc == 0:
            self.assertFalse(ack.session_present, "IoT Core identities have no persistent sessions")
        else:
            self.assertTrue(c.wait_closed(5.0), "the server closes the connection after a refusing CONNACK")
        c.connack = ack
        return c

    def paho(self, username, password, client_id=None, port=None, tls=None):
        c = PahoClient(unique("paho") if client_id is None else client_id)
        self.closers.append(c.close)
        c.client.username_pw_set(username, password)
        kw = {}
        if tls:
            kw = {"tls_ca": tls[0], "tls_cert": tls[1], "tls_key": tls[2]}
        result = c.connect("127.0.0.1", port or self.serve.iot_port, **kw)
        self.assertEqual(result, (False, 0), "paho CONNACK for %r" % username)
        return c

    def sub(self, client, filters, expect):
        granted = client.subscribe([(f, 1) for f in filters] if isinstance(filters[0], str) else filters)
        self.assertEqual(granted, expect, "SUBACK for %r" % (filters,))

    # publish checks

    def assert_publish_closes(self, client, topic, payload=b"x", qos=1):
        """Refused PUBLISH: the connection is closed, and no PUBACK comes first."""
        pid = client.pid() if qos else None
        client.send(mqttraw.publish(topic, payload, qos, pid=pid))
        closed = client.wait_closed(5.0)
        acks = [p for p in client.unread if p.type in (mqttraw.PUBACK, mqttraw.PUBREC)]
        self.assertTrue(closed, "publish to %r must close the connection (still open; got %r)"
                        % (topic[:80], client.unread))
        self.assertEqual(acks, [], "no acknowledgement for the refused publish to %r" % topic[:80])

    def assert_still_open(self, client):
        client.send(mqttraw.pingreq())
        client.expect(mqttraw.PINGRESP, 5.0)

    def login_code(self, username, password):
        """The CONNACK return code of a fresh connection with these credentials."""
        c = mqttraw.RawClient("127.0.0.1", self.serve.iot_port)
        try:
            return c.handshake(unique("try"), username=username, password=password).return_code
        finally:
            c.close()

    def publish_ok(self, client, topic, payload=b"x", retain=False):
        """QoS 1 publish that must be accepted (PUBACK)."""
        client.publish(topic, payload, qos=1, retain=retain)

    def before_sentinel(self, subscriber, publisher, sentinel_topic, timeout=5.0):
        """Publishes a sentinel on sentinel_topic (QoS 1) and returns what subscriber received up to
        it, the sentinel excluded. The subscriber must be allowed to receive the sentinel."""
        marker = unique("sentinel").encode()
        publisher.publish(sentinel_topic, marker, qos=1)
        got = subscriber.receive_until(lambda p: p.payload == marker, timeout)
        return got[:-1]

    def receive_payload(self, client, payload, timeout=5.0):
        """The PUBLISH carrying payload (others received on the way are dropped)."""
        got = client.receive_until(lambda p: p.payload == payload, timeout)
        return got[-1]


def provision_base(ws):
    """R1 {D1, D2, DA (aliases)}, R2 {D3}, a broker B. Returns a dict of ids."""
    ids = {}
    ids["R1"] = cli_json(ws, "registry", "create", "--name", "r1", "--password", PW_R1)["id"]
    ids["R2"] = cli_json(ws, "registry", "create", "--name", "r2", "--password", PW_R2)["id"]
    for key, reg, pw in (("D1", "r1", PW_D1), ("D2", "r1", PW_D2), ("D3", "r2", PW_D3)):
        ids[key] = cli_json(ws, "device", "create", "--registry-name", reg, "--name", key.lower(),
                            "--password", pw)["id"]
    ids["DA"] = cli_json(ws, "device", "create", "--registry-name", "r1", "--name", "da", "--password", PW_DA,
                         "--topic-aliases",
                         "alias-cmd=$devices/{id}/commands,alias-ev=$devices/{id}/events,"
                         "alias-cfg=$devices/{id}/config,alias-st=$devices/{id}/state")["id"]
    ids["B"] = cli_json(ws, "broker", "create", "--name", "bus", "--password", PW_BROKER)["id"]
    return ids


@brokerproc.only_ours(NOT_MOSQUITTO)
class IotServeTest(IotTestCase):
    """One serve for the class on a workspace provisioned before it starts."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="iot-serve-")
        cls.ws = os.path.join(cls.tmp, "workspace.iotcore")
        try:
            cls.ids = provision_base(cls.ws)
            cls.serve = IotServe(cls.ws, name="IotServeTest").start()
        except BaseException:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.serve:
            cls.serve.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # shorthands
    def device(self, key, **kw):
        pw = {"D1": PW_D1, "D2": PW_D2, "D3": PW_D3, "DA": PW_DA}[key]
        return self.raw(self.ids[key], pw, **kw)

    def registry(self, key, **kw):
        pw = {"R1": PW_R1, "R2": PW_R2}[key]
        return self.raw(self.ids[key], pw, **kw)

    def t(self, text):
        """Topic text with {R1}, {D1}, … replaced by the ids."""
        return text.format(**self.ids)

    # --- identity ---------------------------------------------------------------------------

    def test_device_password_identity(self):
        """username = device id + one of its passwords → in; anything else → CONNACK 5."""
        self.device("D1")
        self.raw(self.ids["D1"], PW_WRONG, expect_rc=5)
        self.raw(self.ids["D1"], PW_D2, expect_rc=5)   # another device's password
        self.raw(self.ids["D1"], PW_R1, expect_rc=5)   # its registry's password
        self.raw(self.ids["D1"], "", expect_rc=5)

    def test_registry_password_identity(self):
        self.registry("R1")
        self.raw(self.ids["R1"], PW_WRONG, expect_rc=5)
        self.raw(self.ids["R1"], PW_R2, expect_rc=5)
        self.raw(self.ids["R1"], PW_D1, expect_rc=5)   # a device's password is not the registry's

    def test_unknown_username_refused(self):
        self.raw("are00000000000000000", PW_D1, expect_rc=5)
        self.raw("d1", PW_D1, expect_rc=5)          # the name is not the id
        self.raw("nobody", "whatever", expect_rc=5)

    def test_missing_credentials_refused(self):
        self.raw(None, None, expect_rc=5)
        self.raw(self.ids["D1"], None, expect_rc=5)   # username without password
        # mosquitto_pub without -u/-P: refused, non-zero exit
        done = mosquitto_pub(self.serve.iot_port, self.t("$devices/{D1}/events"), "x", check=False)
        self.assertNotEqual(done.returncode, 0)
        self.assertIn(b"not authori", done.stderr.lower() + done.stdout.lower())

    def test_mosquitto_clients_with_password(self):
        """The samples' way: mosquitto_sub/mosquitto_pub -u ID -P PASSWORD."""
        sub = MosquittoSub(self.serve.iot_port, [self.t("$devices/{D1}/events/mq")], qos=1,
                           extra=["-u", self.ids["R1"], "-P", PW_R1])
        self.closers.append(sub.close)
        sub.wait_subscribed()
        mosquitto_pub(self.serve.iot_port, self.t("$devices/{D1}/events/mq"), "from-mosquitto", qos=1,
                      extra=["-u", self.ids["D1"], "-P", PW_D1])
        (m,) = sub.expect(1)
        self.assertEqual((m.topic, m.payload, m.retain), (self.t("$devices/{D1}/events/mq"), b"from-mosquitto", False))
        done = mosquitto_pub(self.serve.iot_port, self.t("$devices/{D1}/events/mq"), "x",
                             extra=["-u", self.ids["D1"], "-P", PW_WRONG], check=False)
        self.assertNotEqual(done.returncode, 0, "wrong password refused")

    def test_client_id_plays_no_part_in_identity(self):
        """A device whose client id is another device's (or its registry's) id still has only its
        own rights."""
        r1 = self.registry("R1")
        self.sub(r1, [self.t("$devices/#")], [1])
        d2 = self.device("D2", client_id=self.ids["D1"])
        self.publish_ok(d2, self.t("$devices/{D2}/events/cid"), b"as-d2")
        m = self.receive_payload(r1, b"as-d2")
        self.assertEqual(m.topic, self.t("$devices/{D2}/events/cid"))
        self.assert_publish_closes(d2, self.t("$devices/{D1}/events/cid"))

        d1 = self.device("D1", client_id=self.ids["R1"])
        self.assert_publish_closes(d1, self.t("$devices/{D2}/commands"))

    def test_connections_with_the_same_client_id_coexist(self):
        """Decision: two connections with the same client id may coexist (the service never
        guaranteed takeover; strict takeover is an option, not the default). Least of all may
        another identity end a device's connection by picking its client id."""
        r1 = self.registry("R1")
        self.sub(r1, [self.t("$devices/#")], [1])
        for first, second in (("D1", "D2"), ("D1", "D1")):
            with self.subTest(first=first, second=second):
                shared = unique("shared")
                a = self.device(first, client_id=shared)
                b = self.device(second, client_id=shared)
                pa, pb = unique("a").encode(), unique("b").encode()
                try:
                    self.publish_ok(a, self.t("$devices/{%s}/events/cid2" % first), pa)
                except mqttraw.Closed:
                    self.fail("the first connection of %s was closed when %s connected with the same client id %r"
                              % (first, second, shared))
                self.publish_ok(b, self.t("$devices/{%s}/events/cid2" % second), pb)
                self.receive_payload(r1, pa)
                self.receive_payload(r1, pb)
                self.assert_still_open(a)
                self.assert_still_open(b)

    def test_protocol_level_other_than_4_refused_with_1(self):
        self.raw(self.ids["D1"], PW_D1, proto_name="MQIsdp", proto_level=3, expect_rc=1)
        self.raw(self.ids["D1"], PW_D1, proto_level=3, expect_rc=1)

    def test_empty_client_id_with_clean_session_accepted(self):
        self.device("D1", client_id="")

    # --- the permission table ---------------------------------------------------------------

    def test_device_publishes_its_own_events_and_state_and_its_registrys(self):
        r1 = self.registry("R1")
        self.sub(r1, [self.t("$devices/{D1}/events/#"), self.t("$devices/{D1}/state/#"),
                      self.t("$registries/{R1}/events/#"), self.t("$registries/{R1}/state/#")], [1, 1, 1, 1])
        d1 = self.device("D1")
        for topic in ("$devices/{D1}/events", "$devices/{D1}/events/kitchen/t1", "$devices/{D1}/state/x",
                      "$registries/{R1}/events", "$registries/{R1}/events/sub", "$registries/{R1}/state/y"):
            payload = unique("pub").encode()
            self.publish_ok(d1, self.t(topic), payload)
            m = self.receive_payload(r1, payload)
            self.assertEqual(m.topic, self.t(topic))
            self.assertFalse(m.retain)
        self.assert_still_open(d1)

    def test_device_refused_publishes_close_the_connection(self):
        for topic in ("$devices/{D2}/events",          # another device of its registry
                      "$devices/{D3}/events",          # a device of another registry
                      "$devices/{D2}/state",
                      "$devices/{D1}/commands",        # commands and config are the registry's
                      "$devices/{D1}/config",
                      "$registries/{R1}/commands",
                      "$registries/{R1}/config",
                      "$registries/{R2}/events",       # another registry
                      "$monitoring/{D1}/json",
                      "$devices/{D1}/unknown",
                      "plain/topic",
                      "alias-ev"):                     # DA's alias, not D1's
            with self.subTest(topic=topic):
                self.assert_publish_closes(self.device("D1"), self.t(topic))

    def test_registry_refused_publishes_close_the_connection(self):
        for topic in ("$devices/{D1}/events", "$devices/{D1}/state", "$devices/{D3}/commands",
                      "$devices/{D3}/config", "$registries/{R1}/events", "$registries/{R1}/state",
                      "$registries/{R2}/commands", "$monitoring/{D1}/json", "plain/topic"):
            with self.subTest(topic=topic):
                self.assert_publish_closes(self.registry("R1"), self.t(topic))

    def test_registry_wildcard_narrowed_to_events_and_state_of_its_own_devices(self):
        r1 = self.registry("R1")
        self.sub(r1, [self.t("$devices/#")], [1])
        r1b = self.registry("R1")
        self.sub(r1b, [self.t("$devices/+/events/#")], [1])
        d1, d2, d3 = self.device("D1"), self.device("D2"), self.device("D3")
        tag = unique("w")
        mine = [(d1, "$devices/{D1}/events/" + tag), (d1, "$devices/{D1}/state/" + tag),
                (d2, "$devices/{D2}/events/" + tag)]
        for client, topic in mine:
            self.publish_ok(client, self.t(topic), tag.encode())
        # not for R1: another registry's device, and what R1 itself publishes to commands/config
        self.publish_ok(d3, self.t("$devices/{D3}/events/" + tag), b"other-registry")
        self.publish_ok(d3, self.t("$devices/{D3}/state/" + tag), b"other-registry")
        r1pub = self.registry("R1")
        self.publish_ok(r1pub, self.t("$devices/{D1}/commands/" + tag), b"own-command")
        self.publish_ok(r1pub, self.t("$devices/{D1}/config/" + tag), b"own-config")
        self.publish_ok(d1, self.t("$registries/{R1}/events/" + tag), b"registry-topic")

        got = self.before_sentinel(r1, d2, self.t("$devices/{D2}/events/sentinel"))
        self.assertEqual(sorted(p.topic for p in got if tag in p.topic),
                         sorted(self.t(topic) for _, topic in mine),
                         "$devices/# of a registry: events and state of its own devices, nothing else")
        got = self.before_sentinel(r1b, d2, self.t("$devices/{D2}/events/sentinel"))
        self.assertEqual(sorted(p.topic for p in got if tag in p.topic),
                         sorted(self.t(topic) for _, topic in mine if "/events/" in topic))

    def test_registry_cannot_subscribe_to_another_registrys_devices(self):
        r1 = self.registry("R1")
        self.sub(r1, [self.t("$devices/{D3}/events"), self.t("$devices/{D3}/state"), self.t("$registries/{R2}/events"),
                      self.t("$devices/{D1}/commands"), self.t("$devices/{D1}/events")], [0x80, 0x80, 0x80, 0x80, 1])
        self.assert_still_open(r1)

    def test_device_receives_commands_and_config_from_its_registry(self):
        d1 = self.device("D1")
        tag = unique("cc")
        self.sub(d1, [self.t("$devices/{D1}/commands/#"), self.t("$devices/{D1}/config/" + tag),
                      self.t("$registries/{R1}/commands/#"), self.t("$registries/{R1}/config/" + tag)], [1, 1, 1, 1])
        r1 = self.registry("R1")
        for topic in ("$devices/{D1}/commands/" + tag, "$devices/{D1}/config/" + tag,
                      "$registries/{R1}/commands/" + tag, "$registries/{R1}/config/" + tag):
            payload = unique("cmd").encode()
            self.publish_ok(r1, self.t(topic), payload)
            m = self.receive_payload(d1, payload)
            self.assertEqual((m.topic, m.retain), (self.t(topic), False))

    def test_device_wildcard_on_registries_narrowed_to_its_own_registry(self):
        d1 = self.device("D1")
        self.sub(d1, ["$registries/#"], [1])
        tag = unique("rw")
        r1, r2, d2 = self.registry("R1"), self.registry("R2"), self.device("D2")
        self.publish_ok(r2, self.t("$registries/{R2}/commands/" + tag), b"other-registry")
        self.publish_ok(d2, self.t("$registries/{R1}/events/" + tag), b"events-not-readable")
        self.publish_ok(r1, self.t("$registries/{R1}/commands/" + tag), b"mine")
        got = self.before_sentinel(d1, r1, self.t("$registries/{R1}/commands/sentinel"))
        self.assertEqual([(p.topic, p.payload) for p in got if tag in p.topic],
                         [(self.t("$registries/{R1}/commands/" + tag), b"mine")])

    def test_registry_commands_reach_all_its_subscribed_devices(self):
        d1, d2, da = self.device("D1"), self.device("D2"), self.device("DA")
        for d in (d1, d2, da):
            self.sub(d, [self.t("$registries/{R1}/commands")], [1])
        d3 = self.device("D3")
        self.sub(d3, [self.t("$registries/{R1}/commands"), self.t("$registries/{R2}/commands")], [0x80, 1])
        r1 = self.registry("R1")
        payload = unique("broadcast").encode()
        self.publish_ok(r1, self.t("$registries/{R1}/commands"), payload)
        for d in (d1, d2, da):
            m = self.receive_payload(d, payload)
            self.assertEqual(m.topic, self.t("$registries/{R1}/commands"))
        got = self.before_sentinel(d3, self.registry("R2"), self.t("$registries/{R2}/commands"))
        self.assertEqual([p for p in got if p.payload == payload], [], "another registry's devices get nothing")

    def test_device_topics_never_appear_on_registry_topics(self):
        r1 = self.registry("R1")
        self.sub(r1, [self.t("$registries/{R1}/events/#"), self.t("$registries/{R1}/state/#")], [1, 1])
        d1 = self.device("D1")
        tag = unique("mix")
        self.publish_ok(d1, self.t("$devices/{D1}/events/" + tag), b"device-events")
        self.publish_ok(d1, self.t("$devices/{D1}/state/" + tag), b"device-state")
        got = self.before_sentinel(r1, d1, self.t("$registries/{R1}/events/sentinel"))
        self.assertEqual([p for p in got if tag in p.topic or p.payload.startswith(b"device-")], [])

        # and the other way: a registry-wide command is not a device command
        self.sub(d1, [self.t("$devices/{D1}/commands/#"), self.t("$devices/{D1}/config/#")], [1, 1])
        self.publish_ok(self.registry("R1"), self.t("$registries/{R1}/commands/" + tag), b"registry-cmd")
        self.publish_ok(self.registry("R1"), self.t("$registries/{R1}/config/" + tag), b"registry-cfg")
        got = self.before_sentinel(d1, self.registry("R1"), self.t("$devices/{D1}/commands/sentinel"))
        self.assertEqual([p for p in got if tag in p.topic], [])

    def test_refused_subscribe_gets_0x80_for_that_filter_only(self):
        d1 = self.device("D1")
        granted = d1.subscribe([(self.t("$devices/{D1}/commands"), 1),
                                (self.t("$devices/{D2}/commands"), 1),    # another device
                                (self.t("$devices/{D1}/events"), 1),      # a device does not read its events
                                (self.t("$registries/{R2}/commands"), 1), # another registry
                                ("$devices/+", 1),                        # not a valid filter
                                ("$registries/+", 1),
                                (self.t("$monitoring/{D3}/json"), 1),     # another registry's device
                                (self.t("$registries/{R1}/config"), 0)])
        self.assertEqual(granted, [1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0])
        self.assert_still_open(d1)
        # the granted ones work
        payload = unique("after-refusal").encode()
        self.publish_ok(self.registry("R1"), self.t("$devices/{D1}/commands"), payload)
        self.assertEqual(self.receive_payload(d1, payload).topic, self.t("$devices/{D1}/commands"))

    def test_me_forms_delivered_under_the_me_name(self):
        d1 = self.device("D1")
        tag = unique("me")
        self.sub(d1, ["$me/device/commands", "$me/device/config/#", "$me/registry/commands/+",
                      "$me/registry/config"], [1, 1, 1, 1])
        r1 = self.registry("R1")
        cases = [("$devices/{D1}/commands", "$me/device/commands"),
                 ("$devices/{D1}/config/" + tag, "$me/device/config/" + tag),
                 ("$registries/{R1}/commands/" + tag, "$me/registry/commands/" + tag),
                 ("$registries/{R1}/config", "$me/registry/config")]
        for real, me in cases:
            payload = unique("me-msg").encode()
            self.publish_ok(r1, self.t(real), payload)
            m = self.receive_payload(d1, payload)
            self.assertEqual(m.topic, me, "delivered under the $me name")
        # publishing through $me: the registry sees the real topic
        self.sub(r1, [self.t("$devices/{D1}/events/#"), self.t("$devices/{D1}/state/#")], [1, 1])
        for me, real in (("$me/device/events/" + tag, "$devices/{D1}/events/" + tag),
                         ("$me/device/state/" + tag, "$devices/{D1}/state/" + tag)):
            payload = unique("me-pub").encode()
            self.publish_ok(d1, me, payload)
            self.assertEqual(self.receive_payload(r1, payload).topic, self.t(real))
        # $me is for device sessions only; a device may not publish its commands through it either
        self.sub(r1, ["$me/device/events"], [0x80])
        self.assert_publish_closes(d1, "$me/device/commands")

    def test_topic_aliases_delivered_under_the_alias_name(self):
        da = self.device("DA")
        tag = unique("al")
        self.sub(da, ["alias-cmd", "alias-cmd/#"], [1, 1])
        r1 = self.registry("R1")
        payload = unique("to-alias").encode()
        self.publish_ok(r1, self.t("$devices/{DA}/commands"), payload)
        m = self.receive_payload(da, payload)
        self.assertEqual(m.topic, "alias-cmd")
        payload = unique("to-alias-sub").encode()
        self.publish_ok(r1, self.t("$devices/{DA}/commands/" + tag), payload)
        self.assertEqual(self.receive_payload(da, payload).topic, "alias-cmd/" + tag)

        # publishing through an alias: the registry receives the real topic
        self.sub(r1, [self.t("$devices/{DA}/events/#")], [1])
        payload = unique("via-alias").encode()
        self.publish_ok(da, "alias-ev/" + tag, payload)
        self.assertEqual(self.receive_payload(r1, payload).topic, self.t("$devices/{DA}/events/" + tag))

        # '#' matches only aliases (never '$' topics)
        hashall = self.device("DA")
        self.sub(hashall, ["#"], [1])
        payload = unique("hash").encode()
        self.publish_ok(r1, self.t("$devices/{DA}/commands/" + tag), payload)
        m = self.receive_payload(hashall, payload)
        self.assertEqual(m.topic, "alias-cmd/" + tag)

        # a device may not publish through another device's alias
        self.assert_publish_closes(self.device("D1"), "alias-ev")

    # --- permanent topics -------------------------------------------------------------------

    def test_permanent_state_kept_per_exact_topic_and_replayed_on_exact_subscriptions(self):
        d1 = self.device("D1")
        tag = unique("st")
        base = self.t("$devices/{D1}/state/" + tag)
        self.publish_ok(d1, base, b"base-1")
        self.publish_ok(d1, base, b"base-2")         # overwrites
        self.publish_ok(d1, base + "/sub", b"sub-1")  # its own slot
        d1.disconnect()

        r1 = self.registry("R1")
        self.sub(r1, [base], [1])
        m = r1.receive(5.0)
        self.assertEqual((m.topic, m.payload, m.retain), (base, b"base-2", True))
        r1b = self.registry("R1")
        self.sub(r1b, [base + "/sub"], [1])
        m = r1b.receive(5.0)
        self.assertEqual((m.topic, m.payload, m.retain), (base + "/sub", b"sub-1", True))

        # wildcard subscriptions never receive kept messages
        w = self.registry("R1")
        self.sub(w, [self.t("$devices/{D1}/state/" + tag + "/#"), "$devices/#", "$devices/+/state/+"], [1, 1, 1])
        got = self.before_sentinel(w, self.device("D1"), self.t("$devices/{D1}/events/sentinel"))
        self.assertEqual([p for p in got if p.retain or tag in p.topic], [], "no replay on wildcards")

        # $me and alias forms: exact, so replayed
        da = self.device("DA")
        self.publish_ok(da, self.t("$devices/{DA}/state/" + tag), b"da-state")
        r1c = self.registry("R1")
        self.sub(r1c, [self.t("$devices/{DA}/state/" + tag)], [1])
        m = r1c.receive(5.0)
        self.assertEqual((m.payload, m.retain), (b"da-state", True))

    def test_permanent_config_replayed_on_direct_me_and_alias_subscriptions(self):
        r1 = self.registry("R1")
        tag = unique("cfg")
        self.publish_ok(r1, self.t("$devices/{DA}/config/" + tag), b"cfg-1")
        self.publish_ok(r1, self.t("$devices/{DA}/config"), b"cfg-base")
        self.publish_ok(r1, self.t("$registries/{R1}/config/" + tag), b"reg-cfg")
        self.publish_ok(r1, self.t("$devices/{DA}/config/" + tag + "/empty"), b"")  # stored like any other
        self.publish_ok(r1, self.t("$devices/{DA}/commands/" + tag), b"not-kept")

        cases = [(self.t("$devices/{DA}/config/" + tag), b"cfg-1"),
                 (self.t("$devices/{DA}/config"), b"cfg-base"),
                 ("$me/device/config/" + tag, b"cfg-1"),
                 ("$me/device/config", b"cfg-base"),
                 ("alias-cfg/" + tag, b"cfg-1"),
                 ("alias-cfg", b"cfg-base"),
                 (self.t("$registries/{R1}/config/" + tag), b"reg-cfg"),
                 ("$me/registry/config/" + tag, b"reg-cfg"),
                 (self.t("$devices/{DA}/config/" + tag + "/empty"), b"")]
        for topic, payload in cases:
            with self.subTest(filter=topic):
                da = self.device("DA")
                self.sub(da, [topic], [1])
                m = da.receive(5.0)
                self.assertEqual((m.topic, m.payload, m.retain), (topic, payload, True),
                                 "replayed under the subscribed name with RETAIN=1")
                da.disconnect()

        # commands are not kept; wildcards get no replay
        da = self.device("DA")
        self.sub(da, [self.t("$devices/{DA}/commands/" + tag), self.t("$devices/{DA}/config/#"), "$me/device/config/#",
                      "alias-cfg/#", "$registries/#"], [1, 1, 1, 1, 1])
        got = self.before_sentinel(da, r1, self.t("$devices/{DA}/commands/" + tag))
        self.assertEqual(got, [], "nothing replayed to commands or to wildcard subscriptions")

    def test_events_are_not_kept(self):
        d1 = self.device("D1")
        tag = unique("ev")
        self.publish_ok(d1, self.t("$devices/{D1}/events/" + tag), b"gone")
        self.publish_ok(d1, self.t("$registries/{R1}/events/" + tag), b"gone")
        r1 = self.registry("R1")
        self.sub(r1, [self.t("$devices/{D1}/events/" + tag), self.t("$registries/{R1}/events/" + tag)], [1, 1])
        got = self.before_sentinel(r1, d1, self.t("$devices/{D1}/events/" + tag))
        self.assertEqual(got, [])

    # --- QoS, sessions, retain ---------------------------------------------------------------

    def test_qos2_subscribe_granted_qos1(self):
        d1 = self.device("D1")
        self.assertEqual(d1.subscribe([(self.t("$devices/{D1}/commands"), 2), ("$me/device/config", 2)]), [1, 1])
        r1 = self.registry("R1")
        self.assertEqual(r1.subscribe([("$devices/#", 2)]), [1])
        payload = unique("q2").encode()
        r1.publish(self.t("$devices/{D1}/commands"), payload, qos=1)
        m = self.receive_payload(d1, payload)
        self.assertEqual(m.qos, 1)

    def test_qos2_publish_closes(self):
        self.assert_publish_closes(self.device("D1"), self.t("$devices/{D1}/events"), qos=2)
        self.assert_publish_closes(self.registry("R1"), self.t("$devices/{D1}/commands"), qos=2)

    def test_clean_session_0_is_treated_as_clean(self):
        cid = unique("persistent")
        d1 = self.device("D1", client_id=cid, clean=False)   # raw() asserts session present 0
        self.sub(d1, [self.t("$devices/{D1}/commands")], [1])
        d1.disconnect()
        payload = unique("while-away").encode()
        self.publish_ok(self.registry("R1"), self.t("$devices/{D1}/commands"), payload)
        again = self.device("D1", client_id=cid, clean=False)
        self.assertFalse(again.connack.session_present)
        # no subscription was kept, no message queued: a sentinel on a fresh subscription comes alone
        self.sub(again, [self.t("$devices/{D1}/commands/sentinel")], [1])
        got = self.before_sentinel(again, self.registry("R1"), self.t("$devices/{D1}/commands/sentinel"))
        self.assertEqual(got, [])

    def test_retain_flag_accepted_delivered_as_0_and_not_retained(self):
        r1 = self.registry("R1")
        tag = unique("ret")
        topic = self.t("$devices/{D1}/events/" + tag)
        self.sub(r1, [topic], [1])
        d1 = self.device("D1")
        self.publish_ok(d1, topic, b"retained?", retain=True)
        m = self.receive_payload(r1, b"retained?")
        self.assertFalse(m.retain, "delivered with RETAIN=0")
        self.assert_still_open(d1)
        late = self.registry("R1")
        self.sub(late, [topic], [1])
        self.assertEqual(self.before_sentinel(late, d1, topic), [], "not stored as retained")

    # --- limits ------------------------------------------------------------------------------

    def test_payload_limit(self):
        r1 = self.registry("R1")
        topic = self.t("$devices/{D1}/events/big")
        self.sub(r1, [topic], [1])
        d1 = self.device("D1")
        payload = bytes([65 + i % 26 for i in range(MAX_PAYLOAD)])
        self.publish_ok(d1, topic, payload)
        m = r1.receive(10.0)
        self.assertEqual((m.topic, len(m.payload), m.payload == payload), (topic, MAX_PAYLOAD, True))
        self.assert_publish_closes(d1, topic, payload + b"!")

    def test_subtopic_length_limit(self):
        d1 = self.device("D1")
        r1 = self.registry("R1")
        ok = "s" * MAX_SUBTOPIC
        too_long = "s" * (MAX_SUBTOPIC + 1)
        two_levels_ok = "a" * 500 + "/" + "b" * 523  # 1024 characters with the separator
        self.sub(r1, [self.t("$devices/{D1}/events/" + ok), self.t("$devices/{D1}/events/" + too_long),
                      self.t("$devices/{D1}/events/" + two_levels_ok)], [1, 0x80, 1])
        self.assert_still_open(r1)
        self.publish_ok(d1, self.t("$devices/{D1}/events/" + ok), b"long-ok")
        self.assertEqual(self.receive_payload(r1, b"long-ok").topic, self.t("$devices/{D1}/events/" + ok))
        self.publish_ok(d1, self.t("$devices/{D1}/events/" + two_levels_ok), b"two-ok")
        self.receive_payload(r1, b"two-ok")
        self.assert_publish_closes(d1, self.t("$devices/{D1}/events/" + too_long))

    # --- will --------------------------------------------------------------------------------

    def test_will_published_on_abnormal_disconnect_when_its_topic_is_allowed(self):
        r1 = self.registry("R1")
        tag = unique("will")
        self.sub(r1, [self.t("$devices/{D1}/events/#"), self.t("$devices/{D2}/events/#")], [1, 1])
        cid = unique("will-ok")
        d1 = self.device("D1", client_id=cid, will=(self.t("$devices/{D1}/events/" + tag), b"gone-ok", 1, False))
        start = len(self.serve.log_lines)
        d1.abort()
        m = self.receive_payload(r1, b"gone-ok")
        self.assertEqual(m.topic, self.t("$devices/{D1}/events/" + tag))
        self.serve.wait_client_gone(cid, start=start)

        # not allowed: the will is ignored (the connection itself is accepted)
        cid = unique("will-bad")
        bad = self.device("D1", client_id=cid, will=(self.t("$devices/{D2}/events/" + tag), b"gone-bad", 1, False))
        start = len(self.serve.log_lines)
        bad.abort()
        self.serve.wait_client_gone(cid, start=start)
        # a normal disconnect: no will
        cid = unique("will-normal")
        normal = self.device("D1", client_id=cid, will=(self.t("$devices/{D1}/events/" + tag), b"gone-normal", 1, False))
        start = len(self.serve.log_lines)
        normal.disconnect()
        self.serve.wait_client_gone(cid, start=start)
        got = self.before_sentinel(r1, self.device("D2"), self.t("$devices/{D2}/events/sentinel"))
        self.assertEqual([p.payload for p in got if tag in p.topic], [])

    # --- monitoring --------------------------------------------------------------------------

    def check_time(self, value, field):
        self.assertRegex(value, NANO_TIME_RE, "%s: RFC 3339 UTC with nanoseconds" % field)
        when = datetime.strptime(value[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
        self.assertLess(abs((datetime.now(timezone.utc) - when).total_seconds()), 60, field)

    def test_monitoring_topic(self):
        r1 = self.registry("R1")
        self.sub(r1, [self.t("$monitoring/{D1}/json")], [1])
        d2 = self.device("D2")
        self.sub(d2, [self.t("$monitoring/{D1}/json")], [1])   # a device of the same registry
        self.sub(self.device("D3"), [self.t("$monitoring/{D1}/json")], [0x80])
        self.sub(self.registry("R2"), [self.t("$monitoring/{D1}/json")], [0x80])

        d1 = self.device("D1")
        m = r1.receive(5.0)
        self.assertEqual((m.topic, m.qos), (self.t("$monitoring/{D1}/json"), 0), "monitoring is QoS 0")
        doc = json.loads(m.payload)
        self.assertEqual(doc.get("device_id"), self.ids["D1"])
        self.assertEqual(doc.get("registry_id"), self.ids["R1"])
        self.assertRegex(doc.get("last_auth_ip", ""), r"^127\.0\.0\.1(:\d+)?$")
        self.check_time(doc.get("last_auth_time", ""), "last_auth_time")
        for key, value in doc.items():
            if key.endswith("_time"):
                self.check_time(value, key)
        self.assertLessEqual(set(doc), {"last_auth_time", "last_auth_ip", "last_pub_activity_time",
                                        "last_sub_activity_time", "last_online_time", "registry_id", "device_id"})
        d2.receive(5.0)

        # a publish and a subscribe are actions too
        self.publish_ok(d1, self.t("$devices/{D1}/events/mon"), b"x")
        doc = json.loads(r1.receive_until(lambda p: "last_pub_activity_time" in json.loads(p.payload))[-1].payload)
        self.check_time(doc["last_pub_activity_time"], "last_pub_activity_time")
        d1.subscribe([(self.t("$devices/{D1}/commands"), 1)])
        doc = json.loads(r1.receive_until(lambda p: "last_sub_activity_time" in json.loads(p.payload))[-1].payload)
        self.check_time(doc["last_sub_activity_time"], "last_sub_activity_time")

        # its own monitoring through $me
        self.sub(d1, ["$me/monitoring/json"], [1])
        self.publish_ok(d1, self.t("$devices/{D1}/events/mon"), b"y")
        m = d1.receive(5.0)
        self.assertEqual(m.topic, "$me/monitoring/json")
        self.assertEqual(json.loads(m.payload)["device_id"], self.ids["D1"])

    # --- log lines ---------------------------------------------------------------------------

    def test_log_lines(self):
        start = len(self.serve.log_lines)
        cid = unique("logged")
        d1 = self.device("D1", client_id=cid)
        line = self.serve.wait_for_log(r'\sconnect\s.*clientID="%s"' % cid, start=start)
        _, _, event, fields = parse_logfmt(line)
        self.assertEqual(event, "connect")
        self.assertIn(self.ids["D1"], fields.get("identity", ""), line)
        self.assertEqual(fields.get("listener"), "mqtt")

        d1.subscribe([(self.t("$devices/{D1}/commands"), 1), (self.t("$devices/{D2}/commands"), 1)])
        line = self.serve.wait_for_log(r'\ssubscribe\s.*clientID="%s"' % cid, start=start)
        expected = 'some of subscriptions failed: not allowed to subscribe: ["%s"]' % self.t("$devices/{D2}/commands")
        self.assertIn(expected, line.replace('\\"', '"'), line)

        topic = self.t("$devices/{D2}/events")
        self.assert_publish_closes(d1, topic)
        line = self.serve.wait_for_log(r'\sdisconnect\s.*clientID="%s"' % cid, start=start)
        self.assertEqual(parse_logfmt(line)[3].get("reason"), 'publish to topic "%s" not allowed' % topic, line)

        # a refused CONNECT is logged too, with the return code
        self.raw(self.ids["D1"], PW_WRONG, expect_rc=5)
        self.serve.wait_for_log(r'returnCode="?5', start=start)

    # --- the broker model and the open listener -----------------------------------------------

    def test_broker_identity_uses_any_non_dollar_topic_with_full_mqtt(self):
        b1 = self.raw(self.ids["B"], PW_BROKER)
        b2 = self.raw(self.ids["B"], PW_BROKER)
        self.raw(self.ids["B"], PW_WRONG, expect_rc=5)
        topic = unique("bus") + "/a/b"
        self.assertEqual(b1.subscribe([(topic.rsplit("/", 1)[0] + "/#", 2)]), [2])
        b2.publish(topic, b"q2", qos=2)
        m = b1.receive(5.0)
        self.assertEqual((m.topic, m.payload, m.qos), (topic, b"q2", 2))
        self.assert_publish_closes(b2, self.t("$devices/{D1}/commands"))

    def test_open_listener_keeps_all_of_mqtt_311(self):
        port = self.serve.mqtt_port
        topic = unique("open") + "/t"
        pub = self.raw(port=port)                                  # anonymous
        pub.publish(topic, b"kept", qos=2, retain=True)
        cid = unique("open-persistent")
        sub = self.raw(port=port, client_id=cid, clean=False)
        self.assertEqual(sub.subscribe([(topic, 2)]), [2])
        m = sub.receive(5.0)
        self.assertEqual((m.payload, m.retain, m.qos), (b"kept", True, 2), "retained message, QoS 2")
        sub.disconnect()
        pub.publish(topic, b"queued", qos=1)
        again = mqttraw.RawClient("127.0.0.1", port)
        self.closers.append(again.close)
        ack = again.handshake(cid, clean=False)
        self.assertEqual((ack.return_code, ack.session_present), (0, True), "persistent session")
        m = again.receive(5.0)
        self.assertEqual((m.payload, m.retain), (b"queued", False))
        pub.publish(topic, b"", qos=0, retain=True)  # clear


@brokerproc.only_ours(NOT_MOSQUITTO)
class IotCatalogChangesTest(IotTestCase):
    """The workspace changed while serve runs: new devices, new passwords, a disabled registry."""

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="iot-serve-live-")
        self.ws = os.path.join(self.tmp, "workspace.iotcore")
        self.r3 = cli_json(self.ws, "registry", "create", "--name", "r3", "--password", PW_R3)["id"]
        self.d4 = cli_json(self.ws, "device", "create", "--registry-name", "r3", "--name", "d4",
                           "--password", PW_D4)["id"]
        type(self).serve = self.serve = IotServe(self.ws, name="IotCatalogChangesTest").start()

    def tearDown(self):
        super().tearDown()
        self.serve.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_device_created_while_serve_runs_can_connect(self):
        dev = cli_json(self.ws, "device", "create", "--registry-name", "r3", "--name", "late",
                       "--password", PW_D1)["id"]
        wait_for(lambda: self.login_code(dev, PW_D1) == 0, RELOAD_TIMEOUT, "the new device to be let in")
        c = self.raw(dev, PW_D1)
        self.publish_ok(c, "$devices/%s/events" % dev, b"hello")

    def test_every_catalog_change_is_seen_not_only_the_first(self):
        """Several changes one after another while serve runs: each is picked up."""
        for i in range(3):
            dev = cli_json(self.ws, "device", "create", "--registry-name", "r3", "--name", "late-%d" % i,
                           "--password", PW_D1)["id"]
            wait_for(lambda: self.login_code(dev, PW_D1) == 0, RELOAD_TIMEOUT,
                     "device number %d created while serve runs to be let in" % (i + 1))
        # a password added while running works, and a deleted one stops working
        added = cli_json(self.ws, "device", "password", "add", "--device-id", dev, "--password", PW_D2)
        wait_for(lambda: self.login_code(dev, PW_D2) == 0, RELOAD_TIMEOUT, "the added password to work")
        cli(self.ws, "device", "password", "delete", "--device-id", dev, "--password-id", added["id"])
        wait_for(lambda: self.login_code(dev, PW_D2) == 5, RELOAD_TIMEOUT, "the deleted password to be refused")

    def test_disabled_registry_refuses_and_drops_its_sessions(self):
        device = self.raw(self.d4, PW_D4)
        registry = self.raw(self.r3, PW_R3)
        paho = self.paho(self.d4, PW_D4)
        cli(self.ws, "registry", "disable", "r3")
        began = time.monotonic()
        self.assertTrue(device.wait_closed(DROP_TIMEOUT), "the device's live session is dropped")
        self.assertTrue(registry.wait_closed(max(0.1, DROP_TIMEOUT - (time.monotonic() - began))),
                        "the registry's live session is dropped")
        paho.wait_disconnected(DROP_TIMEOUT)
        self.assertEqual(self.login_code(self.d4, PW_D4), 5)
        self.assertEqual(self.login_code(self.r3, PW_R3), 5)
        cli(self.ws, "registry", "enable", "r3")
        wait_for(lambda: self.login_code(self.d4, PW_D4) == 0, RELOAD_TIMEOUT, "the device let in again")
        self.assertEqual(self.login_code(self.r3, PW_R3), 0)


@brokerproc.only_ours(NOT_MOSQUITTO)
class IotCertificateTest(IotTestCase):
    """Certificate identities on --mqtts, and "password wins over certificate"."""

    @classmethod
    def setUpClass(cls):
        brokerproc.require_tool(cls, "openssl", "openssl")
        brokerproc.require_tool(cls, "mosquitto_pub", "mosquitto-clients")
        cls.tmp = tempfile.mkdtemp(prefix="iot-serve-tls-")
        d = cls.tmp
        try:
            make_ca_and_server(d)
            cls.ca = os.path.join(d, "ca.pem")
            cls.cert_a = make_self_signed(d, "dev-a")       # registered at device creation
            cls.cert_b = make_self_signed(d, "dev-b")       # registered with `device certificate add`
            cls.cert_r = make_self_signed(d, "registry")    # the registry's
            cls.cert_x = make_self_signed(d, "stranger")    # registered nowhere
            cls.cert_late = make_self_signed(d, "late")     # added while serve runs
            cls.ws = ws = os.path.join(d, "workspace.iotcore")
            cls.r = cli_json(ws, "registry", "create", "--name", "tls-reg", "--certificate-file", cls.cert_r[0])["id"]
            cls.a = cli_json(ws, "device", "create", "--registry-name", "tls-reg", "--name", "a",
                             "--password", PW_D1, "--certificate-file", cls.cert_a[0])["id"]
            cls.b = cli_json(ws, "device", "create", "--registry-name", "tls-reg", "--name", "b",
                             "--password", PW_D2)["id"]
            cli(ws, "device", "certificate", "add", "--device-id", cls.b, "--certificate-file", cls.cert_b[0])
            cls.serve = IotServe(ws, mqtts=(os.path.join(d, "server.pem"), os.path.join(d, "server.key")),
                                 name="IotCertificateTest").start()
        except BaseException:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.serve:
            cls.serve.close()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def tls_raw(self, cert=None, username=None, password=None, expect_rc=0, client_id=None):
        ctx = ssl.create_default_context(cafile=self.ca)
        if cert:
            ctx.load_cert_chain(cert[0], cert[1])
        sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", self.serve.iot_tls_port), 5.0),
                               server_hostname="127.0.0.1")
        return self.raw(username, password, sock=sock, expect_rc=expect_rc, client_id=client_id)

    def mosq_args(self, cert=None, username=None, password=None):
        args = ["--cafile", self.ca]
        if cert:
            args += ["--cert", cert[0], "--key", cert[1]]
        if username:
            args += ["-u", username]
        if password:
            args += ["-P", password]
        return args

    def registry_listening(self):
        r = self.tls_raw(self.cert_r)
        self.sub(r, ["$devices/#"], [1])
        return r

    def test_certificate_identity_with_mosquitto_clients(self):
        sub = MosquittoSub(self.serve.iot_tls_port, ["$devices/#"], qos=1, extra=self.mosq_args(self.cert_r))
        self.closers.append(sub.close)
        sub.wait_subscribed()
        mosquitto_pub(self.serve.iot_tls_port, "$devices/%s/events/m" % self.a, "by-cert-a", qos=1,
                      extra=self.mosq_args(self.cert_a))
        mosquitto_pub(self.serve.iot_tls_port, "$devices/%s/state/m" % self.b, "by-cert-b", qos=1,
                      extra=self.mosq_args(self.cert_b))
        got = sub.expect(2)
        self.assertEqual(sorted((m.topic, m.payload) for m in got),
                         sorted([("$devices/%s/events/m" % self.a, b"by-cert-a"),
                                 ("$devices/%s/state/m" % self.b, b"by-cert-b")]))

    def test_certificate_identity_with_paho(self):
        r = self.registry_listening()
        c = self.paho(None, None, port=self.serve.iot_tls_port, tls=(self.ca,) + self.cert_a)
        c.publish("$devices/%s/events/paho" % self.a, b"paho-cert", qos=1)
        self.assertEqual(self.receive_payload(r, b"paho-cert").topic, "$devices/%s/events/paho" % self.a)

    def test_the_certificate_decides_the_rights(self):
        a = self.tls_raw(self.cert_a)
        self.assert_publish_closes(a, "$devices/%s/events" % self.b)
        b = self.tls_raw(self.cert_b)
        self.publish_ok(b, "$devices/%s/events" % self.b)

    def test_no_or_unknown_certificate_without_password_refused(self):
        self.tls_raw(None, expect_rc=5)
        self.tls_raw(self.cert_x, expect_rc=5)
        self.tls_raw(self.cert_x, username=self.a, expect_rc=5)       # a username alone is no password
        done = mosquitto_pub(self.serve.iot_tls_port, "$devices/%s/events" % self.a, "x",
                             extra=self.mosq_args(self.cert_x), check=False)
        self.assertNotEqual(done.returncode, 0)

    def test_password_over_tls_without_certificate(self):
        c = self.tls_raw(None, self.a, PW_D1)
        self.publish_ok(c, "$devices/%s/events" % self.a)

    def test_wrong_certificate_with_right_password_is_in(self):
        r = self.registry_listening()
        c = self.tls_raw(self.cert_x, self.a, PW_D1)
        self.publish_ok(c, "$devices/%s/events/pw-wins" % self.a, b"wrong-cert-right-pw")
        self.receive_payload(r, b"wrong-cert-right-pw")
        done = mosquitto_pub(self.serve.iot_tls_port, "$devices/%s/events/pw-wins" % self.a, "mosq",
                             qos=1, extra=self.mosq_args(self.cert_x, self.a, PW_D1))
        self.assertEqual(done.returncode, 0)

    def test_right_certificate_with_wrong_password_is_refused(self):
        self.tls_raw(self.cert_a, self.a, PW_WRONG, expect_rc=5)
        self.tls_raw(self.cert_a, self.a, PW_D2, expect_rc=5)   # b's password under a's name
        done = mosquitto_pub(self.serve.iot_tls_port, "$devices/%s/events" % self.a, "x",
                             extra=self.mosq_args(self.cert_a, self.a, PW_WRONG), check=False)
        self.assertNotEqual(done.returncode, 0)

    def test_certificate_of_a_with_password_of_b_is_b(self):
        start = len(self.serve.log_lines)
        cid = unique("a-cert-b-pw")
        c = self.tls_raw(self.cert_a, self.b, PW_D2, client_id=cid)
        line = self.serve.wait_for_log(r'\sconnect\s.*clientID="%s"' % cid, start=start)
        identity = parse_logfmt(line)[3].get("identity", "")
        self.assertIn(self.b, identity, line)
        self.assertNotIn(self.a, identity, line)
        self.publish_ok(c, "$devices/%s/events" % self.b)
        self.assert_publish_closes(c, "$devices/%s/events" % self.a)

    def test_certificate_identity_logged(self):
        start = len(self.serve.log_lines)
        cid = unique("cert-log")
        self.tls_raw(self.cert_a, client_id=cid)
        line = self.serve.wait_for_log(r'\sconnect\s.*clientID="%s"' % cid, start=start)
        fields = parse_logfmt(line)[3]
        self.assertIn(self.a, fields.get("identity", ""), line)
        self.assertEqual(fields.get("listener"), "mqtts", line)

    def test_certificate_added_while_serve_runs(self):
        dev = cli_json(self.ws, "device", "create", "--registry-name", "tls-reg", "--name", unique("d"))["id"]
        cli(self.ws, "device", "certificate", "add", "--device-id", dev, "--certificate-file", self.cert_late[0])

        def accepted():
            ctx = ssl.create_default_context(cafile=self.ca)
            ctx.load_cert_chain(*self.cert_late)
            c = mqttraw.RawClient("127.0.0.1", 0, sock=ctx.wrap_socket(
                socket.create_connection(("127.0.0.1", self.serve.iot_tls_port), 5.0), server_hostname="127.0.0.1"))
            try:
                return c.handshake(unique("late")).return_code == 0
            except (mqttraw.Closed, OSError):
                return False
            finally:
                c.close()
        wait_for(accepted, RELOAD_TIMEOUT, "the certificate added while serve runs to be accepted")
        c = self.tls_raw(self.cert_late)
        self.publish_ok(c, "$devices/%s/events" % dev)


@brokerproc.only_ours(NOT_MOSQUITTO)
class RateLimitedServe(IotServe):
    """IotServe with `--message-rate-limit MODE`."""

    def __init__(self, workspace, mode, name):
        super().__init__(workspace, name=name)
        self.mode = mode

    def command(self):
        return super().command() + ["--message-rate-limit", self.mode]


@brokerproc.only_ours(NOT_MOSQUITTO)
class IotRateLimitTest(IotTestCase):
    """IOT_CORE.md, "Limits": one message per second per device; past it warn (counted and logged,
    the default) or drop (acknowledged, not routed)."""

    def start_serve(self, mode):
        self.tmp = tempfile.mkdtemp(prefix="iot-serve-rate-")
        self.ws = os.path.join(self.tmp, "workspace.iotcore")
        self.ids = provision_base(self.ws)
        type(self).serve = self.serve = RateLimitedServe(self.ws, mode, name="IotRateLimitTest").start()

    def tearDown(self):
        super().tearDown()
        if self.serve:
            self.serve.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def burst(self):
        """D1 sends five QoS 1 events at once (each acknowledged); R1 is subscribed."""
        r1 = self.raw(self.ids["R1"], PW_R1)
        self.sub(r1, ["$devices/%s/events/#" % self.ids["D1"]], [1])
        d1 = self.raw(self.ids["D1"], PW_D1)
        start = len(self.serve.log_lines)
        for i in range(5):
            self.publish_ok(d1, "$devices/%s/events/burst" % self.ids["D1"], b"m%d" % i)
        return r1, d1, start

    def test_drop_routes_what_the_rate_allows_and_acknowledges_the_rest(self):
        self.start_serve("drop")
        r1, d1, start = self.burst()
        self.serve.wait_for_log(r"\srate-limit\s.*%s" % self.ids["D1"], start=start)
        time.sleep(1.1)  # the bucket refills one message a second: the sentinel is within the rate
        got = self.before_sentinel(r1, d1, "$devices/%s/events/sentinel" % self.ids["D1"])
        self.assertEqual([m.payload for m in got], [b"m0"])

    def test_drop_refuses_a_brokers_51st_client_with_connack_3(self):
        self.start_serve("drop")
        clients = [self.raw(self.ids["B"], PW_BROKER) for _ in range(50)]
        self.raw(self.ids["B"], PW_BROKER, expect_rc=3)
        clients.pop().disconnect()
        wait_for(lambda: self.login_code(self.ids["B"], PW_BROKER) == 0, 5.0, "a place for a new client after one left")

    def test_warn_routes_everything_and_logs(self):
        self.start_serve("warn")
        r1, d1, start = self.burst()
        line = self.serve.wait_for_log(r"\srate-limit\s.*%s" % self.ids["D1"], start=start)
        self.assertIn("over its limit of 1 message per second", line)
        time.sleep(1.1)
        got = self.before_sentinel(r1, d1, "$devices/%s/events/sentinel" % self.ids["D1"])
        self.assertEqual([m.payload for m in got], [b"m%d" % i for i in range(5)])


class IotRestartAndLogsTest(IotTestCase):
    """A serve of its own per test: permanent topics across a restart and with their owner's
    deletion, and the connection logs read back with `iot registry|device logs`."""

    def setUp(self):
        super().setUp()
        self.tmp = tempfile.mkdtemp(prefix="iot-serve-restart-")
        self.ws = os.path.join(self.tmp, "workspace.iotcore")
        self.ids = provision_base(self.ws)
        type(self).serve = self.serve = IotServe(self.ws, name="IotRestartAndLogsTest").start()

    def tearDown(self):
        super().tearDown()
        self.serve.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def test_broker_clients_get_standard_mqtt_in_a_space_of_their_own(self):
        """IOT_CORE.md: a broker's clients get standard MQTT (persistent sessions, retained
        messages), in an isolated topic space; both survive a restart like the open listener's."""
        pw2 = "Brok2-Passw0rd!ggg"
        other_broker = cli_json(self.ws, "broker", "create", "--name", "bus2", "--password", pw2)["id"]
        wait_for(lambda: self.login_code(other_broker, pw2) == 0, 5.0, "the new broker to be loaded")
        cid = unique("persistent")
        sub = mqttraw.RawClient("127.0.0.1", self.serve.iot_port)
        self.closers.append(sub.close)
        ack = sub.handshake(cid, clean=False, username=self.ids["B"], password=PW_BROKER)
        self.assertEqual((ack.return_code, ack.session_present), (0, False))
        self.assertEqual(sub.subscribe([("s/#", 1)]), [1])
        sub.disconnect()
        pub = self.raw(self.ids["B"], PW_BROKER)
        pub.publish("r/t", b"keep", qos=1, retain=True)
        pub.publish("s/x", b"queued", qos=1)
        pub.disconnect()

        # Another broker's client sees neither: the spaces are isolated.
        foreign = self.raw(other_broker, pw2)
        self.assertEqual(foreign.subscribe([("r/#", 1), ("s/#", 1)]), [1, 1])
        self.assertEqual(self.before_sentinel(foreign, foreign, "r/sentinel"), [])
        foreign.disconnect()

        self.assertEqual(self.serve.stop(), 0)
        self.serve.start()
        again = mqttraw.RawClient("127.0.0.1", self.serve.iot_port)
        self.closers.append(again.close)
        ack = again.handshake(cid, clean=False, username=self.ids["B"], password=PW_BROKER)
        self.assertEqual((ack.return_code, ack.session_present), (0, True), "persistent session")
        m = again.receive(5.0)
        self.assertEqual((m.topic, m.payload), ("s/x", b"queued"))
        late = self.raw(self.ids["B"], PW_BROKER)
        self.assertEqual(late.subscribe([("r/#", 1)]), [1])
        m = late.receive(5.0)
        self.assertEqual((m.topic, m.payload, m.retain), ("r/t", b"keep", True))

    def test_permanent_topics_survive_a_restart(self):
        d1 = self.raw(self.ids["D1"], PW_D1)
        self.publish_ok(d1, "$devices/%s/state/restart" % self.ids["D1"], b"kept-state")
        r1 = self.raw(self.ids["R1"], PW_R1)
        self.publish_ok(r1, "$devices/%s/config" % self.ids["D1"], b"kept-config")
        d1.disconnect()
        r1.disconnect()
        before = self.raw(self.ids["R1"], PW_R1)   # kept before the restart: only the restart is tested
        self.sub(before, ["$devices/%s/state/restart" % self.ids["D1"]], [1])
        self.assertEqual(before.receive(5.0).payload, b"kept-state")
        before.disconnect()
        self.assertEqual(self.serve.stop(), 0)
        self.serve.start()
        r1 = self.raw(self.ids["R1"], PW_R1)
        self.sub(r1, ["$devices/%s/state/restart" % self.ids["D1"]], [1])
        m = r1.receive(5.0)
        self.assertEqual((m.payload, m.retain), (b"kept-state", True))
        d1 = self.raw(self.ids["D1"], PW_D1)
        self.sub(d1, ["$me/device/config"], [1])
        m = d1.receive(5.0)
        self.assertEqual((m.topic, m.payload, m.retain), ("$me/device/config", b"kept-config", True))

    def test_deleted_device_takes_its_kept_messages(self):
        """IOT_CORE.md, "Permanent topics": kept until overwritten or the device is deleted."""
        d3 = self.raw(self.ids["D3"], PW_D3)
        self.publish_ok(d3, "$devices/%s/state" % self.ids["D3"], b"orphan-to-be")
        d1 = self.raw(self.ids["D1"], PW_D1)
        self.publish_ok(d1, "$devices/%s/state" % self.ids["D1"], b"stays")
        d3.disconnect()

        def kept_topics():
            db = sqlite3.connect(self.ws, timeout=10)
            try:
                return sorted(row[0] for row in db.execute("SELECT topic FROM mqtt_permanent"))
            finally:
                db.close()
        wait_for(lambda: len(kept_topics()) == 2, RELOAD_TIMEOUT, "both kept messages in the workspace")
        cli(self.ws, "device", "delete", "--id", self.ids["D3"])
        wait_for(lambda: kept_topics() == ["$devices/%s/state" % self.ids["D1"]], RELOAD_TIMEOUT,
                 "the deleted device's kept message to leave the workspace")
        r1 = self.raw(self.ids["R1"], PW_R1)
        self.sub(r1, ["$devices/%s/state" % self.ids["D1"]], [1])
        self.assertEqual(r1.receive(5.0).payload, b"stays")

    def test_registry_and_device_logs_commands(self):
        cid = unique("logged")
        d1 = self.raw(self.ids["D1"], PW_D1, client_id=cid)
        d1.subscribe([("$devices/%s/commands" % self.ids["D2"], 1)])
        forbidden = "$devices/%s/events" % self.ids["D2"]
        self.assert_publish_closes(d1, forbidden)
        r1 = self.raw(self.ids["R1"], PW_R1)
        r1.disconnect()

        def device_log():
            done = subprocess.run([brokerproc.BINARY, "iot", "device", "logs", "--id", self.ids["D1"], "-w", self.ws],
                                  stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=30)
            return done.returncode == 0 and 'publish to topic "%s" not allowed' % forbidden in done.stdout and done.stdout
        text = wait_for(device_log, RELOAD_TIMEOUT, "the device log")
        self.assertIn('clientID: "%s"' % cid, text)
        self.assertIn("connected", text)
        self.assertIn('some of subscriptions failed: not allowed to subscribe: ["$devices/%s/commands"]'
                      % self.ids["D2"], text)
        self.assertIn('disconnected: publish to topic "%s" not allowed' % forbidden, text)

        done = cli(self.ws, "registry", "logs", "--name", "r1")
        self.assertIn("connected", done.stdout)
        self.assertIn("disconnected: client disconnected", done.stdout)
        self.assertNotIn(cid, done.stdout, "a registry's log holds only what its own credentials did")
        # yc's text form: the UTC time, a tab, the message; JSON adds the level.
        for line in text.splitlines():
            self.assertRegex(line, r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\t\S")
        last = cli_json(self.ws, "device", "logs", "--id", self.ids["D1"], "--limit", "1")
        self.assertEqual(len(last), 1)
        self.assertEqual((last[0]["level"], last[0]["message"]),
                         ("ERROR", 'disconnected: publish to topic "%s" not allowed' % forbidden))
        self.assertRegex(last[0]["timestamp"], NANO_TIME_RE)


if __name__ == "__main__":
    brokerproc.main()
