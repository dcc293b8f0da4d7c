#pragma once

// What IoT Core makes of a subscription filter for one identity (IOT_CORE.md, "Topics"): the
// filters it is narrowed to, or, when it is refused, why in words. The broker's SUBACK says
// whether a filter was granted and the service's log line says only "not allowed to subscribe",
// so the console asks the same TopicPolicy the broker asks, on the same catalog, to show what
// the broker did and explain a refusal rather than hide it.

#include "ConsoleIdentity.h"

#include <QString>
#include <QStringList>

namespace iotcore::broker {
class Catalog;
}

namespace iotcore::ui {

struct FilterNarrowing {
    bool allowed = false;
    // The filters the subscription became in the broker's tree (canonical topics), when they are
    // not simply the filter itself.
    QStringList narrowedTo;
    QString refusal; // when not allowed: why, as a sentence

    // What a person reads in the subscription list: "as asked", "narrowed to …" or the refusal.
    QString summary() const;

    // An identity missing from the catalog is refused; open mode is never narrowed.
    static FilterNarrowing of(const broker::Catalog &catalog, const ConsoleIdentity &identity,
                              const QString &filter);
};

} // namespace iotcore::ui
