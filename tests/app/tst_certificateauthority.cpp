// The workspace CA checked by OpenSSL itself: issued certificates verify against the CA for the
// purpose they were made for (X509_verify_cert with an X509_STORE), carry their subjectAltName
// and extended key usage, last as long as promised, and have the fingerprint that the openssl
// command line prints.

#include "pki/CertificateAuthority.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest/QTest>

#include <memory>

using namespace iotcore::app;

Q_DECLARE_METATYPE(iotcore::app::KeyAlgorithm)

namespace {

struct X509Free {
    void operator()(X509 *certificate) const { X509_free(certificate); }
};
struct KeyFree {
    void operator()(EVP_PKEY *key) const { EVP_PKEY_free(key); }
};
using CertificatePtr = std::unique_ptr<X509, X509Free>;
using KeyPtr = std::unique_ptr<EVP_PKEY, KeyFree>;

CertificatePtr certificate(const std::string &pem)
{
    BIO *bio = BIO_new_mem_buf(pem.data(), int(pem.size()));
    CertificatePtr parsed(PEM_read_bio_X509(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    return parsed;
}

KeyPtr privateKey(const std::string &pem)
{
    BIO *bio = BIO_new_mem_buf(pem.data(), int(pem.size()));
    KeyPtr parsed(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
    BIO_free(bio);
    return parsed;
}

// X509_verify_cert against `trusted` for `purpose`; the OpenSSL error text, empty on success.
std::string verify(X509 *leaf, X509 *trusted, int purpose)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_add_cert(store, trusted);
    X509_STORE_CTX *context = X509_STORE_CTX_new();
    X509_STORE_CTX_init(context, store, leaf, nullptr);
    X509_STORE_CTX_set_purpose(context, purpose);
    const bool ok = X509_verify_cert(context) == 1;
    std::string error = ok ? std::string()
                           : X509_verify_cert_error_string(X509_STORE_CTX_get_error(context));
    X509_STORE_CTX_free(context);
    X509_STORE_free(store);
    return error;
}

std::string commonName(X509 *cert)
{
    char name[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, name, sizeof name);
    return name;
}

int validityDays(X509 *cert)
{
    int days = 0;
    int seconds = 0;
    ASN1_TIME_diff(&days, &seconds, X509_get0_notBefore(cert), X509_get0_notAfter(cert));
    return days;
}

QStringList alternativeNames(X509 *cert)
{
    QStringList names;
    auto *general = static_cast<GENERAL_NAMES *>(
        X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    for (int i = 0; i < sk_GENERAL_NAME_num(general); ++i) {
        const GENERAL_NAME *name = sk_GENERAL_NAME_value(general, i);
        if (name->type == GEN_DNS) {
            names << "DNS:"
                         + QString::fromLatin1(reinterpret_cast<const char *>(
                                                   ASN1_STRING_get0_data(name->d.dNSName)),
                                               ASN1_STRING_length(name->d.dNSName));
        } else if (name->type == GEN_IPADD) {
            const QByteArray raw(reinterpret_cast<const char *>(
                                     ASN1_STRING_get0_data(name->d.iPAddress)),
                                 ASN1_STRING_length(name->d.iPAddress));
            names << "IP:" + QString::fromLatin1(raw.toHex());
        }
    }
    GENERAL_NAMES_free(general);
    return names;
}

int baseKeyId(KeyAlgorithm algorithm)
{
    return algorithm == KeyAlgorithm::Rsa2048 ? EVP_PKEY_RSA : EVP_PKEY_EC;
}

} // namespace

class TestCertificateAuthority : public QObject
{
    Q_OBJECT

private slots:
    void createsAuthority_data();
    void createsAuthority();
    void issuesServerCertificate_data();
    void issuesServerCertificate();
    void issuesClientCertificate_data();
    void issuesClientCertificate();
    void selfSignedClientCertificate_data();
    void selfSignedClientCertificate();
    void serialsDiffer();
    void loadsAuthorityKeptEarlier();
    void loadRefuses_data();
    void loadRefuses();
    void refusesBadInput_data();
    void refusesBadInput();
    void fingerprintMatchesOpensslCommandLine_data();
    void fingerprintMatchesOpensslCommandLine();
    void fingerprintOfGarbageIsAnError();
};

static void addAlgorithms()
{
    QTest::addColumn<KeyAlgorithm>("algorithm");
    QTest::newRow("EC P-256") << KeyAlgorithm::EcP256;
    QTest::newRow("RSA 2048") << KeyAlgorithm::Rsa2048;
}

void TestCertificateAuthority::createsAuthority_data()
{
    addAlgorithms();
}

void TestCertificateAuthority::createsAuthority()
{
    QFETCH(KeyAlgorithm, algorithm);
    std::string error;
    const auto ca = CertificateAuthority::create(algorithm, &error);
    QVERIFY2(ca, error.c_str());
    QCOMPARE(ca->keyAlgorithm(), algorithm);
    QVERIFY(ca->privateKeyPem().rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0); // PKCS#8

    const CertificatePtr cert = certificate(ca->certificatePem());
    const KeyPtr key = privateKey(ca->privateKeyPem());
    QVERIFY(cert && key);
    QCOMPARE(EVP_PKEY_get_base_id(key.get()), baseKeyId(algorithm));
    QCOMPARE(X509_check_private_key(cert.get(), key.get()), 1);
    QCOMPARE(commonName(cert.get()), std::string("IoT Core Studio local CA"));
    QVERIFY(X509_check_ca(cert.get()) > 0);
    QCOMPARE(X509_verify(cert.get(), key.get()), 1); // self-signed
    QCOMPARE(verify(cert.get(), cert.get(), X509_PURPOSE_ANY), std::string());
    QCOMPARE(validityDays(cert.get()), CertificateAuthority::CaValidityDays);
    QVERIFY(X509_get_key_usage(cert.get()) & KU_KEY_CERT_SIGN);
}

void TestCertificateAuthority::issuesServerCertificate_data()
{
    addAlgorithms();
}

void TestCertificateAuthority::issuesServerCertificate()
{
    QFETCH(KeyAlgorithm, algorithm);
    std::string error;
    const auto ca = CertificateAuthority::create(algorithm, &error);
    QVERIFY2(ca, error.c_str());
    const auto server = ca->issueServerCertificate(
        {"localhost", "127.0.0.1", "::1", "[fe80::1]", "broker.example", "*.iot.local"}, &error);
    QVERIFY2(server, error.c_str());

    const CertificatePtr caCert = certificate(ca->certificatePem());
    const CertificatePtr cert = certificate(server->certificatePem);
    const KeyPtr key = privateKey(server->privateKeyPem);
    QVERIFY(cert && key);
    QCOMPARE(EVP_PKEY_get_base_id(key.get()), baseKeyId(algorithm));
    QCOMPARE(X509_check_private_key(cert.get(), key.get()), 1);
    QCOMPARE(verify(cert.get(), caCert.get(), X509_PURPOSE_SSL_SERVER), std::string());
    QVERIFY(!verify(cert.get(), caCert.get(), X509_PURPOSE_SSL_CLIENT).empty());
    QCOMPARE(commonName(cert.get()), std::string("localhost"));
    QCOMPARE(alternativeNames(cert.get()),
             (QStringList{"DNS:localhost", "IP:7f000001", "IP:00000000000000000000000000000001",
                          "IP:fe800000000000000000000000000001", "DNS:broker.example",
                          "DNS:*.iot.local"}));
    QCOMPARE(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
    QCOMPARE(X509_check_host(cert.get(), "device.iot.local", 0, 0, nullptr), 1);
    QCOMPARE(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
    QCOMPARE(X509_check_ip_asc(cert.get(), "::1", 0), 1);
    QVERIFY(X509_get_extended_key_usage(cert.get()) & XKU_SSL_SERVER);
    QVERIFY(!(X509_get_extended_key_usage(cert.get()) & XKU_SSL_CLIENT));
    QCOMPARE(X509_check_ca(cert.get()), 0);
    QCOMPARE(validityDays(cert.get()), CertificateAuthority::ServerValidityDays);
    QVERIFY(X509_cmp_current_time(X509_get0_notBefore(cert.get())) < 0); // valid already
}

void TestCertificateAuthority::issuesClientCertificate_data()
{
    addAlgorithms();
}

void TestCertificateAuthority::issuesClientCertificate()
{
    QFETCH(KeyAlgorithm, algorithm);
    std::string error;
    const auto ca = CertificateAuthority::create(algorithm, &error);
    QVERIFY2(ca, error.c_str());
    const auto client = ca->issueClientCertificate("are0123456789abcdef", &error);
    QVERIFY2(client, error.c_str());

    const CertificatePtr caCert = certificate(ca->certificatePem());
    const CertificatePtr cert = certificate(client->certificatePem);
    const KeyPtr key = privateKey(client->privateKeyPem);
    QCOMPARE(X509_check_private_key(cert.get(), key.get()), 1);
    QCOMPARE(verify(cert.get(), caCert.get(), X509_PURPOSE_SSL_CLIENT), std::string());
    QVERIFY(!verify(cert.get(), caCert.get(), X509_PURPOSE_SSL_SERVER).empty());
    QCOMPARE(commonName(cert.get()), std::string("are0123456789abcdef"));
    QVERIFY(X509_get_extended_key_usage(cert.get()) & XKU_SSL_CLIENT);
    QVERIFY(alternativeNames(cert.get()).isEmpty());
    QCOMPARE(validityDays(cert.get()), CertificateAuthority::ClientValidityDays);
}

void TestCertificateAuthority::selfSignedClientCertificate_data()
{
    addAlgorithms();
}

void TestCertificateAuthority::selfSignedClientCertificate()
{
    QFETCH(KeyAlgorithm, algorithm);
    std::string error;
    const auto client = createSelfSignedClientCertificate("my-device", algorithm, &error);
    QVERIFY2(client, error.c_str());
    const CertificatePtr cert = certificate(client->certificatePem);
    const KeyPtr key = privateKey(client->privateKeyPem);
    QVERIFY(cert && key);
    QCOMPARE(EVP_PKEY_get_base_id(key.get()), baseKeyId(algorithm));
    QCOMPARE(X509_verify(cert.get(), key.get()), 1);
    QCOMPARE(X509_NAME_cmp(X509_get_subject_name(cert.get()), X509_get_issuer_name(cert.get())),
             0);
    QCOMPARE(commonName(cert.get()), std::string("my-device"));
    QCOMPARE(X509_check_ca(cert.get()), 0);
    QVERIFY(X509_get_extended_key_usage(cert.get()) & XKU_SSL_CLIENT);
    // Trusted as itself, as a broker that registered it would.
    QCOMPARE(verify(cert.get(), cert.get(), X509_PURPOSE_SSL_CLIENT), std::string());
}

void TestCertificateAuthority::serialsDiffer()
{
    std::string error;
    const auto ca = CertificateAuthority::create(KeyAlgorithm::EcP256, &error);
    QVERIFY2(ca, error.c_str());
    const auto a = ca->issueClientCertificate("a", &error);
    const auto b = ca->issueClientCertificate("a", &error);
    QVERIFY(a && b);
    const CertificatePtr first = certificate(a->certificatePem);
    const CertificatePtr second = certificate(b->certificatePem);
    QVERIFY(ASN1_INTEGER_cmp(X509_get0_serialNumber(first.get()),
                             X509_get0_serialNumber(second.get()))
            != 0);
    QVERIFY(a->privateKeyPem != b->privateKeyPem);
}

void TestCertificateAuthority::loadsAuthorityKeptEarlier()
{
    std::string error;
    const auto created = CertificateAuthority::create(KeyAlgorithm::Rsa2048, &error);
    QVERIFY2(created, error.c_str());
    const auto loaded = CertificateAuthority::load(created->certificatePem(),
                                                   created->privateKeyPem(), &error);
    QVERIFY2(loaded, error.c_str());
    QCOMPARE(loaded->keyAlgorithm(), KeyAlgorithm::Rsa2048);
    QCOMPARE(loaded->certificatePem(), created->certificatePem());

    const auto server = loaded->issueServerCertificate({"localhost"}, &error);
    QVERIFY2(server, error.c_str());
    const CertificatePtr caCert = certificate(created->certificatePem());
    const CertificatePtr cert = certificate(server->certificatePem);
    QCOMPARE(verify(cert.get(), caCert.get(), X509_PURPOSE_SSL_SERVER), std::string());
}

void TestCertificateAuthority::loadRefuses_data()
{
    std::string error;
    const auto ca = CertificateAuthority::create(KeyAlgorithm::EcP256, &error);
    const auto other = CertificateAuthority::create(KeyAlgorithm::EcP256, &error);
    const auto leaf = ca->issueClientCertificate("leaf", &error);
    QVERIFY2(ca && other && leaf, error.c_str());

    QTest::addColumn<QByteArray>("certificatePem");
    QTest::addColumn<QByteArray>("privateKeyPem");
    QTest::addColumn<QString>("expected");
    QTest::newRow("not PEM") << QByteArray("junk") << QByteArray::fromStdString(ca->privateKeyPem())
                             << "cannot read the CA certificate: ";
    QTest::newRow("no key") << QByteArray::fromStdString(ca->certificatePem()) << QByteArray()
                            << "cannot read the CA private key: ";
    QTest::newRow("another CA's key") << QByteArray::fromStdString(ca->certificatePem())
                                      << QByteArray::fromStdString(other->privateKeyPem())
                                      << "the CA private key does not match its certificate";
    QTest::newRow("not a CA") << QByteArray::fromStdString(leaf->certificatePem)
                              << QByteArray::fromStdString(leaf->privateKeyPem)
                              << "the certificate is not a CA certificate";
}

void TestCertificateAuthority::loadRefuses()
{
    QFETCH(QByteArray, certificatePem);
    QFETCH(QByteArray, privateKeyPem);
    QFETCH(QString, expected);
    std::string error;
    QVERIFY(!CertificateAuthority::load(certificatePem.toStdString(), privateKeyPem.toStdString(),
                                        &error));
    QVERIFY2(error.rfind(expected.toStdString(), 0) == 0, error.c_str());
    QVERIFY(error.find('\n') == std::string::npos);
}

void TestCertificateAuthority::refusesBadInput_data()
{
    QTest::addColumn<bool>("server");
    QTest::addColumn<QStringList>("hosts");      // server certificates
    QTest::addColumn<QString>("commonName");     // client certificates, signed and self-signed
    QTest::addColumn<QString>("expected");
    QTest::newRow("no hosts") << true << QStringList{} << "" << "at least one host name";
    QTest::newRow("space in host") << true << QStringList{"local host"} << ""
                                   << "not a host name or IP address: \"local host\"";
    QTest::newRow("comma in host") << true << QStringList{"a,DNS:evil"} << ""
                                   << "not a host name or IP address";
    QTest::newRow("empty host") << true << QStringList{""} << "" << "not a host name";
    QTest::newRow("empty common name") << false << QStringList{} << ""
                                       << "a common name has 1 to 64";
    QTest::newRow("long common name") << false << QStringList{} << QString(65, 'c')
                                      << "a common name has 1 to 64";
}

void TestCertificateAuthority::refusesBadInput()
{
    QFETCH(bool, server);
    QFETCH(QStringList, hosts);
    QFETCH(QString, commonName);
    QFETCH(QString, expected);
    std::string error;
    const auto ca = CertificateAuthority::create(KeyAlgorithm::EcP256, &error);
    QVERIFY2(ca, error.c_str());
    if (server) {
        std::vector<std::string> names;
        for (const QString &host : hosts)
            names.push_back(host.toStdString());
        QVERIFY(!ca->issueServerCertificate(names, &error));
    } else {
        QVERIFY(!ca->issueClientCertificate(commonName.toStdString(), &error));
        std::string selfSignedError;
        QVERIFY(!createSelfSignedClientCertificate(commonName.toStdString(),
                                                   KeyAlgorithm::EcP256, &selfSignedError));
        QCOMPARE(selfSignedError, error);
    }
    QVERIFY2(QString::fromStdString(error).contains(expected), error.c_str());
}

void TestCertificateAuthority::fingerprintMatchesOpensslCommandLine_data()
{
    addAlgorithms();
}

// `openssl x509 -fingerprint -sha1` prints "sha1 Fingerprint=AB:CD:…"; IoT Core writes the same
// bytes as "abcd…".
void TestCertificateAuthority::fingerprintMatchesOpensslCommandLine()
{
    QFETCH(KeyAlgorithm, algorithm);
    const QString openssl = QStandardPaths::findExecutable("openssl");
    if (openssl.isEmpty())
        QSKIP("the openssl command is not installed");
    std::string error;
    const auto client = createSelfSignedClientCertificate("fingerprinted", algorithm, &error);
    QVERIFY2(client, error.c_str());
    const std::string fingerprint = certificateFingerprint(client->certificatePem, &error);
    QCOMPARE(fingerprint.size(), std::size_t(40));

    QTemporaryDir dir;
    QFile file(dir.filePath("cert.pem"));
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(QByteArray::fromStdString(client->certificatePem));
    file.close();
    QProcess process;
    process.start(openssl, {"x509", "-noout", "-fingerprint", "-sha1", "-in", file.fileName()});
    QVERIFY(process.waitForFinished(30000));
    QCOMPARE(process.exitCode(), 0);
    QString printed = QString::fromLatin1(process.readAllStandardOutput()).trimmed();
    // OpenSSL 3.0 prints "sha1 Fingerprint=", 1.1 and 3.2 "SHA1 Fingerprint=".
    QVERIFY2(printed.startsWith("SHA1 Fingerprint=", Qt::CaseInsensitive), qPrintable(printed));
    printed = printed.mid(printed.indexOf('=') + 1).remove(':').toLower();
    QCOMPARE(QString::fromStdString(fingerprint), printed);
}

void TestCertificateAuthority::fingerprintOfGarbageIsAnError()
{
    std::string error;
    QVERIFY(certificateFingerprint("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                                   &error)
                .empty());
    QVERIFY(!error.empty());
    QVERIFY(error.find('\n') == std::string::npos);
}

QTEST_GUILESS_MAIN(TestCertificateAuthority)
#include "tst_certificateauthority.moc"
