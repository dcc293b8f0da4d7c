"""State that must survive a restart of `serve -w FILE` (and must not without -w).

MQTT 3.1.1 4.1: the Server keeps the session state of a CleanSession=0 client (its
subscriptions, QoS 1 and 2 messages queued or not completely acknowledged) and the retained
messages. The project keeps both in the SQLite workspace, written behind and flushed on a clean
stop (SIGTERM or SIGINT, exit status 0).
"""

import os
import signal
import tempfile

import brokerproc
import mqttraw
from brokerproc import Broker, unique
from clients import PahoClient


class PersistenceTest(brokerproc.BrokerTestCase):
    broker_options = None

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="iotcore-persist-")
        self.addCleanup(self.tmp.cleanup)
        self.workspace = os.path.join(self.tmp.name, "work.sqlite")
        self.extra_brokers = []
        self.clients = []

    def tearDown(self):
        for c in self.clients:
            c.close()
        for b in self.extra_brokers:
            b.close()

    def start(self, workspace=True):
        b = Broker(workspace=self.workspace if workspace else None, name="broker").start()
        self.extra_brokers.append(b)
        return b

    def paho(self, broker, client_id=None, clean=True):
        c = PahoClient(client_id or unique("p"), clean_session=clean)
        self.clients.append(c)
        return c, c.connect(broker.host, broker.mqtt_port)

    def restart(self, broker, sig=signal.SIGTERM):
        for c in self.clients:
            c.close()
        self.clients = []
        self.assertEqual(broker.stop(sig), 0, "a clean stop exits with status 0\n" + broker.log_tail())
        return broker.start()

    def retained(self, broker, filter_, count):
        """(topic, payload) of the retained messages a new subscriber to filter_ receives: waits
        for count of them, then for a marker published after them, so an extra one would show."""
        c, _ = self.paho(broker)
        c.subscribe([(filter_, 1)])
        if count:
            c.expect(count)
        marker_topic = filter_[:-1] + unique("marker") if filter_.endswith("/#") else filter_
        c.publish(marker_topic, b"marker", qos=1)
        got = c.expect_until(lambda m: m.payload == b"marker" and not m.retain)
        return sorted((m.topic, m.payload) for m in got[:-1] if m.retain)

    def test_retained_messages_survive_a_restart(self):
        b = self.start()
        base = unique("ret")
        pub, _ = self.paho(b)
        pub.publish(base + "/kept", b"kept across restart", qos=1, retain=True)
        pub.publish(base + "/replaced", b"v1", qos=1, retain=True)
        pub.publish(base + "/replaced", b"v2", qos=1, retain=True)
        pub.publish(base + "/cleared", b"soon gone", qos=1, retain=True)
        pub.publish(base + "/cleared", b"", qos=1, retain=True)
        pub.publish(base + "/binary", bytes(range(256)), qos=0, retain=True)
        pub.publish(base + "/plain", b"not retained", qos=1)
        expected = sorted([(base + "/kept", b"kept across restart"), (base + "/replaced", b"v2"),
                           (base + "/binary", bytes(range(256)))])
        self.assertEqual(self.retained(b, base + "/#", 3), expected)
        self.restart(b)
        self.assertEqual(self.retained(b, base + "/#", 3), expected)

    def test_persistent_session_survives_a_restart(self):
        b = self.start()
        cid, t1, t2 = unique("sess"), unique("q1"), unique("q2")
        sub, connack = self.paho(b, cid, clean=False)
        self.assertEqual(connack, (False, 0))
        sub.subscribe([(t1, 1), (t2 + "/+", 2)])
        sub.disconnect()
        pub, _ = self.paho(b)
        for i in range(3):
            pub.publish(t1, b"queued %d" % i, qos=1)
        pub.publish(t2 + "/x", b"queued qos2", qos=2)

        b = self.restart(b)

        again, connack = self.paho(b, cid, clean=False)
        self.assertEqual(connack, (True, 0), "the stored session is still there: Session Present 1")
        got = again.expect(4)
        self.assertEqual([m.payload for m in got if m.topic == t1], [b"queued 0", b"queued 1", b"queued 2"])
        self.assertEqual([(m.payload, m.qos) for m in got if m.topic != t1], [(b"queued qos2", 2)])
        pub, _ = self.paho(b)
        pub.publish(t2 + "/y", b"live after restart", qos=2)
        self.assertEqual(again.expect(5)[4].payload, b"live after restart",
                         "the subscriptions survived too (no SUBSCRIBE was sent)")

    def test_unacknowledged_message_is_redelivered_after_a_restart(self):
        b = self.start()
        cid, topic = unique("unacked"), unique("inflight")
        sub = mqttraw.RawClient(b.host, b.mqtt_port)
        self.addCleanup(sub.close)
        self.assertEqual(sub.handshake(cid, clean=False).return_code, 0)
        sub.subscribe([(topic, 1)])
        pub, _ = self.paho(b)
        pub.publish(topic, b"not yet acknowledged", qos=1)
        first = sub.receive(auto_ack=False)
        sub.abort()
        b.wait_client_gone(cid)

        b = self.restart(b)

        again = mqttraw.RawClient(b.host, b.mqtt_port)
        self.addCleanup(again.close)
        connack = again.handshake(cid, clean=False)
        self.assertTrue(connack.session_present)
        resent = again.receive(auto_ack=False)
        self.assertEqual((resent.topic, resent.payload, resent.qos, resent.dup),
                         (topic, b"not yet acknowledged", 1, True),
                         "session state includes unacknowledged QoS 1 messages (4.1, [MQTT-4.4.0-1])")
        self.assertEqual(resent.pid, first.pid)
        again.send(mqttraw.ack(mqttraw.PUBACK, resent.pid))
        again.disconnect()

    def test_sigint_stops_cleanly_too(self):
        b = self.start()
        topic = unique("sigint")
        pub, _ = self.paho(b)
        pub.publish(topic, b"kept after SIGINT", qos=1, retain=True)
        b = self.restart(b, signal.SIGINT)
        self.assertEqual(self.retained(b, topic, 1), [(topic, b"kept after SIGINT")])

    def test_a_clean_stop_flushes_everything(self):
        # Written behind, but nothing acknowledged may be lost on a clean stop: 1000 retained
        # messages, pipelined, then SIGTERM right after the last PUBACK.
        b = self.start()
        base = unique("bulk")
        c = mqttraw.RawClient(b.host, b.mqtt_port)
        self.addCleanup(c.close)
        c.handshake(unique("bulk"))
        c.send(b"".join(mqttraw.publish("%s/%04d" % (base, i), b"%d" % i, qos=1, retain=True, pid=i + 1)
                        for i in range(1000)))
        acked = {c.expect(mqttraw.PUBACK, 20).pid for _ in range(1000)}
        self.assertEqual(acked, set(range(1, 1001)))
        c.close()
        b = self.restart(b)
        sub = mqttraw.RawClient(b.host, b.mqtt_port)
        self.addCleanup(sub.close)
        sub.handshake(unique("bulk-check"))
        sub.subscribe([(base + "/#", 0)])
        got = {sub.receive(10).topic for _ in range(1000)}
        self.assertEqual(len(got), 1000)

    def test_without_a_workspace_state_is_in_memory(self):
        b = self.start(workspace=False)
        cid, topic = unique("mem"), unique("mem")
        pub, _ = self.paho(b)
        pub.publish(topic, b"forgotten", qos=1, retain=True)
        s, _ = self.paho(b, cid, clean=False)
        s.subscribe([(topic, 1)])
        b = self.restart(b)
        self.assertEqual(self.retained(b, topic, 0), [])
        _, connack = self.paho(b, cid, clean=False)
        self.assertEqual(connack, (False, 0), "no session after a restart without -w")


if __name__ == "__main__":
    brokerproc.main()
