#pragma once

// The unit a field's name suggests, for axis titles and legends: "temperature" and "temp_c" are
// °C, "humidity" and "battery" are %, "power" is W, "energy_kwh" is kWh, "lat" is °. Payloads
// carry no units, so this is a guess from the name; a name that suggests none gives "".

#include <QString>
#include <QStringView>

namespace iotcore::ui {

// `name` is a field's last path component or a topic level: "env.outsideTemp" looks at
// "outsideTemp", split into words at punctuation and camelCase humps; a word's trailing digits
// are ignored ("temp2" is a temperature, "co2" stays carbon dioxide).
QString unitSuggestedBy(QStringView name);

} // namespace iotcore::ui
