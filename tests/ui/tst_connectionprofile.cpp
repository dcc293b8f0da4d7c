// ConnectionProfile: every field checked with a message naming it, the URL and endpoint, the
// transport made from TLS files, and the round trip through QSettings ("console/profiles")
// where a password is written only when the user asked for it to be remembered.

#include "external/ConnectionProfile.h"
#include "external/ProfileSettings.h"

#include <QFile>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

using namespace iotcore::ui;
using Field = ConnectionProfile::Field;
using Transport = ConnectionProfile::Transport;

Q_DECLARE_METATYPE(ConnectionProfile)

namespace {

ConnectionProfile validProfile()
{
    ConnectionProfile profile;
    profile.name = QStringLiteral("Plant mosquitto");
    profile.host = QStringLiteral("broker.example.com");
    profile.filters = {{QStringLiteral("plant/+/telemetry"), 1}, {QStringLiteral("$SYS/#"), 0}};
    return profile;
}

} // namespace

class tst_ConnectionProfile : public QObject
{
    Q_OBJECT

private slots:
    void init() { QVERIFY(m_dir.isValid()); }
    void aValidProfileHasNoProblem();
    void problemsNameTheirField_data();
    void problemsNameTheirField();
    void tlsFilesMustExistAndGoTogether();
    void urlAndEndpointFollowTheTransport();
    void unreadableCaFileIsReportedByTarget();
    void profilesRoundTripThroughSettings();
    void passwordIsSavedOnlyWhenRemembered();
    void savingFewerProfilesForgetsTheOthers();

private:
    QString writeFile(const QString &name, const QByteArray &content)
    {
        QFile file(m_dir.filePath(name));
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write(content);
        return file.fileName();
    }

    QTemporaryDir m_dir;
};

void tst_ConnectionProfile::aValidProfileHasNoProblem()
{
    QVERIFY(validProfile().validate().isEmpty());
    ConnectionProfile ipv6 = validProfile();
    ipv6.host = QStringLiteral("::1");
    QVERIFY(ipv6.validate().isEmpty());
}

void tst_ConnectionProfile::problemsNameTheirField_data()
{
    QTest::addColumn<ConnectionProfile>("profile");
    QTest::addColumn<Field>("field");
    QTest::addColumn<QString>("saying");

    ConnectionProfile p = validProfile();
    p.name = QStringLiteral("  ");
    QTest::newRow("no name") << p << Field::Name << QStringLiteral("name");
    p = validProfile();
    p.host.clear();
    QTest::newRow("no host") << p << Field::Host << QStringLiteral("must not be empty");
    p.host = QStringLiteral("mqtt://broker.example.com");
    QTest::newRow("host with scheme") << p << Field::Host << QStringLiteral("host alone");
    p.host = QStringLiteral("bad host");
    QTest::newRow("host with space") << p << Field::Host << QStringLiteral("not a host name");
    p = validProfile();
    p.port = 0;
    QTest::newRow("port 0") << p << Field::Port << QStringLiteral("between 1 and 65535");
    p = validProfile();
    p.transport = Transport::WebSocket;
    p.webSocketPath = QStringLiteral("mqtt");
    QTest::newRow("ws path") << p << Field::WebSocketPath << QStringLiteral("start with \"/\"");
    p = validProfile();
    p.caFile = QStringLiteral("/etc/hostname");
    QTest::newRow("CA over plain TCP") << p << Field::CaFile << QStringLiteral("only used over TLS");
    p = validProfile();
    p.password = QStringLiteral("secret");
    QTest::newRow("password alone") << p << Field::Password << QStringLiteral("MQTT-3.1.2-22");
    p = validProfile();
    p.clientId = QString::fromUtf16(u"bad\u0000id", 6);
    QTest::newRow("client id with NUL") << p << Field::ClientId << QStringLiteral("client id");
    p = validProfile();
    p.filters.clear();
    QTest::newRow("no filter") << p << Field::Filters << QStringLiteral("at least one");
    p.filters = {{QStringLiteral("plant/#/x"), 0}};
    QTest::newRow("bad filter") << p << Field::Filters << QStringLiteral("\"plant/#/x\"");
    p.filters = {{QStringLiteral("a/+"), 0}, {QStringLiteral("a/+"), 1}};
    QTest::newRow("twice") << p << Field::Filters << QStringLiteral("listed twice");
    p.filters = {{QStringLiteral("a"), 3}};
    QTest::newRow("qos 3") << p << Field::Filters << QStringLiteral("0, 1 or 2");
}

void tst_ConnectionProfile::problemsNameTheirField()
{
    QFETCH(ConnectionProfile, profile);
    QFETCH(Field, field);
    QFETCH(QString, saying);
    const QList<ConnectionProfile::Problem> problems = profile.validate();
    QCOMPARE(problems.size(), 1);
    QCOMPARE(problems.first().field, field);
    QVERIFY2(problems.first().message.contains(saying, Qt::CaseInsensitive),
             qPrintable(problems.first().message));
}

void tst_ConnectionProfile::tlsFilesMustExistAndGoTogether()
{
    ConnectionProfile profile = validProfile();
    profile.transport = Transport::Tls;
    profile.caFile = m_dir.filePath(QStringLiteral("missing-ca.pem"));
    profile.certificateFile = writeFile(QStringLiteral("client.pem"), "not checked here");
    QList<ConnectionProfile::Problem> problems = profile.validate();
    QCOMPARE(problems.size(), 2);
    QCOMPARE(problems.at(0).field, Field::CaFile);
    QVERIFY(problems.at(0).message.contains(QStringLiteral("missing-ca.pem\" does not exist")));
    QCOMPARE(problems.at(1).field, Field::KeyFile);
    QVERIFY(problems.at(1).message.contains(QStringLiteral("give both or neither")));
}

void tst_ConnectionProfile::urlAndEndpointFollowTheTransport()
{
    ConnectionProfile profile = validProfile();
    profile.port = 1884;
    QCOMPARE(profile.url(), QStringLiteral("mqtt://broker.example.com:1884"));
    QCOMPARE(profile.endpoint(), QStringLiteral("broker.example.com:1884"));
    profile.transport = Transport::SecureWebSocket;
    profile.port = 443;
    profile.username = QStringLiteral("operator");
    QCOMPARE(profile.url(), QStringLiteral("wss://broker.example.com:443/mqtt"));
    QCOMPARE(profile.endpoint(), QStringLiteral("broker.example.com:443 as operator"));
    profile.transport = Transport::Tls;
    profile.host = QStringLiteral("::1");
    profile.port = 8883;
    QCOMPARE(profile.url(), QStringLiteral("mqtts://[::1]:8883"));
    QCOMPARE(ConnectionProfile::defaultPort(Transport::Tls), quint16(8883));
    QCOMPARE(ConnectionProfile::defaultPort(Transport::WebSocket), quint16(80));
}

void tst_ConnectionProfile::unreadableCaFileIsReportedByTarget()
{
    ConnectionProfile profile = validProfile();
    QString error;
    QVERIFY2(profile.target(&error), qPrintable(error));

    profile.transport = Transport::Tls;
    profile.caFile = writeFile(QStringLiteral("garbage-ca.pem"), "this is no certificate\n");
    QVERIFY(profile.validate().isEmpty()); // it exists: its content is the transport's business
    QVERIFY(!profile.target(&error));
    QVERIFY2(error.contains(QStringLiteral("garbage-ca.pem")), qPrintable(error));
}

void tst_ConnectionProfile::profilesRoundTripThroughSettings()
{
    ConnectionProfile plain = validProfile();
    ConnectionProfile secure = validProfile();
    secure.name = QStringLiteral("Cloud");
    secure.transport = Transport::SecureWebSocket;
    secure.port = 8443;
    secure.webSocketPath = QStringLiteral("/ws");
    secure.caFile = QStringLiteral("/etc/ssl/ca.pem");
    secure.certificateFile = QStringLiteral("/home/me/device.pem");
    secure.keyFile = QStringLiteral("/home/me/device.key");
    secure.username = QStringLiteral("are1registry");
    secure.password = QStringLiteral("Passw0rd-long-enough");
    secure.rememberPassword = true;
    secure.clientId = QStringLiteral("console-1");
    secure.filters = {{QStringLiteral("$devices/+/events/#"), 2}};

    const QString path = m_dir.filePath(QStringLiteral("roundtrip.ini"));
    {
        QSettings settings(path, QSettings::IniFormat);
        saveProfiles(settings, {plain, secure});
    }
    QSettings settings(path, QSettings::IniFormat);
    const QList<ConnectionProfile> loaded = loadProfiles(settings);
    QCOMPARE(loaded.size(), 2);
    QCOMPARE(loaded.at(0), plain);
    QCOMPARE(loaded.at(1), secure);
}

void tst_ConnectionProfile::passwordIsSavedOnlyWhenRemembered()
{
    ConnectionProfile profile = validProfile();
    profile.username = QStringLiteral("operator");
    profile.password = QStringLiteral("Forget-me-8472");
    const QString path = m_dir.filePath(QStringLiteral("password.ini"));
    {
        QSettings settings(path, QSettings::IniFormat);
        saveProfiles(settings, {profile});
    }
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().contains("Forget-me-8472"));
    QSettings settings(path, QSettings::IniFormat);
    const QList<ConnectionProfile> loaded = loadProfiles(settings);
    QCOMPARE(loaded.size(), 1);
    QVERIFY(loaded.first().password.isEmpty());
    QCOMPARE(loaded.first().username, profile.username);
}

void tst_ConnectionProfile::savingFewerProfilesForgetsTheOthers()
{
    ConnectionProfile first = validProfile();
    ConnectionProfile second = validProfile();
    second.name = QStringLiteral("Second");
    second.username = QStringLiteral("u");
    second.password = QStringLiteral("Remembered-1234");
    second.rememberPassword = true;
    const QString path = m_dir.filePath(QStringLiteral("fewer.ini"));
    {
        QSettings settings(path, QSettings::IniFormat);
        saveProfiles(settings, {first, second});
        saveProfiles(settings, {first});
    }
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(!file.readAll().contains("Remembered-1234"));
    QSettings settings(path, QSettings::IniFormat);
    QCOMPARE(loadProfiles(settings), QList<ConnectionProfile>{first});
}

QTEST_GUILESS_MAIN(tst_ConnectionProfile)
#include "tst_connectionprofile.moc"
