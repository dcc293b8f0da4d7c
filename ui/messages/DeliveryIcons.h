#pragma once

// The QoS indicators: small vector icons, one per receiver, drawn by the log's delegate and by
// its legend with the same code, so the legend always shows what the rows show.

#include "MessageLogModel.h"

#include <QStyledItemDelegate>
#include <QWidget>

class QPainter;
class QRectF;

namespace iotcore::ui {

enum class DeliveryIcon {
    Sent,         // PUBLISH written; for QoS 0 that is all there is
    Received,     // QoS 2 half way: PUBREC in, PUBREL out
    Acknowledged, // PUBACK or PUBCOMP
    Retried,      // a badge on the others: sent again with DUP
    Dropped,      // never delivered (queue full, client gone, ...)
    Refused,      // the broker refused the PUBLISH or SUBSCRIBE itself
};

void paintDeliveryIcon(QPainter &painter, const QRectF &rect, DeliveryIcon icon);
DeliveryIcon deliveryIconOf(DeliveryState state);
QString deliveryIconMeaning(DeliveryIcon icon);

// Paints the QoS column: the QoS digit, then one icon per receiver and "+N" for the rest.
class DeliveryIndicatorDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;
};

// A row of icons with their meaning.
class DeliveryLegend : public QWidget
{
    Q_OBJECT

public:
    explicit DeliveryLegend(QWidget *parent = nullptr);
};

} // namespace iotcore::ui
