#pragma once

// One line of a payload for a list: UTF-8 text with its line breaks shown as spaces, cut at a
// few dozen characters with its full size said; other bytes as hex. The whole payload is in the
// message log.

#include <QByteArray>
#include <QString>

namespace iotcore::ui {

QString payloadPreview(const QByteArray &payload);

} // namespace iotcore::ui
