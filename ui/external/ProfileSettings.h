#pragma once

// Connection profiles saved in QSettings under "console/profiles", in the order the user sees
// them. The password is written only for profiles whose rememberPassword is set, and then in
// the clear, as QSettings stores everything (the dialog says so).

#include "ConnectionProfile.h"

#include <QList>

class QSettings;

namespace iotcore::ui {

QList<ConnectionProfile> loadProfiles(QSettings &settings);
// Replaces every saved profile with `profiles`.
void saveProfiles(QSettings &settings, const QList<ConnectionProfile> &profiles);

// The profiles saved in the application's settings (QSettings()), for menus that list them.
QList<ConnectionProfile> savedProfiles();

} // namespace iotcore::ui
