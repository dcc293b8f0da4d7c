#include "FieldMessage.h"

namespace iotcore::ui {

FieldMessage::FieldMessage(QWidget *parent) : QLabel(parent)
{
    setWordWrap(true);
    setTextFormat(Qt::PlainText);
    QFont small = font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    setFont(small);
    hide();
}

void FieldMessage::setError(const QString &error)
{
    m_error = error;
    refresh();
}

void FieldMessage::setHint(const QString &hint)
{
    m_hint = hint;
    refresh();
}

void FieldMessage::refresh()
{
    QPalette colors = palette();
    if (hasError()) {
        colors.setColor(QPalette::WindowText, QColor(0xc0, 0x1c, 0x28));
        setText(m_error);
    } else {
        colors.setColor(QPalette::WindowText,
                        parentWidget() ? parentWidget()->palette().color(QPalette::Disabled, QPalette::WindowText)
                                       : palette().color(QPalette::Disabled, QPalette::WindowText));
        setText(m_hint);
    }
    setPalette(colors);
    setVisible(!text().isEmpty());
}

QString sentence(const std::string &message)
{
    QString text = QString::fromStdString(message);
    if (text.isEmpty())
        return text;
    text[0] = text[0].toUpper();
    if (!text.endsWith(u'.'))
        text += u'.';
    return text;
}

} // namespace iotcore::ui
