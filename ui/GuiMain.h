#pragma once

// `iotcore-studio [-w FILE] [--demo] [--screenshot DIR [--size WxH]]`: the registry console.

namespace iotcore::ui {

// Whether `argument` (argv[1]) starts the console rather than a subcommand: nothing, or one of
// the console's options.
bool isGuiArgument(const char *argument);

// Creates the QApplication and runs the console; returns the exit status.
int runGui(int &argc, char **argv, const char *version);

} // namespace iotcore::ui
