#pragma once

// Labels typed as the command line takes them: "key=value, key2=value2".

#include "iot/CatalogTypes.h"

#include <QString>

#include <optional>

namespace iotcore::ui {

// Nothing, with one line in `error` (CatalogRules' wording for the labels themselves), when the
// text is not a valid set of labels. An empty text is no labels.
std::optional<broker::Labels> parseLabels(const QString &text, QString *error);
QString formatLabels(const broker::Labels &labels);

} // namespace iotcore::ui
