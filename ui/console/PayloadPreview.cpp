#include "PayloadPreview.h"

#include <QCoreApplication>
#include <QStringDecoder>

#include <algorithm>

namespace iotcore::ui {

namespace {

constexpr qsizetype PreviewCharacters = 60;
constexpr qsizetype PreviewBytes = 24;

QString sizeNote(qsizetype bytes)
{
    return QCoreApplication::translate("PayloadPreview", "… (%n bytes)", nullptr, int(bytes));
}

} // namespace

QString payloadPreview(const QByteArray &payload)
{
    if (payload.isEmpty())
        return QCoreApplication::translate("PayloadPreview", "(empty)");
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    QString text = utf8.decode(payload);
    const bool binary = utf8.hasError()
        || std::any_of(text.cbegin(), text.cend(), [](QChar c) {
               return c.category() == QChar::Other_Control && c != u'\n' && c != u'\r' && c != u'\t';
           });
    if (binary) {
        const QString hex = QString::fromLatin1(payload.left(PreviewBytes).toHex(' '));
        return payload.size() > PreviewBytes ? hex + sizeNote(payload.size()) : hex;
    }
    text = text.simplified();
    if (text.size() > PreviewCharacters)
        return text.left(PreviewCharacters) + sizeNote(payload.size());
    return text;
}

} // namespace iotcore::ui
