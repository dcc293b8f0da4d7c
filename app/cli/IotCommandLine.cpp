#include "IotCommandLine.h"

#include "Cli.h"

#include "iot/CatalogRules.h"


#include <cstdio>
#include <iostream>

namespace iotcore::app {

using namespace iotcore::broker;

IotCommandLine::IotCommandLine(QString command, QString description, QString positionalSyntax,
                               QString group)
    : m_command(std::move(command)),
      m_positionalSyntax(std::move(positionalSyntax)),
      m_group(std::move(group)),
      m_parser(std::make_unique<QCommandLineParser>())
{
    m_parser->setApplicationDescription(description);
    m_parser->setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
    m_parser->addOption(
        {{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")});
    m_parser->addOption({{QStringLiteral("w"), QStringLiteral("workspace")},
                         QStringLiteral("Workspace file (SQLite) holding the catalog."),
                         QStringLiteral("FILE")});
    m_parser->addOption({QStringLiteral("format"),
                         QStringLiteral("Output format: text (default), yaml or json."),
                         QStringLiteral("FORMAT"), QStringLiteral("text")});
}

void IotCommandLine::addValueOption(const QStringList &names, const QString &description,
                                    const QString &valueName)
{
    m_parser->addOption({names, description, valueName});
}

void IotCommandLine::addFlag(const QStringList &names, const QString &description)
{
    m_parser->addOption({names, description});
}

std::optional<int> IotCommandLine::parse(const QStringList &arguments, int maxPositional)
{
    if (!m_parser->parse(arguments))
        return usageError(m_parser->errorText());
    if (m_parser->isSet(QStringLiteral("help"))) {
        // QCommandLineParser's usage line names only the executable: put the command in.
        QString help = m_parser->helpText();
        const qsizetype firstLineEnd = help.indexOf(u'\n');
        QString usage = QStringLiteral("Usage: iotcore-studio %1 %2 [options]").arg(m_group, m_command);
        if (!m_positionalSyntax.isEmpty())
            usage += u' ' + m_positionalSyntax;
        help = usage + help.mid(firstLineEnd);
        const QByteArray text = help.toUtf8();
        std::fwrite(text.constData(), 1, std::size_t(text.size()), stdout);
        return ExitOk;
    }
    if (m_parser->positionalArguments().size() > maxPositional) {
        return usageError(QStringLiteral("unexpected argument \"%1\"")
                              .arg(m_parser->positionalArguments().value(maxPositional)));
    }
    QString error;
    if (!parseOutputFormat(m_parser->value(QStringLiteral("format")), &m_format, &error))
        return usageError(error);
    if (m_parser->value(QStringLiteral("workspace")).isEmpty())
        return usageError(QStringLiteral("the workspace file is required: -w FILE"));
    return std::nullopt;
}

int IotCommandLine::usageError(const QString &message) const
{
    printError(QStringLiteral("%1 (see iotcore-studio %2 %3 --help)").arg(message, m_group, m_command));
    return ExitUsage;
}

int IotCommandLine::fail(const QString &message) const
{
    printError(message);
    return ExitFailure;
}

std::unique_ptr<CatalogWorkspace> IotCommandLine::openWorkspace(bool create) const
{
    QString error;
    auto workspace = CatalogWorkspace::open(value(QStringLiteral("workspace")), create, &error);
    if (!workspace)
        printError(error);
    return workspace;
}

int IotCommandLine::commit(CatalogWorkspace &workspace, const std::string &output) const
{
    QString error;
    if (!workspace.save(&error))
        return fail(error);
    for (const QString &warning : workspace.cloudQuotaWarnings())
        printError(QStringLiteral("warning: ") + warning);
    return print(output);
}

int IotCommandLine::print(const std::string &output) const
{
    std::fwrite(output.data(), 1, output.size(), stdout);
    std::fflush(stdout);
    return ExitOk;
}

bool parseKeyValues(const QString &text, const QString &what,
                    std::map<std::string, std::string> *out, QString *error)
{
    for (const QString &pair : text.split(u',', Qt::SkipEmptyParts)) {
        const qsizetype equals = pair.indexOf(u'=');
        if (equals <= 0) {
            *error = QStringLiteral("%1: expected KEY=VALUE, got \"%2\"").arg(what, pair);
            return false;
        }
        const std::string key = pair.left(equals).trimmed().toStdString();
        if (out->count(key)) {
            *error = QStringLiteral("%1: \"%2\" is given twice")
                         .arg(what, QString::fromStdString(key));
            return false;
        }
        (*out)[key] = pair.mid(equals + 1).trimmed().toStdString();
    }
    return true;
}

std::vector<std::string> parseKeyList(const QString &text)
{
    std::vector<std::string> keys;
    for (const QString &key : text.split(u',', Qt::SkipEmptyParts))
        keys.push_back(key.trimmed().toStdString());
    return keys;
}

bool takePassword(const IotCommandLine &command, std::optional<std::string> *password,
                  QString *error)
{
    const bool given = command.isSet(QStringLiteral("password"));
    const bool read = command.isSet(QStringLiteral("read-password"));
    if (given && read) {
        *error = QStringLiteral("give either --password or --read-password, not both");
        return false;
    }
    std::string text;
    if (given) {
        text = command.stdValue(QStringLiteral("password"));
    } else if (read) {
        if (!std::getline(std::cin, text)) {
            *error = QStringLiteral("--read-password: no password on standard input");
            return false;
        }
        if (!text.empty() && text.back() == '\r')
            text.pop_back();
    } else {
        password->reset();
        return true;
    }
    if (const std::string weak = rules::checkPasswordStrength(text); !weak.empty()) {
        *error = QString::fromStdString(weak);
        return false;
    }
    *password = std::move(text);
    return true;
}

} // namespace iotcore::app
