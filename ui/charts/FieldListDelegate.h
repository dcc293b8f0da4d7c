#pragma once

// A row of the chart's field list: the tick box, a swatch of the field's line colour while it
// is plotted, its title, and its newest value on the right, so the list reads as a live legend.

#include <QStyledItemDelegate>

namespace iotcore::ui {

class FieldListDelegate : public QStyledItemDelegate
{
    Q_OBJECT

public:
    using QStyledItemDelegate::QStyledItemDelegate;

    void paint(QPainter *painter, const QStyleOptionViewItem &option,
               const QModelIndex &index) const override;
    QSize sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const override;

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};

} // namespace iotcore::ui
