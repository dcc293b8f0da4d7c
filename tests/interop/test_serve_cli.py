"""The operational contract of `iotcore-studio serve`: ready lines, log lines, signals, errors.

This is our command line, not MQTT, so it has no mosquitto equivalent: under
IOTCORE_TEST_BROKER=mosquitto these tests are skipped.
"""

import re
import signal
import socket
import subprocess
import tempfile

import brokerproc
import mqttraw
from brokerproc import Broker, parse_logfmt, unique

NOT_MOSQUITTO = "iotcore-studio's own command line and log format"
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def run(*args, timeout=20):
    return subprocess.run([brokerproc.BINARY] + list(args), stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=timeout)


@brokerproc.only_ours(NOT_MOSQUITTO)
class ServeCliTest(brokerproc.BrokerTestCase):
    broker_options = None

    def setUp(self):
        self.extra_brokers = []

    def tearDown(self):
        for b in self.extra_brokers:
            b.close()

    def start(self, **kw):
        b = Broker(**kw)
        self.extra_brokers.append(b)
        return b.start()

    def test_one_ready_line_per_listener(self):
        b = self.start(ws=True, log_level="info")
        ready = [line for line in b.stdout_lines if line.startswith("ready ")]
        self.assertEqual(sorted(line.split()[1] for line in ready), ["open-mqtt", "open-ws"])
        self.assertRegex(b.stdout_lines[0], r"^ready (open-mqtt mqtt|open-ws ws)://127\.0\.0\.1:[1-9]\d*$")

    def test_connect_and_disconnect_are_logged(self):
        b = self.start(log_level="info")
        cid = unique("logged")
        c = mqttraw.RawClient(b.host, b.mqtt_port)
        local = "%s:%d" % c.sock.getsockname()
        c.handshake(cid)
        line = b.wait_for_log(r'\sconnect\s.*clientID="%s"' % cid)
        when, level, event, fields = parse_logfmt(line)
        self.assertRegex(when, TIME_RE, "RFC 3339 UTC with milliseconds")
        self.assertEqual((level, event), ("info", "connect"))
        self.assertEqual(fields.get("address"), local)
        self.assertEqual(fields.get("identity"), "anonymous")
        self.assertEqual(fields.get("listener"), "open-mqtt")
        c.disconnect()
        polite = parse_logfmt(b.wait_client_gone(cid))
        self.assertEqual((polite[1], polite[2]), ("info", "disconnect"))
        self.assertEqual(polite[3].get("address"), local)
        self.assertTrue(polite[3].get("reason"))

        rude = mqttraw.RawClient(b.host, b.mqtt_port)
        rude_id = unique("rude")
        rude.handshake(rude_id)
        rude.abort()
        rude_fields = parse_logfmt(b.wait_client_gone(rude_id))[3]
        self.assertTrue(rude_fields.get("reason"))
        self.assertNotEqual(rude_fields.get("reason"), polite[3].get("reason"),
                            "a reset connection and a DISCONNECT are told apart")

    def test_log_level_warning_hides_connect_lines(self):
        b = self.start(log_level="warning")
        cid = unique("quiet")
        c = mqttraw.RawClient(b.host, b.mqtt_port)
        c.handshake(cid)
        c.disconnect()
        self.assertEqual(b.stop(), 0)
        self.assertEqual([line for line in b.log_lines if cid in line], [])

    def test_sigint_and_sigterm_stop_with_status_0(self):
        for sig in (signal.SIGINT, signal.SIGTERM):
            with self.subTest(sig=sig.name):
                b = self.start()
                c = mqttraw.RawClient(b.host, b.mqtt_port)
                c.handshake(unique("conn"))  # a live connection does not block the stop
                self.assertEqual(b.stop(sig), 0, b.log_tail())
                c.close()

    def test_port_in_use_is_one_clear_error(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            s.listen(1)
            port = s.getsockname()[1]
            done = run("serve", "--open-mqtt", "127.0.0.1:%d" % port)
        self.assertEqual(done.returncode, 1, done.stderr)
        self.assertIn(str(port), done.stderr.decode(errors="replace"))
        self.assertNotIn(b"ready", done.stdout)

    def test_unreadable_certificate_is_one_clear_error(self):
        missing = "/nonexistent/%s.pem" % unique("cert")
        with tempfile.NamedTemporaryFile(suffix=".pem") as garbage:
            garbage.write(b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
            garbage.flush()
            for cert in (missing, garbage.name):
                with self.subTest(cert=cert):
                    done = run("serve", "--open-mqtt", "127.0.0.1:0", "--open-mqtts", "127.0.0.1:0",
                               "--tls-cert", cert, "--tls-key", cert)
                    self.assertEqual(done.returncode, 1, done.stderr)
                    self.assertIn(cert, done.stderr.decode(errors="replace"))
                    self.assertNotIn(b"ready open-mqtts", done.stdout)

    def test_version_and_help(self):
        version = run("--version")
        self.assertEqual(version.returncode, 0)
        self.assertRegex(version.stdout.decode(), r"\d+\.\d+\.\d+")
        for args in (["--help"], ["serve", "--help"]):
            with self.subTest(args=args):
                done = run(*args)
                self.assertEqual(done.returncode, 0, done.stderr)
                text = done.stdout.decode()
                if args[0] == "serve":
                    for option in ("--open-mqtt", "--open-ws", "--open-mqtts", "--tls-cert", "--tls-key",
                                   "--log-level", "-w"):
                        self.assertIn(option, text)


if __name__ == "__main__":
    brokerproc.main()
