#pragma once

// The embedded broker's state in the main window's status bar: its listeners and their URLs,
// connected clients and messages per second. Statistics are asked for once a second and arrive
// by signal; the GUI never waits for the broker.

#include "core/Broker.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QStringList>
#include <QTimer>

#include <deque>

#include <cstdint>

class QLabel;
class QStatusBar;

namespace iotcore::app {
class EmbeddedBroker;
}

namespace iotcore::ui {

class BrokerStatusBar : public QObject
{
    Q_OBJECT

public:
    explicit BrokerStatusBar(QStatusBar *bar);

    // Null: no broker runs (the workspace could not be served). `notes` are shown as a warning.
    void setBroker(app::EmbeddedBroker *broker, const QStringList &notes);

    // What the labels say, for tests and screenshots.
    QString listenersText() const;
    QString clientsText() const;
    QString rateText() const;

private:
    void showStatistics(const broker::Broker::Statistics &statistics);

    QPointer<app::EmbeddedBroker> m_broker;
    QLabel *m_listeners;
    QLabel *m_warning;
    QLabel *m_clients;
    QLabel *m_rate;
    QTimer m_poll;
    QElapsedTimer m_sinceLast;
    struct Sample {
        qint64 ms;
        std::uint64_t received;
    };
    static constexpr std::size_t RateWindowSamples = 6; // five seconds at one reading a second
    std::deque<Sample> m_samples;
};

} // namespace iotcore::ui
