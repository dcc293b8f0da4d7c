#pragma once

// Shared pieces of the command line: exit codes, one-line errors on stderr, address parsing.

#include "iot/IotAuthenticator.h"

#include <QString>
#include <QStringList>

#include <cstdint>
#include <string>

namespace iotcore::app {

enum ExitCode { ExitOk = 0, ExitFailure = 1, ExitUsage = 2 };

// Prints "iotcore-studio: <message>" on stderr.
void printError(const QString &message);

struct HostPort {
    std::string host;
    std::uint16_t port = 0;
};

// SIGINT and SIGTERM as a file descriptor (signalfd) for the Qt event loop to watch, so that
// long-running commands stop from ordinary code, not from a signal handler. Call it before any
// thread starts: the signals are blocked, and every thread inherits the mask.
int blockStopSignals();

// --message-rate-limit's value: "warn", "drop" or "off". False (and `error`) for anything else.
bool parseMessageRateLimit(const QString &text, broker::IotAuthenticator::RateLimit *mode, QString *error);
// The help text of --message-rate-limit, the same in serve and simulate.
QString messageRateLimitHelp();

// "127.0.0.1:1883", "[::1]:8883", "0.0.0.0:0", "localhost:1883", or a bare port (loopback).
bool parseHostPort(const QString &text, HostPort *out, QString *error);

} // namespace iotcore::app
