#include "PayloadDiff.h"

#include "PayloadFormat.h"

#include <vector>

namespace iotcore::ui {

namespace {

constexpr qsizetype MaxTableCells = 4'000'000;

QStringList linesOf(QByteArrayView payload)
{
    if (const std::optional<QString> json = PayloadFormat::prettyJson(payload))
        return json->split(u'\n');
    if (const std::optional<QString> text = PayloadFormat::asText(payload))
        return text->split(u'\n');
    return PayloadFormat::hexDump(payload).split(u'\n', Qt::SkipEmptyParts);
}

} // namespace

QList<DiffLine> diffLines(const QStringList &before, const QStringList &after)
{
    qsizetype prefix = 0;
    while (prefix < before.size() && prefix < after.size() && before[prefix] == after[prefix])
        ++prefix;
    qsizetype suffix = 0;
    while (suffix < before.size() - prefix && suffix < after.size() - prefix
           && before[before.size() - 1 - suffix] == after[after.size() - 1 - suffix])
        ++suffix;

    QList<DiffLine> result;
    for (qsizetype i = 0; i < prefix; ++i)
        result.append({DiffLine::Change::Same, before[i]});

    const qsizetype n = before.size() - prefix - suffix;
    const qsizetype m = after.size() - prefix - suffix;
    if (n * m <= MaxTableCells) {
        // Longest common subsequence of the middles, walked from the front.
        std::vector<std::uint32_t> lcs(std::size_t((n + 1) * (m + 1)), 0);
        auto at = [&](qsizetype i, qsizetype j) -> std::uint32_t & {
            return lcs[std::size_t(i * (m + 1) + j)];
        };
        for (qsizetype i = n - 1; i >= 0; --i)
            for (qsizetype j = m - 1; j >= 0; --j)
                at(i, j) = before[prefix + i] == after[prefix + j]
                    ? at(i + 1, j + 1) + 1
                    : std::max(at(i + 1, j), at(i, j + 1));
        qsizetype i = 0;
        qsizetype j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && before[prefix + i] == after[prefix + j]) {
                result.append({DiffLine::Change::Same, before[prefix + i]});
                ++i;
                ++j;
            } else if (i < n && (j == m || at(i + 1, j) >= at(i, j + 1))) {
                result.append({DiffLine::Change::Removed, before[prefix + i++]});
            } else {
                result.append({DiffLine::Change::Added, after[prefix + j++]});
            }
        }
    } else {
        for (qsizetype i = 0; i < n; ++i)
            result.append({DiffLine::Change::Removed, before[prefix + i]});
        for (qsizetype j = 0; j < m; ++j)
            result.append({DiffLine::Change::Added, after[prefix + j]});
    }
    for (qsizetype i = before.size() - suffix; i < before.size(); ++i)
        result.append({DiffLine::Change::Same, before[i]});
    return result;
}

QList<DiffLine> diffPayloads(QByteArrayView before, QByteArrayView after)
{
    return diffLines(linesOf(before), linesOf(after));
}

} // namespace iotcore::ui
