#include "BrokerStatusBar.h"

#include "workspace/EmbeddedBroker.h"

#include <QApplication>
#include <QLabel>
#include <QStatusBar>
#include <QStyle>

namespace iotcore::ui {

namespace {

QString listenerTitle(const broker::BoundListener &listener)
{
    if (listener.spec.mode == broker::ListenerInfo::Mode::Open)
        return BrokerStatusBar::tr("open");
    return listener.spec.tls ? BrokerStatusBar::tr("IoT Core TLS") : BrokerStatusBar::tr("IoT Core");
}

} // namespace

BrokerStatusBar::BrokerStatusBar(QStatusBar *bar)
    : QObject(bar)
    , m_listeners(new QLabel(bar))
    , m_warning(new QLabel(bar))
    , m_clients(new QLabel(bar))
    , m_rate(new QLabel(bar))
{
    m_listeners->setTextInteractionFlags(Qt::TextSelectableByMouse);
    const int iconSize = bar->style()->pixelMetric(QStyle::PM_SmallIconSize);
    m_warning->setPixmap(bar->style()->standardIcon(QStyle::SP_MessageBoxWarning).pixmap(iconSize));
    m_warning->hide();
    bar->addWidget(m_warning);
    bar->addWidget(m_listeners, 1);
    bar->addPermanentWidget(m_clients);
    bar->addPermanentWidget(m_rate);
    connect(&m_poll, &QTimer::timeout, this, [this] {
        if (m_broker)
            m_broker->requestStatistics();
    });
    setBroker(nullptr, {});
}

void BrokerStatusBar::setBroker(app::EmbeddedBroker *broker, const QStringList &notes)
{
    if (m_broker)
        disconnect(m_broker, nullptr, this, nullptr);
    m_broker = broker;
    m_samples.clear();
    m_warning->setVisible(!notes.isEmpty());
    m_warning->setToolTip(notes.join(u'\n'));
    if (!broker) {
        m_poll.stop();
        m_listeners->setText(notes.isEmpty() ? tr("Broker stopped")
                                             : tr("Broker stopped: %1").arg(notes.join(QStringLiteral("; "))));
        m_clients->clear();
        m_rate->clear();
        return;
    }
    QStringList parts;
    for (const broker::BoundListener &listener : broker->listeners())
        parts.append(QStringLiteral("%1 %2").arg(listenerTitle(listener),
                                                 QString::fromStdString(listener.url())));
    QString text = parts.join(QStringLiteral("   ·   "));
    if (!notes.isEmpty())
        text += QStringLiteral("   (") + notes.join(QStringLiteral("; ")) + u')';
    m_listeners->setText(text);
    m_listeners->setToolTip(tr("The embedded broker's listeners"));
    m_clients->setText(tr("Clients: %1").arg(0));
    m_rate->setText(tr("Messages/s: %1").arg(0));
    connect(broker, &app::EmbeddedBroker::statisticsReady, this, &BrokerStatusBar::showStatistics);
    m_poll.start(1000);
    broker->requestStatistics();
}

void BrokerStatusBar::showStatistics(const broker::Broker::Statistics &statistics)
{
    m_clients->setText(tr("Clients: %1").arg(statistics.connections));
    // Over the last few seconds: a fleet sending every ten seconds would make a one-second
    // window jump between 0 and a burst.
    if (!m_sinceLast.isValid())
        m_sinceLast.start();
    m_samples.push_back({m_sinceLast.elapsed(), statistics.messagesReceived});
    while (m_samples.size() > RateWindowSamples)
        m_samples.pop_front();
    if (m_samples.size() >= 2 && m_samples.back().ms > m_samples.front().ms) {
        const double seconds = double(m_samples.back().ms - m_samples.front().ms) / 1000.0;
        const double rate = double(m_samples.back().received - m_samples.front().received) / seconds;
        m_rate->setText(tr("Messages/s: %1").arg(rate < 10 ? QString::number(rate, 'f', 1) : QString::number(qRound(rate))));
    }
}

QString BrokerStatusBar::listenersText() const
{
    return m_listeners->text();
}

QString BrokerStatusBar::clientsText() const
{
    return m_clients->text();
}

QString BrokerStatusBar::rateText() const
{
    return m_rate->text();
}

} // namespace iotcore::ui
