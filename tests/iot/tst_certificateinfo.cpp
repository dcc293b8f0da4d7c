// Certificates as users register them: made here with the openssl command line.

#include "iot/CertificateInfo.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace iotcore::broker;

class TestCertificateInfo : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_openssl;

    bool openssl(const QStringList &arguments, QByteArray *output = nullptr)
    {
        QProcess process;
        process.setWorkingDirectory(m_dir.path());
        process.start(m_openssl, arguments);
        if (!process.waitForFinished(30000) || process.exitCode() != 0) {
            qWarning() << "openssl" << arguments << process.readAllStandardError();
            return false;
        }
        if (output)
            *output = process.readAllStandardOutput();
        return true;
    }

    QByteArray read(const QString &name)
    {
        QFile file(m_dir.filePath(name));
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    std::string expectedFingerprint(const QString &pemFile)
    {
        QByteArray output;
        if (!openssl({"x509", "-in", pemFile, "-noout", "-fingerprint", "-sha1"}, &output))
            return {};
        // "SHA1 Fingerprint=AB:CD:..."
        return output.mid(output.indexOf('=') + 1).trimmed().replace(":", "").toLower().toStdString();
    }

private slots:
    void initTestCase()
    {
        m_openssl = QStandardPaths::findExecutable("openssl");
        if (m_openssl.isEmpty())
            QSKIP("the openssl command line tool is not installed");
        QVERIFY(m_dir.isValid());
        // A self-signed device certificate, the service's usual form, and an EC one.
        QVERIFY(openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "rsa.key",
                         "-out", "rsa.pem", "-days", "365", "-subj", "/CN=device-1"}));
        QVERIFY(openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                         "-nodes", "-keyout", "ec.key", "-out", "ec.pem", "-days", "30", "-subj",
                         "/CN=device-2/O=Example"}));
        QVERIFY(openssl({"x509", "-in", "rsa.pem", "-outform", "DER", "-out", "rsa.der"}));
    }

    void pem()
    {
        std::string error;
        const auto info = parseCertificate(read("rsa.pem").toStdString(), &error);
        QVERIFY2(info, error.c_str());
        QCOMPARE(info->fingerprint, expectedFingerprint("rsa.pem"));
        QCOMPARE(info->fingerprint.size(), std::size_t(40));
        QCOMPARE(QString::fromStdString(info->subject), "CN=device-1");
        QVERIFY(info->pem.starts_with("-----BEGIN CERTIFICATE-----\n"));
        QVERIFY(info->notAfter > info->notBefore);
        const auto days = std::chrono::duration_cast<std::chrono::hours>(info->notAfter - info->notBefore).count() / 24;
        QCOMPARE(days, 365);
    }

    void ecAndNormalizedText()
    {
        // CRLF line ends, leading text and blank lines are what users paste; the result is
        // the normalized PEM with the same fingerprint.
        QByteArray messy = "Certificate for device 2\r\n\r\n" + read("ec.pem").replace("\n", "\r\n");
        std::string error;
        const auto info = parseCertificate(messy.toStdString(), &error);
        QVERIFY2(info, error.c_str());
        QCOMPARE(info->fingerprint, expectedFingerprint("ec.pem"));
        QCOMPARE(QByteArray::fromStdString(info->pem), read("ec.pem"));
        QCOMPARE(QString::fromStdString(info->subject), "O=Example,CN=device-2");
    }

    void der()
    {
        std::string error;
        const auto info = parseCertificate(read("rsa.der").toStdString(), &error);
        QVERIFY2(info, error.c_str());
        QCOMPARE(info->fingerprint, expectedFingerprint("rsa.pem"));
        QCOMPARE(QByteArray::fromStdString(info->pem), read("rsa.pem"));
    }

    void refused_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("error");
        const QByteArray pem = read("rsa.pem");
        const QByteArray key = read("rsa.key");
        QTest::newRow("empty") << QByteArray() << "not a PEM certificate: no \"-----BEGIN CERTIFICATE-----\" line";
        QTest::newRow("garbage") << QByteArray("hello world") << "not a PEM certificate";
        QTest::newRow("key only") << key << "contains a private key";
        QTest::newRow("cert and key") << pem + key << "contains a private key";
        QTest::newRow("key and cert") << key + pem << "contains a private key";
        QTest::newRow("two certificates") << pem + read("ec.pem") << "more than one certificate";
        QTest::newRow("public key") << QByteArray("-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n")
                                    << "no \"-----BEGIN CERTIFICATE-----\" block";
        QByteArray broken = pem;
        broken[broken.size() / 2] = '*';
        QTest::newRow("corrupt body") << broken << "not a PEM certificate: ";
        QTest::newRow("truncated") << pem.left(pem.size() - 40) << "not a PEM certificate: ";
        QTest::newRow("truncated der") << read("rsa.der").left(200) << "not a PEM or DER certificate";
        QTest::newRow("der with tail") << read("rsa.der") + "xx" << "extra bytes";
    }
    void refused()
    {
        QFETCH(QByteArray, data);
        QFETCH(QString, error);
        std::string reason;
        QVERIFY(!parseCertificate(data.toStdString(), &reason));
        QVERIFY2(QString::fromStdString(reason).contains(error), reason.c_str());
        QVERIFY(reason.find('\n') == std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestCertificateInfo)
#include "tst_certificateinfo.moc"
