#include "ConnectionBundle.h"
#include "Credentials.h"

#include <QDir>
#include <QFile>

namespace iotcore::app {

namespace {

// Certificates are used over TLS only; passwords over plain TCP when the listener exists (the
// quickest thing to try on one machine), otherwise over TLS.
struct Login {
    bool certificate = false;
    bool tls = false;
    std::uint16_t port = 0;
};

Login loginOf(const ConnectionBundle &bundle)
{
    if (bundle.certificate && bundle.mqttsPort)
        return {true, true, bundle.mqttsPort};
    if (bundle.mqttPort)
        return {false, false, bundle.mqttPort};
    return {false, true, bundle.mqttsPort};
}

std::string mosquittoOptions(const ConnectionBundle &bundle, const Login &login)
{
    std::string options = "-h " + bundle.host + " -p " + std::to_string(login.port);
    if (login.tls)
        options += " --cafile ca.pem";
    if (login.certificate)
        options += " --cert device.pem --key device.key";
    else
        options += " -u " + bundle.deviceId + " -P \"$DEVICE_PASSWORD\"";
    return options;
}

std::string scriptHeader(const ConnectionBundle &bundle, const Login &login, const char *what)
{
    std::string header = "#!/bin/sh\n# " + std::string(what) + " device \"" + bundle.deviceName
        + "\" (" + bundle.deviceId + "). Run it from anywhere: it uses the files next to it.\n"
        + "set -e\ncd \"$(dirname \"$0\")\"\n";
    if (!login.certificate)
        header += ": \"${DEVICE_PASSWORD:?set DEVICE_PASSWORD to one of the device's passwords}\"\n";
    return header;
}


constexpr QFile::Permissions Readable = QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup
    | QFile::ReadOther;
constexpr QFile::Permissions Executable = Readable | QFile::ExeOwner | QFile::ExeGroup | QFile::ExeOther;
constexpr QFile::Permissions Secret = QFile::ReadOwner | QFile::WriteOwner;

} // namespace

std::string ConnectionBundle::subscribeScript() const
{
    const Login login = loginOf(*this);
    return scriptHeader(*this, login, "Commands sent to")
        + "mosquitto_sub " + mosquittoOptions(*this, login) + " -i " + deviceId
        + "-commands -q 1 -v -t '$devices/" + deviceId + "/commands/#'\n";
}

std::string ConnectionBundle::publishScript() const
{
    const Login login = loginOf(*this);
    return scriptHeader(*this, login, "One telemetry event (the JSON argument, if any) from")
        + "if [ $# -gt 0 ]; then payload=$1; else payload='{\"temperature\": 21.5}'; fi\n"
        + "mosquitto_pub " + mosquittoOptions(*this, login) + " -i " + deviceId
        + " -q 1 -t '$devices/" + deviceId + "/events' -m \"$payload\"\n";
}

std::string ConnectionBundle::pahoScript() const
{
    const Login login = loginOf(*this);
    std::string script = "#!/usr/bin/python3\n"
        "\"\"\"Device \"" + deviceName + "\" (" + deviceId + ") with paho-mqtt 1.6 (Debian: "
        "python3-paho-mqtt):\nprints the commands it receives and publishes one event a second."
        "\"\"\"\n"
        "import json, os, pathlib, time\n"
        "import paho.mqtt.client as mqtt\n\n"
        "HERE = pathlib.Path(__file__).resolve().parent\n"
        "DEVICE_ID = \"" + deviceId + "\"\n\n"
        "client = mqtt.Client(client_id=DEVICE_ID, protocol=mqtt.MQTTv311)\n";
    if (login.tls) {
        script += "client.tls_set(ca_certs=str(HERE / \"ca.pem\")";
        if (login.certificate)
            script += ", certfile=str(HERE / \"device.pem\"), keyfile=str(HERE / \"device.key\")";
        script += ")\n";
    }
    if (!login.certificate)
        script += "client.username_pw_set(DEVICE_ID, os.environ[\"DEVICE_PASSWORD\"])\n";
    script += "client.on_connect = lambda c, userdata, flags, rc: c.subscribe(\n"
              "    f\"$devices/{DEVICE_ID}/commands/#\", qos=1)\n"
              "client.on_message = lambda c, userdata, message: print(\n"
              "    message.topic, message.payload.decode(errors=\"replace\"))\n"
              "client.connect(\"" + host + "\", " + std::to_string(login.port) + ")\n"
              "client.loop_start()\n"
              "while True:\n"
              "    event = {\"temperature\": 21.5, \"time\": time.time()}\n"
              "    client.publish(f\"$devices/{DEVICE_ID}/events\", json.dumps(event), qos=1)\n"
              "    time.sleep(1)\n";
    return script;
}

std::string ConnectionBundle::readme() const
{
    const Login login = loginOf(*this);
    std::string text = "# Connecting device \"" + deviceName + "\"\n\n"
        "| | |\n|---|---|\n"
        "| device id (MQTT username) | `" + deviceId + "` |\n"
        "| registry id | `" + registryId + "` |\n"
        "| host | `" + host + "` |\n";
    if (mqttPort)
        text += "| MQTT over TCP (password) | port " + std::to_string(mqttPort) + " |\n";
    if (mqttsPort)
        text += "| MQTT over TLS (password or certificate) | port " + std::to_string(mqttsPort)
            + ", trust `ca.pem` |\n";
    text += "\nThe device publishes to `$devices/" + deviceId + "/events` (telemetry) and `$devices/"
        + deviceId + "/state`, and receives `$devices/" + deviceId + "/commands/#` and `$devices/"
        + deviceId + "/config`.\n\n";
    if (login.certificate) {
        text += "`device.pem` and `device.key` are the device's certificate and private key, "
                "issued by the workspace's CA. The workspace keeps only the certificate: this is "
                "the only copy of the key.\n\n";
    } else {
        text += "The device logs in with one of its passwords; the workspace keeps only their "
                "hashes, so set it before running the scripts: `export DEVICE_PASSWORD='…'`.\n\n";
    }
    text += "- `subscribe.sh`: prints the commands sent to the device (mosquitto_sub).\n"
            "- `publish.sh [JSON]`: publishes one event (mosquitto_pub).\n"
            "- `device.py`: the same with paho-mqtt, one event a second.\n";
    return text;
}

std::optional<QStringList> ConnectionBundle::write(const QString &directory, QString *error) const
{
    if (!QDir().mkpath(directory)) {
        *error = QStringLiteral("cannot create %1").arg(directory);
        return std::nullopt;
    }
    const QDir dir(directory);
    struct File {
        QString name;
        std::string text;
        QFile::Permissions permissions;
    };
    std::vector<File> files = {{QStringLiteral("README.md"), readme(), Readable},
                               {QStringLiteral("subscribe.sh"), subscribeScript(), Executable},
                               {QStringLiteral("publish.sh"), publishScript(), Executable},
                               {QStringLiteral("device.py"), pahoScript(), Executable}};
    if (!caPem.empty())
        files.push_back({QStringLiteral("ca.pem"), caPem, Readable});
    if (certificate) {
        files.push_back({QStringLiteral("device.pem"), certificate->certificatePem, Readable});
        files.push_back({QStringLiteral("device.key"), certificate->privateKeyPem, Secret});
    }
    QStringList written;
    for (const File &file : files) {
        if (!writeCredentialFile(dir.filePath(file.name), file.text, file.permissions, error))
            return std::nullopt;
        written.append(file.name);
    }
    return written;
}

} // namespace iotcore::app
