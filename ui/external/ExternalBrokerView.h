#pragma once

// One external broker in a tab: the message log, the topic tree and the live charts over a
// MessageStore of its own, fed by an ExternalBrokerFeed on the profile; a status line
// ("Connected to host:1883 as user · 2 of 2 subscriptions · 14.0 messages/s", or what went
// wrong), Connect/Disconnect, and a publish bar that sends through the same client.
// It connects when made and disconnects when destroyed.

#include "ConnectionProfile.h"

#include <QTimer>
#include <QWidget>

class QLabel;
class QPushButton;
class QTabWidget;

namespace iotcore::ui {

class ExternalBrokerFeed;
class ExternalPublishBar;
class MessageLogView;
class MessageStore;
class PayloadChartView;
class TopicTreeView;

class ExternalBrokerView : public QWidget
{
    Q_OBJECT

public:
    explicit ExternalBrokerView(const ConnectionProfile &profile, QWidget *parent = nullptr);
    ~ExternalBrokerView() override;

    const ConnectionProfile &profile() const;
    ExternalBrokerFeed &feed() const { return *m_feed; }
    MessageStore &store() const { return *m_store; }
    MessageLogView *log() const { return m_log; }
    TopicTreeView *topics() const { return m_topics; }
    PayloadChartView *charts() const { return m_charts; }
    ExternalPublishBar *publishBar() const { return m_publishBar; }
    QTabWidget *tabs() const { return m_tabs; }
    QString statusText() const;

public slots:
    void connectToBroker();
    void disconnectFromBroker();

private:
    void updateStatus();
    void sampleRate();

    MessageStore *m_store;
    ExternalBrokerFeed *m_feed;
    QLabel *m_status;
    QPushButton *m_connect;
    QTabWidget *m_tabs;
    MessageLogView *m_log;
    TopicTreeView *m_topics;
    PayloadChartView *m_charts;
    ExternalPublishBar *m_publishBar;
    QTimer m_rateTimer;
    quint64 m_lastCount = 0;
    double m_rate = 0;
};

} // namespace iotcore::ui
