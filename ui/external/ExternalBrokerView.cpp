#include "ExternalBrokerView.h"

#include "ExternalBrokerFeed.h"
#include "ExternalPublishBar.h"

#include "charts/PayloadChartView.h"
#include "messages/MessageLogView.h"
#include "messages/MessageStore.h"
#include "messages/TopicTreeView.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTabWidget>
#include <QVBoxLayout>

namespace iotcore::ui {

namespace {

constexpr int RateIntervalMs = 1000;

} // namespace

ExternalBrokerView::ExternalBrokerView(const ConnectionProfile &profile, QWidget *parent)
    : QWidget(parent)
    , m_store(new MessageStore(MessageStore::DefaultCapacity, this))
    , m_feed(new ExternalBrokerFeed(profile, *m_store, this))
    , m_status(new QLabel(this))
    , m_connect(new QPushButton(this))
    , m_tabs(new QTabWidget(this))
    , m_log(new MessageLogView(*m_store, m_tabs))
    , m_topics(new TopicTreeView(*m_store, {}, m_tabs))
    , m_charts(new PayloadChartView(*m_store, m_tabs))
    , m_publishBar(new ExternalPublishBar(*m_feed, this))
{
    m_status->setTextFormat(Qt::PlainText);
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *statusRow = new QHBoxLayout;
    auto *title = new QLabel(this);
    title->setTextFormat(Qt::PlainText);
    title->setText(profile.name);
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    statusRow->addWidget(title);
    statusRow->addWidget(m_status, 1);
    statusRow->addWidget(m_connect);

    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_log, tr("Message log"));
    m_tabs->addTab(m_topics, tr("Topic tree"));
    m_tabs->addTab(m_charts, tr("Charts"));

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(statusRow);
    layout->addWidget(m_tabs, 1);
    layout->addWidget(m_publishBar);

    connect(m_connect, &QPushButton::clicked, this, [this] {
        if (m_feed->status() == ExternalBrokerFeed::Status::Disconnected
            || m_feed->status() == ExternalBrokerFeed::Status::Refused)
            connectToBroker();
        else
            disconnectFromBroker();
    });
    connect(m_feed, &ExternalBrokerFeed::statusChanged, this, &ExternalBrokerView::updateStatus);
    connect(m_feed, &ExternalBrokerFeed::subscriptionsChanged, this,
            &ExternalBrokerView::updateStatus);
    m_rateTimer.setInterval(RateIntervalMs);
    connect(&m_rateTimer, &QTimer::timeout, this, &ExternalBrokerView::sampleRate);
    m_rateTimer.start();

    connectToBroker();
}

ExternalBrokerView::~ExternalBrokerView()
{
    m_feed->stop();
}

const ConnectionProfile &ExternalBrokerView::profile() const
{
    return m_feed->profile();
}

QString ExternalBrokerView::statusText() const
{
    return m_status->text();
}

void ExternalBrokerView::connectToBroker()
{
    m_feed->start();
    updateStatus();
}

void ExternalBrokerView::disconnectFromBroker()
{
    m_feed->stop();
    updateStatus();
}

void ExternalBrokerView::sampleRate()
{
    const quint64 count = m_feed->receivedCount();
    m_rate = double(count - m_lastCount) * 1000.0 / RateIntervalMs;
    m_lastCount = count;
    updateStatus();
}

void ExternalBrokerView::updateStatus()
{
    const ConnectionProfile &profile = m_feed->profile();
    QString text;
    switch (m_feed->status()) {
    case ExternalBrokerFeed::Status::Connected:
        text = tr("Connected to %1 · %2 of %3 subscriptions · %4 messages/s")
                   .arg(profile.endpoint())
                   .arg(m_feed->grantedSubscriptions())
                   .arg(profile.filters.size())
                   .arg(QLocale().toString(m_rate, 'f', 1));
        break;
    case ExternalBrokerFeed::Status::Connecting:
        text = m_feed->problem().isEmpty() ? tr("Connecting to %1…").arg(profile.url())
                                           : m_feed->problem();
        break;
    case ExternalBrokerFeed::Status::Disconnected:
        text = tr("Disconnected from %1.").arg(profile.url());
        break;
    case ExternalBrokerFeed::Status::Reconnecting:
    case ExternalBrokerFeed::Status::Refused:
        text = m_feed->problem();
        break;
    }
    m_status->setText(text);
    // A problem reads as one, the way FieldMessage shows a field's error.
    const bool failing = m_feed->status() == ExternalBrokerFeed::Status::Reconnecting
        || m_feed->status() == ExternalBrokerFeed::Status::Refused
        || !m_feed->problem().isEmpty();
    QPalette colors = palette();
    if (failing)
        colors.setColor(QPalette::WindowText, QColor(0xc0, 0x1c, 0x28));
    m_status->setPalette(colors);
    const bool idle = m_feed->status() == ExternalBrokerFeed::Status::Disconnected
        || m_feed->status() == ExternalBrokerFeed::Status::Refused;
    m_connect->setText(idle ? tr("Connect") : tr("Disconnect"));
}

} // namespace iotcore::ui
