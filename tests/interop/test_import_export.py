"""`iotcore-studio import yc` and `export mosquitto`: moving in from Yandex IoT Core and out to a
cluster (../shared/IOT_CORE.md "Migration paths users will expect", DESIGN.md "Scale beyond one
machine").

Import: hand-written files in the shapes `yc iot … --format json|yaml` prints (snake_case JSON,
go-yaml YAML with `certificate_data: |` blocks and `---` documents, camelCase as our own JSON),
with certificates made by the openssl CLI. Checked: ids, names, labels, status and created_at
kept; the fingerprint field recomputed; an alias given twice is one; importing twice changes
nothing (the file byte for byte); one bad file → exit 1 and the workspace unchanged; generated
passwords printed once and accepted by `serve` (mosquitto_pub -u/-P).

Export: Debian's mosquitto started on the exported files, checked with mosquitto_pub/sub: a
device publishes its events and its registry reads them; a device publishing to another
device's topic is dropped (nothing reaches the subscriber before a sentinel); a device of a
disabled registry is refused; the TLS listener takes a password over the workspace CA.

This is our command line: under IOTCORE_TEST_BROKER=mosquitto it is skipped.
"""

import hashlib
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

import brokerproc
from brokerproc import free_port, unique
from clients import MosquittoSub, mosquitto_pub

NOT_MOSQUITTO = "iotcore-studio's own import and export"

R1, R2 = "arenou2oj4ct42eq8g3n", "are7dkq0vbn3m5f1s2tu"
D1, D2, D3 = "areb2l1jcd7fu2k6oq0t", "arec3m2kde8gv3l7pr1u", "bres9s0ghj1kl2mn3op4"
R1_CREATED = "2023-02-07T07:55:08.662Z"
D1_CREATED = "2023-02-07T08:01:02.123456Z"
D1_CERT_CREATED = "2023-02-08T10:00:00Z"
LINE_RE = re.compile(r"^([0-9a-z]{20}) (\S{14,})$")


def run(*args, timeout=120):
    return subprocess.run([brokerproc.BINARY] + list(args), stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=timeout)


def ok(*args):
    done = run(*args)
    if done.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (" ".join(args), done.returncode, done.stderr.strip()))
    return done


def file_hash(path):
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def openssl(*args, cwd):
    done = subprocess.run(["openssl"] + list(args), cwd=cwd, capture_output=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError("openssl %s: %s" % (" ".join(args), done.stderr.decode(errors="replace")))
    return done.stdout.decode()


def self_signed(d, name):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", name + ".key", "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + name, cwd=d)
    with open(os.path.join(d, name + ".pem")) as f:
        pem = f.read()
    out = openssl("x509", "-in", name + ".pem", "-noout", "-fingerprint", "-sha1", cwd=d)
    return pem, out.strip().split("=", 1)[1].replace(":", "").lower()


def yaml_block(text, indent):
    pad = " " * indent
    return "\n".join(pad + line for line in text.strip().split("\n"))


def write(d, name, text):
    path = os.path.join(d, name)
    with open(path, "w") as f:
        f.write(text)
    return path


def yc_files(d):
    """What `yc iot …` printed for two registries (one disabled) and three devices, in its
    several forms. Returns (paths, fingerprints by owner)."""
    d1_pem, d1_fp = self_signed(d, "d1")
    r1_pem, r1_fp = self_signed(d, "r1")
    paths = []
    # yc iot registry list --format json (protobuf names)
    paths.append(write(d, "registry-list.json", json.dumps([
        {"id": R1, "folder_id": "b1gvmob95yysaplct532", "created_at": R1_CREATED, "name": "home",
         "description": "Home sensors", "labels": {"env": "prod", "floor": "2"}, "status": "ACTIVE",
         "log_group_id": "e23abcdefabcdefabcde"},
        {"id": R2, "folder_id": "b1gvmob95yysaplct532", "created_at": "2023-03-01T00:00:00Z",
         "name": "old-office", "status": "DISABLED"},
    ], indent=2)))
    # yc iot registry get home --format yaml (the same registry again: one registry)
    paths.append(write(d, "registry-get.yaml", """id: %s
folder_id: b1gvmob95yysaplct532
created_at: "%s"
name: home
description: Home sensors
labels:
  env: prod
  floor: "2"
status: ACTIVE
log_group_id: e23abcdefabcdefabcde
""" % (R1, R1_CREATED)))
    # yc iot device list --registry-name home --format yaml
    paths.append(write(d, "device-list.yaml", """- id: %(d1)s
  registry_id: %(r1)s
  created_at: "%(created)s"
  name: thermo-1
  description: "Kitchen thermometer, the one
    by the window"
  topic_aliases:
    kitchen/t: $devices/%(d1)s/events/kitchen
  status: ACTIVE
  monitoring_data:
    last_auth_ip: 10.0.0.5
    last_auth_time: "2026-10-30T12:00:00.123456789Z"
- id: %(d2)s
  registry_id: %(r1)s
  created_at: "2023-02-07T08:01:03Z"
  name: thermo-2
  labels: {}
  status: ACTIVE
""" % {"d1": D1, "d2": D2, "r1": R1, "created": D1_CREATED}))
    # yc iot device get --format json-rest (camelCase, like our own --format json)
    paths.append(write(d, "device-get-old-office.json", json.dumps(
        {"id": D3, "registryId": R2, "createdAt": "2023-03-02T00:00:00Z", "name": "door",
         "status": "ACTIVE"}, indent=2)))
    # yc iot device certificate list thermo-1 --format yaml: the fingerprint field is wrong on
    # purpose (the importer recomputes it)
    paths.append(write(d, "device-certificates.yaml", """---
- device_id: %s
  fingerprint: %s
  certificate_data: |
%s
  created_at: "%s"
""" % (D1, "0" * 40, yaml_block(d1_pem, 4), D1_CERT_CREATED)))
    # yc iot registry certificate list home --format json
    paths.append(write(d, "registry-certificates.json", json.dumps(
        [{"registry_id": R1, "fingerprint": r1_fp, "certificate_data": r1_pem,
          "created_at": "2023-02-09T00:00:00Z"}], indent=2)))
    # yc iot registry list-device-topic-aliases home --format json: thermo-1's alias again
    paths.append(write(d, "aliases.json", json.dumps([
        {"device_id": D1, "topic_prefix": "$devices/%s/events/kitchen" % D1, "alias": "kitchen/t"},
        {"device_id": D2, "topic_prefix": "$devices/%s/state" % D2, "alias": "hall/state"},
    ], indent=2)))
    return paths, {D1: d1_fp, R1: r1_fp}


def parse_passwords(stdout):
    found = {}
    for line in stdout.splitlines():
        m = LINE_RE.match(line)
        assert m, "not an '<id> <password>' line: %r" % line
        assert m.group(1) not in found, "%s printed twice" % m.group(1)
        found[m.group(1)] = m.group(2)
    return found


def dump(ws):
    """Everything `iot` shows about the workspace."""
    out = {}
    for args in (["registry", "list"], ["device", "list"]):
        out[" ".join(args)] = json.loads(ok("iot", *args, "-w", ws, "--format", "json").stdout)
    for r in (R1, R2):
        out["registry " + r] = json.loads(ok("iot", "registry", "get", r, "-w", ws, "--format", "json").stdout)
        out["rcert " + r] = json.loads(ok("iot", "registry", "certificate", "list", "--registry-id", r, "-w", ws,
                                          "--format", "json").stdout)
        out["rpw " + r] = json.loads(ok("iot", "registry", "password", "list", "--registry-id", r, "-w", ws,
                                        "--format", "json").stdout)
    for dev in (D1, D2, D3):
        out["device " + dev] = json.loads(ok("iot", "device", "get", dev, "-w", ws, "--format", "json").stdout)
        out["dpw " + dev] = json.loads(ok("iot", "device", "password", "list", "--device-id", dev, "-w", ws,
                                          "--format", "json").stdout)
    return out


class Serve(brokerproc.Broker):
    """`serve -w WS --mqtt 127.0.0.1:0` (IoT Core identities) next to the open listener."""

    def command(self):
        return [brokerproc.BINARY, "serve", "-w", self.workspace, "--mqtt", "127.0.0.1:0",
                "--open-mqtt", "127.0.0.1:0", "--log-level", "info"]

    def start(self, timeout=brokerproc.START_TIMEOUT):
        super().start(timeout)
        deadline = time.monotonic() + timeout
        with self._cond:
            while "mqtt" not in self.ready:
                self._parse_ready_lines()
                if "mqtt" in self.ready:
                    break
                if time.monotonic() > deadline:
                    raise brokerproc.BrokerStartError(self._failure("no ready line for mqtt"))
                self._cond.wait(0.2)
        self.iot_port = self.ready["mqtt"][2]
        return self


@brokerproc.only_ours(NOT_MOSQUITTO)
class ImportTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        brokerproc.require_tool(cls, "openssl", "openssl")

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="import-")
        self.ws = os.path.join(self.dir, "workspace.iotcore")
        self.files, self.fingerprints = yc_files(self.dir)

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def import_(self, *files, extra=()):
        return run("import", "yc", "-w", self.ws, *(list(files) + list(extra)))

    def test_import_keeps_what_the_cloud_showed(self):
        done = self.import_(*self.files)
        self.assertEqual(done.returncode, 0, done.stderr)
        passwords = parse_passwords(done.stdout)
        self.assertEqual(set(passwords), {R1, R2, D1, D2, D3}, "one generated password per entity")

        d1 = json.loads(ok("iot", "device", "get", D1, "-w", self.ws, "--format", "json").stdout)
        self.assertEqual(d1["id"], D1)
        self.assertEqual(d1["registryId"], R1)
        self.assertEqual(d1["createdAt"], D1_CREATED)
        self.assertEqual(d1["name"], "thermo-1")
        self.assertEqual(d1["description"], "Kitchen thermometer, the one by the window")
        self.assertEqual(d1["topicAliases"], {"kitchen/t": "$devices/%s/events/kitchen" % D1},
                         "an alias in the device and in the alias list is one alias")
        d2 = json.loads(ok("iot", "device", "get", D2, "-w", self.ws, "--format", "json").stdout)
        self.assertEqual(d2["topicAliases"], {"hall/state": "$devices/%s/state" % D2})
        d3 = json.loads(ok("iot", "device", "get", D3, "-w", self.ws, "--format", "json").stdout)
        self.assertEqual((d3["registryId"], d3["createdAt"]), (R2, "2023-03-02T00:00:00Z"))

        r1 = json.loads(ok("iot", "registry", "get", R1, "-w", self.ws, "--format", "json").stdout)
        self.assertEqual((r1["name"], r1["createdAt"], r1["status"], r1["description"]),
                         ("home", R1_CREATED, "ACTIVE", "Home sensors"))
        self.assertEqual(r1["labels"], {"env": "prod", "floor": "2"})
        r2 = json.loads(ok("iot", "registry", "get", R2, "-w", self.ws, "--format", "json").stdout)
        self.assertEqual(r2["status"], "DISABLED")

        certs = json.loads(ok("iot", "device", "certificate", "list", "--device-id", D1, "-w", self.ws,
                              "--format", "json").stdout)
        self.assertEqual([(c["fingerprint"], c["createdAt"]) for c in certs],
                         [(self.fingerprints[D1], D1_CERT_CREATED)],
                         "the fingerprint is recomputed from certificate_data (SHA-1 of the DER)")
        certs = json.loads(ok("iot", "registry", "certificate", "list", "--registry-id", R1, "-w", self.ws,
                              "--format", "json").stdout)
        self.assertEqual([c["fingerprint"] for c in certs], [self.fingerprints[R1]])

    def test_importing_twice_changes_nothing(self):
        first = self.import_(*self.files)
        self.assertEqual(first.returncode, 0, first.stderr)
        before, before_hash = dump(self.ws), file_hash(self.ws)
        again = self.import_(*reversed(self.files))
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(again.stdout, "", "passwords are generated once")
        self.assertEqual(file_hash(self.ws), before_hash)
        self.assertEqual(dump(self.ws), before)

    def test_an_id_already_in_the_workspace_is_updated_in_place(self):
        ok("import", "yc", "-w", self.ws, *self.files)
        changed = write(self.dir, "changed.yaml", """id: %s
registry_id: %s
created_at: "%s"
name: thermo-1-renamed
labels:
  room: kitchen
""" % (D1, R1, D1_CREATED))
        done = self.import_(changed)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(done.stdout, "", "the device has a password already")
        d1 = json.loads(ok("iot", "device", "get", D1, "-w", self.ws, "--format", "json").stdout)
        self.assertEqual((d1["name"], d1["labels"], d1["createdAt"]),
                         ("thermo-1-renamed", {"room": "kitchen"}, D1_CREATED))
        self.assertIn("kitchen/t", d1["topicAliases"], "aliases not in the file stay")

    def test_one_bad_file_imports_nothing(self):
        ok("import", "yc", "-w", self.ws, self.files[0])
        bad = {
            "malformed.yaml": "id: x\n  name: [unclosed\n",
            "malformed.json": '[{"id": "%s", "name": "x",}]' % R1,
            "unknown-shape.json": '{"foo": "bar"}',
            "orphan-device.yaml": "id: aredddddddddddddddd1\nregistry_id: areeeeeeeeeeeeeeeee1\nname: lost\n",
            "bad-certificate.yaml": "device_id: %s\ncertificate_data: |\n  not a certificate\n" % D1,
            "clashing-alias.json": json.dumps([{"device_id": D1, "alias": "kitchen/t",
                                                "topic_prefix": "$devices/%s/state" % D1}]),
            "bad-label.yaml": "id: %s\nname: home\nlabels:\n  Bad Key: x\n" % R1,
            "bad-time.json": json.dumps({"id": R1, "name": "home", "created_at": "yesterday"}),
        }
        before = file_hash(self.ws)
        for name, text in bad.items():
            with self.subTest(bad=name):
                path = write(self.dir, name, text)
                done = self.import_(*(self.files + [path]))
                self.assertEqual(done.returncode, 1, done.stderr)
                self.assertIn(name, done.stderr, "the error names the file")
                self.assertEqual(len(done.stderr.strip().splitlines()), 1, done.stderr)
                self.assertEqual(done.stdout, "", "no password is printed for a refused import")
                self.assertEqual(file_hash(self.ws), before, "the workspace is unchanged")
        fresh = os.path.join(self.dir, "fresh.iotcore")
        done = run("import", "yc", "-w", fresh, self.files[0], os.path.join(self.dir, "malformed.yaml"))
        self.assertEqual(done.returncode, 1)
        self.assertFalse(os.path.exists(fresh), "a refused import creates no workspace")

    def test_errors_name_the_entity(self):
        path = write(self.dir, "orphan.json", json.dumps(
            {"id": "aredddddddddddddddd1", "registry_id": "areeeeeeeeeeeeeeeee1", "name": "lost"}))
        done = self.import_(path)
        self.assertEqual(done.returncode, 1)
        self.assertIn('device "lost" (aredddddddddddddddd1)', done.stderr)
        self.assertIn("areeeeeeeeeeeeeeeee1", done.stderr)

    def test_passwords_from_a_file(self):
        given = write(self.dir, "passwords.txt", "# id password\n%s Home-Registry-Pw1\n%s Thermo-One-Pw-22\n" % (R1, D1))
        done = self.import_(*self.files, extra=["--passwords", given])
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertEqual(set(parse_passwords(done.stdout)), {R2, D2, D3}, "only the others are generated")
        again = self.import_(*self.files, extra=["--passwords", given])
        self.assertEqual((again.returncode, again.stdout), (0, ""))
        pw = json.loads(ok("iot", "device", "password", "list", "--device-id", D1, "-w", self.ws,
                           "--format", "json").stdout)
        self.assertEqual(len(pw), 1, "the same password given again is not added twice")
        weak = write(self.dir, "weak.txt", "%s short\n" % D2)
        done = self.import_(*self.files, extra=["--passwords", weak])
        self.assertEqual(done.returncode, 1)
        self.assertIn("weak.txt:1", done.stderr)

    def test_generated_passwords_work(self):
        brokerproc.require_tool(self, "mosquitto_pub", "mosquitto-clients")
        done = self.import_(*self.files)
        self.assertEqual(done.returncode, 0, done.stderr)
        passwords = parse_passwords(done.stdout)
        serve = Serve(workspace=self.ws, name="serve")
        serve.start()
        try:
            sub = MosquittoSub(serve.iot_port, ["$devices/%s/events/#" % D1],
                               extra=["-u", R1, "-P", passwords[R1]], qos=1)
            try:
                sub.wait_subscribed()
                mosquitto_pub(serve.iot_port, "$devices/%s/events/kitchen" % D1, "21.5", qos=1,
                              extra=["-u", D1, "-P", passwords[D1]])
                got = sub.expect(1)
                self.assertEqual((got[0].topic, got[0].payload), ("$devices/%s/events/kitchen" % D1, b"21.5"))
            finally:
                sub.close()
            wrong = mosquitto_pub(serve.iot_port, "$devices/%s/events" % D2, "x", qos=1,
                                  extra=["-u", D2, "-P", passwords[D1]], check=False)
            self.assertNotEqual(wrong.returncode, 0, "another device's password is refused")
            disabled = mosquitto_pub(serve.iot_port, "$devices/%s/events" % D3, "x", qos=1,
                                     extra=["-u", D3, "-P", passwords[D3]], check=False)
            self.assertNotEqual(disabled.returncode, 0, "a device of a disabled registry is refused")
        finally:
            serve.close()


def wait_listening(proc, port, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise AssertionError("mosquitto exited with %s: %s" % (proc.returncode, proc.stderr.read().decode()))
        try:
            socket.create_connection(("127.0.0.1", port), 0.5).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError("mosquitto did not listen on %d" % port)
            time.sleep(0.05)


@brokerproc.only_ours(NOT_MOSQUITTO)
class ExportTest(unittest.TestCase):
    PW_R1 = "Home-Registry-Pw1"
    PW_D1 = "Thermo-One-Pw-22"
    PW_D2 = "Thermo-Two-Pw-333"
    PW_D3 = "Door-Device-Pw-44"

    @classmethod
    def setUpClass(cls):
        cls.mosquitto = brokerproc.require_tool(cls, "mosquitto", "mosquitto")
        brokerproc.require_tool(cls, "mosquitto_pub", "mosquitto-clients")
        brokerproc.require_tool(cls, "openssl", "openssl")

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="export-")
        self.ws = os.path.join(self.dir, "workspace.iotcore")
        files, _ = yc_files(self.dir)
        given = write(self.dir, "passwords.txt", "%s %s\n%s %s\n%s %s\n%s %s\n" % (
            R1, self.PW_R1, D1, self.PW_D1, D2, self.PW_D2, D3, self.PW_D3))
        ok("import", "yc", "-w", self.ws, *files, "--passwords", given)
        self.out = os.path.join(self.dir, "mosquitto-export")
        self.proc = None

    def tearDown(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def export(self, *extra):
        return run("export", "mosquitto", "-w", self.ws, self.out, *extra)

    def test_files(self):
        done = self.export()
        self.assertEqual(done.returncode, 0, done.stderr)
        for name in ("mosquitto.conf", "passwords", "acl", "ca.pem", "server.pem", "server.key",
                     "README.md", ".iotcore-export"):
            self.assertTrue(os.path.exists(os.path.join(self.out, name)), name)
        with open(os.path.join(self.out, "passwords")) as f:
            lines = f.read().splitlines()
        users = [line.split(":", 1)[0] for line in lines]
        self.assertEqual(sorted(users), sorted([R1, D1, D2]), "the disabled registry and its device are left out")
        for line in lines:
            self.assertRegex(line, r"^[0-9a-z]{20}:\$7\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$")
        with open(os.path.join(self.out, "README.md")) as f:
            readme = f.read()
        self.assertIn(R2, readme)
        self.assertIn("kitchen/t", readme, "aliases cannot carry over: listed")
        self.assertIn("Permanent topics", readme)
        with open(os.path.join(self.out, "acl")) as f:
            acl = f.read()
        self.assertNotIn(D3, acl)

    def test_directory_rules(self):
        os.makedirs(self.out)
        write(self.out, "precious.txt", "not ours")
        done = self.export()
        self.assertEqual(done.returncode, 1)
        self.assertIn("not empty", done.stderr)
        os.remove(os.path.join(self.out, "precious.txt"))
        self.assertEqual(self.export().returncode, 0, "an empty directory is fine")
        again = self.export()
        self.assertEqual(again.returncode, 0, "an earlier export is written over: %s" % again.stderr)

    def test_mosquitto_runs_the_export(self):
        # A certificate the workspace CA issued with the device id as CN becomes an identity.
        ok("pki", "issue", "-w", self.ws, "--cn", D1, "-o", os.path.join(self.dir, "d1ca"))
        ok("iot", "device", "certificate", "add", "--device-id", D1, "--certificate-file",
           os.path.join(self.dir, "d1ca.pem"), "-w", self.ws)
        port, tls_port, cert_port = free_port(), free_port(), free_port()
        done = self.export("--port", str(port), "--tls-port", str(tls_port), "--certificate-port", str(cert_port))
        self.assertEqual(done.returncode, 0, done.stderr)
        conf = os.path.join(self.dir, "run.conf")
        with open(os.path.join(self.out, "mosquitto.conf")) as f:
            text = f.read()
        # Only what running it under a test needs: logs to stderr, and no dropping to the
        # 'mosquitto' user, which could not read the files of a root-owned temporary directory.
        extra = "log_dest stderr\nlog_type all\n" + ("user root\n" if os.geteuid() == 0 else "")
        with open(conf, "w") as f:
            f.write(extra + text)
        self.proc = subprocess.Popen([self.mosquitto, "-c", conf], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        wait_listening(self.proc, port)

        def auth(user, password):
            return ["-u", user, "-P", password]

        sub = MosquittoSub(port, ["$devices/%s/events/#" % D1], qos=1, extra=auth(R1, self.PW_R1))
        try:
            sub.wait_subscribed()
            mosquitto_pub(port, "$devices/%s/events/kitchen" % D1, "21.5", qos=1, extra=auth(D1, self.PW_D1))
            got = sub.expect(1)
            self.assertEqual((got[0].topic, got[0].payload), ("$devices/%s/events/kitchen" % D1, b"21.5"),
                             "a device publishes its events, its registry reads them")
            # Device 2 publishing as if it were device 1: mosquitto drops it silently. The
            # sentinel from device 1 comes after it; nothing else may come before the sentinel.
            mosquitto_pub(port, "$devices/%s/events/kitchen" % D1, "forged", qos=1, extra=auth(D2, self.PW_D2),
                          check=False)
            mosquitto_pub(port, "$devices/%s/events/kitchen" % D1, "sentinel", qos=1, extra=auth(D1, self.PW_D1))
            got = sub.expect_until(lambda m: m.payload == b"sentinel")
            self.assertEqual([m.payload for m in got], [b"21.5", b"sentinel"],
                             "another device's topic is refused")
        finally:
            sub.close()

        refused = mosquitto_pub(port, "$devices/%s/events" % D3, "x", qos=1, extra=auth(D3, self.PW_D3),
                                check=False)
        self.assertNotEqual(refused.returncode, 0, "a device of a disabled registry has no user")
        wrong = mosquitto_pub(port, "$devices/%s/events" % D1, "x", qos=1, extra=auth(D1, self.PW_D2),
                              check=False)
        self.assertNotEqual(wrong.returncode, 0, "a wrong password is refused")
        # The TLS listener with the workspace CA and the same stored hash.
        wait_listening(self.proc, tls_port)
        sub = MosquittoSub(port, ["$devices/%s/events/#" % D1], qos=1, extra=auth(R1, self.PW_R1))
        try:
            sub.wait_subscribed()
            cafile = ["--cafile", os.path.join(self.out, "ca.pem")]
            mosquitto_pub(tls_port, "$devices/%s/events" % D1, "over tls", qos=1,
                          extra=auth(D1, self.PW_D1) + cafile)
            wait_listening(self.proc, cert_port)
            mosquitto_pub(cert_port, "$devices/%s/events" % D1, "by certificate", qos=1,
                          extra=cafile + ["--cert", os.path.join(self.dir, "d1ca.pem"),
                                          "--key", os.path.join(self.dir, "d1ca.key")])
            got = sub.expect(2)
            self.assertEqual([m.payload for m in got], [b"over tls", b"by certificate"])
        finally:
            sub.close()


if __name__ == "__main__":
    brokerproc.main()
