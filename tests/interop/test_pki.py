"""`iotcore-studio pki export-ca|issue` and the workspace CA behind `serve --mqtts`.

The workspace keeps a certificate authority of its own (made on first use). `pki export-ca`
writes its certificate for devices to trust, `pki issue` writes client certificates signed by it
or self-signed (IoT Core's usual form) and prints their SHA-1 fingerprint, and `serve` given a
TLS listener without --tls-cert/--tls-key uses a server certificate that CA issued for the
listener's host. Everything is checked with third-party tools: the openssl CLI, Python's ssl
module and mosquitto_pub/mosquitto_sub with --cafile, --cert and --key.

Bad input (an unwritable output, no workspace, bad options) gets one line on stderr, exit status 1
(failure) or 2 (usage), and leaves the workspace as it was.

This is our command line, not plain MQTT: under IOTCORE_TEST_BROKER=mosquitto it is skipped.
"""

import json
import os
import re
import shutil
import socket
import sqlite3
import ssl
import stat
import subprocess
import tempfile
import time
import unittest

import brokerproc
from brokerproc import Broker, unique
from clients import MosquittoSub, mosquitto_pub

NOT_MOSQUITTO = "the pki command line and the workspace CA"

PW_REGISTRY = "Reg-Passw0rd!pki1"
PW_DEVICE = "Dev-Passw0rd!pki22"


def run(*args, timeout=60):
    return subprocess.run([brokerproc.BINARY] + list(args), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


def pki(*args):
    """`iotcore-studio pki ARGS`; fails the test on a non-zero exit."""
    done = run("pki", *args)
    if done.returncode != 0:
        raise AssertionError("pki %s failed (%d): %s" % (" ".join(args), done.returncode, done.stderr.strip()))
    return done


def iot_json(workspace, *args):
    done = run("iot", *args, "-w", workspace, "--format", "json")
    if done.returncode != 0:
        raise AssertionError("iot %s failed (%d): %s" % (" ".join(args), done.returncode, done.stderr.strip()))
    return json.loads(done.stdout) if done.stdout.strip() else None


def openssl(*args):
    done = subprocess.run(["openssl"] + list(args), capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError("openssl %s failed: %s" % (" ".join(args), done.stderr.strip()))
    return done.stdout


def openssl_fingerprint(pem_file):
    """openssl's SHA-1 fingerprint in IoT Core's form: lowercase hex, no colons."""
    out = openssl("x509", "-in", pem_file, "-noout", "-fingerprint", "-sha1")
    return out.strip().split("=", 1)[1].replace(":", "").lower()


def dump(workspace):
    """The workspace's contents as SQL text (absent file: None): what "unchanged" compares."""
    if not os.path.exists(workspace):
        return None
    db = sqlite3.connect("file:%s?mode=ro" % workspace, uri=True)
    try:
        return "\n".join(db.iterdump())
    finally:
        db.close()


def one_error_line(testcase, done, code):
    testcase.assertEqual(done.returncode, code, "exit status; stderr: %r" % done.stderr)
    lines = done.stderr.strip().splitlines()
    testcase.assertEqual(len(lines), 1, "one line on stderr, got %r" % done.stderr)
    testcase.assertTrue(lines[0].startswith("iotcore-studio: "), lines[0])
    return lines[0]


class PkiTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if brokerproc.under_mosquitto():
            raise unittest.SkipTest("not applicable to mosquitto: " + NOT_MOSQUITTO)
        brokerproc.require_tool(cls, "openssl", "openssl")

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="iotcore-pki-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.ws = self.path("workspace.iotcore")

    def path(self, name):
        return os.path.join(self.tmp, name)


class ExportAndIssue(PkiTestCase):
    def test_export_ca_is_a_ca_and_the_same_every_time(self):
        first, second = self.path("ca.pem"), self.path("ca2.pem")
        self.assertEqual(pki("export-ca", "-w", self.ws, "-o", first).stdout, "")
        pki("export-ca", "-w", self.ws, "-o", second)
        with open(first) as f:
            pem = f.read()
        with open(second) as f:
            self.assertEqual(f.read(), pem, "the CA is made once and kept in the workspace")
        self.assertEqual(pki("export-ca", "-w", self.ws, "-o", "-").stdout, pem, "-o - is stdout")
        self.assertEqual(pki("export-ca", "-w", self.ws).stdout, pem, "stdout is the default")
        text = openssl("x509", "-in", first, "-noout", "-text")
        self.assertRegex(text, r"CA:TRUE")
        self.assertIn("Certificate Sign", text)
        # The CA lives in the workspace file: one row.
        db = sqlite3.connect(self.ws)
        try:
            self.assertEqual(db.execute("SELECT count(*) FROM pki_authority").fetchone()[0], 1)
        finally:
            db.close()

    def test_issue_signed_by_the_workspace_ca(self):
        ca = self.path("ca.pem")
        pki("export-ca", "-w", self.ws, "-o", ca)
        done = pki("issue", "-w", self.ws, "--cn", "device-1", "-o", self.path("device-1"))
        cert, key = self.path("device-1.pem"), self.path("device-1.key")
        self.assertEqual(openssl("verify", "-CAfile", ca, cert).strip(), cert + ": OK")
        self.assertEqual(done.stdout, openssl_fingerprint(cert) + "\n", "the fingerprint, as IoT Core shows it")
        self.assertRegex(done.stdout, r"^[0-9a-f]{40}\n$")
        self.assertEqual(stat.S_IMODE(os.stat(key).st_mode), 0o600, "the key is readable by its owner only")
        self.assertIn("CN = device-1", openssl("x509", "-in", cert, "-noout", "-subject"))
        # The key belongs to the certificate.
        self.assertEqual(openssl("pkey", "-in", key, "-pubout"), openssl("x509", "-in", cert, "-noout", "-pubkey"))
        self.assertIn("TLS Web Client Authentication", openssl("x509", "-in", cert, "-noout", "-text"))
        # Issuing first and exporting after gives the same CA.
        pki("issue", "-w", self.ws, "--cn", "device-2", "-o", self.path("device-2"))
        self.assertEqual(openssl("verify", "-CAfile", ca, self.path("device-2.pem")).strip(),
                         self.path("device-2.pem") + ": OK")
        self.assertNotEqual(pki("issue", "-w", self.ws, "--cn", "device-1", "-o", self.path("again")).stdout,
                            done.stdout, "each issue is a new key pair")

    def test_issue_self_signed(self):
        done = pki("issue", "--self-signed", "--cn", "sensor", "-o", self.path("sensor"), "--days", "30")
        cert = self.path("sensor.pem")
        self.assertEqual(done.stdout.strip(), openssl_fingerprint(cert))
        names = openssl("x509", "-in", cert, "-noout", "-subject", "-issuer")
        self.assertIn("subject=CN = sensor", names)
        self.assertIn("issuer=CN = sensor", names)
        self.assertEqual(openssl("verify", "-partial_chain", "-CAfile", cert, cert).strip(), cert + ": OK")
        end = openssl("x509", "-in", cert, "-noout", "-checkend", str(29 * 86400))
        self.assertIn("will not expire", end)
        done = subprocess.run(["openssl", "x509", "-in", cert, "-noout", "-checkend", str(31 * 86400)],
                              capture_output=True, text=True)
        self.assertEqual(done.returncode, 1, "--days 30: expired within 31 days")
        self.assertFalse(os.path.exists(self.ws), "a self-signed certificate needs no workspace")

    def test_help(self):
        for args in (("pki", "--help"), ("pki", "export-ca", "--help"), ("pki", "issue", "--help")):
            done = run(*args)
            self.assertEqual(done.returncode, 0, args)
            self.assertTrue(done.stdout.startswith("Usage: iotcore-studio pki"), done.stdout)
        self.assertIn("--self-signed", run("pki", "issue", "--help").stdout)
        self.assertIn("pki", run("--help").stdout)


class BadInput(PkiTestCase):
    def setUp(self):
        super().setUp()
        # A workspace with a catalog in it and, so far, no CA.
        iot_json(self.ws, "registry", "create", "--name", "r1", "--password", PW_REGISTRY)
        self.before = dump(self.ws)

    def assertUnchanged(self):
        self.assertEqual(dump(self.ws), self.before, "the workspace is left as it was")

    def test_unwritable_output(self):
        missing = self.path("no-such-dir/ca.pem")
        line = one_error_line(self, run("pki", "export-ca", "-w", self.ws, "-o", missing), 1)
        self.assertIn(missing, line)
        self.assertUnchanged()
        line = one_error_line(self, run("pki", "issue", "-w", self.ws, "--cn", "d", "-o",
                                        self.path("no-such-dir/d")), 1)
        self.assertIn("no-such-dir/d", line)
        self.assertUnchanged()
        # A new workspace is not left behind either.
        fresh = self.path("fresh.iotcore")
        one_error_line(self, run("pki", "export-ca", "-w", fresh, "-o", missing), 1)
        self.assertEqual(sorted(f for f in os.listdir(self.tmp) if f.startswith("fresh")), [])
        # Nothing half-written next to the output either.
        os.mkdir(self.path("ro"))
        os.chmod(self.path("ro"), 0o500)
        if os.access(self.path("ro"), os.W_OK):
            return  # running as root: permissions do not stop writes
        one_error_line(self, run("pki", "issue", "-w", self.ws, "--cn", "d", "-o", self.path("ro/d")), 1)
        self.assertEqual(os.listdir(self.path("ro")), [])
        self.assertUnchanged()

    def test_usage_errors(self):
        for args in (("pki", "export-ca", "-o", self.path("ca.pem")),            # no -w
                     ("pki", "issue", "--cn", "d", "-o", self.path("d")),          # no -w
                     ("pki", "issue", "-w", self.ws, "-o", self.path("d")),        # no --cn
                     ("pki", "issue", "-w", self.ws, "--cn", "d"),                 # no -o
                     ("pki", "issue", "-w", self.ws, "--cn", "d", "-o", self.path("d"), "--days", "0"),
                     ("pki", "issue", "-w", self.ws, "--cn", "d", "-o", self.path("d"), "--bogus"),
                     ("pki", "export-ca", "-w", self.ws, "extra"),
                     ("pki", "frobnicate")):
            one_error_line(self, run(*args), 2)
        done = run("pki")
        self.assertEqual(done.returncode, 2)
        self.assertTrue(done.stderr.startswith("Usage: iotcore-studio pki"), done.stderr)
        self.assertFalse(os.path.exists(self.path("ca.pem")) or os.path.exists(self.path("d.pem")))
        self.assertUnchanged()

    def test_bad_common_name(self):
        one_error_line(self, run("pki", "issue", "-w", self.ws, "--cn", "x" * 65, "-o", self.path("d")), 1)
        self.assertFalse(os.path.exists(self.path("d.pem")) or os.path.exists(self.path("d.key")))
        self.assertUnchanged()

    def test_not_a_workspace(self):
        other = self.path("notes.txt")
        with open(other, "w") as f:
            f.write("not a database\n")
        line = one_error_line(self, run("pki", "export-ca", "-w", other, "-o", self.path("ca.pem")), 1)
        self.assertIn("not an IoT Core Studio workspace", line)
        with open(other) as f:
            self.assertEqual(f.read(), "not a database\n")


class TlsServe(Broker):
    """`serve -w WS --open-mqtt 127.0.0.1:0 --mqtts 127.0.0.1:0 --open-mqtts 127.0.0.1:0`: the TLS
    listeners without --tls-cert/--tls-key. After start(): iot_tls_port and mqtts_port."""

    def __init__(self, workspace, name="serve-pki"):
        super().__init__(workspace=workspace, name=name, log_level="info", tls=("", ""))
        self.iot_tls_port = None

    def command(self):
        return [brokerproc.BINARY, "serve", "-w", self.workspace, "--open-mqtt", "127.0.0.1:0",
                "--mqtts", "127.0.0.1:0", "--open-mqtts", "127.0.0.1:0", "--log-level", self.log_level]

    def start(self, timeout=brokerproc.START_TIMEOUT):
        super().start(timeout)
        with self._cond:
            self._parse_ready_lines()
        if "mqtts" not in self.ready:
            raise brokerproc.BrokerStartError(self._failure("no ready line for mqtts"))
        self.iot_tls_port = self.ready["mqtts"][2]
        return self


class ServeWithWorkspaceCa(PkiTestCase, brokerproc.BrokerTestCase):
    broker_options = None

    def setUp(self):
        super().setUp()
        self.serve = None
        self.closers = []
        self.ca = self.path("ca.pem")
        pki("export-ca", "-w", self.ws, "-o", self.ca)
        self.registry = iot_json(self.ws, "registry", "create", "--name", "fleet", "--password", PW_REGISTRY)["id"]
        self.device = iot_json(self.ws, "device", "create", "--registry-name", "fleet", "--name", "pump",
                               "--password", PW_DEVICE)["id"]

    def tearDown(self):
        for close in reversed(self.closers):
            close()
        if self.serve:
            self.serve.close()

    def brokers_to_report(self):
        return [self.serve]

    def start_serve(self):
        self.serve = TlsServe(self.ws).start()
        return self.serve

    def server_certificate(self, port):
        """The server's certificate (DER), checked against the exported CA for 127.0.0.1."""
        ctx = ssl.create_default_context(cafile=self.ca)
        with socket.create_connection(("127.0.0.1", port), 5.0) as raw:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                return tls.getpeercert(binary_form=True)

    def registry_subscriber(self):
        sub = MosquittoSub(self.serve.iot_tls_port, ["$devices/#"], qos=1,
                           extra=["--cafile", self.ca, "-u", self.registry, "-P", PW_REGISTRY])
        self.closers.append(sub.kill)
        return sub.wait_subscribed()

    def test_devices_trust_the_exported_ca(self):
        self.start_serve()
        sub = self.registry_subscriber()
        # A password over TLS, the server checked against the exported CA.
        mosquitto_pub(self.serve.iot_tls_port, "$devices/%s/events/pw" % self.device, "by-password", qos=1,
                      extra=["--cafile", self.ca, "-u", self.device, "-P", PW_DEVICE])
        # A certificate the workspace CA issued, registered with the device.
        prefix = self.path("pump")
        fingerprint = pki("issue", "-w", self.ws, "--cn", "pump", "-o", prefix).stdout.strip()
        added = iot_json(self.ws, "device", "certificate", "add", "--device-id", self.device,
                         "--certificate-file", prefix + ".pem")
        self.assertEqual(added["fingerprint"], fingerprint)
        # serve reloads the catalog within about a second.
        deadline = time.monotonic() + 10
        while True:
            done = mosquitto_pub(self.serve.iot_tls_port, "$devices/%s/events/cert" % self.device, "by-cert",
                                 qos=1, check=False,
                                 extra=["--cafile", self.ca, "--cert", prefix + ".pem", "--key", prefix + ".key"])
            if done.returncode == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        self.assertEqual(done.returncode, 0, done.stderr)
        got = sub.expect_until(lambda m: m.payload == b"by-cert")
        self.assertIn(("$devices/%s/events/pw" % self.device, b"by-password"), [(m.topic, m.payload) for m in got])
        self.assertEqual(got[-1].topic, "$devices/%s/events/cert" % self.device)
        # An issued certificate nobody registered is no identity.
        pki("issue", "-w", self.ws, "--cn", "stranger", "-o", self.path("stranger"))
        done = mosquitto_pub(self.serve.iot_tls_port, "$devices/%s/events/x" % self.device, "no", check=False,
                             extra=["--cafile", self.ca, "--cert", self.path("stranger.pem"),
                                    "--key", self.path("stranger.key")])
        self.assertNotEqual(done.returncode, 0)
        # The open TLS listener has the same certificate.
        self.assertEqual(self.server_certificate(self.serve.mqtts_port),
                         self.server_certificate(self.serve.iot_tls_port))
        mosquitto_pub(self.serve.mqtts_port, "open/tls", "anyone", extra=["--cafile", self.ca])

    def test_server_certificate_names_and_reuse(self):
        self.start_serve()
        first = self.server_certificate(self.serve.iot_tls_port)
        with open(self.path("server.pem"), "w") as f:
            f.write(ssl.DER_cert_to_PEM_cert(first))
        text = openssl("x509", "-in", self.path("server.pem"), "-noout", "-text")
        for name in ("IP Address:127.0.0.1", "DNS:localhost", "IP Address:0:0:0:0:0:0:0:1",
                     "TLS Web Server Authentication"):
            self.assertIn(name, text)
        hostname = socket.gethostname()
        if re.fullmatch(r"[A-Za-z0-9.-]+", hostname):
            self.assertIn("DNS:" + hostname.lower(), text)
        self.assertEqual(openssl("verify", "-CAfile", self.ca, self.path("server.pem")).strip(),
                         self.path("server.pem") + ": OK")
        # The certificate is kept in the workspace and used again after a restart.
        self.serve.stop()
        self.serve.start()
        self.assertEqual(self.server_certificate(self.serve.iot_tls_port), first)
        db = sqlite3.connect(self.ws)
        try:
            rows = db.execute("SELECT host_names FROM pki_server_certificates").fetchall()
        finally:
            db.close()
        self.assertEqual(len(rows), 1)
        self.assertIn("127.0.0.1", rows[0][0].split(" "))
        # Nothing but the ready lines on stdout.
        self.assertTrue(all(line.startswith("ready ") for line in self.serve.stdout_lines),
                        self.serve.stdout_lines)

    def test_tls_listener_needs_a_workspace_or_files(self):
        done = run("serve", "--open-mqtts", "127.0.0.1:0", timeout=20)
        line = one_error_line(self, done, 2)
        self.assertIn("--tls-cert", line)
        self.assertIn("-w", line)
        done = run("serve", "-w", self.ws, "--mqtts", "127.0.0.1:0", "--tls-cert", self.ca, timeout=20)
        one_error_line(self, done, 2)


if __name__ == "__main__":
    brokerproc.main()
