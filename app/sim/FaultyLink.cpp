#include "FaultyLink.h"

#include <QTimer>

namespace iotcore::sim {

namespace {

constexpr char PublishType = 3; // MQTT fixed header: the packet type in the upper four bits

bool isPublish(const QByteArray &packet)
{
    return !packet.isEmpty() && ((static_cast<unsigned char>(packet.front()) >> 4) == PublishType);
}

} // namespace

FaultyLink::FaultyLink(std::unique_ptr<app::ClientTransport> inner, LinkFaults &faults)
    : m_inner(inner.release()), m_faults(faults)
{
    m_inner->setParent(this);
    connect(m_inner, &ClientTransport::opened, this, &ClientTransport::opened);
    connect(m_inner, &ClientTransport::bytesReceived, this, &ClientTransport::bytesReceived);
    connect(m_inner, &ClientTransport::closed, this, &ClientTransport::closed);
}

void FaultyLink::open()
{
    m_inner->open();
}

void FaultyLink::write(const QByteArray &bytes)
{
    if (m_faults.loss > 0 && isPublish(bytes) && m_faults.random.uniform() < m_faults.loss) {
        ++m_faults.dropped;
        return;
    }
    if (m_faults.delayMs <= 0) {
        m_inner->write(bytes);
        return;
    }
    // Every packet waits the same delay, so the order on the wire is kept. The guard drops what
    // is still waiting when the connection ends first.
    QTimer::singleShot(m_faults.delayMs, m_inner, [inner = QPointer<ClientTransport>(m_inner), bytes] {
        if (inner)
            inner->write(bytes);
    });
}

void FaultyLink::close()
{
    m_inner->close();
}

void FaultyLink::abort()
{
    m_inner->abort();
}

QString FaultyLink::peerDescription() const
{
    return m_inner->peerDescription();
}

} // namespace iotcore::sim
