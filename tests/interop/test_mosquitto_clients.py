"""mosquitto_pub and mosquitto_sub (Debian's mosquitto-clients) against the broker in open mode.

Expectations come from MQTT 3.1.1 (OASIS standard, 2014); section numbers are cited.
"""

import os
import tempfile

import brokerproc
from brokerproc import unique
from clients import MosquittoSub, mosquitto_pub


class MosquittoClientsTest(brokerproc.BrokerTestCase):

    @classmethod
    def setUpClass(cls):
        brokerproc.require_tool(cls, "mosquitto_pub", "mosquitto-clients")
        brokerproc.require_tool(cls, "mosquitto_sub", "mosquitto-clients")
        super().setUpClass()

    def setUp(self):
        self.subs = []
        self.port = self.broker.mqtt_port

    def tearDown(self):
        for sub in self.subs:
            sub.close()

    def sub(self, topics, qos=0, **kw):
        s = MosquittoSub(self.port, topics, qos=qos, **kw)
        self.subs.append(s)
        return s.wait_subscribed()

    def pub(self, topic, message=None, **kw):
        return mosquitto_pub(self.port, topic, message, **kw)

    def until_marker(self, sub, topic):
        """Publishes a marker on topic and returns what sub received before it (exclusive).
        Used to show that something did NOT arrive, without a fixed sleep."""
        marker = unique("marker").encode()
        # QoS 2, so that the client prints it after anything sent before it: libmosquitto hands
        # a QoS 2 message over only when PUBREL arrives, a QoS 0 or 1 one at once.
        self.pub(topic, marker.decode(), qos=2)
        got = sub.expect_until(lambda m: m.payload == marker, what="the marker message")
        return [m for m in got[:-1] if not m.payload.startswith(b"marker-")]

    # --- QoS 0, 1, 2 (4.3) ---------------------------------------------------------------------

    def test_qos_levels_exactly_once_each(self):
        for qos in (0, 1, 2):
            with self.subTest(qos=qos):
                topic = unique("qos%d" % qos)
                s = self.sub([topic], qos=qos)
                self.pub(topic, "hello at qos %d" % qos, qos=qos)
                got = self.until_marker(s, topic)
                self.assertEqual([(m.topic, m.payload, m.qos, m.retain) for m in got],
                                 [(topic, b"hello at qos %d" % qos, qos, False)])

    def test_delivered_qos_is_the_minimum_of_publish_and_subscription(self):
        # 3.8.4: the QoS of a delivered message is min(QoS published, QoS granted).
        for sub_qos, pub_qos, expected in ((0, 2, 0), (1, 2, 1), (2, 1, 1), (2, 0, 0), (1, 0, 0)):
            with self.subTest(sub=sub_qos, pub=pub_qos):
                topic = unique("min")
                s = self.sub([topic], qos=sub_qos)
                self.pub(topic, "x", qos=pub_qos)
                self.assertEqual(s.expect(1)[0].qos, expected)

    def test_binary_payload_arrives_byte_for_byte(self):
        data = bytes(range(256)) * 8 + b"\x00\r\n\x00"
        with tempfile.NamedTemporaryFile(suffix=".bin") as f:
            f.write(data)
            f.flush()
            for qos in (0, 1, 2):
                with self.subTest(qos=qos):
                    topic = unique("bin")
                    s = self.sub([topic], qos=2)
                    self.pub(topic, file=f.name, qos=qos)
                    self.assertEqual(s.expect(1)[0].payload, data)

    def test_empty_payloads(self):
        topic = unique("empty")
        s = self.sub([topic], qos=1)
        self.pub(topic, null=True, qos=1)
        self.pub(topic, "", qos=1)  # -m "" is also a zero-length payload
        self.pub(topic, "after", qos=1)
        got = s.expect(3)
        self.assertEqual([m.payload for m in got], [b"", b"", b"after"])

    def test_large_payload(self):
        # Well above one TCP segment and a 2-byte remaining length (2.2.3).
        data = os.urandom(200_000)
        with tempfile.NamedTemporaryFile() as f:
            f.write(data)
            f.flush()
            topic = unique("large")
            s = self.sub([topic], qos=1)
            self.pub(topic, file=f.name, qos=1)
            self.assertEqual(s.expect(1, timeout=15)[0].payload, data)

    # --- retained messages (3.3.1.3) -----------------------------------------------------------

    def test_retained_set_replace_clear(self):
        topic = unique("ret")
        live = self.sub([topic], qos=1)

        self.pub(topic, "v1", qos=1, retain=True)
        late = self.sub([topic], qos=1)
        got = late.expect(1)
        self.assertEqual((got[0].payload, got[0].retain, got[0].qos), (b"v1", True, 1),
                         "a new subscriber gets the retained message with RETAIN=1 [MQTT-3.3.1-8]")

        self.pub(topic, "v2", qos=1, retain=True)
        later = self.sub([topic], qos=1)
        self.assertEqual([(m.payload, m.retain) for m in self.until_marker(later, topic)],
                         [(b"v2", True)], "the new retained message replaces the old one [MQTT-3.3.1-5]")

        self.pub(topic, qos=1, retain=True, null=True)
        latest = self.sub([topic], qos=1)
        self.assertEqual(self.until_marker(latest, topic), [],
                         "a zero-byte retained message clears the slot [MQTT-3.3.1-10, -11]")

        live_got = self.until_marker(live, topic)
        self.assertEqual([(m.payload, m.retain) for m in live_got],
                         [(b"v1", False), (b"v2", False), (b"", False)],
                         "established subscribers get RETAIN=0 [MQTT-3.3.1-9], the empty one too [MQTT-3.3.1-12]")

    def test_retained_qos_is_the_minimum_with_the_subscription(self):
        topic = unique("retq")
        self.pub(topic, "kept", qos=2, retain=True)
        for sub_qos in (0, 1, 2):
            with self.subTest(sub=sub_qos):
                got = self.sub([topic], qos=sub_qos).expect(1)[0]
                self.assertEqual((got.payload, got.retain, got.qos), (b"kept", True, sub_qos))
        self.pub(topic, qos=1, retain=True, null=True)

    def test_retained_messages_match_wildcard_filters(self):
        base = unique("retw")
        for leaf in ("a", "b/c"):
            self.pub("%s/%s" % (base, leaf), leaf, qos=1, retain=True)
        self.pub("%s/plain" % base, "not retained", qos=1)
        got = self.until_marker(self.sub([base + "/#"], qos=1), base + "/marker")
        self.assertEqual(sorted((m.topic, m.payload, m.retain) for m in got),
                         [(base + "/a", b"a", True), (base + "/b/c", b"b/c", True)])
        for leaf in ("a", "b/c"):
            self.pub("%s/%s" % (base, leaf), qos=1, retain=True, null=True)

    # --- will messages (3.1.2.5) -----------------------------------------------------------------

    def will_args(self, topic, payload, qos=1, retain=False):
        args = ["--will-topic", topic, "--will-payload", payload, "--will-qos", str(qos)]
        return args + (["--will-retain"] if retain else [])

    def test_will_published_when_the_client_is_killed(self):
        will_topic = unique("will")
        watcher = self.sub([will_topic], qos=1)
        victim = self.sub([unique("idle")], qos=0, client_id=unique("victim"),
                          extra=self.will_args(will_topic, "victim died"))
        victim.kill(9)
        got = watcher.expect(1)
        self.assertEqual((got[0].topic, got[0].payload, got[0].qos, got[0].retain),
                         (will_topic, b"victim died", 1, False))

    def test_retained_will_is_kept(self):
        will_topic = unique("willr")
        victim = self.sub([unique("idle")], client_id=unique("victim"),
                          extra=self.will_args(will_topic, "offline", retain=True))
        victim.kill(9)
        late = MosquittoSub(self.port, [will_topic], qos=1)
        self.subs.append(late)
        got = late.expect(1)
        self.assertEqual((got[0].payload, got[0].retain), (b"offline", True))
        self.pub(will_topic, qos=1, retain=True, null=True)

    def test_no_will_after_a_normal_disconnect(self):
        will_topic = unique("nowill")
        watcher = self.sub([will_topic], qos=1)
        start = len(self.broker.log_lines)
        # mosquitto_pub sends DISCONNECT after publishing [MQTT-3.1.2-10: the will is removed].
        pub_id, sub_id = unique("pub"), unique("sub")
        self.pub(unique("data"), "x", qos=1, client_id=pub_id, extra=self.will_args(will_topic, "pub will"))
        # mosquitto_sub -E: subscribe, then DISCONNECT and exit.
        s = MosquittoSub(self.port, [unique("idle")], client_id=sub_id,
                         extra=["-E"] + self.will_args(will_topic, "sub will"))
        self.assertEqual(s.wait_exit(), 0)
        self.broker.wait_client_gone(pub_id, start=start)
        self.broker.wait_client_gone(sub_id, start=start)
        self.assertEqual(self.until_marker(watcher, will_topic), [])

    # --- sessions (3.1.2.4) ----------------------------------------------------------------------

    def test_persistent_session_queues_qos1_while_offline(self):
        topic, cid = unique("offline"), unique("persist")
        first = MosquittoSub(self.port, [topic], qos=1, client_id=cid, clean=False, extra=["-E"])
        self.assertEqual(first.wait_exit(), 0)
        first_suback = [line for line in first.lines if line.startswith("Subscribed")]
        self.assertEqual(first_suback, ["Subscribed (mid: 1): 1"])
        self.broker.wait_client_gone(cid)
        payloads = [b"queued-%d" % i for i in range(5)]
        for p in payloads:
            self.pub(topic, p.decode(), qos=1)
        back = MosquittoSub(self.port, [topic], qos=1, client_id=cid, clean=False, extra=["-C", "5"])
        self.subs.append(back)
        back.wait(lambda: back.connack, 10, "CONNACK")
        self.assertIn("CONNACK (0)", back.connack)
        got = back.expect(5)
        self.assertEqual([m.payload for m in got], payloads, "queued in order (4.6)")
        self.assertTrue(all(m.qos == 1 for m in got))
        self.assertEqual(back.wait_exit(), 0)

    def test_clean_session_discards_the_old_session(self):
        topic, cid = unique("cleaned"), unique("persist")
        first = MosquittoSub(self.port, [topic], qos=1, client_id=cid, clean=False, extra=["-E"])
        self.assertEqual(first.wait_exit(), 0)
        # Same client id with CleanSession=1: the stored session is discarded [MQTT-3.1.2-6].
        start = len(self.broker.log_lines)
        again = MosquittoSub(self.port, [unique("other")], qos=1, client_id=cid, extra=["-E"])
        self.assertEqual(again.wait_exit(), 0)
        self.broker.wait_client_gone(cid, start=start)
        self.pub(topic, "while nobody is subscribed", qos=1)
        back = self.sub([topic], qos=1, client_id=cid, clean=False)
        self.assertEqual(self.until_marker(back, topic), [])

    # --- topic filters (4.7) -----------------------------------------------------------------------

    def test_single_and_multi_level_wildcards(self):
        b = unique("wild")
        s = self.sub([b + "/+/c", b + "/x/#", "+/" + b + "-plus"], qos=1)
        published = [b + "/a/c", b + "/a/b/c", b + "/x", b + "/x/y/z", b + "/c", b + "//c", b + "/x/c",
                     b + "-plus", "lvl/" + b + "-plus", "a/lvl/" + b + "-plus", "/" + b + "-plus"]
        for t in published:
            self.pub(t, t, qos=1)
        got = self.until_marker(s, b + "/marker/c")
        self.assertEqual(sorted(m.topic for m in got),
                         sorted([b + "/a/c", b + "/x", b + "/x/y/z", b + "//c", b + "/x/c",
                                 "lvl/" + b + "-plus", "/" + b + "-plus"]),
                         "+ matches exactly one level (an empty one too), # also matches its parent "
                         "(4.7.1.2, 4.7.1.3), and an overlapping match is delivered once")

    def test_dollar_topics_are_not_matched_by_leading_wildcards(self):
        b = unique("dollar")
        dollar_topic = "$" + b + "/x"
        everything = self.sub(["#", "+/x", "+/+"], qos=1)
        explicit = self.sub(["$" + b + "/#"], qos=1)
        self.pub(dollar_topic, "hidden", qos=1)
        self.assertEqual([(m.topic, m.payload) for m in explicit.expect(1)], [(dollar_topic, b"hidden")],
                         "a filter starting with $ matches $ topics")
        got = self.until_marker(everything, b + "/marker")
        self.assertNotIn(dollar_topic, [m.topic for m in got],
                         "# and + must not match a topic starting with $ [MQTT-4.7.2-1]")


if __name__ == "__main__":
    brokerproc.main()
