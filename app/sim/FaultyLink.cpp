#include "FaultyLink.h"

#include <algorithm>
#include <utility>

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
    if (m_faults.delayMs <= 0 && m_delayed.empty()) {
        m_inner->write(bytes);
        return;
    }
    if (!m_clock.isValid())
        m_clock.start();
    m_delayed.push_back({m_clock.elapsed() + std::max<qint64>(m_faults.delayMs, 0), bytes});
    if (!m_timer) {
        m_timer = std::make_unique<QTimer>();
        m_timer->setSingleShot(true);
        connect(m_timer.get(), &QTimer::timeout, this, &FaultyLink::sendDue);
    }
    if (!m_timer->isActive())
        m_timer->start(int(std::max<qint64>(m_delayed.front().dueMs - m_clock.elapsed(), 0)));
}

void FaultyLink::sendDue()
{
    const qint64 now = m_clock.elapsed();
    while (!m_delayed.empty() && m_delayed.front().dueMs <= now) {
        m_inner->write(m_delayed.front().bytes);
        m_delayed.pop_front();
    }
    if (!m_delayed.empty()) {
        m_timer->start(int(m_delayed.front().dueMs - now));
        return;
    }
    if (std::exchange(m_closeWhenSent, false))
        m_inner->close();
}

void FaultyLink::close()
{
    if (!m_delayed.empty()) {
        m_closeWhenSent = true;
        return;
    }
    m_inner->close();
}

void FaultyLink::abort()
{
    m_delayed.clear();
    if (m_timer)
        m_timer->stop();
    m_inner->abort();
}

QString FaultyLink::peerDescription() const
{
    return m_inner->peerDescription();
}

} // namespace iotcore::sim
