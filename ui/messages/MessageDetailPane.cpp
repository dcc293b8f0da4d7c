#include "MessageDetailPane.h"

#include "MessageStore.h"
#include "PayloadFormat.h"

#include <QDateTime>
#include <QFontDatabase>
#include <QLabel>
#include <QLocale>
#include <QPlainTextEdit>
#include <QTabWidget>
#include <QTimeZone>
#include <QVBoxLayout>

namespace iotcore::ui {

namespace {

QString fromUtf8(std::string_view text)
{
    return QString::fromUtf8(text.data(), qsizetype(text.size()));
}

QString afterText(std::uint32_t ms)
{
    return QStringLiteral("+%1 ms").arg(QLocale().toString(ms));
}

QPlainTextEdit *readOnlyText(const QString &name, bool monospace, QWidget *parent)
{
    auto *edit = new QPlainTextEdit(parent);
    edit->setObjectName(name);
    edit->setReadOnly(true);
    edit->setLineWrapMode(monospace ? QPlainTextEdit::NoWrap : QPlainTextEdit::WidgetWidth);
    if (monospace)
        edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    return edit;
}

} // namespace

MessageDetailPane::MessageDetailPane(const MessageStore &store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_header(new QLabel(this))
    , m_timestamps(new QLabel(this))
    , m_tabs(new QTabWidget(this))
    , m_payload(readOnlyText(QStringLiteral("payloadText"), true, this))
    , m_hex(readOnlyText(QStringLiteral("hexText"), true, this))
    , m_delivery(readOnlyText(QStringLiteral("deliveryText"), false, this))
{
    m_header->setObjectName(QStringLiteral("detailHeader"));
    m_header->setTextFormat(Qt::RichText);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_timestamps->setObjectName(QStringLiteral("decodedTimestamps"));
    m_timestamps->setWordWrap(true);
    m_timestamps->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_tabs->addTab(m_payload, tr("Payload"));
    m_tabs->addTab(m_hex, tr("Hex"));
    m_tabs->addTab(m_delivery, tr("Delivery"));
    connect(m_tabs, &QTabWidget::currentChanged, this, &MessageDetailPane::showHexIfVisible);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_header);
    layout->addWidget(m_timestamps);
    layout->addWidget(m_tabs, 1);
    clear();
}

void MessageDetailPane::clear()
{
    m_header->setText(tr("Select a message to see it whole."));
    m_timestamps->hide();
    m_payload->clear();
    m_hex->clear();
    m_delivery->clear();
    m_hexStale = false;
}

void MessageDetailPane::showRecord(std::uint64_t seq)
{
    if (!m_store.contains(seq)) {
        clear();
        return;
    }
    m_seq = seq;
    const LogRecord &record = m_store.record(seq);
    const std::string_view payload = m_store.payload(record);
    const QByteArrayView bytes(payload.data(), qsizetype(payload.size()));

    QStringList facts;
    facts << QLocale().toString(QDateTime::fromMSecsSinceEpoch(record.timeMs), QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"));
    facts << tr("from %1").arg(record.sender ? fromUtf8(m_store.sender(record)).toHtmlEscaped()
                                             : tr("the broker"));
    if (record.kind == LogEntryKind::Message) {
        facts << tr("QoS %1").arg(record.qos);
        if (record.flags & LogRecord::Retain)
            facts << tr("retain");
        if (record.flags & LogRecord::Kept)
            facts << tr("permanent (kept)");
        if (record.flags & LogRecord::Replayed)
            facts << tr("seen when delivered");
        facts << tr("%1 bytes").arg(QLocale().toString(record.payloadSize));
    }
    QString header = QStringLiteral("<b>%1</b><br>%2")
                         .arg(fromUtf8(m_store.topic(record)).toHtmlEscaped(),
                              facts.join(QStringLiteral(" · ")));
    if (record.kind != LogEntryKind::Message) {
        const QString what = record.kind == LogEntryKind::RefusedPublish
            ? tr("PUBLISH refused") : tr("SUBSCRIBE refused");
        header += QStringLiteral("<br><span style='color:#b02020'>%1: %2</span>")
                      .arg(what, fromUtf8(m_store.reason(record.reason)).toHtmlEscaped());
    }
    m_header->setText(header);

    if (std::optional<QString> json = PayloadFormat::prettyJson(bytes))
        m_payload->setPlainText(*json);
    else if (std::optional<QString> text = PayloadFormat::asText(bytes))
        m_payload->setPlainText(*text);
    else
        m_payload->setPlainText(tr("Binary payload of %1 bytes: see the Hex tab.")
                                    .arg(QLocale().toString(record.payloadSize)));

    QStringList stamps;
    for (const PayloadFormat::DecodedTimestamp &stamp : PayloadFormat::decodedTimestamps(bytes)) {
        const QString unit = stamp.unit == PayloadFormat::DecodedTimestamp::Unit::Seconds
            ? tr("s") : tr("ms");
        stamps << tr("%1 %2 = %3 UTC (%4 local)")
                      .arg(stamp.number, unit,
                           stamp.time.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")),
                           stamp.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
    }
    m_timestamps->setText(tr("Times in the payload: %1").arg(stamps.join(QStringLiteral("; "))));
    m_timestamps->setVisible(!stamps.isEmpty());

    m_delivery->setPlainText(deliverySteps(m_store, record));
    m_hexStale = true;
    showHexIfVisible();
}

// A hex dump is four times the payload's size: made only when someone looks at it.
void MessageDetailPane::showHexIfVisible()
{
    if (!m_hexStale || m_tabs->currentWidget() != m_hex || !m_store.contains(m_seq))
        return;
    const std::string_view payload = m_store.payload(m_store.record(m_seq));
    m_hex->setPlainText(PayloadFormat::hexDump(QByteArrayView(payload.data(), qsizetype(payload.size()))));
    m_hexStale = false;
}

QString MessageDetailPane::deliverySteps(const MessageStore &store, const LogRecord &record)
{
    if (record.kind != LogEntryKind::Message)
        return tr("Refused: %1").arg(fromUtf8(store.reason(record.reason)));
    if (record.receiverCount == 0)
        return tr("No receiver: no subscription matched.");
    QStringList lines;
    for (const ReceiverRecord &receiver : store.receivers(record)) {
        QString line = fromUtf8(store.clients().at(receiver.client));
        // Packet id 0 does not exist (MQTT-2.3.1-1): a message dropped before it was sent had none.
        line += receiver.packetId != 0
            ? tr("  QoS %1, packet %2: ").arg(receiver.qos).arg(receiver.packetId)
            : tr("  QoS %1: ").arg(receiver.qos);
        QStringList steps;
        if (receiver.sentAfterMs != ReceiverRecord::NoTime)
            steps << tr("sent %1").arg(afterText(receiver.sentAfterMs));
        if (receiver.retries > 0)
            steps << tr("sent again with DUP (%1×), last %2")
                         .arg(receiver.retries)
                         .arg(afterText(receiver.lastRetryAfterMs));
        if (receiver.receivedAfterMs != ReceiverRecord::NoTime)
            steps << tr("PUBREC %1, PUBREL sent").arg(afterText(receiver.receivedAfterMs));
        switch (receiver.state) {
        case DeliveryState::Sent:
            if (receiver.qos > 0)
                steps << tr("waiting for %1").arg(receiver.qos == 1 ? QStringLiteral("PUBACK")
                                                                    : QStringLiteral("PUBREC"));
            break;
        case DeliveryState::Received:
            steps << tr("waiting for PUBCOMP");
            break;
        case DeliveryState::Acknowledged:
            steps << tr("%1 %2").arg(receiver.qos == 1 ? QStringLiteral("PUBACK")
                                                       : QStringLiteral("PUBCOMP"),
                                     afterText(receiver.endedAfterMs));
            break;
        case DeliveryState::Dropped:
            steps << tr("dropped %1: %2").arg(afterText(receiver.endedAfterMs),
                                              fromUtf8(store.reason(receiver.reason)));
            break;
        }
        lines << line + steps.join(QStringLiteral(" → "));
    }
    return lines.join(u'\n');
}

} // namespace iotcore::ui
