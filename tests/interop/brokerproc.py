"""Start the broker under test on free ports and tell the tests where it listens.

The broker under test is `iotcore-studio serve` (the default), whose contract is:

    iotcore-studio serve [-w FILE] --open-mqtt 127.0.0.1:0 [--open-ws 127.0.0.1:0]
                         [--open-mqtts 127.0.0.1:0 --tls-cert F --tls-key F] [--log-level L]

prints `ready <listener-name> <url>` on stdout once per listener, logs in logfmt on stderr and
exits 0 on SIGINT/SIGTERM.

With IOTCORE_TEST_BROKER=mosquitto the same tests run against Debian's mosquitto instead (with
a small WebSocket front end written here, since Debian builds mosquitto without websockets).
That is how the tests themselves are checked: a test that fails against the reference broker
is suspect, unless it is marked as a known deviation of mosquitto from the standard. And
IOTCORE_TEST_MOSQUITTO_CONF="line;line" adds configuration lines to that mosquitto, to break it on
purpose (e.g. "retain_available false") and see that the tests notice.

Every test file ends with `brokerproc.main()`, which accepts `--broker PATH` (CTest passes the
built executable) before the usual unittest arguments.
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

BINARY = os.environ.get("IOTCORE_BROKER_BINARY") or os.path.join(REPO, "build", "app", "iotcore-studio")
KIND = os.environ.get("IOTCORE_TEST_BROKER", "iotcore")

START_TIMEOUT = 20.0
STOP_TIMEOUT = 15.0

READY_RE = re.compile(r"^ready (\S+) (mqtts?|wss?)://([^/:\s]+):(\d+)/?$")


def under_mosquitto():
    return KIND == "mosquitto"


def mosquitto_binary():
    found = shutil.which("mosquitto")
    if found:
        return found
    for candidate in ("/usr/sbin/mosquitto", "/usr/local/sbin/mosquitto"):
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def require_tool(testcase, tool, package):
    """Skip testcase (a TestCase class or instance) when a third-party tool is missing."""
    path = shutil.which(tool) or (mosquitto_binary() if tool == "mosquitto" else None)
    if not path:
        raise unittest.SkipTest("%s not found (install the Debian package %s)" % (tool, package))
    return path


def known_mosquitto_deviation(reason):
    """Mark a test that checks the standard where Debian's mosquitto 2.0.11 is known to deviate.
    Against mosquitto it is an expected failure (so an unexpected pass is reported too);
    against our broker it is an ordinary test."""
    def decorate(func):
        if under_mosquitto():
            func = unittest.expectedFailure(func)
        func.__doc__ = (func.__doc__ or "") + "\n(mosquitto 2.0.11 deviates: %s)" % reason
        return func
    return decorate


def only_ours(reason):
    """A test of our command line or log contract: it has no mosquitto equivalent."""
    return unittest.skipIf(under_mosquitto(), "not applicable to mosquitto: " + reason)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unique(prefix="t"):
    """A topic segment or client id no other test (or earlier run) uses."""
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


def wait_for(predicate, timeout, what, interval=0.02):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError("timed out after %.1f s waiting for %s" % (timeout, what))
        time.sleep(interval)


class BrokerStartError(RuntimeError):
    pass


class Broker:
    """One broker process. Ports are chosen by the OS (ours) or picked free (mosquitto).

    After start(): host, mqtt_port, ws_port, mqtts_port (None when not enabled), ready
    (listener name -> (scheme, host, port)), and the stderr log lines in log_lines.
    """

    def __init__(self, ws=False, tls=None, workspace=None, log_level=None, extra_args=(),
                 name="broker", kind=None, mosquitto_conf=(), wss=False):
        """kind: None for the broker under test, "mosquitto" for Debian's mosquitto whatever is
        under test (the reference side of a comparison, or a bridge). mosquitto_conf: extra
        configuration lines for mosquitto."""
        self.kind = kind or KIND
        self.mosquitto_conf = list(mosquitto_conf)
        self.ws = ws
        self.tls = tls  # (cert_file, key_file) or None: adds the MQTT over TLS listener
        self.wss = wss  # with tls: adds MQTT over secure WebSocket too
        self.workspace = workspace
        self.log_level = log_level
        self.extra_args = list(extra_args)
        self.name = name
        self.proc = None
        self.host = "127.0.0.1"
        self.mqtt_port = self.ws_port = self.mqtts_port = self.wss_port = None
        self.ready = {}
        self.stdout_lines = []
        self.log_lines = []
        self.returncode = None
        self._cond = threading.Condition()
        self._tmp = None
        self._ws_proxy = self._wss_proxy = None

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self, timeout=START_TIMEOUT):
        # stdout is per run (ready lines); the log accumulates over restarts, so a failure report
        # shows what happened before a restart too.
        self.ready, self.stdout_lines, self.returncode = {}, [], None
        if self.log_lines:
            self.log_lines.append("[brokerproc] --- restart ---")
        if self.kind == "mosquitto":
            self._start_mosquitto(timeout)
        else:
            self._start_ours(timeout)
        return self

    def command(self):
        cmd = [BINARY, "serve"]
        if self.workspace:
            cmd += ["-w", self.workspace]
        cmd += ["--open-mqtt", "127.0.0.1:0"]
        if self.ws:
            cmd += ["--open-ws", "127.0.0.1:0"]
        if self.tls:
            cmd += ["--open-mqtts", "127.0.0.1:0"]
            if self.wss:
                cmd += ["--open-wss", "127.0.0.1:0"]
            cmd += ["--tls-cert", self.tls[0], "--tls-key", self.tls[1]]
        if self.log_level:
            cmd += ["--log-level", self.log_level]
        return cmd + self.extra_args

    def _spawn(self, cmd, env=None):
        if not os.access(cmd[0], os.X_OK):
            raise BrokerStartError("broker executable not found: %s (build it first, or pass --broker)" % cmd[0])
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env)
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.stdout_lines), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.log_lines), daemon=True).start()

    def _pump(self, stream, lines):
        for raw in iter(stream.readline, b""):
            with self._cond:
                lines.append(raw.decode("utf-8", "replace").rstrip("\r\n"))
                self._cond.notify_all()
        stream.close()
        with self._cond:
            self._cond.notify_all()

    def _start_ours(self, timeout):
        env = dict(os.environ)
        for var in ("DISPLAY", "WAYLAND_DISPLAY"):  # serve is headless
            env.pop(var, None)
        self._spawn(self.command(), env)
        expected = ({"open-mqtt"} | ({"open-ws"} if self.ws else set()) | ({"open-mqtts"} if self.tls else set())
                    | ({"open-wss"} if self.tls and self.wss else set()))
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                self._parse_ready_lines()
                if expected <= set(self.ready):
                    break
                if self.proc.poll() is not None:
                    self._cond.wait(0.2)  # let the pumps drain the last lines
                    raise BrokerStartError(self._failure("exited with status %s before all listeners were ready"
                                                         % self.proc.returncode))
                left = deadline - time.monotonic()
                if left <= 0:
                    self.kill()
                    raise BrokerStartError(self._failure("no ready line for %s within %.0f s"
                                                         % (sorted(expected - set(self.ready)), timeout)))
                self._cond.wait(min(left, 0.2))
        scheme_of = {"open-mqtt": "mqtt", "open-ws": "ws", "open-mqtts": "mqtts", "open-wss": "wss"}
        for name in expected:
            scheme, host, port = self.ready[name]
            if scheme != scheme_of[name] or port == 0:
                raise BrokerStartError(self._failure("bad ready line for %s: %s://%s:%d"
                                                     % (name, scheme, host, port)))
        self.host = self.ready["open-mqtt"][1]
        self.mqtt_port = self.ready["open-mqtt"][2]
        self.ws_port = self.ready["open-ws"][2] if self.ws else None
        self.mqtts_port = self.ready["open-mqtts"][2] if self.tls else None
        self.wss_port = self.ready["open-wss"][2] if "open-wss" in expected else None

    def _parse_ready_lines(self):
        for line in self.stdout_lines:
            m = READY_RE.match(line)
            if m:
                self.ready[m.group(1)] = (m.group(2), m.group(3), int(m.group(4)))
            elif line.startswith("ready"):
                raise BrokerStartError(self._failure("malformed ready line %r" % line))

    def _start_mosquitto(self, timeout):
        binary = mosquitto_binary()
        if not binary:
            raise unittest.SkipTest("mosquitto not found (install the Debian package mosquitto)")
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="mosq-ref-")
        self.mqtt_port = free_port()
        conf = [
            "per_listener_settings false",
            "allow_anonymous true",
            "log_dest stderr",
            "log_type all",
            "connection_messages true",
            "max_queued_messages 100000",
            "listener %d 127.0.0.1" % self.mqtt_port,
        ]
        if os.geteuid() == 0:
            conf.append("user root")  # otherwise it drops to 'mosquitto' and cannot read our files
        if self.tls:
            self.mqtts_port = free_port()
            conf += ["listener %d 127.0.0.1" % self.mqtts_port,
                     "certfile %s" % self.tls[0], "keyfile %s" % self.tls[1],
                     "require_certificate false"]
        if self.workspace:
            conf += ["persistence true",
                     "persistence_location %s/" % os.path.dirname(os.path.abspath(self.workspace)),
                     "persistence_file %s" % os.path.basename(self.workspace),
                     "autosave_interval 0"]
        conf += self.mosquitto_conf
        if self.kind == KIND and os.environ.get("IOTCORE_TEST_MOSQUITTO_CONF"):
            # Mutation runs: break the reference on purpose and see that the tests notice,
            # e.g. IOTCORE_TEST_MOSQUITTO_CONF="retain_available false".
            conf += os.environ["IOTCORE_TEST_MOSQUITTO_CONF"].split(";")
        path = os.path.join(self._tmp.name, "mosquitto.conf")
        with open(path, "w") as f:
            f.write("\n".join(conf) + "\n")
        self._spawn([binary, "-c", path])
        ports = [self.mqtt_port] + ([self.mqtts_port] if self.tls else [])
        deadline = time.monotonic() + timeout
        for port in ports:
            while True:
                if self.proc.poll() is not None:
                    time.sleep(0.2)
                    raise BrokerStartError(self._failure("mosquitto exited with status %s" % self.proc.returncode))
                try:
                    socket.create_connection(("127.0.0.1", port), 0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        self.kill()
                        raise BrokerStartError(self._failure("mosquitto did not listen on %d" % port))
                    time.sleep(0.05)
        self.ready = {"open-mqtt": ("mqtt", "127.0.0.1", self.mqtt_port)}
        if self.tls:
            self.ready["open-mqtts"] = ("mqtts", "127.0.0.1", self.mqtts_port)
        if self.ws:
            import wsproxy
            self._ws_proxy = wsproxy.WebSocketFrontEnd("127.0.0.1", self.mqtt_port)
            self.ws_port = self._ws_proxy.port
            self.ready["open-ws"] = ("ws", "127.0.0.1", self.ws_port)
        if self.tls and self.wss:
            import wsproxy
            self._wss_proxy = wsproxy.WebSocketFrontEnd("127.0.0.1", self.mqtt_port, tls=self.tls)
            self.wss_port = self._wss_proxy.port
            self.ready["open-wss"] = ("wss", "127.0.0.1", self.wss_port)

    def _failure(self, what):
        return "%s %s\ncommand: %s\nstdout:\n  %s\nstderr (last 40 lines):\n  %s" % (
            self.name, what, " ".join(self.proc.args) if self.proc else "-",
            "\n  ".join(self.stdout_lines[-20:]), "\n  ".join(self.log_lines[-40:]))

    def stop(self, sig=signal.SIGTERM, timeout=STOP_TIMEOUT):
        """Ask the broker to stop; returns its exit status (None if it had to be killed)."""
        for proxy in (self._ws_proxy, self._wss_proxy):
            if proxy:
                proxy.close()
        self._ws_proxy = self._wss_proxy = None
        if self.proc is None:
            return self.returncode
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
                self.returncode = None
                self.proc = None
                return None
        self.returncode = self.proc.returncode
        self.proc.wait()
        time.sleep(0)  # let the pump threads see EOF
        self.proc = None
        return self.returncode

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def close(self):
        self.stop()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    # --- logs --------------------------------------------------------------------------------

    def wait_for_log(self, pattern, timeout=5.0, start=0):
        """The first stderr line at index >= start matching the regular expression."""
        regex = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for line in self.log_lines[start:]:
                    if regex.search(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("no log line matching %r within %.1f s; last lines:\n  %s"
                                         % (pattern, timeout, "\n  ".join(self.log_lines[-20:])))
                self._cond.wait(min(left, 0.2))

    def wait_client_gone(self, client_id, timeout=5.0, start=0):
        """Waits until the broker has logged the end of client_id's connection, so that what it
        does on a disconnect (will or no will) has happened before the test goes on."""
        cid = re.escape(client_id)
        if self.kind == "mosquitto":
            pattern = r"Client %s (disconnected|closed its connection)|(Socket error|Client %s has exceeded).*%s" % (cid, cid, cid)
        else:
            pattern = r'\sdisconnect\s.*clientID="%s"' % cid
        return self.wait_for_log(pattern, timeout, start)

    def log_tail(self, n=40):
        with self._cond:
            return "\n".join(self.log_lines[-n:])


def parse_logfmt(line):
    """`<time> <level> <event> key="value" key=value ...` -> (time, level, event, {key: value})."""
    m = re.match(r"^(\S+) (\S+) (\S+)(.*)$", line)
    if not m:
        return None
    fields = {}
    for km in re.finditer(r'\s([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|\S*)', m.group(4)):
        value = km.group(2)
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        fields[km.group(1)] = value
    return m.group(1), m.group(2), m.group(3), fields


class BrokerTestCase(unittest.TestCase):
    """A TestCase with one broker for the whole class (setUpClass). Subclasses set broker_options.
    When a test fails, the broker's last log lines are printed to stderr."""

    broker_options = {}   # None: the tests start their own brokers (listed in self.extra_brokers)
    broker = None

    @classmethod
    def setUpClass(cls):
        if cls.broker_options is not None:
            cls.broker = Broker(name=cls.__name__, **cls.broker_options).start()

    @classmethod
    def tearDownClass(cls):
        if cls.broker is not None:
            cls.broker.close()

    def run(self, result=None):
        before = (len(result.failures) + len(result.errors)) if result is not None else 0
        outcome = super().run(result)
        if result is not None and len(result.failures) + len(result.errors) > before:
            for broker in self.brokers_to_report():
                if broker is not None:
                    sys.stderr.write("\n--- %s log (last lines) ---\n%s\n---\n" % (broker.name, broker.log_tail()))
        return outcome

    def brokers_to_report(self):
        return [type(self).broker] + list(getattr(self, "extra_brokers", []))


def main():
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--broker", help="path of the iotcore-studio executable")
    args, rest = parser.parse_known_args()
    global BINARY
    if args.broker:
        BINARY = os.path.abspath(args.broker)
    sys.stderr.write("broker under test: %s\n" % ("Debian's mosquitto (reference run)" if under_mosquitto() else BINARY))
    # Third-party noise (paho's use of deprecated ssl constants) would bury the test output.
    program = unittest.main(argv=[sys.argv[0]] + rest, verbosity=2, warnings="ignore", exit=False)
    result = program.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.testsRun and len(result.skipped) == result.testsRun:
        sys.exit(SKIPPED_EXIT_CODE)  # CTest reports the file as skipped (SKIP_RETURN_CODE)
    sys.exit(0)


SKIPPED_EXIT_CODE = 77
