// PBKDF2-SHA512 in mosquitto 2's `$7$` encoding, proven against Debian's mosquitto_passwd and
// mosquitto itself, plus the verified-credential cache.

#include "iot/PasswordHasher.h"
#include "iot/VerifiedCredentialCache.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

using namespace iotcore::broker;
using Verdict = PasswordHasher::Verdict;

namespace {

// Written by Debian's `mosquitto_passwd -c -b file user 'Abcdefghijk123!'` (2.0.11).
constexpr char MosquittoVector[] =
    "$7$101$xYEy6zL0MmiaSSp8$ppox5bh+pTdAF8cCCiTxAdr8mRKnqAgwv9lDYReZc5iQegLX8PlsF8PuaBFYPS3W/"
    "yMJsnZmD7IFTe/QFIJSyA==";
constexpr char VectorPassword[] = "Abcdefghijk123!";

QString findProgram(const QString &name)
{
    QString path = QStandardPaths::findExecutable(name);
    if (path.isEmpty())
        path = QStandardPaths::findExecutable(name, {"/usr/sbin", "/usr/local/sbin"});
    return path;
}

quint16 freePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

} // namespace

class TestPasswordHasher : public QObject
{
    Q_OBJECT

private slots:
    void format()
    {
        const std::string encoded = PasswordHasher(1000).hash("Abcdefghijk123!");
        const QStringList parts = QString::fromStdString(encoded).split('$');
        // "", "7", iterations, salt, hash
        QCOMPARE(parts.size(), 5);
        QCOMPARE(parts[1], "7");
        QCOMPARE(parts[2], "1000");
        QCOMPARE(parts[3].size(), 16); // 12 bytes
        QCOMPARE(QByteArray::fromBase64(parts[3].toLatin1()).size(), 12);
        QCOMPARE(parts[4].size(), 88); // 64 bytes, "==" padded
        QVERIFY(parts[4].endsWith("=="));
        QCOMPARE(QByteArray::fromBase64(parts[4].toLatin1()).size(), 64);
        QVERIFY(PasswordHasher::isWellFormed(encoded));
    }

    void saltsDiffer()
    {
        const PasswordHasher hasher(10);
        QVERIFY(hasher.hash("same") != hasher.hash("same"));
    }

    void verifyOwn()
    {
        const PasswordHasher hasher(1000);
        const std::string encoded = hasher.hash("Abcdefghijk123!");
        QCOMPARE(PasswordHasher::verify("Abcdefghijk123!", encoded), Verdict::Match);
        QCOMPARE(PasswordHasher::verify("Abcdefghijk123?", encoded), Verdict::Mismatch);
        QCOMPARE(PasswordHasher::verify("", encoded), Verdict::Mismatch);
    }

    void verifyMosquittoVector()
    {
        QCOMPARE(PasswordHasher::verify(VectorPassword, MosquittoVector), Verdict::Match);
        QCOMPARE(PasswordHasher::verify("abcdefghijk123!", MosquittoVector), Verdict::Mismatch);
    }

    void knownAnswer()
    {
        // The PBKDF2-HMAC-SHA512 test vector: password "password", salt "salt", 1 iteration.
        const std::string encoded = PasswordHasher::encode(
            1, "salt",
            QByteArray::fromHex("867f70cf1ade02cff3752599a3a53dc4af34c7a669815ae5d513554e1c8cf252"
                                "c02d470a285a0501bad999bfe943c08f050235d7d68b1da55e63f73b60a57fce")
                .toStdString());
        QCOMPARE(PasswordHasher::verify("password", encoded), Verdict::Match);
    }

    void malformed_data()
    {
        QTest::addColumn<QString>("encoded");
        QTest::addColumn<QString>("error");
        const QString salt = "xYEy6zL0MmiaSSp8";
        const QString hash = QString(MosquittoVector).section('$', 4);
        QTest::newRow("empty") << "" << "does not start with \"$7$\"";
        QTest::newRow("plain text") << "secret" << "does not start with \"$7$\"";
        QTest::newRow("$6$") << "$6$" + salt + "$" + hash << "$6$";
        QTest::newRow("no iterations") << "$7$$" + salt + "$" + hash << "iteration count";
        QTest::newRow("zero iterations") << "$7$0$" + salt + "$" + hash << "iteration count";
        QTest::newRow("negative") << "$7$-5$" + salt + "$" + hash << "iteration count";
        QTest::newRow("huge") << "$7$99999999999$" + salt + "$" + hash << "iteration count";
        QTest::newRow("letters") << "$7$10x$" + salt + "$" + hash << "iteration count";
        QTest::newRow("missing hash") << "$7$101$" + salt << "expected $7$iterations$salt$hash";
        QTest::newRow("extra field") << "$7$101$" + salt + "$" + hash + "$x"
                                     << "expected $7$iterations$salt$hash";
        QTest::newRow("bad salt") << "$7$101$*!$" + hash << "salt";
        QTest::newRow("empty salt") << "$7$101$$" + hash << "salt";
        QTest::newRow("short hash") << "$7$101$" + salt + "$" + hash.left(40) << "hash is not";
        QTest::newRow("hash with space") << "$7$101$" + salt + "$ " + hash << "hash is not";
    }
    void malformed()
    {
        QFETCH(QString, encoded);
        QFETCH(QString, error);
        std::string reason;
        QCOMPARE(PasswordHasher::verify("Abcdefghijk123!", encoded.toStdString(), &reason),
                 Verdict::Malformed);
        QVERIFY2(QString::fromStdString(reason).contains(error), reason.c_str());
        QVERIFY(QString::fromStdString(reason).startsWith("not a mosquitto $7$ password hash"));
    }

    void unpaddedBase64Accepted()
    {
        std::string encoded = MosquittoVector;
        encoded.resize(encoded.size() - 2);
        QCOMPARE(PasswordHasher::verify(VectorPassword, encoded), Verdict::Match);
    }

    // How long one hash takes here; the default must cost several milliseconds.
    void cost()
    {
        for (int iterations : {101, 1000, PasswordHasher::DefaultIterations, 20000, 50000}) {
            const PasswordHasher hasher(iterations);
            QElapsedTimer timer;
            timer.start();
            constexpr int Rounds = 5;
            for (int i = 0; i < Rounds; ++i)
                QVERIFY(!hasher.hash("Abcdefghijk123!").empty());
            qInfo("PBKDF2-SHA512 %6d iterations: %.2f ms per hash", iterations,
                  double(timer.nsecsElapsed()) / 1e6 / Rounds);
        }
    }

    void mosquittoPasswdHashesVerify()
    {
        const QString tool = findProgram("mosquitto_passwd");
        if (tool.isEmpty())
            QSKIP("mosquitto_passwd not found (Debian package mosquitto)");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString file = dir.filePath("passwd");
        // -I (iterations) is accepted by 2.0.11 although its usage text does not list it.
        QProcess passwd;
        passwd.start(tool, {"-c", "-b", "-I", "2000", file, "dev", VectorPassword});
        QVERIFY(passwd.waitForFinished(10000));
        QCOMPARE(passwd.exitCode(), 0);
        QFile written(file);
        QVERIFY(written.open(QIODevice::ReadOnly));
        const QByteArray line = written.readAll().trimmed();
        QVERIFY2(line.startsWith("dev:$7$2000$"), line.constData());
        const std::string encoded = line.mid(4).toStdString();
        QCOMPARE(PasswordHasher::verify(VectorPassword, encoded), Verdict::Match);
        QCOMPARE(PasswordHasher::verify("Abcdefghijk123?", encoded), Verdict::Mismatch);
    }

    // A password file we write is accepted by Debian's mosquitto itself.
    void mosquittoAcceptsOurHashes()
    {
        const QString broker = findProgram("mosquitto");
        const QString pub = findProgram("mosquitto_pub");
        if (broker.isEmpty() || pub.isEmpty())
            QSKIP("mosquitto or mosquitto_pub not found (Debian packages mosquitto, "
                  "mosquitto-clients)");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // Started as root, mosquitto drops to its own user, which must be able to read the files.
        QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner
                                                      | QFile::ExeOwner | QFile::ReadOther
                                                      | QFile::ExeOther));
        const std::string password = "Abcdefghijk123!";
        QFile passwd(dir.filePath("passwd"));
        QVERIFY(passwd.open(QIODevice::WriteOnly));
        passwd.write("are0123456789abcdefv:" + QByteArray::fromStdString(PasswordHasher().hash(password))
                     + "\n");
        passwd.close();
        QVERIFY(passwd.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther));
        const quint16 port = freePort();
        QVERIFY(port != 0);
        QFile conf(dir.filePath("mosquitto.conf"));
        QVERIFY(conf.open(QIODevice::WriteOnly));
        conf.write(QString("listener %1 127.0.0.1\nallow_anonymous false\npassword_file %2\n"
                           "log_dest stderr\nlog_type all\npersistence false\n")
                       .arg(port)
                       .arg(passwd.fileName())
                       .toUtf8());
        conf.close();

        QProcess server;
        QByteArray log;
        connect(&server, &QProcess::readyReadStandardError, this,
                [&] { log += server.readAllStandardError(); });
        server.start(broker, {"-c", conf.fileName()});
        QVERIFY(server.waitForStarted(5000));
        QTRY_VERIFY2_WITH_TIMEOUT(log.contains("running") || server.state() != QProcess::Running,
                                  log.constData(), 10000);
        QVERIFY2(server.state() == QProcess::Running, log.constData());

        const auto publish = [&](const QString &user, const QString &secret) {
            QProcess client;
            client.start(pub, {"-h", "127.0.0.1", "-p", QString::number(port), "-i", "tst",
                               "-u", user, "-P", secret, "-t", "t", "-m", "m"});
            if (!client.waitForFinished(10000))
                return -1;
            return client.exitCode();
        };
        QCOMPARE(publish("are0123456789abcdefv", QString::fromStdString(password)), 0);
        QVERIFY(publish("are0123456789abcdefv", "Abcdefghijk123?") != 0);
        QVERIFY(publish("nobody", QString::fromStdString(password)) != 0);
        server.terminate();
        QVERIFY(server.waitForFinished(5000));
        QVERIFY2(log.contains("not authorised"), log.constData());
    }

    void cacheRemembersAndForgets()
    {
        VerifiedCredentialCache cache;
        QVERIFY(!cache.lookup("dev1", "pw-one"));
        cache.remember("dev1", "pw-one", "$7$hash-a");
        QCOMPARE(cache.lookup("dev1", "pw-one").value_or(""), "$7$hash-a");
        QVERIFY(!cache.lookup("dev1", "pw-two"));
        QVERIFY(!cache.lookup("dev2", "pw-one"));
        cache.remember("dev1", "pw-two", "$7$hash-b");
        cache.remember("dev2", "pw-one", "$7$hash-c");
        QCOMPARE(cache.size(), std::size_t(3));
        cache.remember("dev1", "pw-one", "$7$hash-a2"); // same password: replaced
        QCOMPARE(cache.size(), std::size_t(3));
        QCOMPARE(cache.lookup("dev1", "pw-one").value_or(""), "$7$hash-a2");
        cache.invalidate("dev1");
        QVERIFY(!cache.lookup("dev1", "pw-one"));
        QVERIFY(!cache.lookup("dev1", "pw-two"));
        QCOMPARE(cache.lookup("dev2", "pw-one").value_or(""), "$7$hash-c");
        cache.clear();
        QCOMPARE(cache.size(), std::size_t(0));
    }

    void cacheIsBoundedPerEntity()
    {
        VerifiedCredentialCache cache;
        for (int i = 0; i < 100; ++i)
            cache.remember("dev", "pw" + std::to_string(i), "h");
        QVERIFY(cache.size() <= 10);
        QVERIFY(cache.lookup("dev", "pw99"));
    }

    void cachesAreIndependent()
    {
        VerifiedCredentialCache a, b;
        a.remember("d", "p", "h");
        QVERIFY(a.lookup("d", "p"));
        QVERIFY(!b.lookup("d", "p"));
    }
};

QTEST_GUILESS_MAIN(TestPasswordHasher)
#include "tst_passwordhasher.moc"
