#pragma once

// A line diff between two payloads, for the topic history: what changed since the previous value.

#include <QList>
#include <QString>
#include <QStringList>

namespace iotcore::ui {

struct DiffLine {
    enum class Change { Same, Removed, Added };
    Change change = Change::Same;
    QString text;
    bool operator==(const DiffLine &) const = default;
};

// A shortest edit script when the changed middle is small enough (a few million line pairs);
// past that, the changed middle is shown as removed then added, which is still exact.
QList<DiffLine> diffLines(const QStringList &before, const QStringList &after);

// Both payloads as lines (JSON re-indented first, so that one changed field is one changed line).
QList<DiffLine> diffPayloads(QByteArrayView before, QByteArrayView after);

} // namespace iotcore::ui
