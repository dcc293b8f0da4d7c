#include "DeliveryIcons.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPainterPath>
#include <QPixmap>

namespace iotcore::ui {

namespace {

const QColor SentColor(0x2f, 0x6f, 0xc0);
const QColor AckColor(0x2e, 0x8b, 0x3e);
const QColor RetryColor(0xe0, 0x8a, 0x00);
const QColor FailColor(0xc6, 0x28, 0x28);

void paintRetryBadge(QPainter &painter, const QRectF &rect)
{
    const qreal size = rect.width() * 0.5;
    const QRectF badge(rect.right() - size, rect.top(), size, size);
    painter.setPen(QPen(Qt::white, 1));
    painter.setBrush(RetryColor);
    painter.drawEllipse(badge);
}

} // namespace

void paintDeliveryIcon(QPainter &painter, const QRectF &rect, DeliveryIcon icon)
{
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    const QRectF r = rect.adjusted(1, 1, -1, -1);
    const qreal w = r.width();
    QPen pen(Qt::NoPen);
    switch (icon) {
    case DeliveryIcon::Sent: {
        // An arrow on its way.
        QPainterPath arrow;
        arrow.moveTo(r.left() + w * 0.1, r.top() + w * 0.35);
        arrow.lineTo(r.left() + w * 0.55, r.top() + w * 0.35);
        arrow.lineTo(r.left() + w * 0.55, r.top() + w * 0.12);
        arrow.lineTo(r.right() - w * 0.05, r.center().y());
        arrow.lineTo(r.left() + w * 0.55, r.bottom() - w * 0.12);
        arrow.lineTo(r.left() + w * 0.55, r.bottom() - w * 0.35);
        arrow.lineTo(r.left() + w * 0.1, r.bottom() - w * 0.35);
        arrow.closeSubpath();
        painter.fillPath(arrow, SentColor);
        break;
    }
    case DeliveryIcon::Received: {
        // Half a disc: the exchange is half done.
        painter.setPen(QPen(AckColor, 1.5));
        painter.setBrush(Qt::NoBrush);
        painter.drawEllipse(r.adjusted(1, 1, -1, -1));
        painter.setPen(Qt::NoPen);
        painter.setBrush(AckColor);
        painter.drawPie(r.adjusted(1, 1, -1, -1), 90 * 16, 180 * 16);
        break;
    }
    case DeliveryIcon::Acknowledged: {
        pen = QPen(AckColor, std::max(2.0, w / 6), Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin);
        painter.setPen(pen);
        QPainterPath check;
        check.moveTo(r.left() + w * 0.15, r.top() + w * 0.55);
        check.lineTo(r.left() + w * 0.42, r.top() + w * 0.8);
        check.lineTo(r.right() - w * 0.1, r.top() + w * 0.2);
        painter.drawPath(check);
        break;
    }
    case DeliveryIcon::Retried:
        paintRetryBadge(painter, r);
        break;
    case DeliveryIcon::Dropped: {
        pen = QPen(FailColor, std::max(2.0, w / 6), Qt::SolidLine, Qt::RoundCap);
        painter.setPen(pen);
        const QRectF x = r.adjusted(w * 0.2, w * 0.2, -w * 0.2, -w * 0.2);
        painter.drawLine(x.topLeft(), x.bottomRight());
        painter.drawLine(x.topRight(), x.bottomLeft());
        break;
    }
    case DeliveryIcon::Refused: {
        // A no-entry sign.
        painter.setPen(Qt::NoPen);
        painter.setBrush(FailColor);
        painter.drawEllipse(r);
        const qreal bar = w * 0.18;
        painter.fillRect(QRectF(r.left() + w * 0.2, r.center().y() - bar / 2, w * 0.6, bar),
                         Qt::white);
        break;
    }
    }
    painter.restore();
}

DeliveryIcon deliveryIconOf(DeliveryState state)
{
    switch (state) {
    case DeliveryState::Sent: return DeliveryIcon::Sent;
    case DeliveryState::Received: return DeliveryIcon::Received;
    case DeliveryState::Acknowledged: return DeliveryIcon::Acknowledged;
    case DeliveryState::Dropped: return DeliveryIcon::Dropped;
    }
    return DeliveryIcon::Sent;
}

QString deliveryIconMeaning(DeliveryIcon icon)
{
    switch (icon) {
    case DeliveryIcon::Sent: return QApplication::translate("DeliveryLegend", "sent");
    case DeliveryIcon::Received:
        return QApplication::translate("DeliveryLegend", "PUBREC received, PUBREL sent");
    case DeliveryIcon::Acknowledged:
        return QApplication::translate("DeliveryLegend", "acknowledged (PUBACK, PUBCOMP)");
    case DeliveryIcon::Retried: return QApplication::translate("DeliveryLegend", "retried with DUP");
    case DeliveryIcon::Dropped: return QApplication::translate("DeliveryLegend", "dropped");
    case DeliveryIcon::Refused: return QApplication::translate("DeliveryLegend", "refused");
    }
    return {};
}

void DeliveryIndicatorDelegate::paint(QPainter *painter, const QStyleOptionViewItem &option,
                                      const QModelIndex &index) const
{
    QStyleOptionViewItem opt = option;
    initStyleOption(&opt, index);
    const auto indicators = index.data(MessageLogModel::IndicatorsRole).value<DeliveryIndicators>();
    // The background, selection and focus as for any cell, then the icons over the text area.
    const QString qosText = opt.text;
    opt.text.clear();
    QStyle *style = opt.widget ? opt.widget->style() : QApplication::style();
    style->drawControl(QStyle::CE_ItemViewItem, &opt, painter, opt.widget);

    const QRect area = opt.rect.adjusted(4, 0, -4, 0);
    const int iconSize = std::min(area.height() - 4, 14);
    const QColor textColor = opt.state & QStyle::State_Selected
        ? opt.palette.color(QPalette::HighlightedText)
        : opt.palette.color(QPalette::Text);
    painter->save();
    painter->setPen(textColor);
    const int digitWidth = opt.fontMetrics.horizontalAdvance(QStringLiteral("0 "));
    painter->drawText(QRect(area.left(), area.top(), digitWidth, area.height()),
                      Qt::AlignLeft | Qt::AlignVCenter, qosText);
    int x = area.left() + digitWidth;
    const int y = area.top() + (area.height() - iconSize) / 2;
    auto nextRect = [&] {
        const QRectF rect(x, y, iconSize, iconSize);
        x += iconSize + 2;
        return rect;
    };
    if (indicators.kind != LogEntryKind::Message) {
        paintDeliveryIcon(*painter, nextRect(), DeliveryIcon::Refused);
    } else {
        for (const DeliveryMark &mark : indicators.marks) {
            if (x + iconSize > area.right())
                break;
            const QRectF rect = nextRect();
            paintDeliveryIcon(*painter, rect, deliveryIconOf(mark.state));
            if (mark.retried)
                paintDeliveryIcon(*painter, rect, DeliveryIcon::Retried);
        }
        if (indicators.moreReceivers > 0)
            painter->drawText(QRect(x, area.top(), area.right() - x, area.height()),
                              Qt::AlignLeft | Qt::AlignVCenter,
                              QStringLiteral("+%1").arg(indicators.moreReceivers));
    }
    painter->restore();
}

QSize DeliveryIndicatorDelegate::sizeHint(const QStyleOptionViewItem &option,
                                          const QModelIndex &index) const
{
    QSize size = QStyledItemDelegate::sizeHint(option, index);
    size.setWidth(option.fontMetrics.horizontalAdvance(QStringLiteral("0 +99")) + 4 * 16 + 8);
    return size;
}

DeliveryLegend::DeliveryLegend(QWidget *parent)
    : QWidget(parent)
{
    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    const qreal ratio = devicePixelRatioF();
    for (const DeliveryIcon icon : {DeliveryIcon::Sent, DeliveryIcon::Received,
                                    DeliveryIcon::Acknowledged, DeliveryIcon::Retried,
                                    DeliveryIcon::Dropped, DeliveryIcon::Refused}) {
        QPixmap pixmap(QSize(14, 14) * ratio);
        pixmap.setDevicePixelRatio(ratio);
        pixmap.fill(Qt::transparent);
        QPainter painter(&pixmap);
        paintDeliveryIcon(painter, QRectF(0, 0, 14, 14), icon);
        painter.end();
        auto *image = new QLabel(this);
        image->setPixmap(pixmap);
        layout->addWidget(image);
        layout->addWidget(new QLabel(deliveryIconMeaning(icon), this));
        layout->addSpacing(8);
    }
    layout->addStretch();
}

} // namespace iotcore::ui
