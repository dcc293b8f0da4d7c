"""`iotcore-studio iot registry|device|broker …`: the yc-style command line on a workspace file.

Drives the real executable: every entity created, shown, listed, changed and deleted in the three
output formats (JSON parsed and its cloud-API field names checked, YAML read back by PyYAML
when Debian's python3-yaml is there, yc's text form checked textually), and every kind of bad
input refused with exit status 1, one line on stderr and the workspace file byte for byte as it
was. Certificates come from the openssl CLI.

This is our command line, not MQTT: under IOTCORE_TEST_BROKER=mosquitto it is skipped.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import unittest

import brokerproc

try:
    import yaml  # Debian: python3-yaml
except ImportError:  # pragma: no cover - the textual checks still run
    yaml = None

NOT_MOSQUITTO = "iotcore-studio's own command line"
STRONG = "Str0ng-Passw0rd!"
STRONG2 = "An0ther-Secret#42"
ID_RE = re.compile(r"^are[0-9a-v]{17}$")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")
FINGERPRINT_RE = re.compile(r"^[0-9a-f]{40}$")


def run(*args, stdin=None, timeout=60):
    return subprocess.run([brokerproc.BINARY] + list(args), input=stdin,
                          stdin=None if stdin is not None else subprocess.DEVNULL,
                          capture_output=True, timeout=timeout, text=True)


def file_hash(path):
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


@brokerproc.only_ours(NOT_MOSQUITTO)
class IotCliTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.openssl = brokerproc.require_tool(cls, "openssl", "openssl")

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="iotcli-")
        self.ws = os.path.join(self.dir, "workspace.iotcore")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    # --- helpers ---------------------------------------------------------------------------

    def iot(self, *args, stdin=None):
        """Runs `iot ARGS -w WS`, expects success and returns stdout."""
        r = run("iot", *args, "-w", self.ws, stdin=stdin)
        self.assertEqual(r.returncode, 0, "iot %s failed: %s" % (" ".join(args), r.stderr))
        errors = [l for l in r.stderr.splitlines() if not l.startswith("iotcore-studio: warning: ")]
        self.assertEqual(errors, [], "nothing but warnings on stderr on success")
        return r.stdout

    def json(self, *args, stdin=None):
        return json.loads(self.iot(*args, "--format", "json", stdin=stdin))

    def refused(self, *args, stdin=None, status=1, message=None):
        """Runs `iot ARGS -w WS`, expects exit `status`, one stderr line and the workspace unchanged."""
        before = file_hash(self.ws)
        r = run("iot", *args, "-w", self.ws, stdin=stdin)
        self.assertEqual(r.returncode, status, "iot %s: stdout %r stderr %r" % (" ".join(args), r.stdout, r.stderr))
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 1, "exactly one line on stderr: %r" % r.stderr)
        self.assertTrue(lines[0].startswith("iotcore-studio: "), lines[0])
        if message:
            self.assertRegex(lines[0], message)
        self.assertEqual(r.stdout, "", "nothing on stdout on failure")
        self.assertEqual(file_hash(self.ws), before, "workspace changed by a refused command")
        return lines[0]

    def test_cloud_quotas_are_warned_about_not_enforced(self):
        """IOT_CORE.md, "Limits": 10 registries per cloud, not enforced locally, shown as a warning."""
        for i in range(10):
            self.iot("registry", "create", "--name", "quota-%d" % i)
        r = run("iot", "registry", "create", "--name", "quota-10", "-w", self.ws)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("11 registries", r.stderr)
        self.assertIn("quota of 10", r.stderr)
        self.assertEqual(len(self.json("registry", "list")), 11)

    def certificate(self, name, with_key_in_file=False):
        """A self-signed certificate made by openssl; returns (path, fingerprint)."""
        cert = os.path.join(self.dir, name + ".pem")
        key = os.path.join(self.dir, name + ".key")
        subprocess.run([self.openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert,
                        "-days", "2", "-subj", "/CN=" + name], check=True, capture_output=True)
        out = subprocess.run([self.openssl, "x509", "-in", cert, "-noout", "-fingerprint", "-sha1"],
                             check=True, capture_output=True, text=True).stdout
        fingerprint = out.strip().split("=", 1)[1].replace(":", "").lower()
        if with_key_in_file:
            combined = os.path.join(self.dir, name + "-with-key.pem")
            with open(combined, "w") as f:
                f.write(open(cert).read() + open(key).read())
            cert = combined
        return cert, fingerprint

    def yaml_load(self, text):
        if yaml is None:
            self.skipTest("python3-yaml is not installed")
        return yaml.safe_load(text)

    # --- registries --------------------------------------------------------------------------

    def test_registry_lifecycle_in_every_format(self):
        self.assertFalse(os.path.exists(self.ws))
        reg = self.json("registry", "create", "--name", "plant-1", "--description", "Main plant",
                        "--labels", "env=prod,team=ops", "--password", STRONG)
        self.assertTrue(os.path.exists(self.ws), "registry create makes the workspace")
        self.assertRegex(reg["id"], ID_RE)
        self.assertRegex(reg["createdAt"], TIME_RE)
        self.assertEqual(reg["name"], "plant-1")
        self.assertEqual(reg["description"], "Main plant")
        self.assertEqual(reg["labels"], {"env": "prod", "team": "ops"})
        self.assertEqual(reg["status"], "ACTIVE")
        self.assertNotIn("password", json.dumps(reg).lower(), "no password material in the output")

        # get by positional name, by --id, by --name: the same resource
        self.assertEqual(self.json("registry", "get", "plant-1"), reg)
        self.assertEqual(self.json("registry", "get", "--id", reg["id"]), reg)
        self.assertEqual(self.json("registry", "get", reg["id"]), reg)
        self.assertEqual(self.json("registry", "get", "--name", "plant-1"), reg)

        # yaml: yc's protobuf (snake_case) names
        text = self.iot("registry", "get", "plant-1", "--format", "yaml")
        self.assertIn("id: %s\n" % reg["id"], text)
        self.assertIn("created_at: \"%s\"\n" % reg["createdAt"], text)
        self.assertIn("labels:\n  env: prod\n  team: ops\n", text)
        loaded = self.yaml_load(text)
        self.assertEqual(loaded, {"id": reg["id"], "created_at": reg["createdAt"], "name": "plant-1",
                                  "description": "Main plant", "labels": {"env": "prod", "team": "ops"},
                                  "status": "ACTIVE"})
        # text (the default) is yc's: YAML for one resource
        self.assertEqual(self.iot("registry", "get", "plant-1"), text)

        # list
        second = self.json("registry", "create", "plant-2")
        listed = self.json("registry", "list")
        self.assertIsInstance(listed, list)
        self.assertEqual(sorted(r["name"] for r in listed), ["plant-1", "plant-2"])
        table = self.iot("registry", "list")
        lines = table.splitlines()
        self.assertRegex(lines[0], r"^\+-+\+-+\+$")
        self.assertRegex(lines[1], r"^\| ID +\| NAME +\|$")
        self.assertTrue(any(re.match(r"^\| %s \| plant-2 +\|$" % second["id"], l) for l in lines), table)
        self.assertEqual(len(lines), 6, "rule, header, rule, two rows, rule")
        if yaml:
            self.assertEqual(sorted(r["name"] for r in yaml.safe_load(
                self.iot("registry", "list", "--format", "yaml"))), ["plant-1", "plant-2"])

        # update, labels, disable/enable
        updated = self.json("registry", "update", "plant-2", "--new-name", "plant-two",
                            "--description", "Second", "--labels", "a=1")
        self.assertEqual((updated["id"], updated["name"], updated["description"], updated["labels"]),
                         (second["id"], "plant-two", "Second", {"a": "1"}))
        self.assertEqual(self.json("registry", "add-labels", "plant-two", "--labels", "b=2,c=")["labels"],
                         {"a": "1", "b": "2", "c": ""})
        self.assertEqual(self.json("registry", "remove-labels", "plant-two", "--labels", "a,c")["labels"],
                         {"b": "2"})
        self.assertEqual(self.json("registry", "disable", "plant-two")["status"], "DISABLED")
        self.assertIn("status: DISABLED\n", self.iot("registry", "get", "plant-two"))
        self.assertEqual(self.json("registry", "enable", "plant-two")["status"], "ACTIVE")

        # delete
        self.assertEqual(self.iot("registry", "delete", "plant-two"), "")
        self.assertEqual([r["name"] for r in self.json("registry", "list")], ["plant-1"])
        self.refused("registry", "get", "plant-two", message=r'registry "plant-two" not found')

    def test_registry_passwords_and_certificates(self):
        reg = self.json("registry", "create", "--name", "r1")
        added = self.json("registry", "password", "add", "--registry-name", "r1", "--password", STRONG)
        self.assertEqual(added["registryId"], reg["id"])
        self.assertRegex(added["createdAt"], TIME_RE)
        self.assertTrue(added["id"])
        self.assertEqual(set(added), {"registryId", "id", "createdAt"}, "never the password or its hash")
        again = self.json("registry", "password", "add", "--registry-id", reg["id"], "--read-password",
                          stdin=STRONG2 + "\n")
        listed = self.json("registry", "password", "list", "--registry-name", "r1")
        self.assertEqual(sorted(p["id"] for p in listed), sorted([added["id"], again["id"]]))
        table = self.iot("registry", "password", "list", "--registry-name", "r1")
        self.assertRegex(table.splitlines()[1], r"^\| ID +\| CREATED AT +\|$")
        self.assertNotIn(STRONG, table)
        with open(self.ws, "rb") as f:
            self.assertNotIn(STRONG.encode(), f.read(), "the workspace keeps only hashes")
        self.assertEqual(self.iot("registry", "password", "delete", "--registry-name", "r1",
                                  "--password-id", added["id"]), "")
        self.assertEqual([p["id"] for p in self.json("registry", "password", "list", "--registry-name", "r1")],
                         [again["id"]])

        cert, fingerprint = self.certificate("reg-cert")
        c = self.json("registry", "certificate", "add", "--registry-name", "r1", "--certificate-file", cert)
        self.assertEqual(c["registryId"], reg["id"])
        self.assertEqual(c["fingerprint"], fingerprint)
        self.assertIn("-----BEGIN CERTIFICATE-----", c["certificateData"])
        self.assertNotIn("PRIVATE KEY", c["certificateData"])
        listed = self.json("registry", "certificate", "list", "--registry-name", "r1")
        self.assertEqual([x["fingerprint"] for x in listed], [fingerprint])
        text = self.iot("registry", "certificate", "list", "--registry-name", "r1", "--format", "yaml")
        self.assertIn("certificate_data: |\n    -----BEGIN CERTIFICATE-----\n", text)
        if yaml:
            self.assertEqual(yaml.safe_load(text)[0]["certificate_data"], c["certificateData"])
        table = self.iot("registry", "certificate", "list", "--registry-name", "r1")
        self.assertIn("| %s |" % fingerprint, table)
        self.assertEqual(self.iot("registry", "certificate", "delete", "--registry-name", "r1",
                                  "--fingerprint", fingerprint), "")
        self.assertEqual(self.json("registry", "certificate", "list", "--registry-name", "r1"), [])

    def test_yaml_and_json_quote_what_needs_it(self):
        tricky = ["yes", "No", "null", "~", "123", "0x1f", "1e3", "-dash", "2026-01-01", "a: b",
                  "# not a comment", "trailing ", " leading", 'say "hi"', "back\\slash", "tab\there",
                  "two\nlines\n", "no final newline\nhere", "Кириллица", "[list]", "{map}", "*star",
                  "&anchor", "!tag", "%percent", "@at", "`tick`", "|pipe", ">fold", "'single'",
                  ".inf", "+1", "", "plain words"]
        for i, text in enumerate(tricky):
            name = "r%d" % i
            self.iot("registry", "create", name, "--description", text)
            self.assertEqual(self.json("registry", "get", name).get("description", ""), text)
            if yaml:
                loaded = yaml.safe_load(self.iot("registry", "get", name, "--format", "yaml"))
                self.assertEqual(loaded.get("description", ""), text, "YAML of %r" % text)

    def test_create_with_certificate_file(self):
        cert, fingerprint = self.certificate("created-with")
        self.json("registry", "create", "r-cert", "--certificate-file", cert)
        self.assertEqual([c["fingerprint"] for c in
                          self.json("registry", "certificate", "list", "--registry-name", "r-cert")],
                         [fingerprint])

    # --- devices -----------------------------------------------------------------------------

    def test_device_lifecycle_in_every_format(self):
        reg = self.json("registry", "create", "--name", "home")
        cert, fingerprint = self.certificate("dev-cert")
        dev = self.json("device", "create", "--registry-name", "home", "--name", "thermo",
                        "--description", "Kitchen", "--labels", "room=kitchen",
                        "--password", STRONG, "--certificate-file", cert,
                        "--topic-aliases", "kitchen/t=$devices/{id}/events/t")
        self.assertRegex(dev["id"], ID_RE)
        self.assertEqual(dev["registryId"], reg["id"])
        self.assertEqual(dev["name"], "thermo")
        self.assertEqual(dev["description"], "Kitchen")
        self.assertEqual(dev["labels"], {"room": "kitchen"})
        self.assertEqual(dev["topicAliases"], {"kitchen/t": "$devices/%s/events/t" % dev["id"]})
        self.assertRegex(dev["createdAt"], TIME_RE)

        self.assertEqual(self.json("device", "get", "thermo"), dev)
        self.assertEqual(self.json("device", "get", dev["id"]), dev)
        self.assertEqual(self.json("device", "get", "--name", "thermo", "--registry-id", reg["id"]), dev)
        text = self.iot("device", "get", "thermo")
        self.assertIn("registry_id: %s\n" % reg["id"], text)
        self.assertIn("topic_aliases:\n  kitchen/t: $devices/%s/events/t\n" % dev["id"], text)
        self.assertEqual(self.iot("device", "get", "thermo", "--format", "yaml"), text)
        if yaml:
            loaded = yaml.safe_load(text)
            self.assertEqual(loaded["id"], dev["id"])
            self.assertEqual(loaded["created_at"], dev["createdAt"])
            self.assertEqual(loaded["topic_aliases"], dev["topicAliases"])

        certs = self.json("device", "certificate", "list", "--device-name", "thermo")
        self.assertEqual([(c["deviceId"], c["fingerprint"]) for c in certs], [(dev["id"], fingerprint)])
        pw = self.json("device", "password", "list", "--device-id", dev["id"])
        self.assertEqual(len(pw), 1)
        self.assertEqual(set(pw[0]), {"deviceId", "id", "createdAt"})

        # list: all, by registry name, by positional registry
        other = self.json("device", "create", "--registry-id", reg["id"], "lamp")
        self.assertEqual(sorted(d["name"] for d in self.json("device", "list", "--registry-name", "home")),
                         ["lamp", "thermo"])
        self.assertEqual(len(self.json("device", "list")), 2)
        table = self.iot("device", "list", "home")
        self.assertRegex(table.splitlines()[1], r"^\| ID +\| NAME +\|$")
        self.assertIn("| %s | lamp " % other["id"], table)

        # aliases
        with_alias = self.json("device", "add-topic-aliases", "lamp", "--aliases",
                               "lamp/state=$devices/%s/state" % other["id"])
        self.assertEqual(with_alias["topicAliases"], {"lamp/state": "$devices/%s/state" % other["id"]})
        aliases = self.json("registry", "list-device-topic-aliases", "home")
        self.assertEqual(sorted((a["alias"], a["deviceId"], a["topicPrefix"]) for a in aliases),
                         sorted([("kitchen/t", dev["id"], "$devices/%s/events/t" % dev["id"]),
                                 ("lamp/state", other["id"], "$devices/%s/state" % other["id"])]))
        table = self.iot("registry", "list-device-topic-aliases", "--name", "home")
        self.assertRegex(table.splitlines()[1], r"^\| ALIAS +\| TOPIC PREFIX +\| DEVICE ID +\|$")
        if yaml:
            self.assertEqual(len(yaml.safe_load(self.iot("registry", "list-device-topic-aliases", "home",
                                                         "--format", "yaml"))), 2)
        removed = self.json("device", "remove-topic-aliases", "lamp", "--topic-aliases", "lamp/state")
        self.assertNotIn("topicAliases", removed)

        # update and delete
        renamed = self.json("device", "update", "lamp", "--new-name", "lamp-2", "--description", "Hall",
                            "--labels", "floor=1")
        self.assertEqual((renamed["id"], renamed["name"], renamed["description"], renamed["labels"]),
                         (other["id"], "lamp-2", "Hall", {"floor": "1"}))
        self.assertEqual(self.iot("device", "delete", "lamp-2"), "")
        self.refused("device", "get", "lamp-2", message=r'device "lamp-2" not found')

    def test_device_credentials(self):
        self.json("registry", "create", "--name", "r")
        dev = self.json("device", "create", "--registry-name", "r", "--name", "d")
        p = self.json("device", "password", "add", "--device-name", "d", "--password", STRONG)
        self.assertEqual(p["deviceId"], dev["id"])
        cert, fingerprint = self.certificate("d-cert")
        c = self.json("device", "certificate", "add", "--device-name", "d", "--certificate-file", cert)
        self.assertEqual((c["deviceId"], c["fingerprint"]), (dev["id"], fingerprint))
        self.iot("device", "password", "delete", "--device-name", "d", "--password-id", p["id"])
        self.iot("device", "certificate", "delete", "--device-name", "d", "--fingerprint", fingerprint)
        self.assertEqual(self.json("device", "password", "list", "--device-name", "d"), [])
        self.assertEqual(self.json("device", "certificate", "list", "--device-name", "d"), [])

    def test_device_names_repeat_across_registries(self):
        self.json("registry", "create", "a")
        self.json("registry", "create", "b")
        in_a = self.json("device", "create", "--registry-name", "a", "--name", "same")
        in_b = self.json("device", "create", "--registry-name", "b", "--name", "same")
        self.refused("device", "get", "same", message=r"--registry-name")
        self.assertEqual(self.json("device", "get", "same", "--registry-name", "a")["id"], in_a["id"])
        self.assertEqual(self.json("device", "get", "same", "--registry-name", "b")["id"], in_b["id"])

    # --- brokers -----------------------------------------------------------------------------

    def test_broker_lifecycle(self):
        b = self.json("broker", "create", "--name", "bus", "--labels", "k=v", "--password", STRONG)
        self.assertRegex(b["id"], ID_RE)
        self.assertEqual((b["name"], b["labels"]), ("bus", {"k": "v"}))
        self.assertEqual(self.json("broker", "get", "bus"), b)
        self.assertIn("name: bus\n", self.iot("broker", "get", b["id"]))
        if yaml:
            self.assertEqual(yaml.safe_load(self.iot("broker", "get", "bus", "--format", "yaml"))["id"], b["id"])
        self.assertEqual([x["name"] for x in self.json("broker", "list")], ["bus"])
        self.assertRegex(self.iot("broker", "list").splitlines()[3], r"^\| %s \| bus +\|$" % b["id"])
        self.assertEqual(self.json("broker", "update", "bus", "--new-name", "bus2")["name"], "bus2")
        self.assertEqual(self.json("broker", "add-labels", "bus2", "--labels", "x=y")["labels"],
                         {"k": "v", "x": "y"})
        self.assertEqual(self.json("broker", "remove-labels", "bus2", "--labels", "k")["labels"], {"x": "y"})
        pw = self.json("broker", "password", "list", "--broker-name", "bus2")
        self.assertEqual([set(p) for p in pw], [{"brokerId", "id", "createdAt"}])
        cert, fingerprint = self.certificate("broker-cert")
        c = self.json("broker", "certificate", "add", "--broker-name", "bus2", "--certificate-file", cert)
        self.assertEqual((c["brokerId"], c["fingerprint"]), (b["id"], fingerprint))
        self.iot("broker", "delete", "bus2")
        self.assertEqual(self.json("broker", "list"), [])

    # --- bad input: exit 1, one line, workspace unchanged ---------------------------------------

    def populated(self):
        self.json("registry", "create", "--name", "reg")
        self.json("registry", "create", "--name", "other")
        dev = self.json("device", "create", "--registry-name", "reg", "--name", "dev",
                        "--topic-aliases", "home/temp=$devices/{id}/events")
        return dev

    def test_weak_password_refused(self):
        self.populated()
        self.refused("registry", "create", "--name", "weak", "--password", "short",
                     message=r"at least 14")
        self.refused("registry", "password", "add", "--registry-name", "reg", "--password", "alllowercaseletters")
        self.refused("device", "password", "add", "--device-name", "dev", "--read-password",
                     stdin="weakweakweakweak\n")

    def test_weak_password_on_a_new_workspace_creates_no_file(self):
        self.refused("registry", "create", "--name", "r", "--password", "weak")
        self.assertFalse(os.path.exists(self.ws))

    def test_duplicate_names_refused(self):
        self.populated()
        self.refused("registry", "create", "--name", "reg", message=r"already exists")
        self.refused("device", "create", "--registry-name", "reg", "--name", "dev")
        self.refused("registry", "update", "other", "--new-name", "reg")

    def test_unknown_entities_refused(self):
        self.populated()
        self.refused("registry", "get", "x", message=r'^iotcore-studio: registry "x" not found$')
        self.refused("device", "create", "--registry-name", "nope", "--name", "d",
                     message=r'registry "nope" not found')
        self.refused("device", "get", "--id", "are00000000000000000")
        self.refused("broker", "delete", "nope")
        self.refused("registry", "password", "delete", "--registry-name", "reg", "--password-id", "nope")
        self.refused("registry", "certificate", "delete", "--registry-name", "reg",
                     "--fingerprint", "0" * 40)

    def test_bad_values_refused(self):
        self.populated()
        self.refused("registry", "create", "--name", "bad name!")
        self.refused("registry", "create", "--name", "l", "--labels", "Upper=x")
        self.refused("registry", "create", "--name", "l", "--labels", "novalue")
        self.refused("device", "create", "--registry-name", "reg", "--name", "d2",
                     "--topic-aliases", "a=$devices/elsewhere/events")

    def test_clashing_aliases_refused(self):
        dev = self.populated()
        # the same alias on another device of the registry
        self.refused("device", "create", "--registry-name", "reg", "--name", "d2",
                     "--topic-aliases", "home/temp=$devices/{id}/events")
        # an alias that is a prefix of another device's alias in the same registry
        self.refused("device", "create", "--registry-name", "reg", "--name", "d3",
                     "--topic-aliases", "home=$devices/{id}/state", message=r"prefix")
        self.refused("device", "add-topic-aliases", "dev", "--aliases", "home/temp/x=$devices/%s/state" % dev["id"])
        # more than five
        self.refused("device", "add-topic-aliases", "dev", "--aliases",
                     ",".join("a%d=$devices/%s/events/%d" % (i, dev["id"], i) for i in range(5)))
        # another registry may use the same alias
        self.json("device", "create", "--registry-name", "other", "--name", "d4",
                  "--topic-aliases", "home/temp=$devices/{id}/events")

    def test_certificates_refused(self):
        self.populated()
        with_key, _ = self.certificate("keyed", with_key_in_file=True)
        self.refused("device", "certificate", "add", "--device-name", "dev", "--certificate-file", with_key,
                     message=r"private key")
        self.refused("registry", "create", "--name", "r9", "--certificate-file", with_key)
        garbage = os.path.join(self.dir, "garbage.pem")
        with open(garbage, "w") as f:
            f.write("not a certificate\n")
        self.refused("device", "certificate", "add", "--device-name", "dev", "--certificate-file", garbage)
        self.refused("device", "certificate", "add", "--device-name", "dev", "--certificate-file",
                     os.path.join(self.dir, "missing.pem"))
        cert, _ = self.certificate("shared")
        self.iot("device", "certificate", "add", "--device-name", "dev", "--certificate-file", cert)
        self.refused("device", "create", "--registry-name", "reg", "--name", "dev2", "--certificate-file", cert,
                     message=r"already belongs")
        self.refused("registry", "certificate", "add", "--registry-name", "other", "--certificate-file", cert)

    def test_registry_with_devices_cannot_be_deleted(self):
        self.populated()
        self.refused("registry", "delete", "reg", message=r"still has 1 device")

    def test_missing_and_corrupt_workspace(self):
        self.refused("registry", "list", message=r"does not exist")
        self.refused("registry", "get", "x")
        self.assertFalse(os.path.exists(self.ws))
        with open(self.ws, "wb") as f:
            f.write(b"this is not an SQLite database, just some bytes" * 20)
        self.refused("registry", "list")
        self.refused("registry", "create", "--name", "r")

    # --- usage ---------------------------------------------------------------------------------

    def test_usage_errors_exit_2(self):
        self.populated()
        self.refused("registry", "get", "reg", "--no-such-flag", status=2, message=r"--help")
        self.refused("registry", "create", status=2)
        self.refused("device", "create", "--name", "x", status=2, message=r"--registry")
        self.refused("registry", "frobnicate", status=2)
        self.refused("registry", status=2, message=r"needs a command")
        self.refused("device", "password", status=2)
        self.refused("registry", "get", "reg", "--format", "xml", status=2)
        self.refused("registry", "password", "add", "--registry-name", "reg", status=2)
        r = run("iot", "registry", "list")
        self.assertEqual(r.returncode, 2, "no workspace given")
        self.assertEqual(len(r.stderr.splitlines()), 1)

    def test_help_of_every_command(self):
        commands = {
            "registry": ["create", "get", "list", "update", "delete", "disable", "enable", "add-labels",
                         "remove-labels", "list-device-topic-aliases", "logs"],
            "device": ["create", "get", "list", "update", "delete", "add-topic-aliases",
                       "remove-topic-aliases", "logs"],
            "broker": ["create", "get", "list", "update", "delete", "add-labels", "remove-labels",
                       "logs"],
        }
        for group in [["iot"]] + [["iot", g] for g in commands]:
            r = run(*group, "--help")
            self.assertEqual(r.returncode, 0, group)
            self.assertIn("Usage:", r.stdout)
        for group, verbs in commands.items():
            listing = run("iot", group, "--help").stdout
            for verb in verbs + ["password", "certificate"]:
                self.assertIn(verb, listing)
            for verb in verbs:
                r = run("iot", group, verb, "--help")
                self.assertEqual(r.returncode, 0, (group, verb, r.stderr))
                self.assertIn("Usage: iotcore-studio iot %s %s" % (group, verb), r.stdout)
                self.assertIn("--workspace", r.stdout)
                self.assertIn("--format", r.stdout)
            for credential in ("password", "certificate"):
                self.assertEqual(run("iot", group, credential, "--help").returncode, 0)
                for verb in ("add", "list", "delete"):
                    r = run("iot", group, credential, verb, "--help")
                    self.assertEqual(r.returncode, 0, (group, credential, verb, r.stderr))
                    self.assertIn("--%s-name" % group, r.stdout)
        self.assertIn("iot", run("--help").stdout)


if __name__ == "__main__":
    brokerproc.main()
