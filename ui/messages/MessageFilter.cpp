#include "MessageFilter.h"

#include "mqtt/Topic.h"

#include <QCoreApplication>

#include <algorithm>
#include <functional>

namespace iotcore::ui {

namespace {

char asciiLower(char c)
{
    return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

bool containsIgnoringCase(std::string_view haystack, std::string_view lowerNeedle)
{
    return std::search(haystack.begin(), haystack.end(), lowerNeedle.begin(), lowerNeedle.end(),
                       [](char a, char b) { return asciiLower(a) == b; })
        != haystack.end();
}

struct FoldedHash {
    std::size_t operator()(char c) const { return std::hash<char>()(asciiLower(c)); }
};
struct FoldedEqual {
    bool operator()(char a, char b) const { return asciiLower(a) == asciiLower(b); }
};

} // namespace

// Boyer-Moore-Horspool with ASCII case folding: payload text search skips most bytes, which
// is what keeps a text filter over a million payloads within the time budget.
struct MessageFilter::TextSearcher {
    explicit TextSearcher(std::string needle)
        : pattern(std::move(needle))
        , searcher(pattern.begin(), pattern.end(), FoldedHash(), FoldedEqual())
    {
    }
    bool within(std::string_view text) const
    {
        return std::search(text.begin(), text.end(), searcher) != text.end();
    }

    std::string pattern;
    std::boyer_moore_horspool_searcher<std::string::const_iterator, FoldedHash, FoldedEqual> searcher;
};

MessageFilter::MessageFilter(const MessageStore &store, MessageFilterCriteria criteria)
    : m_store(store)
    , m_criteria(std::move(criteria))
{
    m_topicPattern = m_criteria.topicPattern.trimmed().toStdString();
    std::string reason;
    if (!m_topicPattern.empty() && !broker::isValidTopicFilter(m_topicPattern, &reason)) {
        m_error = QCoreApplication::translate("MessageFilter", "Topic pattern \"%1\": %2")
                      .arg(m_criteria.topicPattern, QString::fromStdString(reason));
    }
    m_client = m_criteria.client.trimmed().toLower().toStdString();
    if (!m_criteria.text.isEmpty())
        m_text = std::make_unique<TextSearcher>(m_criteria.text.toStdString());
}

MessageFilter::~MessageFilter() = default;

bool MessageFilter::matches(std::uint64_t seq)
{
    if (!m_error.isEmpty())
        return false;
    const LogRecord &record = m_store.record(seq);
    if (m_criteria.qos >= 0
        && (record.kind != LogEntryKind::Message || record.qos != m_criteria.qos))
        return false;
    if (!m_topicPattern.empty() && !topicMatches(record.topic))
        return false;
    if (!m_client.empty() && !clientMatches(record.sender)
        && !m_store.anyReceiver(record, [this](const ReceiverRecord &receiver) {
               return clientMatches(receiver.client);
           }))
        return false;
    if (m_text) {
        return topicHasText(record.topic) || textMatches(m_store.payload(record))
            || (record.reason != 0 && textMatches(m_store.reason(record.reason)));
    }
    return true;
}

void MessageFilter::scan(std::uint64_t from, std::uint64_t to, std::vector<std::uint64_t> &out)
{
    from = std::max(from, m_store.firstSeq());
    to = std::min(to, m_store.endSeq());
    for (std::uint64_t seq = from; seq < to; ++seq) {
        if (matches(seq))
            out.push_back(seq);
    }
}

bool MessageFilter::topicMatches(std::uint32_t topic)
{
    if (topic >= m_topicMatches.size())
        m_topicMatches.resize(m_store.topics().size(), -1);
    std::int8_t &known = m_topicMatches[topic];
    if (known < 0)
        known = broker::topicMatchesFilter(m_topicPattern, m_store.topics().at(topic)) ? 1 : 0;
    return known == 1;
}

bool MessageFilter::clientMatches(std::uint32_t client)
{
    if (client >= m_clientMatches.size())
        m_clientMatches.resize(m_store.clients().size(), -1);
    std::int8_t &known = m_clientMatches[client];
    if (known < 0)
        known = containsIgnoringCase(m_store.clients().at(client), m_client) ? 1 : 0;
    return known == 1;
}

bool MessageFilter::topicHasText(std::uint32_t topic)
{
    if (topic >= m_topicHasText.size())
        m_topicHasText.resize(m_store.topics().size(), -1);
    std::int8_t &known = m_topicHasText[topic];
    if (known < 0)
        known = textMatches(m_store.topics().at(topic)) ? 1 : 0;
    return known == 1;
}

bool MessageFilter::textMatches(std::string_view text) const
{
    return text.size() >= m_text->pattern.size() && m_text->within(text);
}

} // namespace iotcore::ui
