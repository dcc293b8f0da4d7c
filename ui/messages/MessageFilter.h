#pragma once

// Which log records to show: a topic pattern (an MQTT filter, wildcards included), a client (part
// of the sender's or a receiver's client id), a QoS and a text (part of the topic, payload or
// refusal reason, ignoring ASCII case). A linear scan over the store's compact records; whether a
// topic or client matches is worked out once per interned string, not once per record.

#include "MessageStore.h"

#include <QString>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace iotcore::ui {

struct MessageFilterCriteria {
    QString topicPattern; // empty: any topic
    QString client;       // empty: any client
    int qos = -1;         // -1: any QoS
    QString text;         // empty: any content

    bool isEmpty() const
    {
        return topicPattern.isEmpty() && client.isEmpty() && qos < 0 && text.isEmpty();
    }
    bool operator==(const MessageFilterCriteria &) const = default;
};

class MessageFilter
{
public:
    // An invalid topic pattern yields a filter with an error() that matches nothing.
    MessageFilter(const MessageStore &store, MessageFilterCriteria criteria);
    ~MessageFilter();

    const MessageFilterCriteria &criteria() const { return m_criteria; }
    // One line naming what is wrong with the criteria, or empty.
    const QString &error() const { return m_error; }

    bool matches(std::uint64_t seq);
    // Appends the matching seqs of [from, to) to `out`.
    void scan(std::uint64_t from, std::uint64_t to, std::vector<std::uint64_t> &out);

private:
    bool topicMatches(std::uint32_t topic);
    bool clientMatches(std::uint32_t client);
    bool topicHasText(std::uint32_t topic);
    bool textMatches(std::string_view text) const;

    struct TextSearcher;

    const MessageStore &m_store;
    MessageFilterCriteria m_criteria;
    QString m_error;
    std::string m_topicPattern;
    std::string m_client; // lower case
    std::unique_ptr<TextSearcher> m_text;
    // Per interned id: -1 not yet known, 0 no, 1 yes.
    std::vector<std::int8_t> m_topicMatches;
    std::vector<std::int8_t> m_clientMatches;
    std::vector<std::int8_t> m_topicHasText;
};

} // namespace iotcore::ui
