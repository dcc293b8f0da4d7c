#include "LabelsText.h"

#include "iot/CatalogRules.h"

#include <QStringList>

namespace iotcore::ui {

std::optional<broker::Labels> parseLabels(const QString &text, QString *error)
{
    broker::Labels labels;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts)) {
        const QString item = part.trimmed();
        if (item.isEmpty())
            continue;
        const qsizetype equals = item.indexOf(u'=');
        if (equals <= 0) {
            *error = QStringLiteral("label \"%1\" is not key=value").arg(item);
            return std::nullopt;
        }
        const std::string key = item.left(equals).trimmed().toStdString();
        if (labels.count(key)) {
            *error = QStringLiteral("label \"%1\" is given twice").arg(QString::fromStdString(key));
            return std::nullopt;
        }
        labels[key] = item.mid(equals + 1).trimmed().toStdString();
    }
    if (const std::string invalid = broker::rules::checkLabels(labels); !invalid.empty()) {
        *error = QString::fromStdString(invalid);
        return std::nullopt;
    }
    return labels;
}

QString formatLabels(const broker::Labels &labels)
{
    QStringList parts;
    for (const auto &[key, value] : labels)
        parts.append(QString::fromStdString(key + '=' + value));
    return parts.join(QStringLiteral(", "));
}

} // namespace iotcore::ui
