"""`iotcore-studio sim fleet|scenario …` and `iotcore-studio simulate`: the simulator from scripts.

Drives the real executable: fleets created with their IoT Core identities provisioned (the
passwords `sim fleet passwords` prints log in with paho), listed, shown and deleted; scenarios
exported and imported back byte for byte; every kind of bad input refused with exit status 1, one
line on stderr and the workspace file unchanged; `simulate` run against the embedded broker and
against a broker started by the test, with a subscriber counting every message.

This is our command line: under IOTCORE_TEST_BROKER=mosquitto it is skipped.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unittest

import paho.mqtt.client as mqtt

import brokerproc

NOT_MOSQUITTO = "iotcore-studio's own command line"
ID_RE = re.compile(r"^are[0-9a-v]{17}$")


def run(*args, stdin=None, timeout=120):
    return subprocess.run([brokerproc.BINARY] + list(args), input=stdin,
                          stdin=None if stdin is not None else subprocess.DEVNULL,
                          capture_output=True, timeout=timeout, text=True)


def file_hash(path):
    if not os.path.exists(path):
        return None
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class Counter:
    """A paho subscriber that counts messages per topic."""

    def __init__(self, port, topic, username=None, password=None):
        self.lock = threading.Lock()
        self.messages = []
        self.client = mqtt.Client(client_id=brokerproc.unique("counter"))
        if username:
            self.client.username_pw_set(username, password)
        self.subscribed = threading.Event()
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda *a: self.subscribed.set()
        self.client.connect("127.0.0.1", port)
        self.client.subscribe(topic, qos=1)
        self.client.loop_start()
        if not self.subscribed.wait(10):
            raise AssertionError("the counter could not subscribe to " + topic)

    def _on_message(self, client, userdata, message):
        with self.lock:
            self.messages.append((message.topic, message.payload))

    def count(self):
        with self.lock:
            return len(self.messages)

    def close(self):
        self.client.loop_stop()
        self.client.disconnect()


@brokerproc.only_ours(NOT_MOSQUITTO)
class SimCliTest(unittest.TestCase):

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="simcli-")
        self.ws = os.path.join(self.dir, "workspace.iotcore")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def ok(self, *args, stdin=None):
        result = run(*args, stdin=stdin)
        self.assertEqual(result.returncode, 0, "%s\nstdout: %s\nstderr: %s" % (args, result.stdout, result.stderr))
        return result

    def refused(self, *args, expect, stdin=None):
        """Exit 1, one line naming the problem, and the workspace byte for byte as it was."""
        before = file_hash(self.ws)
        result = run(*args, stdin=stdin)
        self.assertEqual(result.returncode, 1, "%s\nstdout: %s\nstderr: %s" % (args, result.stdout, result.stderr))
        self.assertIn(expect, result.stderr)
        self.assertEqual(len(result.stderr.strip().splitlines()), 1, result.stderr)
        self.assertEqual(file_hash(self.ws), before, "the workspace changed")
        return result

    def create_fleet(self, name="thermo", count=3, *extra):
        return self.ok("sim", "fleet", "create", "-w", self.ws, "--name", name, "--template", "thermostat",
                       "--count", str(count), "--registry-name", "plant", *extra)

    # --- sim fleet ------------------------------------------------------------------------------

    def test_create_provisions_devices_in_the_registry(self):
        result = self.create_fleet("thermo", 3, "--period", "2", "--qos", "1", "--format", "json")
        fleet = json.loads(result.stdout)
        self.assertEqual(fleet["name"], "thermo")
        self.assertEqual(fleet["count"], "3")
        self.assertEqual(fleet["qos"], "1")
        self.assertEqual(fleet["period"], "2s")
        self.assertIn('created registry "plant"', result.stderr)
        devices = json.loads(self.ok("iot", "device", "list", "-w", self.ws, "--registry-name", "plant",
                                     "--format", "json").stdout)
        self.assertEqual(sorted(d["name"] for d in devices), ["thermo-1", "thermo-2", "thermo-3"])
        # Provisioning again (a second fleet in the same registry) leaves the first one alone.
        self.create_fleet("other", 2)
        devices = json.loads(self.ok("iot", "device", "list", "-w", self.ws, "--registry-name", "plant",
                                     "--format", "json").stdout)
        self.assertEqual(len(devices), 5)

    def test_list_get_and_delete(self):
        self.create_fleet("thermo", 2)
        self.ok("sim", "fleet", "create", "-w", self.ws, "--name", "doors", "--template", "door-sensor",
                "--count", "4")
        listed = json.loads(self.ok("sim", "fleet", "list", "-w", self.ws, "--format", "json").stdout)
        self.assertEqual([f["name"] for f in listed], ["thermo", "doors"])
        self.assertEqual(listed[1]["identity"], "anonymous")
        text = self.ok("sim", "fleet", "list", "-w", self.ws).stdout
        self.assertIn("NAME", text)
        self.assertIn("door-sensor", text)
        shown = json.loads(self.ok("sim", "fleet", "get", "-w", self.ws, "thermo", "--format", "json").stdout)
        self.assertEqual(shown["template"], "thermostat")
        self.assertEqual(shown["identity"]["registry"], "plant")

        result = self.ok("sim", "fleet", "delete", "-w", self.ws, "thermo")
        self.assertIn("removed 2 devices", result.stderr)
        devices = json.loads(self.ok("iot", "device", "list", "-w", self.ws, "--registry-name", "plant",
                                     "--format", "json").stdout)
        self.assertEqual(devices, [])
        listed = json.loads(self.ok("sim", "fleet", "list", "-w", self.ws, "--format", "json").stdout)
        self.assertEqual([f["name"] for f in listed], ["doors"])

    def test_bad_input_is_refused_and_changes_nothing(self):
        self.create_fleet("thermo", 2)
        self.refused("sim", "fleet", "create", "-w", self.ws, "--name", "thermo", "--template", "thermostat",
                     "--count", "1", expect='a fleet named "thermo" already exists')
        self.refused("sim", "fleet", "create", "-w", self.ws, "--name", "x", "--template", "toaster",
                     "--count", "1", expect='there is no device template "toaster"')
        self.refused("sim", "fleet", "create", "-w", self.ws, "--name", "x", "--template", "thermostat",
                     "--count", "0", expect="--count must be a whole number, 1 or more")
        self.refused("sim", "fleet", "create", "-w", self.ws, "--name", "x", "--template", "thermostat",
                     "--count", "1", "--qos", "2", expect="--qos must be 0 or 1")
        self.refused("sim", "fleet", "create", "-w", self.ws, "--name", "x", "--template", "thermostat",
                     "--count", "1", "--period", "soon", expect="--period")
        self.refused("sim", "fleet", "create", "-w", self.ws, "--name", "x", "--template", "thermostat",
                     "--count", "2", "--device-name", "thermo-{i}", expect='device name "thermo-1" is used by another fleet')
        self.refused("sim", "fleet", "create", "-w", self.ws, "--name", "x", "--template", "thermostat",
                     "--count", "1", "--registry-name", "bad name!", expect="name")
        sensors = os.path.join(self.dir, "sensors.json")
        with open(sensors, "w") as f:
            json.dump([{"name": "t", "type": "sine", "period": -5}], f)
        self.refused("sim", "fleet", "create", "-w", self.ws, "--name", "x", "--sensors-file", sensors,
                     "--count", "1", expect='sensor "t"')
        self.refused("sim", "fleet", "delete", "-w", self.ws, "ghost", expect='no fleet named "ghost"')
        missing = os.path.join(self.dir, "missing.iotcore")
        result = run("sim", "fleet", "list", "-w", missing)
        self.assertEqual(result.returncode, 1)
        self.assertIn("does not exist", result.stderr)
        self.assertFalse(os.path.exists(missing))

    def test_passwords_log_the_devices_in(self):
        self.create_fleet("thermo", 2)
        lines = self.ok("sim", "fleet", "passwords", "-w", self.ws, "thermo").stdout.splitlines()
        self.assertEqual(len(lines), 2)
        name, device_id, password = lines[0].split(" ")
        self.assertEqual(name, "thermo-1")
        self.assertRegex(device_id, ID_RE)
        with brokerproc.Broker(workspace=self.ws, extra_args=["--mqtt", "127.0.0.1:0"]) as broker:
            brokerproc.wait_for(lambda: broker._parse_ready_lines() or "mqtt" in broker.ready, 10,
                                "the IoT Core listener")
            port = broker.ready["mqtt"][2]

            def connack(username, secret):
                client = mqtt.Client(client_id=brokerproc.unique("t"))
                client.username_pw_set(username, secret)
                result = {}
                client.on_connect = lambda c, u, f, rc: result.setdefault("rc", rc)
                client.connect("127.0.0.1", port)
                client.loop_start()
                try:
                    brokerproc.wait_for(lambda: "rc" in result, 10, "CONNACK")
                finally:
                    client.loop_stop()
                    client.disconnect()
                return result["rc"]

            # The IoT Core listener checks the password: the printed one logs in, another does not.
            self.assertEqual(connack(device_id, password), 0)
            self.assertEqual(connack(device_id, password + "x"), 5)
            self.assertEqual(connack(lines[1].split(" ")[1], password), 5)  # thermo-1's on thermo-2

    # --- sim scenario ---------------------------------------------------------------------------

    def test_export_import_round_trip(self):
        self.create_fleet("thermo", 3, "--period", "5")
        self.ok("sim", "scenario", "set", "-w", self.ws, "--seed", "42", "--duration", "10m")
        exported = self.ok("sim", "scenario", "export", "-w", self.ws, "-").stdout
        scenario = json.loads(exported)
        self.assertEqual(scenario["kind"], "iotcore-studio/scenario")
        self.assertEqual(scenario["seed"], "42")
        self.assertEqual(scenario["duration"], "10m")
        self.assertEqual(scenario["fleets"][0]["schedule"], {"period": 5})
        # A timeline entry added by hand, then imported into a fresh workspace.
        scenario["timeline"] = [{"at": "1m", "fleet": "thermo", "fault": "offline", "duration": "30s",
                                 "share": 0.5}]
        path = os.path.join(self.dir, "scenario.json")
        with open(path, "w") as f:
            json.dump(scenario, f)
        other = os.path.join(self.dir, "other.iotcore")
        result = self.ok("sim", "scenario", "import", "-w", other, path)
        self.assertIn("imported 1 fleets (3 devices created", result.stdout)
        again = self.ok("sim", "scenario", "export", "-w", other, "-").stdout
        self.assertEqual(json.loads(again), scenario)
        # The same secret: the same passwords in both workspaces.
        self.assertEqual(self.ok("sim", "fleet", "passwords", "-w", other, "thermo").stdout.split()[2],
                         self.ok("sim", "fleet", "passwords", "-w", self.ws, "thermo").stdout.split()[2])
        # Importing twice changes nothing in the catalog.
        result = self.ok("sim", "scenario", "import", "-w", other, path)
        self.assertIn("(0 devices created, 0 existing devices given the fleet's password)", result.stdout)
        # Export to a file writes the same JSON.
        out = os.path.join(self.dir, "out.json")
        self.ok("sim", "scenario", "export", "-w", other, out)
        with open(out) as f:
            self.assertEqual(json.load(f), scenario)

    def test_broken_scenario_files_are_refused(self):
        self.create_fleet("thermo", 1)
        broken = os.path.join(self.dir, "broken.json")
        with open(broken, "w") as f:
            f.write('{"kind": "iotcore-studio/scenario", "fleets": [')
        self.refused("sim", "scenario", "import", "-w", self.ws, broken, expect="is not JSON")
        with open(broken, "w") as f:
            json.dump({"kind": "iotcore-studio/scenario",
                       "fleets": [{"name": "f", "count": 1, "template": "thermostat"}],
                       "timeline": [{"fleet": "ghost", "fault": "offline", "duration": 5}]}, f)
        self.refused("sim", "scenario", "import", "-w", self.ws, broken, expect='no fleet named "ghost"')
        with open(broken, "w") as f:
            json.dump({"kind": "iotcore-studio/scenario",
                       "fleets": [{"name": "f", "count": 1, "template": "thermostat", "perod": 5}]}, f)
        self.refused("sim", "scenario", "import", "-w", self.ws, broken, expect='unknown field "perod"')
        self.refused("sim", "scenario", "import", "-w", self.ws, os.path.join(self.dir, "nope.json"),
                     expect="cannot read")

    # --- simulate -------------------------------------------------------------------------------

    def test_simulate_against_the_embedded_broker(self):
        self.create_fleet("thermo", 20, "--period", "500ms", "--qos", "1")
        result = run("simulate", "-w", self.ws, "--duration", "3", "--progress", "1")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("simulate: 20 devices of 1 fleets against the embedded broker for 3s", result.stderr)
        self.assertRegex(result.stderr, r"connected 20/20")
        sent = int(re.search(r"messages sent (\d+)", result.stdout).group(1))
        acked = int(re.search(r"acknowledged (\d+)", result.stdout).group(1))
        self.assertGreaterEqual(sent, 20 * 4)
        self.assertEqual(acked, sent)

    def test_simulate_against_a_broker_url_with_slices(self):
        self.ok("sim", "fleet", "create", "-w", self.ws, "--name", "meters", "--template", "energy-meter",
                "--count", "10", "--period", "500ms", "--qos", "1")
        with brokerproc.Broker() as broker:
            counter = Counter(broker.mqtt_port, "devices/#")  # events, and state on connect
            try:
                url = "mqtt://127.0.0.1:%d" % broker.mqtt_port
                first = subprocess.Popen([brokerproc.BINARY, "simulate", "-w", self.ws, "--broker", url,
                                          "--fleet-slice", "1/2", "--duration", "3"],
                                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                second = run("simulate", "-w", self.ws, "--broker", url, "--fleet-slice", "2/2", "--duration", "3")
                out, err = first.communicate(timeout=60)
                self.assertEqual(first.returncode, 0, err)
                self.assertEqual(second.returncode, 0, second.stderr)
                self.assertIn("5 devices of 1 fleets (slice 1/2)", err)
                self.assertIn("5 devices of 1 fleets (slice 2/2)", second.stderr)
                sent = sum(int(re.search(r"messages sent (\d+)", text).group(1)) for text in (out, second.stdout))
                brokerproc.wait_for(lambda: counter.count() >= sent, 10, "every message at the subscriber")
                self.assertEqual(counter.count(), sent)
                devices = {topic.split("/")[1] for topic, _ in counter.messages}
                self.assertEqual(devices, {"meters-%d" % i for i in range(1, 11)})
            finally:
                counter.close()

    def test_serve_simulate_runs_the_fleet_in_the_broker_process(self):
        self.create_fleet("thermo", 5, "--period", "500ms", "--qos", "1")
        self.ok("iot", "registry", "password", "add", "-w", self.ws, "--registry-name", "plant",
                "--password", "Registry-Passw0rd")
        registry_id = json.loads(self.ok("iot", "registry", "get", "-w", self.ws, "plant",
                                         "--format", "json").stdout)["id"]
        with brokerproc.Broker(workspace=self.ws, extra_args=["--mqtt", "127.0.0.1:0", "--simulate"]) as broker:
            brokerproc.wait_for(lambda: broker._parse_ready_lines() or "mqtt" in broker.ready, 10, "the IoT Core listener")
            counter = Counter(broker.ready["mqtt"][2], "$devices/+/events", registry_id, "Registry-Passw0rd")
            try:
                brokerproc.wait_for(lambda: len({t for t, _ in counter.messages}) == 5, 15,
                                    "events of all five devices at the registry")
                payload = json.loads(counter.messages[0][1])
                self.assertIn("temperature", payload)
            finally:
                counter.close()
            broker.wait_for_log(r"simulate devices=\"5\" fleets=\"1\"")

    def test_simulate_over_tls_trusts_the_workspace_ca(self):
        """`simulate --broker mqtts://…` without --ca-file trusts the workspace's own CA, which
        signed the certificate `serve --mqtts` presents on the same workspace."""
        self.create_fleet("thermo", 3, "--period", "500ms", "--qos", "1")
        with brokerproc.Broker(workspace=self.ws, extra_args=["--mqtts", "127.0.0.1:0"]) as broker:
            brokerproc.wait_for(lambda: broker._parse_ready_lines() or "mqtts" in broker.ready, 10, "the TLS listener")
            url = "mqtts://127.0.0.1:%d" % broker.ready["mqtts"][2]
            result = run("simulate", "-w", self.ws, "--broker", url, "--duration", "3", "--message-rate-limit", "off")
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertIn("devices 3, connected at the end 3", result.stdout, result.stderr)
            acked = int(re.search(r"acknowledged (\d+)", result.stdout).group(1))
            self.assertGreater(acked, 0)
        # A CA that did not sign the server's certificate is refused, and said so per device.
        other = os.path.join(self.dir, "other-ca.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-keyout", os.path.join(self.dir, "other.key"), "-out", other,
                        "-subj", "/CN=other", "-days", "1"], check=True, capture_output=True)
        with brokerproc.Broker(workspace=self.ws, extra_args=["--mqtts", "127.0.0.1:0"]) as broker:
            brokerproc.wait_for(lambda: broker._parse_ready_lines() or "mqtts" in broker.ready, 10, "the TLS listener")
            url = "mqtts://127.0.0.1:%d" % broker.ready["mqtts"][2]
            result = run("simulate", "-w", self.ws, "--broker", url, "--ca-file", other, "--duration", "3")
            self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
            self.assertRegex(result.stderr, r"simulate: thermo-\d: .*(certificate|TLS|SSL|handshake)")

    def test_serve_simulate_needs_a_workspace(self):
        result = run("serve", "--simulate")
        self.assertEqual(result.returncode, 2)
        self.assertIn("--simulate runs the workspace's scenario: add -w FILE", result.stderr)

    def test_simulate_reports_an_unreachable_broker(self):
        self.ok("sim", "fleet", "create", "-w", self.ws, "--name", "f", "--template", "thermostat", "--count", "2")
        port = brokerproc.free_port()
        result = run("simulate", "-w", self.ws, "--broker", "mqtt://127.0.0.1:%d" % port, "--duration", "2")
        self.assertEqual(result.returncode, 1)
        self.assertRegex(result.stderr, r"simulate: f-[12]: .*refused")

    def test_simulate_usage_errors(self):
        self.create_fleet("thermo", 1)
        for args, expect in [(["--fleet-slice", "3/2"], "--fleet-slice"),
                             (["--broker", "http://x"], "is not a broker URL"),
                             (["--duration", "soon"], "--duration"),
                             (["--broker", "mqtt://127.0.0.1:1", "--ca-file", "/nonexistent"], "TLS files")]:
            result = run("simulate", "-w", self.ws, *args)
            self.assertIn(result.returncode, (1, 2), result.stderr)
            self.assertIn(expect, result.stderr)
        empty = os.path.join(self.dir, "empty.iotcore")
        self.ok("iot", "registry", "create", "-w", empty, "--name", "r")
        result = run("simulate", "-w", empty)
        self.assertEqual(result.returncode, 1)
        self.assertIn("has no fleets to simulate", result.stderr)


if __name__ == "__main__":
    brokerproc.main()
