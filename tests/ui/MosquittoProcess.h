#pragma once

// Debian's mosquitto, started by a test on a port of its own (anonymous, or with one user and
// password), for the external broker tests. Stops with the object.

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QThread>

namespace iotcore::ui::test {

class MosquittoProcess
{
public:
    static QString executable()
    {
        return QStandardPaths::findExecutable(QStringLiteral("mosquitto"),
                                              {QStringLiteral("/usr/sbin"), QStringLiteral("/usr/bin")});
    }

    // An unused local port: a listener on port 0 learns one from the OS and closes.
    static quint16 freePort()
    {
        QTcpServer server;
        server.listen(QHostAddress::LocalHost, 0);
        return server.serverPort();
    }

    ~MosquittoProcess() { stop(); }

    quint16 port() const { return m_port; }
    QString error() const { return m_error; }

    // Starts on a free port (or the last one, to restart); with a user, anonymous clients are
    // refused. False with error() when mosquitto does not listen within five seconds.
    bool start(const QString &user = {}, const QString &password = {})
    {
        if (!m_dir.isValid()) {
            m_error = QStringLiteral("no temporary directory");
            return false;
        }
        if (m_port == 0)
            m_port = freePort();
        QString config = QStringLiteral("listener %1 127.0.0.1\npersistence false\n").arg(m_port);
        if (user.isEmpty()) {
            config += QStringLiteral("allow_anonymous true\n");
        } else {
            const QString passwords = m_dir.filePath(QStringLiteral("passwords"));
            const int rc = QProcess::execute(QStringLiteral("mosquitto_passwd"),
                                             {QStringLiteral("-b"), QStringLiteral("-c"), passwords, user, password});
            if (rc != 0) {
                m_error = QStringLiteral("mosquitto_passwd failed (%1)").arg(rc);
                return false;
            }
            // Run as root, mosquitto reads its files as the "mosquitto" user: let it in.
            QFile::setPermissions(m_dir.path(), QFile::permissions(m_dir.path()) | QFile::ExeOther);
            QFile::setPermissions(passwords, QFile::permissions(passwords) | QFile::ReadOther);
            config += QStringLiteral("allow_anonymous false\npassword_file %1\n").arg(passwords);
        }
        QFile file(m_dir.filePath(QStringLiteral("mosquitto.conf")));
        if (!file.open(QIODevice::WriteOnly) || file.write(config.toUtf8()) < 0) {
            m_error = QStringLiteral("cannot write %1").arg(file.fileName());
            return false;
        }
        file.close();
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        m_process.start(executable(), {QStringLiteral("-c"), file.fileName()});
        if (!m_process.waitForStarted()) {
            m_error = m_process.errorString();
            return false;
        }
        // Until its port takes connections; mosquitto says nothing when it is ready.
        for (QDeadlineTimer deadline(5000); !deadline.hasExpired(); QThread::msleep(50)) {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, m_port);
            if (probe.waitForConnected(200))
                return true;
            if (m_process.state() != QProcess::Running)
                break;
        }
        m_error = QStringLiteral("mosquitto did not listen on port %1: %2")
                      .arg(m_port)
                      .arg(QString::fromLocal8Bit(m_process.readAll()));
        return false;
    }

    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.terminate();
        if (!m_process.waitForFinished(3000))
            m_process.kill();
        m_process.waitForFinished();
    }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
    QString m_error;
};

} // namespace iotcore::ui::test
