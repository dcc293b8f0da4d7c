#pragma once

// One `iotcore-studio iot …` subcommand's command line: the options every subcommand shares
// (-w/--workspace, --format, -h/--help) plus its own, parsed with QCommandLineParser. A usage
// error (unknown option, missing value or required option) prints one line with a hint and
// exits 2; bad input and refused changes exit 1 (Cli.h).

#include "workspace/CatalogWorkspace.h"
#include "workspace/Credentials.h" // hashPassword, readCertificateFile
#include "OutputFormat.h"

#include "iot/CatalogTypes.h"

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace iotcore::app {

class IotCommandLine
{
public:
    // command: "registry create"; positionalSyntax: "[NAME]" for the usage line; group: the
    // command family the usage line and hints name ("iot", "sim").
    IotCommandLine(QString command, QString description, QString positionalSyntax = {},
                   QString group = QStringLiteral("iot"));

    void addValueOption(const QStringList &names, const QString &description,
                        const QString &valueName);
    void addFlag(const QStringList &names, const QString &description);

    // Nothing when the command should go on; otherwise the exit code (0 after --help).
    std::optional<int> parse(const QStringList &arguments, int maxPositional);

    bool isSet(const QString &name) const { return m_parser->isSet(name); }
    QString value(const QString &name) const { return m_parser->value(name); }
    std::string stdValue(const QString &name) const { return value(name).toStdString(); }
    QStringList positional() const { return m_parser->positionalArguments(); }
    OutputFormat format() const { return m_format; }

    // Prints "<message> (see iotcore-studio iot <command> --help)" and returns ExitUsage.
    int usageError(const QString &message) const;
    // Prints the line and returns ExitFailure.
    int fail(const QString &message) const;
    int fail(const std::string &message) const { return fail(QString::fromStdString(message)); }

    // The workspace of -w; null after printing why (missing file without create, corrupt file).
    std::unique_ptr<CatalogWorkspace> openWorkspace(bool create) const;
    // Saves the workspace and, only then, prints `output` on stdout.
    int commit(CatalogWorkspace &workspace, const std::string &output) const;
    // Prints `output` on stdout.
    int print(const std::string &output) const;

private:
    QString m_command;
    QString m_positionalSyntax;
    QString m_group;
    std::unique_ptr<QCommandLineParser>
        m_parser; // a pointer so that a command line can be returned
    OutputFormat m_format = OutputFormat::Text;
};

// --- values of options -------------------------------------------------------------------------

// "k=v,k2=v2" (labels, topic aliases); `what` names the option in messages.
bool parseKeyValues(const QString &text, const QString &what,
                    std::map<std::string, std::string> *out, QString *error);
// "k1,k2"
std::vector<std::string> parseKeyList(const QString &text);

// --password P or --read-password (one line from stdin). Empty when neither is given; a weak
// password is refused with CatalogRules' message.
bool takePassword(const IotCommandLine &command, std::optional<std::string> *password,
                  QString *error);

} // namespace iotcore::app
