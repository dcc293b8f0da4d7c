#include "FieldListDelegate.h"

#include "PayloadSeries.h"
#include "SeriesPalette.h"

#include <QApplication>
#include <QLocale>
#include <QPainter>
#include <QPixmap>

namespace iotcore::ui {

namespace {

constexpr int RowPadding = 6;
constexpr int ValueGap = 12;

QIcon swatch(const QColor &color, int size)
{
    QPixmap pixmap(size, size);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(Qt::NoPen);
    painter.setBrush(color);
    painter.drawRoundedRect(QRectF(1, size / 2.0 - 2, size - 2, 4), 2, 2);
    return QIcon(pixmap);
}

QString lastValueText(const QModelIndex &index)
{
    const QVariant value = index.data(PayloadSeries::LastValueRole);
    if (!value.isValid())
        return {};
    const QString unit = index.data(PayloadSeries::UnitRole).toString();
    const QString number = QLocale().toString(value.toDouble(), 'g', 6);
    return unit.isEmpty() ? number : QStringLiteral("%1 %2").arg(number, unit);
}

} // namespace

void FieldListDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    const int size = option->fontMetrics.height();
    option->decorationSize = QSize(size, size);
    option->features |= QStyleOptionViewItem::HasDecoration;
    // An empty icon keeps the titles aligned whether their field is plotted or not.
    option->icon = index.data(Qt::CheckStateRole).toInt() == Qt::Checked
        ? swatch(seriesColor(index.row()), size)
        : QIcon();
}

void FieldListDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                              const QModelIndex &index) const
{
    QStyleOptionViewItem row = option;
    initStyleOption(&row, index);
    const QWidget *widget = option.widget;
    QStyle *style = widget ? widget->style() : QApplication::style();
    style->drawPrimitive(QStyle::PE_PanelItemViewItem, &row, painter, widget);

    // The tick, swatch and title give way to the value on the right.
    const QString value = lastValueText(index);
    QStyleOptionViewItem title = option;
    title.rect.setRight(option.rect.right() - option.fontMetrics.horizontalAdvance(value) - ValueGap);
    QStyledItemDelegate::paint(painter, title, index);
    if (value.isEmpty())
        return;
    painter->save();
    const bool selected = option.state & QStyle::State_Selected;
    painter->setPen(option.palette.color(selected ? QPalette::HighlightedText : QPalette::PlaceholderText));
    painter->drawText(option.rect.adjusted(0, 0, -RowPadding, 0), Qt::AlignRight | Qt::AlignVCenter, value);
    painter->restore();
}

QSize FieldListDelegate::sizeHint(const QStyleOptionViewItem &option, const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setHeight(size.height() + RowPadding);
    return size;
}

} // namespace iotcore::ui
