#include "TopicTreeView.h"

#include "PayloadDiff.h"
#include "TopicHistoryModel.h"

#include <QFontDatabase>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLocale>
#include <QSplitter>
#include <QTableView>
#include <QTextEdit>
#include <QTreeView>
#include <QVBoxLayout>

namespace iotcore::ui {

namespace {

QByteArrayView payloadOf(const MessageStore &store, std::uint64_t seq)
{
    const std::string_view payload = store.payload(store.record(seq));
    return QByteArrayView(payload.data(), qsizetype(payload.size()));
}

QString diffHtml(const QList<DiffLine> &lines)
{
    QString html = QStringLiteral("<pre style='margin:0'>");
    for (const DiffLine &line : lines) {
        const QString text = line.text.toHtmlEscaped();
        switch (line.change) {
        case DiffLine::Change::Same:
            html += QStringLiteral("  %1\n").arg(text);
            break;
        case DiffLine::Change::Removed:
            html += QStringLiteral("<span style='background:#fbe3e3;color:#8a1c1c'>- %1</span>\n").arg(text);
            break;
        case DiffLine::Change::Added:
            html += QStringLiteral("<span style='background:#e1f5e1;color:#1d5e26'>+ %1</span>\n").arg(text);
            break;
        }
    }
    return html + QStringLiteral("</pre>");
}

} // namespace

TopicTreeView::TopicTreeView(const MessageStore &store, TopicOwnerLookup lookup, QWidget *parent)
    : QWidget(parent)
    , m_store(store)
    , m_model(new TopicTreeModel(store, std::move(lookup), this))
    , m_history(new TopicHistoryModel(store, this))
    , m_tree(new QTreeView(this))
    , m_topicTitle(new QLabel(this))
    , m_historyTable(new QTableView(this))
    , m_diff(new QTextEdit(this))
{
    m_tree->setObjectName(QStringLiteral("topicTree"));
    m_tree->setModel(m_model);
    m_tree->setUniformRowHeights(true);
    m_tree->setAlternatingRowColors(true);
    const int digit = m_tree->fontMetrics().horizontalAdvance(u'0');
    m_tree->setColumnWidth(TopicTreeModel::Name, digit * 30);
    m_tree->setColumnWidth(TopicTreeModel::Messages, digit * 10);
    m_tree->setColumnWidth(TopicTreeModel::Rate, digit * 9);
    m_tree->setColumnWidth(TopicTreeModel::Qos, digit * 5);
    m_tree->setColumnWidth(TopicTreeModel::Marker, digit * 16);
    // The first levels ($devices, registries) are few: open them as they appear.
    connect(m_model, &QAbstractItemModel::rowsInserted, this, [this](const QModelIndex &parent) {
        if (!parent.isValid() || !parent.parent().isValid())
            m_tree->expand(parent);
    });

    m_topicTitle->setObjectName(QStringLiteral("topicTitle"));
    m_topicTitle->setWordWrap(true);
    m_topicTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_historyTable->setObjectName(QStringLiteral("topicHistory"));
    m_historyTable->setModel(m_history);
    m_historyTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_historyTable->setSelectionMode(QAbstractItemView::SingleSelection);
    m_historyTable->setWordWrap(false);
    m_historyTable->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    m_historyTable->verticalHeader()->setDefaultSectionSize(m_historyTable->fontMetrics().height() + 6);
    m_historyTable->verticalHeader()->hide();
    m_historyTable->horizontalHeader()->setStretchLastSection(true);
    m_historyTable->setColumnWidth(TopicHistoryModel::Time, digit * 14);
    m_historyTable->setColumnWidth(TopicHistoryModel::Size, digit * 10);
    m_diff->setObjectName(QStringLiteral("diffText"));
    m_diff->setReadOnly(true);
    m_diff->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    auto *right = new QSplitter(Qt::Vertical, this);
    auto *historyBox = new QWidget(right);
    auto *historyLayout = new QVBoxLayout(historyBox);
    historyLayout->setContentsMargins(0, 0, 0, 0);
    historyLayout->addWidget(m_topicTitle);
    historyLayout->addWidget(m_historyTable, 1);
    right->addWidget(historyBox);
    right->addWidget(m_diff);

    auto *splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(m_tree);
    splitter->addWidget(right);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(splitter);

    connect(m_tree->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &TopicTreeView::showTopic);
    connect(m_historyTable->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &TopicTreeView::showDiff);
    showTopic({});
}

bool TopicTreeView::selectTopic(const QString &topic)
{
    const QModelIndex index = m_model->indexOfTopic(topic);
    if (!index.isValid())
        return false;
    for (QModelIndex parent = index.parent(); parent.isValid(); parent = parent.parent())
        m_tree->expand(parent);
    m_tree->setCurrentIndex(index);
    m_tree->scrollTo(index);
    return true;
}

void TopicTreeView::showTopic(const QModelIndex &current)
{
    const int topicId = current.isValid() ? current.data(TopicTreeModel::TopicIdRole).toInt() : -1;
    if (topicId < 0) {
        m_history->setTopic(std::nullopt);
        m_topicTitle->setText(tr("Select a topic to see its messages and what changed."));
        m_diff->clear();
        return;
    }
    m_history->setTopic(std::uint32_t(topicId));
    m_topicTitle->setText(tr("<b>%1</b>: %2 messages in the log")
                              .arg(current.data(TopicTreeModel::TopicRole).toString().toHtmlEscaped(),
                                   QLocale().toString(m_history->rowCount())));
    if (m_history->rowCount() > 0) {
        const QModelIndex last = m_history->index(m_history->rowCount() - 1, 0);
        m_historyTable->setCurrentIndex(last);
        m_historyTable->scrollTo(last);
    } else {
        m_diff->setPlainText(tr("Its messages are no longer in the log (past its capacity)."));
    }
}

void TopicTreeView::showDiff()
{
    const QModelIndex current = m_historyTable->currentIndex();
    if (!current.isValid()) {
        m_diff->clear();
        return;
    }
    const int row = current.row();
    const QByteArrayView after = payloadOf(m_store, m_history->seqAt(row));
    const QByteArrayView before = row > 0 ? payloadOf(m_store, m_history->seqAt(row - 1))
                                          : QByteArrayView();
    QString html = row > 0 ? tr("<p>Changes since the previous message:</p>")
                           : tr("<p>The first message of this topic in the log:</p>");
    m_diff->setHtml(html + diffHtml(diffPayloads(before, after)));
}

} // namespace iotcore::ui
