"""MQTT over TLS on the --open-mqtts listener (and over secure WebSocket on --open-wss), with
certificates made by the openssl CLI.

Clients: mosquitto_pub/mosquitto_sub with --cafile (as real device samples do), paho tls_set,
Python's ssl module. Open mode: anonymous, a client certificate is allowed but not required.
"""

import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import unittest

import brokerproc
import mqttraw
from brokerproc import unique
from clients import MosquittoSub, PahoClient, mosquitto_pub


def openssl(*args, cwd):
    done = subprocess.run(["openssl"] + list(args), cwd=cwd, capture_output=True, timeout=60)
    if done.returncode != 0:
        raise RuntimeError("openssl %s failed: %s" % (" ".join(args), done.stderr.decode(errors="replace")))


class Pki:
    """A CA, a server certificate for 127.0.0.1/localhost signed by it, a client certificate
    signed by it, a self-signed client certificate, and an unrelated CA. All in a temp dir."""

    def __init__(self, server_key="rsa"):
        self.tmp = tempfile.TemporaryDirectory(prefix="iotcore-tls-")
        d = self.dir = self.tmp.name
        rsa = ["-newkey", "rsa:2048"]
        ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        with open(os.path.join(d, "ca.ext"), "w") as f:
            f.write("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n"
                    "subjectKeyIdentifier=hash\n")
        with open(os.path.join(d, "server.ext"), "w") as f:
            f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                    "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n")
        with open(os.path.join(d, "client.ext"), "w") as f:
            f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                    "extendedKeyUsage=clientAuth\n")
        for ca in ("ca", "other-ca"):
            openssl("req", "-x509", *ec, "-nodes", "-keyout", ca + ".key", "-out", ca + ".pem",
                    "-days", "2", "-subj", "/CN=IoT Core Studio test %s" % ca,
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=d)
        openssl("req", *(rsa if server_key == "rsa" else ec), "-nodes", "-keyout", "server.key",
                "-out", "server.csr", "-subj", "/CN=localhost", cwd=d)
        if server_key == "ec-sec1":
            # "-----BEGIN EC PRIVATE KEY-----" (SEC 1), as older tools and many devices write it.
            openssl("ec", "-in", "server.key", "-out", "server.key", cwd=d)
        openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext", cwd=d)
        openssl("req", *ec, "-nodes", "-keyout", "client.key", "-out", "client.csr",
                "-subj", "/CN=device-signed", cwd=d)
        openssl("x509", "-req", "-in", "client.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", "client.pem", "-days", "2", "-extfile", "client.ext", cwd=d)
        openssl("req", "-x509", *ec, "-nodes", "-keyout", "self.key", "-out", "self.pem",
                "-days", "2", "-subj", "/CN=device-self-signed", cwd=d)

    def path(self, name):
        return os.path.join(self.dir, name)

    def close(self):
        self.tmp.cleanup()


class TlsTest(brokerproc.BrokerTestCase):
    server_key = "rsa"

    @classmethod
    def setUpClass(cls):
        brokerproc.require_tool(cls, "openssl", "openssl")
        cls.pki = Pki(cls.server_key)
        cls.broker_options = {"tls": (cls.pki.path("server.pem"), cls.pki.path("server.key"))}
        try:
            super().setUpClass()
        except BaseException:
            cls.pki.close()
            raise

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.pki.close()

    def setUp(self):
        self.closers = []

    def tearDown(self):
        for close in self.closers:
            close()

    def tls_args(self, cert=None):
        args = ["--cafile", self.pki.path("ca.pem")]
        if cert:
            args += ["--cert", self.pki.path(cert + ".pem"), "--key", self.pki.path(cert + ".key")]
        return args

    def paho(self, cert=None, ca="ca"):
        c = PahoClient(unique("tls"))
        self.closers.append(c.close)
        result = c.connect(self.broker.host, self.broker.mqtts_port, tls_ca=self.pki.path(ca + ".pem"),
                           tls_cert=self.pki.path(cert + ".pem") if cert else None,
                           tls_key=self.pki.path(cert + ".key") if cert else None)
        self.assertEqual(result, (False, 0))
        return c

    def test_server_presents_the_configured_certificate(self):
        pem = ssl.get_server_certificate((self.broker.host, self.broker.mqtts_port))
        with open(self.pki.path("server.pem")) as f:
            expected = f.read()
        self.assertEqual(ssl.PEM_cert_to_DER_cert(pem), ssl.PEM_cert_to_DER_cert(expected))

    def test_mosquitto_clients_with_cafile(self):
        brokerproc.require_tool(self, "mosquitto_sub", "mosquitto-clients")
        topic = unique("tls")
        sub = MosquittoSub(self.broker.mqtts_port, [topic], qos=1, extra=self.tls_args())
        self.closers.append(sub.close)
        sub.wait_subscribed()
        for qos in (0, 1, 2):
            mosquitto_pub(self.broker.mqtts_port, topic, "secure %d" % qos, qos=qos, extra=self.tls_args())
        self.assertEqual([(m.payload, m.qos) for m in sub.expect(3)],
                         [(b"secure 0", 0), (b"secure 1", 1), (b"secure 2", 1)])

    def test_client_refuses_a_server_it_does_not_trust(self):
        brokerproc.require_tool(self, "mosquitto_pub", "mosquitto-clients")
        done = mosquitto_pub(self.broker.mqtts_port, unique("x"), "x", check=False,
                             extra=["--cafile", self.pki.path("other-ca.pem")])
        self.assertNotEqual(done.returncode, 0, "the handshake must fail against another CA")
        self.assertTrue(self.broker.alive())

    def test_paho_tls_and_plain_tcp_share_topics(self):
        secure = self.paho()
        plain = PahoClient(unique("plain"))
        self.closers.append(plain.close)
        plain.connect(self.broker.host, self.broker.mqtt_port)
        t1, t2 = unique("to-tls"), unique("to-tcp")
        secure.subscribe([(t1, 2)])
        plain.subscribe([(t2, 2)])
        plain.publish(t1, b"from tcp", qos=2)
        secure.publish(t2, b"from tls", qos=2)
        self.assertEqual([(m.payload, m.qos) for m in secure.expect(1, topic=t1)], [(b"from tcp", 2)])
        self.assertEqual([(m.payload, m.qos) for m in plain.expect(1, topic=t2)], [(b"from tls", 2)])

    def test_client_certificates_are_accepted_in_open_mode(self):
        for cert in ("client", "self"):  # signed by the server's CA; self-signed (IoT Core's usual)
            with self.subTest(cert=cert):
                c = self.paho(cert=cert)
                topic = unique("cert")
                c.subscribe([(topic, 1)])
                c.publish(topic, b"with a certificate", qos=1)
                self.assertEqual(c.expect(1, topic=topic)[0].payload, b"with a certificate")
        if shutil.which("mosquitto_pub"):
            mosquitto_pub(self.broker.mqtts_port, unique("cert"), "x", qos=1, extra=self.tls_args("client"))

    def test_plain_mqtt_on_the_tls_port_is_not_served(self):
        c = mqttraw.RawClient(self.broker.host, self.broker.mqtts_port, timeout=5)
        self.closers.append(c.close)
        c.send(mqttraw.connect(unique("plain-on-tls")))
        try:
            pkt = c.recv(3)
            self.assertNotEqual((pkt.type, pkt.body[:1]), (mqttraw.CONNACK, b"\x00"),
                                "a plain CONNECT must not be accepted on the TLS listener")
        except (mqttraw.Closed, TimeoutError, ValueError):
            pass
        c.close()
        # ... and the listener still works afterwards.
        self.paho().disconnect()

    def test_tls_connection_reset_during_handshake_leaves_the_broker_serving(self):
        s = socket.create_connection((self.broker.host, self.broker.mqtts_port), 5)
        s.sendall(b"\x16\x03\x01\x00\x05hello")  # a truncated ClientHello record
        s.close()
        self.paho().disconnect()


class SecureWebSocketTest(TlsTest):
    """MQTT over WebSocket over TLS (--open-wss), as browsers and MQTT.js use wss://."""

    @classmethod
    def setUpClass(cls):
        brokerproc.require_tool(cls, "openssl", "openssl")
        cls.pki = Pki("rsa")
        cls.broker_options = {"tls": (cls.pki.path("server.pem"), cls.pki.path("server.key")), "wss": True}
        try:
            brokerproc.BrokerTestCase.setUpClass.__func__(cls)
        except BaseException:
            cls.pki.close()
            raise

    def test_handshake_over_tls_selects_mqtt(self):
        from test_websocket import handshake
        context = ssl.create_default_context(cafile=self.pki.path("ca.pem"))
        status, headers, sock, _ = handshake(self.broker.host, self.broker.wss_port, ssl_context=context)
        sock.close()
        self.assertRegex(status, r"^HTTP/1\.1 101\b")
        self.assertEqual(headers.get("sec-websocket-protocol"), "mqtt")

    def test_paho_over_secure_websocket_and_tcp(self):
        secure = PahoClient(unique("wss"), transport="websockets")
        self.closers.append(secure.close)
        self.assertEqual(secure.connect(self.broker.host, self.broker.wss_port, ws_path="/mqtt",
                                        tls_ca=self.pki.path("ca.pem")), (False, 0))
        plain = PahoClient(unique("plain"))
        self.closers.append(plain.close)
        plain.connect(self.broker.host, self.broker.mqtt_port)
        t1, t2 = unique("to-wss"), unique("to-tcp")
        secure.subscribe([(t1, 1)])
        plain.subscribe([(t2, 1)])
        big = os.urandom(70_000)
        plain.publish(t1, big, qos=1)
        secure.publish(t2, b"from wss", qos=2)
        self.assertEqual(secure.expect(1, topic=t1)[0].payload, big)
        self.assertEqual([(m.payload, m.qos) for m in plain.expect(1, topic=t2)], [(b"from wss", 1)])


class TlsEcKeyTest(TlsTest):
    """The same with an EC server key in the SEC 1 form ("BEGIN EC PRIVATE KEY")."""
    server_key = "ec-sec1"


def load_tests(loader, tests, pattern):
    suite = unittest.TestSuite()
    suite.addTests(loader.loadTestsFromTestCase(TlsTest))
    for test in loader.loadTestsFromTestCase(SecureWebSocketTest):
        if test._testMethodName in ("test_handshake_over_tls_selects_mqtt",
                                    "test_paho_over_secure_websocket_and_tcp"):
            suite.addTest(test)
    ec = loader.loadTestsFromTestCase(TlsEcKeyTest)
    # Only the essentials again for the EC key: the listener loads it and clients connect.
    for test in ec:
        if test._testMethodName in ("test_server_presents_the_configured_certificate",
                                    "test_mosquitto_clients_with_cafile",
                                    "test_paho_tls_and_plain_tcp_share_topics"):
            suite.addTest(test)
    return suite


if __name__ == "__main__":
    brokerproc.main()
