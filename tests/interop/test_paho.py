"""paho-mqtt 1.6.1 (Debian's python3-paho-mqtt) and raw-socket checks of MQTT 3.1.1 behaviour.

PahoTest drives the broker through a third-party client library; RawProtocolTest sends exact
bytes where a library would hide the behaviour (return codes, flags, malformed packets,
silence). Expectations come from the OASIS MQTT 3.1.1 standard; normative statements are cited.
"""

import time
import unittest

import brokerproc
import mqttraw
from brokerproc import unique
from clients import PahoClient


def paho_available():
    try:
        import paho.mqtt.client  # noqa: F401
        return True
    except ImportError:
        return False


class PahoTest(brokerproc.BrokerTestCase):

    @classmethod
    def setUpClass(cls):
        if not paho_available():
            raise unittest.SkipTest("paho-mqtt not found (install the Debian package python3-paho-mqtt)")
        super().setUpClass()

    def setUp(self):
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.close()

    def client(self, client_id=None, clean_session=True, connect=True, **kw):
        c = PahoClient(client_id if client_id is not None else unique("paho"), clean_session)
        self.clients.append(c)
        if connect:
            self.assertEqual(c.connect(self.broker.host, self.broker.mqtt_port, **kw)[1], 0)
        return c

    def until_marker(self, receiver, publisher, topic, any_topic=False):
        """What receiver got on topic (or on any topic) before a marker that publisher sends
        after everything else. The marker goes at QoS 2: paho hands QoS 2 messages over on
        PUBREL, so anything sent before the marker is seen before it."""
        marker = unique("marker").encode()
        publisher.publish(topic, marker, qos=2)
        got = receiver.expect_until(lambda m: m.payload == marker, what="the marker")
        return [m for m in got[:-1] if not m.payload.startswith(b"marker-")
                and (any_topic or m.topic == topic)]

    # --- QoS flows (4.3) -------------------------------------------------------------------------

    def test_qos_round_trips(self):
        sub, pub = self.client(), self.client()
        for qos in (0, 1, 2):
            with self.subTest(qos=qos):
                topic = unique("rt")
                self.assertEqual(sub.subscribe([(topic, 2)]), [2])
                pub.publish(topic, b"round trip %d" % qos, qos=qos)  # waits for PUBACK / PUBCOMP
                got = self.until_marker(sub, pub, topic)
                self.assertEqual([(m.topic, m.payload, m.qos, m.retain, m.dup) for m in got],
                                 [(topic, b"round trip %d" % qos, qos, False, False)])

    def test_many_messages_in_flight_arrive_in_order(self):
        # 4.6: PUBLISH packets to a subscriber keep the order they had from one publisher, per
        # topic and QoS. 300 messages at once also exercise packet identifier reuse.
        sub, pub = self.client(), self.client()
        for qos in (1, 2):
            with self.subTest(qos=qos):
                topic = unique("burst")
                sub.subscribe([(topic, qos)])
                infos = [pub.client.publish(topic, b"%05d" % i, qos) for i in range(300)]
                pub.wait(lambda: all(i.mid in pub.acked for i in infos), 30, "all acknowledgements")
                got = sub.expect(300, timeout=30, topic=topic)
                self.assertEqual([m.payload for m in got], [b"%05d" % i for i in range(300)])
                self.assertTrue(all(m.qos == qos for m in got))

    # --- sessions (3.1.2.4, 3.2.2.2) ---------------------------------------------------------

    def test_session_present_flag_and_offline_queue(self):
        cid, topic = unique("sp"), unique("queue")
        first = self.client(cid, clean_session=False, connect=False)
        self.assertEqual(first.connect(self.broker.host, self.broker.mqtt_port), (False, 0),
                         "no stored session: Session Present 0 [MQTT-3.2.2-3]")
        self.assertEqual(first.subscribe([(topic, 2)]), [2])
        first.disconnect()

        pub = self.client()
        for qos in (1, 2):
            pub.publish(topic, b"offline qos %d" % qos, qos=qos)

        second = self.client(cid, clean_session=False, connect=False)
        self.assertEqual(second.connect(self.broker.host, self.broker.mqtt_port), (True, 0),
                         "stored session resumed: Session Present 1 [MQTT-3.2.2-2]")
        got = second.expect(2)
        self.assertEqual(sorted((m.payload, m.qos) for m in got),
                         [(b"offline qos 1", 1), (b"offline qos 2", 2)])
        # The subscription is part of the session: no SUBSCRIBE was sent this time.
        pub.publish(topic, b"live", qos=1)
        self.assertEqual(second.expect(3)[2].payload, b"live")
        second.disconnect()

        clean = self.client(cid, clean_session=True, connect=False)
        self.assertEqual(clean.connect(self.broker.host, self.broker.mqtt_port), (False, 0),
                         "CleanSession=1: Session Present 0 [MQTT-3.2.2-1]")
        clean.disconnect()
        pub.publish(topic, b"nobody listens", qos=1)
        again = self.client(cid, clean_session=False, connect=False)
        self.assertEqual(again.connect(self.broker.host, self.broker.mqtt_port), (False, 0),
                         "the clean session discarded the stored one [MQTT-3.1.2-6]")
        # Anything queued would be sent right after CONNACK, before this SUBACK and the marker.
        probe = unique("probe")
        again.subscribe([(probe, 2)])
        self.assertEqual(self.until_marker(again, pub, probe, any_topic=True), [])

    # --- subscriptions (3.8, 3.10) ---------------------------------------------------------------

    @brokerproc.known_mosquitto_deviation("delivers the QoS of the non-wildcard subscription, not the maximum")
    def test_overlapping_subscriptions_delivered_once_at_the_maximum_qos(self):
        # [MQTT-3.3.5-1]: respect the maximum QoS of all matching subscriptions. The standard
        # allows extra copies; this project delivers exactly one (issue: "delivered once").
        base = unique("ovl")
        sub, pub = self.client(), self.client()
        self.assertEqual(sub.subscribe([(base + "/+", 0), (base + "/#", 2), (base + "/a", 1)]), [0, 2, 1])
        pub.publish(base + "/a", b"overlap", qos=2)
        got = self.until_marker(sub, pub, base + "/a")
        self.assertEqual([(m.payload, m.qos) for m in got], [(b"overlap", 2)])

    def test_overlapping_subscriptions_with_the_maximum_on_the_exact_filter(self):
        base = unique("ovx")
        sub, pub = self.client(), self.client()
        sub.subscribe([(base + "/a", 2), (base + "/+", 0), (base + "/#", 1)])
        pub.publish(base + "/a", b"overlap", qos=2)
        got = self.until_marker(sub, pub, base + "/a")
        self.assertEqual([(m.payload, m.qos) for m in got], [(b"overlap", 2)])

    def test_unsubscribe_stops_delivery(self):
        topic, other = unique("unsub"), unique("still")
        sub, pub = self.client(), self.client()
        sub.subscribe([(topic, 1), (other, 2)])
        pub.publish(topic, b"before", qos=1)
        self.assertEqual(sub.expect(1)[0].payload, b"before")
        sub.unsubscribe([topic])
        pub.publish(topic, b"after", qos=2)
        got = self.until_marker(sub, pub, other, any_topic=True)
        self.assertEqual([m.payload for m in got], [b"before"])

    def test_unsubscribe_one_of_two_overlapping_filters(self):
        base = unique("unsub2")
        sub, pub = self.client(), self.client()
        sub.subscribe([(base + "/#", 1), (base + "/a", 2)])
        sub.unsubscribe([base + "/a"])
        pub.publish(base + "/a", b"via #", qos=2)
        got = self.until_marker(sub, pub, base + "/a")
        self.assertEqual([(m.payload, m.qos) for m in got], [(b"via #", 1)],
                         "still delivered through the remaining filter, at its QoS")

    def test_unsubscribe_from_a_filter_never_subscribed_is_acknowledged(self):
        sub = self.client()
        sub.unsubscribe([unique("never")])  # UNSUBACK even so [MQTT-3.10.4-5]

    def test_resubscribe_replaces_qos_and_resends_retained(self):
        topic = unique("resub")
        sub, pub = self.client(), self.client()
        pub.publish(topic, b"kept", qos=1, retain=True)
        sub.subscribe([(topic, 0)])
        self.assertEqual([(m.payload, m.qos, m.retain) for m in sub.expect(1)], [(b"kept", 0, True)])
        sub.subscribe([(topic, 2)])  # replaces the subscription [MQTT-3.8.4-3]
        self.assertEqual([(m.payload, m.qos, m.retain) for m in sub.expect(2)[1:]], [(b"kept", 1, True)],
                         "retained messages are re-sent on a repeated SUBSCRIBE [MQTT-3.8.4-3]")
        pub.publish(topic, b"live", qos=2)
        got = self.until_marker(sub, pub, topic)
        self.assertEqual([(m.payload, m.qos) for m in got[2:]], [(b"live", 2)], "one subscription, not two")
        pub.publish(topic, b"", qos=1, retain=True)

    # --- client takeover (3.1.4) -----------------------------------------------------------------

    def test_same_client_id_takes_over(self):
        cid, topic = unique("dup"), unique("takeover")
        first = self.client(cid)
        second = self.client(cid)
        self.assertNotEqual(first.wait_disconnected(), 0,
                            "the existing client is disconnected by the server [MQTT-3.1.4-2]")
        pub = self.client()
        second.subscribe([(topic, 1)])
        pub.publish(topic, b"to the new one", qos=1)
        self.assertEqual(second.expect(1)[0].payload, b"to the new one")
        self.assertEqual(second.disconnects, [])

    def test_takeover_of_a_persistent_session_keeps_it(self):
        cid, topic = unique("dupp"), unique("takeover")
        first = self.client(cid, clean_session=False)
        first.subscribe([(topic, 1)])
        second = self.client(cid, clean_session=False, connect=False)
        self.assertEqual(second.connect(self.broker.host, self.broker.mqtt_port), (True, 0))
        first.wait_disconnected()
        pub = self.client()
        pub.publish(topic, b"session moved", qos=1)
        self.assertEqual(second.expect(1)[0].payload, b"session moved")
        self.assertEqual(first.messages, [])
        second.disconnect()
        self.client(cid, clean_session=True).disconnect()  # drop the stored session


class RawProtocolTest(brokerproc.BrokerTestCase):
    """Exact bytes on a TCP socket."""

    def raw(self):
        c = mqttraw.RawClient(self.broker.host, self.broker.mqtt_port)
        self.addCleanup(c.close)
        return c

    def connected(self, client_id=None, **kw):
        c = self.raw()
        self.assertEqual(c.handshake(client_id if client_id is not None else unique("raw"), **kw).return_code, 0)
        return c

    def assert_broker_serves(self):
        c = self.connected()
        topic = unique("alive")
        c.subscribe([(topic, 1)])
        c.publish(topic, b"still here", qos=1)
        self.assertEqual(c.receive().payload, b"still here")
        c.disconnect()

    # --- CONNECT / CONNACK (3.1, 3.2) ------------------------------------------------------------

    def test_connack_1_for_an_unsupported_protocol_level(self):
        c = self.raw()
        c.send(mqttraw.connect(unique("lvl"), proto_level=3))
        connack = c.expect(mqttraw.CONNACK)
        self.assertEqual((connack.return_code, connack.session_present), (1, False), "[MQTT-3.1.2-2]")
        self.assertTrue(c.wait_closed(3), "then the server disconnects [MQTT-3.1.2-2]")

    def test_connack_2_for_an_empty_client_id_without_clean_session(self):
        c = self.raw()
        c.send(mqttraw.connect("", clean=False))
        connack = c.expect(mqttraw.CONNACK)
        self.assertEqual(connack.return_code, 2, "[MQTT-3.1.3-8]")
        self.assertTrue(c.wait_closed(3), "[MQTT-3.1.3-9]")

    def test_empty_client_id_with_clean_session_is_accepted(self):
        c = self.raw()
        connack = c.handshake("", clean=True)
        self.assertEqual((connack.return_code, connack.session_present), (0, False), "[MQTT-3.1.3-6]")
        topic = unique("anon")
        c.subscribe([(topic, 0)])
        c.publish(topic, b"hi")
        self.assertEqual(c.receive().payload, b"hi")

    def test_connack_flags_are_zero_on_a_new_session(self):
        connack = self.raw().handshake(unique("fresh"), clean=False)
        self.assertEqual(connack.body, b"\x00\x00")
        self.assertEqual(connack.flags, 0)

    # --- keep-alive (3.1.2.10) -------------------------------------------------------------------

    def test_keep_alive_disconnects_a_silent_client(self):
        # [MQTT-3.1.2-24]: disconnect after 1.5 x keep-alive without a control packet.
        low, high = (1.4, 2.5)
        if brokerproc.under_mosquitto():
            low, high = (1.0, 7.0)  # mosquitto 2.0.11 checks whole seconds, periodically
        c = self.raw()
        c.handshake(unique("silent"), keepalive=1)
        t0 = time.monotonic()
        self.assertTrue(c.wait_closed(high + 1), "a silent client must be disconnected")
        elapsed = time.monotonic() - t0
        self.assertGreaterEqual(elapsed, low, "disconnected too early")
        self.assertLessEqual(elapsed, high, "disconnected too late")

    def test_keep_alive_is_satisfied_by_pingreq_and_zero_disables_it(self):
        pinging = self.connected(keepalive=1)
        idle = self.connected(keepalive=0)  # 0 turns the mechanism off (3.1.2.10)
        deadline = time.monotonic() + 3.2
        while time.monotonic() < deadline:
            pinging.send(mqttraw.pingreq())
            pinging.expect(mqttraw.PINGRESP, timeout=2)  # [MQTT-3.12.4-1]
            time.sleep(0.5)
        idle.send(mqttraw.pingreq())
        idle.expect(mqttraw.PINGRESP, timeout=2)

    # --- protocol violations close the connection (4.8) -------------------------------------------

    VIOLATIONS = [
        ("PUBLISH topic with #", mqttraw.publish("a/#", b"x")),                    # [MQTT-3.3.2-2]
        ("PUBLISH topic with +", mqttraw.publish("a/+/b", b"x")),                  # [MQTT-3.3.2-2]
        ("PUBLISH empty topic", mqttraw.publish("", b"x")),                        # [MQTT-4.7.3-1]
        ("PUBLISH QoS 3", mqttraw.packet(mqttraw.PUBLISH, 0x06, mqttraw.utf8("a") + b"\x00\x01x")),  # [MQTT-3.3.1-4]
        ("PUBLISH QoS 1 with packet id 0", mqttraw.publish("a", b"x", qos=1, pid=0)),  # [MQTT-2.3.1-1]
        ("PUBLISH topic with NUL", mqttraw.publish("a\x00b", b"x")),                # [MQTT-1.5.3-2]
        ("PUBLISH topic not UTF-8", mqttraw.packet(mqttraw.PUBLISH, 0, b"\x00\x02\xc3\x28x")),  # [MQTT-1.5.3-1]
        ("PUBLISH topic with a surrogate", mqttraw.packet(mqttraw.PUBLISH, 0, b"\x00\x03\xed\xa0\x80x")),  # [MQTT-1.5.3-1]
        ("SUBSCRIBE with flags 0", mqttraw.subscribe(1, [("a", 0)], flags=0)),     # [MQTT-3.8.1-1]
        ("SUBSCRIBE without filters", mqttraw.packet(mqttraw.SUBSCRIBE, 2, b"\x00\x01")),  # [MQTT-3.8.3-3]
        ("SUBSCRIBE requesting QoS 3", mqttraw.subscribe(1, [("a", 3)])),          # [MQTT-3-8.3-4]
        ("UNSUBSCRIBE with flags 0", mqttraw.packet(mqttraw.UNSUBSCRIBE, 0, b"\x00\x01" + mqttraw.utf8("a"))),  # [MQTT-3.10.1-1]
        ("UNSUBSCRIBE without filters", mqttraw.packet(mqttraw.UNSUBSCRIBE, 2, b"\x00\x01")),  # [MQTT-3.10.3-2]
        ("SUBSCRIBE empty filter", mqttraw.subscribe(1, [("", 0)])),              # [MQTT-4.7.3-1]
        ("PUBREL with flags 0", mqttraw.packet(mqttraw.PUBREL, 0, b"\x00\x05")),    # [MQTT-3.6.1-1]
        ("DISCONNECT with flags", mqttraw.packet(mqttraw.DISCONNECT, 1)),          # [MQTT-2.2.2-2]
        ("PUBLISH shorter than its topic", mqttraw.packet(mqttraw.PUBLISH, 2, b"\x00\x01a")),  # 3.3.2
        ("second CONNECT", mqttraw.connect("again")),                               # [MQTT-3.1.0-2]
        ("reserved packet type 0", mqttraw.packet(0, 0)),                           # 2.2.1
        ("reserved packet type 15", mqttraw.packet(15, 0)),                         # 2.2.1
        ("server-to-client type CONNACK", mqttraw.packet(mqttraw.CONNACK, 0, b"\x00\x00")),
        ("remaining length of 5 bytes", b"\x30\xff\xff\xff\xff\x01"),              # 2.2.3
    ]

    def test_protocol_violations_close_the_connection(self):
        for what, data in self.VIOLATIONS:
            with self.subTest(what):
                cid = unique("bad")
                start = len(self.broker.log_lines)
                c = self.connected(cid)
                c.send(data)
                self.assertTrue(c.wait_closed(3), "still connected after: %s (read %r)" % (what, c.unread))
                if not brokerproc.under_mosquitto():
                    line = self.broker.wait_client_gone(cid, start=start)
                    fields = brokerproc.parse_logfmt(line)[3]
                    self.assertTrue(fields.get("reason"), "the disconnect is logged with a reason: %r" % line)
        self.assert_broker_serves()

    @brokerproc.known_mosquitto_deviation("ignores the reserved flags of PINGREQ, PUBACK and PUBREC")
    def test_reserved_flags_close_the_connection(self):
        # [MQTT-2.2.2-2]: "If invalid flags are received, the receiver MUST close the Network
        # Connection". Fixed header flags are 0000 for these packets (2.2.2).
        for what, data in (("PINGREQ", mqttraw.packet(mqttraw.PINGREQ, 1)),
                           ("PUBACK", mqttraw.packet(mqttraw.PUBACK, 1, b"\x00\x05")),
                           ("PUBREC", mqttraw.packet(mqttraw.PUBREC, 2, b"\x00\x05"))):
            with self.subTest(what):
                c = self.connected()
                c.send(data)
                self.assertTrue(c.wait_closed(3), "still connected after %s with reserved flags" % what)

    def test_violations_before_or_in_connect(self):
        cases = [
            ("PUBLISH before CONNECT", mqttraw.publish("a", b"x")),                 # [MQTT-3.1.0-1]
            ("CONNECT reserved flag set", mqttraw.connect(unique("r"), reserved_flag=True)),  # [MQTT-3.1.2-3]
            ("CONNECT protocol name MQTX", mqttraw.connect(unique("n"), proto_name="MQTX")),  # [MQTT-3.1.2-1]
            ("CONNECT will QoS 3", mqttraw.connect(unique("w"), will=("w", "x", 3, False))),  # [MQTT-3.1.2-14]
            ("CONNECT password without user name", mqttraw.connect(unique("p"), password="pw")),  # [MQTT-3.1.2-22]
            ("CONNECT will topic with #", mqttraw.connect(unique("w"), will=("w/#", "x", 0, False))),
        ]
        for what, data in cases:
            with self.subTest(what):
                c = self.raw()
                c.send(data)
                closed = c.wait_closed(3)
                self.assertTrue(closed, "still connected after: %s" % what)
                accepted = [p for p in c.unread if p.type == mqttraw.CONNACK and p.return_code == 0]
                self.assertEqual(accepted, [], "no successful CONNACK after: %s" % what)
        self.assert_broker_serves()

    def test_invalid_subscription_filter_is_not_granted(self):
        # 4.7.1: '#' last and alone in its level, '+' alone in its level. A server may close
        # the connection (4.8) or answer 0x80; it must never grant such a filter.
        for bad in ("a/#/b", "a/b#", "a+/b", "#/"):
            with self.subTest(bad):
                c = self.connected()
                c.send(mqttraw.subscribe(9, [(bad, 1)]))
                try:
                    suback = c.expect(mqttraw.SUBACK, timeout=3)
                    self.assertEqual(suback.granted, [0x80])
                except mqttraw.Closed:
                    pass
        self.assert_broker_serves()

    def test_will_is_published_when_the_server_closes_for_a_protocol_error(self):
        # [MQTT-3.1.2-8]: "An I/O error or network failure ... the Server closes the Network
        # Connection because of a protocol error" publishes the Will Message.
        will_topic = unique("will-err")
        watcher = self.connected()
        watcher.subscribe([(will_topic, 1)])
        bad = self.connected(will=(will_topic, "protocol error", 1, False))
        bad.send(mqttraw.publish("a/#", b"x"))
        self.assertTrue(bad.wait_closed(3))
        got = watcher.receive(5)
        self.assertEqual((got.topic, got.payload, got.qos), (will_topic, b"protocol error", 1))

    def test_will_after_tcp_reset_and_not_after_disconnect(self):
        will_topic = unique("will-raw")
        watcher = self.connected()
        watcher.subscribe([(will_topic, 2)])
        polite_id = unique("polite")
        polite = self.connected(polite_id, will=(will_topic, "polite", 2, False))
        polite.disconnect()
        self.broker.wait_client_gone(polite_id)
        rude = self.connected(will=(will_topic, "rude", 2, False))
        rude.abort()
        got = watcher.receive(5)
        self.assertEqual((got.payload, got.qos, got.retain), (b"rude", 2, False),
                         "the will of the reset connection only [MQTT-3.1.2-8, MQTT-3.1.2-10]")

    # --- exactly once, and retries (4.3.3, 4.4) -------------------------------------------------

    def test_qos2_publish_repeated_before_pubrel_is_delivered_once(self):
        topic = unique("once")
        sub = self.connected()
        sub.subscribe([(topic, 2)])
        pub = self.connected()
        pub.send(mqttraw.publish(topic, b"exactly once", qos=2, pid=7))
        self.assertEqual(pub.expect(mqttraw.PUBREC).pid, 7)
        pub.send(mqttraw.publish(topic, b"exactly once", qos=2, pid=7, dup=True))
        self.assertEqual(pub.expect(mqttraw.PUBREC).pid, 7, "[MQTT-4.3.3-2]: acknowledged again with PUBREC")
        pub.send(mqttraw.ack(mqttraw.PUBREL, 7))
        self.assertEqual(pub.expect(mqttraw.PUBCOMP).pid, 7)
        pub.publish(topic, b"marker", qos=2)
        got = sub.receive_until(lambda p: p.payload == b"marker")
        self.assertEqual([p.payload for p in got], [b"exactly once", b"marker"],
                         "no duplicate to onward recipients [MQTT-4.3.3-2]")

    def test_unacknowledged_qos1_is_resent_with_dup_on_reconnect(self):
        topic, cid = unique("retry1"), unique("retry1")
        sub = self.connected(cid, clean=False)
        sub.subscribe([(topic, 1)])
        self.connected().publish(topic, b"ack me", qos=1)
        first = sub.receive(auto_ack=False)
        self.assertEqual((first.qos, first.dup), (1, False))
        sub.abort()
        self.broker.wait_client_gone(cid)
        again = self.connected(cid, clean=False)
        resent = again.receive(auto_ack=False)
        self.assertEqual((resent.topic, resent.payload, resent.qos, resent.dup, resent.pid),
                         (topic, b"ack me", 1, True, first.pid),
                         "re-sent with DUP=1 and the same packet identifier [MQTT-4.4.0-1, MQTT-3.3.1-1]")
        again.send(mqttraw.ack(mqttraw.PUBACK, resent.pid))
        again.disconnect()
        self.connected(cid, clean=True).disconnect()

    def test_unacknowledged_qos2_is_resumed_on_reconnect(self):
        topic, cid = unique("retry2"), unique("retry2")
        sub = self.connected(cid, clean=False)
        sub.subscribe([(topic, 2)])
        publisher = self.connected()
        publisher.publish(topic, b"first", qos=2)
        publisher.publish(topic, b"second", qos=2)
        first = sub.receive(auto_ack=False)
        second = sub.receive(auto_ack=False)
        self.assertEqual([first.payload, second.payload], [b"first", b"second"])
        sub.send(mqttraw.ack(mqttraw.PUBREC, first.pid))      # first: PUBREC sent, PUBREL pending
        rel = sub.expect(mqttraw.PUBREL)
        self.assertEqual((rel.pid, rel.flags), (first.pid, 0x02))
        sub.abort()
        self.broker.wait_client_gone(cid)
        again = self.connected(cid, clean=False)
        # [MQTT-4.4.0-1]: re-send unacknowledged PUBLISH (DUP=1) and PUBREL packets, in order
        # [MQTT-4.6.0-1, -2, -3].
        packets = [again.recv(), again.recv()]
        kinds = sorted((p.name, p.pid) for p in packets)
        self.assertEqual(kinds, sorted([("PUBREL", first.pid), ("PUBLISH", second.pid)]))
        republished = [p for p in packets if p.type == mqttraw.PUBLISH][0]
        self.assertEqual((republished.payload, republished.qos, republished.dup), (b"second", 2, True))
        again.send(mqttraw.ack(mqttraw.PUBCOMP, first.pid))
        again.send(mqttraw.ack(mqttraw.PUBREC, second.pid))
        self.assertEqual(again.expect(mqttraw.PUBREL).pid, second.pid)
        again.send(mqttraw.ack(mqttraw.PUBCOMP, second.pid))
        publisher.publish(topic, b"marker", qos=2)
        self.assertEqual(again.receive().payload, b"marker", "nothing else was pending")
        again.disconnect()
        self.connected(cid, clean=True).disconnect()


if __name__ == "__main__":
    brokerproc.main()
