#include "MessageLogView.h"

#include "DeliveryIcons.h"
#include "MessageDetailPane.h"
#include "MessageLogModel.h"
#include "MessageStore.h"
#include "PayloadFormat.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QScrollBar>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QToolButton>
#include <QVBoxLayout>

#include <set>

namespace iotcore::ui {

namespace {

constexpr int FilterDelayMs = 150; // a pause in typing, not every key, starts a scan

QLineEdit *filterEdit(const QString &name, const QString &placeholder, QWidget *parent)
{
    auto *edit = new QLineEdit(parent);
    edit->setObjectName(name);
    edit->setPlaceholderText(placeholder);
    edit->setClearButtonEnabled(true);
    return edit;
}

} // namespace

MessageLogView::MessageLogView(MessageStore &store, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_model(new MessageLogModel(store, this))
    , m_table(new QTableView(this))
    , m_detail(new MessageDetailPane(store, this))
    , m_topic(filterEdit(QStringLiteral("topicFilter"), tr("Topic pattern, e.g. $devices/+/events/#"), this))
    , m_client(filterEdit(QStringLiteral("clientFilter"), tr("Client id"), this))
    , m_qos(new QComboBox(this))
    , m_text(filterEdit(QStringLiteral("textFilter"), tr("Text in topic or payload"), this))
    , m_pause(new QToolButton(this))
    , m_capacity(new QSpinBox(this))
    , m_status(new QLabel(this))
{
    m_qos->setObjectName(QStringLiteral("qosFilter"));
    m_qos->addItem(tr("Any QoS"), -1);
    for (int qos = 0; qos <= 2; ++qos)
        m_qos->addItem(tr("QoS %1").arg(qos), qos);

    m_pause->setObjectName(QStringLiteral("pauseButton"));
    m_pause->setCheckable(true);
    m_pause->setText(tr("Pause"));
    m_pause->setToolTip(tr("Stop adding rows; messages are still recorded"));
    auto *copy = new QToolButton(this);
    copy->setObjectName(QStringLiteral("copyButton"));
    copy->setText(tr("Copy"));
    copy->setToolTip(tr("Copy the selected messages, payloads whole"));

    m_capacity->setObjectName(QStringLiteral("capacity"));
    m_capacity->setRange(1'000, 5'000'000);
    m_capacity->setSingleStep(10'000);
    m_capacity->setGroupSeparatorShown(true);
    m_capacity->setValue(int(store.capacity()));
    m_capacity->setPrefix(tr("Keep "));
    m_capacity->setSuffix(tr(" messages"));
    m_capacity->setToolTip(tr("The oldest messages are dropped past this number"));
    m_status->setObjectName(QStringLiteral("status"));

    auto *filters = new QHBoxLayout;
    filters->addWidget(m_topic, 3);
    filters->addWidget(m_client, 1);
    filters->addWidget(m_qos);
    filters->addWidget(m_text, 2);
    filters->addWidget(m_pause);
    filters->addWidget(copy);
    filters->addWidget(m_capacity);

    auto *legendRow = new QHBoxLayout;
    legendRow->addWidget(new DeliveryLegend(this), 1);
    legendRow->addWidget(m_status);

    m_table->setObjectName(QStringLiteral("messageTable"));
    m_table->setModel(m_model);
    m_table->setItemDelegateForColumn(MessageLogModel::Qos, new DeliveryIndicatorDelegate(m_table));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setWordWrap(false);
    m_table->setShowGrid(false);
    m_table->setAlternatingRowColors(true);
    m_table->setHorizontalScrollMode(QAbstractItemView::ScrollPerPixel);
    // Uniform row heights: the header never measures a million rows.
    QHeaderView *rows = m_table->verticalHeader();
    rows->setSectionResizeMode(QHeaderView::Fixed);
    rows->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    rows->hide();
    QHeaderView *columns = m_table->horizontalHeader();
    columns->setStretchLastSection(true);
    const int digit = m_table->fontMetrics().horizontalAdvance(u'0');
    m_table->setColumnWidth(MessageLogModel::Time, digit * 14);
    m_table->setColumnWidth(MessageLogModel::Topic, digit * 34);
    m_table->setColumnWidth(MessageLogModel::Sender, digit * 16);
    m_table->setColumnWidth(MessageLogModel::Receivers, digit * 18);
    m_table->setColumnWidth(MessageLogModel::Qos, digit * 4 + 5 * 16);
    m_table->setColumnWidth(MessageLogModel::Flags, digit * 12);
    m_table->setColumnWidth(MessageLogModel::Size, digit * 10);

    auto *copyAction = new QAction(tr("Copy"), m_table);
    copyAction->setShortcut(QKeySequence::Copy);
    copyAction->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    m_table->addAction(copyAction);
    connect(copyAction, &QAction::triggered, this, &MessageLogView::copySelection);

    // Side by side: the log is wide and short in its dock, and rows are what people watch.
    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_table);
    splitter->addWidget(m_detail);
    splitter->setStretchFactor(0, 2);
    splitter->setStretchFactor(1, 1);
    splitter->setSizes({900, 450});

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(filters);
    layout->addLayout(legendRow);
    layout->addWidget(splitter, 1);

    m_filterDelay.setSingleShot(true);
    m_filterDelay.setInterval(FilterDelayMs);
    connect(&m_filterDelay, &QTimer::timeout, this, &MessageLogView::applyFilter);
    for (QLineEdit *edit : {m_topic, m_client, m_text})
        connect(edit, &QLineEdit::textChanged, this, &MessageLogView::scheduleFilter);
    connect(m_qos, &QComboBox::currentIndexChanged, this, &MessageLogView::scheduleFilter);
    connect(m_pause, &QToolButton::toggled, m_model, &MessageLogModel::setPaused);
    connect(m_model, &MessageLogModel::pausedChanged, this, [this](bool paused) {
        m_pause->setText(paused ? tr("Resume") : tr("Pause"));
        updateStatus();
    });
    connect(copy, &QToolButton::clicked, this, &MessageLogView::copySelection);
    connect(m_capacity, &QSpinBox::editingFinished, this,
            [this] { m_store.setCapacity(std::size_t(m_capacity->value())); });
    connect(m_model, &MessageLogModel::filterFinished, this, &MessageLogView::updateStatus);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MessageLogView::showCurrent);

    // Follow new rows while the view is scrolled to the end, as a terminal does.
    QScrollBar *scroll = m_table->verticalScrollBar();
    connect(scroll, &QScrollBar::valueChanged, this,
            [this, scroll](int value) { m_followTail = value >= scroll->maximum(); });
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this] {
        if (m_followTail)
            m_table->scrollToBottom();
    });
    // Counters in the status line change with every batch: refreshed twice a second, not per batch.
    m_statusTimer.setInterval(500);
    connect(&m_statusTimer, &QTimer::timeout, this, &MessageLogView::updateStatus);
    m_statusTimer.start();
    updateStatus();
}

void MessageLogView::setTopicFilter(const QString &topicPattern)
{
    m_topic->setText(topicPattern);
    m_filterDelay.stop();
    applyFilter();
}

void MessageLogView::scheduleFilter()
{
    m_filterDelay.start();
}

void MessageLogView::applyFilter()
{
    MessageFilterCriteria criteria;
    criteria.topicPattern = m_topic->text().trimmed();
    criteria.client = m_client->text().trimmed();
    criteria.qos = m_qos->currentData().toInt();
    criteria.text = m_text->text();
    if (criteria == m_model->filter())
        return;
    const QString error = m_model->setFilter(criteria);
    m_topic->setStyleSheet(error.isEmpty() ? QString() : QStringLiteral("QLineEdit { border: 1px solid #c62828; }"));
    m_topic->setToolTip(error);
    if (!error.isEmpty())
        m_status->setText(error);
}

void MessageLogView::updateStatus()
{
    const QLocale locale;
    QString text = tr("%1 of %2 messages").arg(locale.toString(m_model->rowCount()),
                                               locale.toString(qulonglong(m_store.size())));
    if (m_model->isFiltering())
        text += tr(", filtering…");
    if (m_model->isPaused())
        text += tr(", paused: %1 new").arg(locale.toString(qulonglong(m_model->heldBack())));
    m_status->setText(text);
}

void MessageLogView::showCurrent()
{
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    if (!current.isValid()) {
        m_detail->clear();
        return;
    }
    m_detail->showRecord(current.data(MessageLogModel::SeqRole).toULongLong());
}

void MessageLogView::copySelection()
{
    std::set<int> rows;
    for (const QModelIndex &index : m_table->selectionModel()->selectedRows())
        rows.insert(index.row());
    QStringList lines;
    for (const int row : rows) {
        const std::uint64_t seq = m_model->seqAt(row);
        const LogRecord &record = m_store.record(seq);
        const std::string_view payload = m_store.payload(record);
        const QByteArrayView bytes(payload.data(), qsizetype(payload.size()));
        QStringList fields;
        for (const int column : {int(MessageLogModel::Time), int(MessageLogModel::Topic),
                                 int(MessageLogModel::Sender), int(MessageLogModel::Receivers),
                                 int(MessageLogModel::Qos), int(MessageLogModel::Flags)})
            fields << m_model->index(row, column).data().toString();
        if (record.kind != LogEntryKind::Message)
            fields << QString::fromUtf8(m_store.reason(record.reason).data(),
                                        qsizetype(m_store.reason(record.reason).size()));
        else
            fields << PayloadFormat::asText(bytes).value_or(
                QString::fromLatin1(bytes.toByteArray().toHex()));
        lines << fields.join(u'\t');
    }
    if (!lines.isEmpty())
        QApplication::clipboard()->setText(lines.join(u'\n'));
}

} // namespace iotcore::ui
