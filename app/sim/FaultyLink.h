#pragma once

// A ClientTransport that wraps another and misbehaves on purpose, for the simulator's slow and
// lossy link faults: what the device sends waits `delayMs` before it reaches the real
// transport, and a share `loss` of its PUBLISH packets never leaves (the client believes it
// sent them: QoS 0 messages are lost, QoS 1 ones wait for a PUBACK that does not come until the
// client resends them after a reconnection). Incoming bytes pass untouched.
//
// MqttClient writes one whole packet per write(), so dropping a write drops a packet without
// breaking the stream. Delayed packets wait in one queue, in order: a packet written after the
// fault ended still goes after those still waiting, and a graceful close() waits for the queue
// (the DISCONNECT at its end is what the broker must see). The faults are read from a
// LinkFaults the device owns and changes while the link runs; with no fault the link costs one
// indirection per packet, and a timer exists only on links that were slowed once.

#include "Random.h"
#include "client/ClientTransport.h"

#include <QElapsedTimer>
#include <QTimer>

#include <deque>
#include <memory>

namespace iotcore::sim {

struct LinkFaults {
    qint64 delayMs = 0;
    double loss = 0;    // 0 … 1
    Random random{0};   // decides which packets are lost
    quint64 dropped = 0; // PUBLISH packets lost so far
};

class FaultyLink : public app::ClientTransport
{
    Q_OBJECT

public:
    // `faults` must outlive the link (the device owns both).
    FaultyLink(std::unique_ptr<app::ClientTransport> inner, LinkFaults &faults);

    void open() override;
    void write(const QByteArray &bytes) override;
    void close() override;
    void abort() override;
    QString peerDescription() const override;

    // Packets a slow link still holds (a graceful close waits for them).
    bool isHoldingPackets() const { return !m_delayed.empty(); }

private:
    struct Delayed {
        qint64 dueMs;
        QByteArray bytes;
    };

    void sendDue();

    app::ClientTransport *m_inner; // a child
    LinkFaults &m_faults;
    std::deque<Delayed> m_delayed;
    std::unique_ptr<QTimer> m_timer; // made when a packet first waits (most links never do)
    QElapsedTimer m_clock;
    bool m_closeWhenSent = false;
};

} // namespace iotcore::sim
