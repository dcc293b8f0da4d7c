#include "PkiCommand.h"

#include "Cli.h"
#include "pki/CertificateAuthority.h"
#include "pki/WorkspaceAuthority.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <initializer_list>
#include <memory>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace iotcore::app {

namespace {

const char *const pkiUsage =
    "Usage: iotcore-studio pki COMMAND [options]\n"
    "\n"
    "The workspace's certificate authority: the CA that signs serve's TLS server certificate\n"
    "(made on first use and kept in the workspace file), and client certificates for devices.\n"
    "\n"
    "Commands:\n"
    "  export-ca  Write the workspace CA's certificate, for devices to trust (--cafile)\n"
    "  issue      Write a client key pair and certificate, signed by the workspace CA or\n"
    "             self-signed, and print its SHA-1 fingerprint\n"
    "\n"
    "pki COMMAND --help shows a command's options.\n";

// One subcommand's parser: -h and its own options; usage errors are one line and exit 2.
class PkiCommandLine
{
public:
    PkiCommandLine(QString command, const QString &description)
        : m_command(std::move(command))
    {
        m_parser.setApplicationDescription(description);
        m_parser.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsOptions);
        m_parser.addOption({{QStringLiteral("h"), QStringLiteral("help")},
                            QStringLiteral("Show this help.")});
    }

    QCommandLineParser &parser() { return m_parser; }

    // Nothing when the command should go on; otherwise the exit code (0 after --help).
    std::optional<int> parse(const QStringList &arguments)
    {
        if (!m_parser.parse(arguments))
            return usageError(m_parser.errorText());
        if (m_parser.isSet(QStringLiteral("help"))) {
            // QCommandLineParser's usage line names only the executable: put the command in.
            QString help = m_parser.helpText();
            help = QStringLiteral("Usage: iotcore-studio pki %1 [options]").arg(m_command)
                   + help.mid(help.indexOf(u'\n'));
            const QByteArray text = help.toUtf8();
            std::fwrite(text.constData(), 1, std::size_t(text.size()), stdout);
            return ExitOk;
        }
        if (!m_parser.positionalArguments().isEmpty()) {
            return usageError(QStringLiteral("unexpected argument \"%1\"")
                                  .arg(m_parser.positionalArguments().first()));
        }
        return std::nullopt;
    }

    int usageError(const QString &message) const
    {
        printError(QStringLiteral("%1 (see iotcore-studio pki %2 --help)").arg(message, m_command));
        return ExitUsage;
    }

private:
    QString m_command;
    QCommandLineParser m_parser;
};

QString fromStd(const std::string &text)
{
    return QString::fromStdString(text);
}

// A file written next to its final path and renamed into place once every file of the command
// is written, so a failure leaves no half-written key or certificate behind.
class StagedFile
{
public:
    StagedFile(QString path, const std::string &contents, mode_t mode, std::string *error)
        : m_path(std::move(path))
    {
        const QByteArray target = QFile::encodeName(m_path);
        QByteArray pattern = QFile::encodeName(QFileInfo(m_path).absolutePath()) + "/."
                             + QFile::encodeName(QFileInfo(m_path).fileName()) + ".XXXXXX";
        const int fd = ::mkstemp(pattern.data()); // mode 0600 until fchmod
        if (fd < 0) {
            *error = "cannot write " + target.toStdString() + ": " + std::strerror(errno);
            return;
        }
        m_tempPath = pattern;
        std::size_t written = 0;
        bool ok = ::fchmod(fd, mode) == 0;
        while (ok && written < contents.size()) {
            const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
            ok = n > 0 || (n < 0 && errno == EINTR);
            written += n > 0 ? std::size_t(n) : 0;
        }
        ok = ok && ::fsync(fd) == 0;
        const int savedErrno = errno;
        ok = ::close(fd) == 0 && ok;
        if (!ok) {
            *error = "cannot write " + target.toStdString() + ": " + std::strerror(savedErrno);
            discard();
        }
    }
    ~StagedFile() { discard(); }
    StagedFile(const StagedFile &) = delete;
    StagedFile &operator=(const StagedFile &) = delete;

    bool staged() const { return !m_tempPath.isEmpty(); }

    bool install(std::string *error)
    {
        if (::rename(m_tempPath.constData(), QFile::encodeName(m_path).constData()) != 0) {
            *error = "cannot write " + m_path.toStdString() + ": " + std::strerror(errno);
            discard();
            return false;
        }
        m_tempPath.clear();
        return true;
    }

private:
    void discard()
    {
        if (!m_tempPath.isEmpty())
            ::unlink(m_tempPath.constData());
        m_tempPath.clear();
    }

    QString m_path;
    QByteArray m_tempPath; // empty once installed or discarded
};

mode_t publicFileMode()
{
    const mode_t mask = ::umask(0);
    ::umask(mask);
    return 0666 & ~mask;
}

struct OutputFile {
    QString path;
    const std::string &contents;
    mode_t mode;
};

// Writes every file or none: all are staged first, then renamed into place.
bool writeFiles(std::initializer_list<OutputFile> files, std::string *error)
{
    std::vector<std::unique_ptr<StagedFile>> staged;
    for (const OutputFile &file : files) {
        staged.push_back(std::make_unique<StagedFile>(file.path, file.contents, file.mode, error));
        if (!staged.back()->staged())
            return false;
    }
    for (const auto &file : staged) {
        if (!file->install(error))
            return false;
    }
    return true;
}

bool writeStdout(const std::string &text, std::string *error)
{
    if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size() || std::fflush(stdout) != 0) {
        *error = std::string("cannot write to standard output: ") + std::strerror(errno);
        return false;
    }
    return true;
}

// Runs `use` with the CA of the workspace at `path`. A workspace file this command created is
// removed again when it fails, so a failed command leaves nothing behind.
bool withWorkspaceAuthority(const QString &path, const WorkspaceAuthority::Use &use,
                            std::string *error)
{
    const bool existed = QFileInfo::exists(path);
    bool ok = false;
    {
        std::unique_ptr<WorkspaceAuthority> workspace = WorkspaceAuthority::open(path, error);
        ok = workspace && workspace->withAuthority(use, error);
    }
    if (!ok && !existed) {
        for (const char *suffix : {"", "-wal", "-shm", "-journal"})
            QFile::remove(path + QLatin1String(suffix));
    }
    return ok;
}

void addWorkspaceOption(QCommandLineParser &parser)
{
    parser.addOption({{QStringLiteral("w"), QStringLiteral("workspace")},
                      QStringLiteral("Workspace file (SQLite) holding the CA; created when it "
                                     "does not exist."),
                      QStringLiteral("FILE")});
}

int exportCa(const QStringList &arguments)
{
    PkiCommandLine command(
        QStringLiteral("export-ca"),
        QStringLiteral("Writes the certificate (PEM) of the workspace's CA, the one that signs the "
                       "server certificate of serve's TLS listeners: give it to devices as their "
                       "CA file (mosquitto_pub --cafile, paho's tls_set). The CA is made on first "
                       "use and kept in the workspace."));
    QCommandLineParser &parser = command.parser();
    addWorkspaceOption(parser);
    parser.addOption({{QStringLiteral("o"), QStringLiteral("output")},
                      QStringLiteral("Where to write the certificate; - (the default) is standard "
                                     "output."),
                      QStringLiteral("FILE")});
    if (const std::optional<int> exit = command.parse(arguments))
        return *exit;
    const QString workspace = parser.value(QStringLiteral("workspace"));
    if (workspace.isEmpty())
        return command.usageError(QStringLiteral("the workspace file is required: -w FILE"));
    QString output = parser.value(QStringLiteral("output"));
    if (output.isEmpty())
        output = QStringLiteral("-");

    std::string error;
    const bool ok = withWorkspaceAuthority(
        workspace,
        [&](const CertificateAuthority &authority, std::string *failure) {
            if (output == QLatin1String("-"))
                return writeStdout(authority.certificatePem(), failure);
            return writeFiles({{output, authority.certificatePem(), publicFileMode()}}, failure);
        },
        &error);
    if (!ok) {
        printError(fromStd(error));
        return ExitFailure;
    }
    return ExitOk;
}

int issue(const QStringList &arguments)
{
    PkiCommandLine command(
        QStringLiteral("issue"),
        QStringLiteral("Makes a client key pair and certificate with CN NAME: writes PREFIX.pem "
                       "(the certificate) and PREFIX.key (its private key, PKCS#8, readable by "
                       "the owner only) and prints the certificate's SHA-1 fingerprint, as IoT "
                       "Core shows it. Register it with `iotcore-studio iot device certificate "
                       "add --certificate-file PREFIX.pem`."));
    QCommandLineParser &parser = command.parser();
    addWorkspaceOption(parser);
    parser.addOption({QStringLiteral("cn"),
                      QStringLiteral("The certificate's common name (1 to 64 characters)."),
                      QStringLiteral("NAME")});
    parser.addOption({{QStringLiteral("o"), QStringLiteral("output")},
                      QStringLiteral("Where to write: PREFIX.pem and PREFIX.key."),
                      QStringLiteral("PREFIX")});
    parser.addOption({QStringLiteral("self-signed"),
                      QStringLiteral("Sign the certificate with its own key (IoT Core's usual "
                                     "form) instead of the workspace CA; -w is then not needed.")});
    parser.addOption({QStringLiteral("days"),
                      QStringLiteral("Validity in days (default %1).")
                          .arg(CertificateAuthority::ClientValidityDays),
                      QStringLiteral("N")});
    if (const std::optional<int> exit = command.parse(arguments))
        return *exit;

    const std::string commonName = parser.value(QStringLiteral("cn")).toStdString();
    if (commonName.empty())
        return command.usageError(QStringLiteral("the common name is required: --cn NAME"));
    const QString prefix = parser.value(QStringLiteral("output"));
    if (prefix.isEmpty())
        return command.usageError(QStringLiteral("the output is required: -o PREFIX"));
    int days = CertificateAuthority::ClientValidityDays;
    if (parser.isSet(QStringLiteral("days"))) {
        bool number = false;
        days = parser.value(QStringLiteral("days")).toInt(&number);
        if (!number || days < 1 || days > CertificateAuthority::MaxValidityDays) {
            return command.usageError(QStringLiteral("--days needs a whole number from 1 to %1, "
                                                     "not \"%2\"")
                                          .arg(CertificateAuthority::MaxValidityDays)
                                          .arg(parser.value(QStringLiteral("days"))));
        }
    }
    const bool selfSigned = parser.isSet(QStringLiteral("self-signed"));
    const QString workspace = parser.value(QStringLiteral("workspace"));
    if (!selfSigned && workspace.isEmpty()) {
        return command.usageError(
            QStringLiteral("the workspace file is required: -w FILE (or --self-signed)"));
    }

    std::string fingerprint;
    const auto writeIdentity = [&](const std::optional<CertificateAndKey> &made,
                                   std::string *failure) {
        if (!made)
            return false;
        fingerprint = certificateFingerprint(made->certificatePem, failure);
        if (fingerprint.empty())
            return false;
        return writeFiles({{prefix + QLatin1String(".key"), made->privateKeyPem, 0600},
                           {prefix + QLatin1String(".pem"), made->certificatePem,
                            publicFileMode()}},
                          failure);
    };

    std::string error;
    bool ok = false;
    if (selfSigned) {
        ok = writeIdentity(createSelfSignedClientCertificate(commonName, KeyAlgorithm::EcP256,
                                                             &error, days),
                           &error);
    } else {
        ok = withWorkspaceAuthority(
            workspace,
            [&](const CertificateAuthority &authority, std::string *failure) {
                return writeIdentity(authority.issueClientCertificate(commonName, failure, days),
                                     failure);
            },
            &error);
    }
    if (!ok) {
        printError(fromStd(error));
        return ExitFailure;
    }
    std::printf("%s\n", fingerprint.c_str());
    std::fflush(stdout);
    return ExitOk;
}

} // namespace

int runPki(const QStringList &arguments)
{
    const QString command = arguments.value(1);
    if (command.isEmpty() || command == QLatin1String("--help") || command == QLatin1String("-h")) {
        std::fputs(pkiUsage, command.isEmpty() ? stderr : stdout);
        return command.isEmpty() ? ExitUsage : ExitOk;
    }
    QStringList commandArguments = arguments.mid(1);
    commandArguments[0] = arguments.first() + u' ' + command;
    if (command == QLatin1String("export-ca"))
        return exportCa(commandArguments);
    if (command == QLatin1String("issue"))
        return issue(commandArguments);
    printError(QStringLiteral("unknown command \"pki %1\" (iotcore-studio pki --help lists them)")
                   .arg(command));
    return ExitUsage;
}

} // namespace iotcore::app
