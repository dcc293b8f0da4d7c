"""Debian's mosquitto next to our broker: as a bridge, and as the reference for a script.

MosquittoBridgeTest: mosquitto runs with a `connection` bridge to our broker (`topic # both 1`),
and messages published on either broker reach subscribers on the other at QoS 1.

BehaviourComparisonTest: one scripted scenario (retained set/replace/clear, will, overlapping
subscriptions, QoS 2, sessions, takeover, CONNACK codes) runs against a fresh mosquitto and a
fresh broker under test, with raw sockets so every flag is seen; the observations must be equal.
"""

import time

import brokerproc
import mqttraw
from brokerproc import Broker, unique
from clients import PahoClient

BRIDGE_STATE = "$SYS/broker/connection/%s/state"


def bridge_conf(our_port, remote_clientid, try_private=False):
    return [
        "connection to-iotcore",
        "address 127.0.0.1:%d" % our_port,
        "topic # both 1",
        "remote_clientid %s" % remote_clientid,
        "cleansession true",
        "try_private %s" % ("true" if try_private else "false"),
        "restart_timeout 1",
        "keepalive_interval 10",
        "notifications true",
    ]


class BridgeCase(brokerproc.BrokerTestCase):

    @classmethod
    def setUpClass(cls):
        brokerproc.require_tool(cls, "mosquitto", "mosquitto")
        super().setUpClass()

    def setUp(self):
        self.clients = []
        self.extra_brokers = []

    def tearDown(self):
        for c in self.clients:
            c.close()
        for b in self.extra_brokers:
            b.close()

    def paho(self, broker):
        c = PahoClient(unique("br"))
        self.clients.append(c)
        self.assertEqual(c.connect(broker.host, broker.mqtt_port)[1], 0)
        return c

    def start_bridge(self, try_private=False):
        remote_id = unique("bridge")
        mosq = Broker(kind="mosquitto", name="mosquitto-bridge",
                      mosquitto_conf=bridge_conf(self.broker.mqtt_port, remote_id, try_private))
        self.extra_brokers.append(mosq)
        mosq.start()
        return mosq, remote_id

    def wait_bridge_both_ways(self, mosq, timeout):
        """Probes until a message crosses in each direction (the bridge has connected and its
        subscription on our broker is in place)."""
        on_mosq, on_ours = self.paho(mosq), self.paho(self.broker)
        probe = unique("probe")
        on_mosq.subscribe([(probe + "/to-mosq", 1)])
        on_ours.subscribe([(probe + "/to-ours", 1)])
        deadline = time.monotonic() + timeout
        for sender, receiver, topic in ((on_ours, on_mosq, probe + "/to-mosq"),
                                        (on_mosq, on_ours, probe + "/to-ours")):
            while not any(m.topic == topic for m in receiver.messages):
                if time.monotonic() > deadline:
                    raise AssertionError("the bridge did not carry %s within %.0f s\nmosquitto log:\n%s"
                                         % (topic, timeout, mosq.log_tail()))
                sender.publish(topic, b"probe", qos=1)
                try:
                    receiver.wait(lambda: any(m.topic == topic for m in receiver.messages), 0.5, "probe")
                except AssertionError:
                    pass


class MosquittoBridgeTest(BridgeCase):

    def setUp(self):
        super().setUp()
        self.mosq, self.remote_id = self.start_bridge()
        self.wait_bridge_both_ways(self.mosq, 20)

    def test_from_our_broker_to_mosquitto_at_qos1(self):
        topic = unique("to-mosq")
        sub, pub = self.paho(self.mosq), self.paho(self.broker)
        sub.subscribe([(topic + "/#", 1)])
        payloads = [b"ours %d" % i for i in range(20)]
        for p in payloads:
            pub.publish(topic + "/x", p, qos=1)
        got = sub.expect(20)
        self.assertEqual([m.payload for m in got], payloads)
        self.assertTrue(all(m.qos == 1 for m in got))

    def test_from_mosquitto_to_our_broker_at_qos1(self):
        topic = unique("to-ours")
        sub, pub = self.paho(self.broker), self.paho(self.mosq)
        sub.subscribe([(topic + "/#", 2)])
        payloads = [b"mosquitto %d" % i for i in range(20)] + [b"marker"]
        for p in payloads:
            pub.publish(topic + "/x", p, qos=2)
        got = sub.expect_until(lambda m: m.payload == b"marker")
        self.assertEqual([m.payload for m in got], payloads, "each exactly once, in order")
        self.assertTrue(all(m.qos == 1 for m in got), "the bridge carries QoS 1")

    def test_retained_message_crosses_the_bridge(self):
        topic = unique("ret")
        live = self.paho(self.broker)
        live.subscribe([(topic, 1)])
        pub = self.paho(self.mosq)
        pub.publish(topic, b"retained via bridge", qos=1, retain=True)
        self.assertEqual(live.expect(1)[0].payload, b"retained via bridge")  # it has crossed
        late = self.paho(self.broker)
        late.subscribe([(topic, 1)])
        got = late.expect(1)[0]
        self.assertEqual((got.payload, got.retain), (b"retained via bridge", True),
                         "the bridge kept the RETAIN flag and our broker stored the message")
        pub.publish(topic, b"", qos=1, retain=True)

    def test_bridge_state_notification_and_will_on_our_broker(self):
        # mosquitto announces the bridge on both brokers with a retained "1" and sets a will
        # "0" on the same topic: a $SYS topic published by a client, retained, and a will.
        state_topic = BRIDGE_STATE % self.remote_id
        watcher = self.paho(self.broker)
        watcher.subscribe([(state_topic, 1)])
        self.assertEqual([(m.payload, m.retain) for m in watcher.expect(1)], [(b"1", True)])
        self.mosq.kill()
        got = watcher.expect(2)[1]
        self.assertEqual(got.payload, b"0", "the bridge's will, published when its connection dropped")


class DefaultBridgeTest(BridgeCase):

    def test_bridge_with_default_try_private_connects(self):
        # try_private (the default) sends protocol level 0x84. A 3.1.1 broker answers CONNACK 1
        # [MQTT-3.1.2-2] and mosquitto retries with level 4, or the broker accepts it as a bridge.
        mosq, _ = self.start_bridge(try_private=True)
        self.wait_bridge_both_ways(mosq, 30)


def scenario(host, port):
    """Observations of one scripted session against one broker (fresh, nothing retained)."""
    obs = []

    def note(*what):
        obs.append(what)

    def client(cid, clean=True, will=None):
        c = mqttraw.RawClient(host, port)
        connack = c.handshake(cid, clean=clean, will=will)
        note("connack", cid, connack.session_present, connack.return_code)
        return c

    def msg(p):
        return (p.topic, p.payload, p.qos, p.retain, p.dup)

    markers = []

    def drain(c, marker_topic, who):
        """Everything but markers that c receives before a marker the control client publishes now."""
        marker = b"marker-%d" % len(markers)
        markers.append(marker)
        ctl.publish(marker_topic, marker, qos=1)
        got = c.receive_until(lambda p: p.payload == marker)
        note("received", who, [msg(p) for p in got if not p.payload.startswith(b"marker-")])

    def next_msg(c):
        """The next PUBLISH that is not a marker."""
        return msg(c.receive_until(lambda p: not p.payload.startswith(b"marker-"))[-1])

    ctl = client("cmp-ctl")
    # Retained: set, late subscriber, replace, clear.
    ctl.publish("cmp/r", b"r1", qos=1, retain=True)
    b = client("cmp-b")
    note("suback", "b", b.subscribe([("cmp/#", 2)]))
    note("retained", "b", msg(b.receive()))
    ctl.publish("cmp/r", b"r2", qos=2, retain=True)
    note("live", "b", msg(b.receive()))
    ctl.publish("cmp/r", b"", qos=0, retain=True)
    note("live", "b", msg(b.receive()))
    c = client("cmp-c")
    note("suback", "c", c.subscribe([("cmp/r", 1), ("cmp/m", 1)]))
    drain(c, "cmp/m", "c after clear")
    drain(b, "cmp/m", "b")
    # Will: abnormal disconnect publishes it, DISCONNECT discards it.
    w = client("cmp-w", will=("cmp/w", "bye", 1, False))
    w.abort()
    note("will", "b", next_msg(b))
    w2 = client("cmp-w2", will=("cmp/w", "polite", 1, True))
    w2.disconnect()  # returns when the broker has closed the connection
    drain(b, "cmp/m", "b after DISCONNECT")
    b.unsubscribe(["cmp/#"])
    note("suback", "b", b.subscribe([("cmp/w", 0)]))
    # Overlapping subscriptions (maximum QoS on the filter mosquitto visits first, see test_paho).
    o = client("cmp-o")
    note("suback", "o", o.subscribe([("cmp/o/a", 2), ("cmp/o/+", 1), ("cmp/o/#", 0), ("cmp/m", 0)]))
    ctl.publish("cmp/o/a", b"exact", qos=2)
    ctl.publish("cmp/o/b", b"plus", qos=2)
    ctl.publish("cmp/o/b/c", b"hash", qos=2)
    drain(o, "cmp/m", "o")
    # QoS 2 flows, packet by packet, and QoS downgrade.
    q = client("cmp-q")
    note("suback", "q", q.subscribe([("cmp/q2", 2), ("cmp/q1", 1)]))
    ctl.send(mqttraw.publish("cmp/q2", b"two", qos=2, pid=4242))
    note("publisher gets", ctl.expect(mqttraw.PUBREC).name)
    ctl.send(mqttraw.ack(mqttraw.PUBREL, 4242))
    note("publisher gets", ctl.expect(mqttraw.PUBCOMP).name)
    p = q.receive(auto_ack=False)
    note("subscriber gets", msg(p))
    q.send(mqttraw.ack(mqttraw.PUBREC, p.pid))
    rel = q.expect(mqttraw.PUBREL)
    note("subscriber gets", rel.name, rel.flags, rel.pid == p.pid)
    q.send(mqttraw.ack(mqttraw.PUBCOMP, p.pid))
    ctl.publish("cmp/q1", b"down", qos=2)
    note("downgraded", msg(q.receive()))
    # Unsubscribe.
    q.unsubscribe(["cmp/q2"])
    ctl.publish("cmp/q2", b"gone", qos=1)
    ctl.publish("cmp/q1", b"after", qos=1)
    note("after unsubscribe", msg(q.receive()))
    # Persistent session.
    s = client("cmp-s", clean=False)
    s.subscribe([("cmp/s", 1)])
    s.disconnect()
    ctl.publish("cmp/s", b"queued 1", qos=1)
    ctl.publish("cmp/s", b"queued 2", qos=2)
    s = client("cmp-s", clean=False)
    note("queued", [msg(s.receive()) for _ in range(2)])
    s.disconnect()
    client("cmp-s", clean=True).disconnect()
    # Takeover.
    t1 = client("cmp-t")
    t2 = client("cmp-t")
    note("first closed", t1.wait_closed(5))
    t2.disconnect()
    # CONNACK return codes.
    r = mqttraw.RawClient(host, port)
    r.send(mqttraw.connect("cmp-v3", proto_level=3))
    note("level 3", r.expect(mqttraw.CONNACK).return_code, r.wait_closed(3))
    r = mqttraw.RawClient(host, port)
    r.send(mqttraw.connect("", clean=False))
    note("empty id", r.expect(mqttraw.CONNACK).return_code, r.wait_closed(3))
    # A protocol violation closes the connection; the will is published.
    v = client("cmp-v", will=("cmp/w", "violated", 0, False))
    v.send(mqttraw.publish("cmp/#", b"bad"))
    note("violation closed", v.wait_closed(3))
    note("will", "b", next_msg(b))
    for conn in (ctl, b, c, o, q):
        conn.disconnect()
    return obs


class BehaviourComparisonTest(brokerproc.BrokerTestCase):
    broker_options = None

    @classmethod
    def setUpClass(cls):
        brokerproc.require_tool(cls, "mosquitto", "mosquitto")

    def setUp(self):
        self.extra_brokers = []

    def tearDown(self):
        for b in self.extra_brokers:
            b.close()

    def test_same_observations_as_mosquitto(self):
        reference = Broker(kind="mosquitto", name="mosquitto-reference")
        ours = Broker(name="broker")
        self.extra_brokers += [reference, ours]
        expected = scenario(reference.start().host, reference.mqtt_port)
        actual = scenario(ours.start().host, ours.mqtt_port)
        self.maxDiff = None
        for i, (want, got) in enumerate(zip(expected, actual)):
            self.assertEqual(got, want, "step %d differs from mosquitto" % i)
        self.assertEqual(len(actual), len(expected))


if __name__ == "__main__":
    brokerproc.main()
