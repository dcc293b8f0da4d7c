#include "ConnectionProfileForm.h"

#include "wizards/FieldMessage.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTableWidget>
#include <QVBoxLayout>

namespace iotcore::ui {

using Field = ConnectionProfile::Field;
using Transport = ConnectionProfile::Transport;

namespace {

enum FilterColumn { FilterText, FilterQos };

} // namespace

ConnectionProfileForm::ConnectionProfileForm(QWidget *parent)
    : QWidget(parent)
    , m_layout(new QFormLayout(this))
    , m_name(new QLineEdit(this))
    , m_transport(new QComboBox(this))
    , m_host(new QLineEdit(this))
    , m_port(new QSpinBox(this))
    , m_webSocketPath(new QLineEdit(this))
    , m_caRow(nullptr)
    , m_certificateRow(nullptr)
    , m_keyRow(nullptr)
    , m_caFile(fileEdit(&m_caRow))
    , m_certificateFile(fileEdit(&m_certificateRow))
    , m_keyFile(fileEdit(&m_keyRow))
    , m_username(new QLineEdit(this))
    , m_password(new QLineEdit(this))
    , m_remember(new QCheckBox(tr("Remember the password (saved unencrypted in the settings file)"), this))
    , m_clientId(new QLineEdit(this))
    , m_filters(new QTableWidget(0, 2, this))
{
    m_transport->addItem(tr("TCP (mqtt://)"), int(Transport::Tcp));
    m_transport->addItem(tr("TLS (mqtts://)"), int(Transport::Tls));
    m_transport->addItem(tr("WebSocket (ws://)"), int(Transport::WebSocket));
    m_transport->addItem(tr("Secure WebSocket (wss://)"), int(Transport::SecureWebSocket));
    m_port->setRange(0, 65535);
    m_host->setPlaceholderText(tr("broker.example.com or 192.168.1.10"));
    m_caFile->setPlaceholderText(tr("Empty: the system's CA certificates"));
    m_certificateFile->setPlaceholderText(tr("Only for client certificate logins"));
    m_keyFile->setPlaceholderText(tr("Unencrypted PEM key of the certificate"));
    m_username->setPlaceholderText(tr("Empty: anonymous"));
    m_password->setEchoMode(QLineEdit::Password);
    m_clientId->setPlaceholderText(tr("Empty: a random iotcore-… id"));

    m_filters->setHorizontalHeaderLabels({tr("Topic filter"), tr("QoS")});
    m_filters->horizontalHeader()->setSectionResizeMode(FilterText, QHeaderView::Stretch);
    m_filters->horizontalHeader()->setSectionResizeMode(FilterQos, QHeaderView::ResizeToContents);
    m_filters->verticalHeader()->hide();
    m_filters->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_filters->setMinimumHeight(120);
    auto *filterButtons = new QHBoxLayout;
    auto *add = new QPushButton(tr("Add filter"), this);
    auto *remove = new QPushButton(tr("Remove"), this);
    filterButtons->addWidget(add);
    filterButtons->addWidget(remove);
    filterButtons->addStretch();
    auto *filterBox = new QWidget(this);
    auto *filterLayout = new QVBoxLayout(filterBox);
    filterLayout->setContentsMargins(0, 0, 0, 0);
    filterLayout->addWidget(m_filters);
    filterLayout->addLayout(filterButtons);

    // Each field with the line that says what is wrong with it underneath.
    const auto row = [this](const QString &label, QWidget *field, Field which) {
        auto *box = new QWidget(this);
        auto *column = new QVBoxLayout(box);
        column->setContentsMargins(0, 0, 0, 0);
        column->setSpacing(2);
        column->addWidget(field);
        auto *message = new FieldMessage(box);
        column->addWidget(message);
        m_messages.insert(which, message);
        m_layout->addRow(label, box);
        return box;
    };
    row(tr("Name"), m_name, Field::Name);
    row(tr("Transport"), m_transport, Field::Transport);
    row(tr("Host"), m_host, Field::Host);
    row(tr("Port"), m_port, Field::Port);
    row(tr("WebSocket path"), m_webSocketPath, Field::WebSocketPath);
    row(tr("CA file"), m_caRow, Field::CaFile);
    row(tr("Client certificate"), m_certificateRow, Field::CertificateFile);
    row(tr("Client key"), m_keyRow, Field::KeyFile);
    row(tr("User name"), m_username, Field::Username);
    QWidget *passwordBox = row(tr("Password"), m_password, Field::Password);
    static_cast<QVBoxLayout *>(passwordBox->layout())->insertWidget(1, m_remember);
    row(tr("Client id"), m_clientId, Field::ClientId);
    row(tr("Subscribe to"), filterBox, Field::Filters);
    m_layout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    for (QLineEdit *edit : {m_name, m_host, m_webSocketPath, m_caFile, m_certificateFile,
                            m_keyFile, m_username, m_password, m_clientId})
        connect(edit, &QLineEdit::textChanged, this, &ConnectionProfileForm::validate);
    connect(m_port, &QSpinBox::valueChanged, this, &ConnectionProfileForm::validate);
    connect(m_remember, &QCheckBox::toggled, this, &ConnectionProfileForm::validate);
    connect(m_transport, &QComboBox::currentIndexChanged, this,
            &ConnectionProfileForm::onTransportChanged);
    connect(m_filters, &QTableWidget::itemChanged, this, &ConnectionProfileForm::validate);
    connect(add, &QPushButton::clicked, this, [this] {
        addFilter();
        m_filters->editItem(m_filters->item(m_filters->rowCount() - 1, FilterText));
    });
    connect(remove, &QPushButton::clicked, this, &ConnectionProfileForm::removeSelectedFilters);

    setProfile(ConnectionProfile());
}

// A path field with a Browse… button; `row` receives the widget holding both.
QLineEdit *ConnectionProfileForm::fileEdit(QWidget **row)
{
    *row = new QWidget(this);
    auto *layout = new QHBoxLayout(*row);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *edit = new QLineEdit(*row);
    auto *browse = new QPushButton(tr("Browse…"), *row);
    layout->addWidget(edit, 1);
    layout->addWidget(browse);
    connect(browse, &QPushButton::clicked, this, [this, edit] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Choose a PEM file"), edit->text(),
            tr("PEM files (*.pem *.crt *.key *.cer);;All files (*)"));
        if (!path.isEmpty())
            edit->setText(path);
    });
    return edit;
}

void ConnectionProfileForm::setProfile(const ConnectionProfile &profile)
{
    m_loading = true;
    m_nameProblem.clear();
    m_name->setText(profile.name);
    m_shownTransport = profile.transport;
    m_transport->setCurrentIndex(m_transport->findData(int(profile.transport)));
    m_host->setText(profile.host);
    m_port->setValue(profile.port);
    m_webSocketPath->setText(profile.webSocketPath);
    m_caFile->setText(profile.caFile);
    m_certificateFile->setText(profile.certificateFile);
    m_keyFile->setText(profile.keyFile);
    m_username->setText(profile.username);
    m_password->setText(profile.password);
    m_remember->setChecked(profile.rememberPassword);
    m_clientId->setText(profile.clientId);
    m_filters->setRowCount(0);
    for (const ProfileFilter &entry : profile.filters)
        addFilter(entry.filter, entry.qos);
    m_loading = false;
    onTransportChanged();
}

ConnectionProfile ConnectionProfileForm::profile() const
{
    ConnectionProfile profile;
    profile.name = m_name->text().trimmed();
    profile.transport = Transport(m_transport->currentData().toInt());
    profile.host = m_host->text();
    profile.port = quint16(m_port->value());
    profile.webSocketPath = m_webSocketPath->text();
    profile.caFile = m_caFile->text();
    profile.certificateFile = m_certificateFile->text();
    profile.keyFile = m_keyFile->text();
    profile.username = m_username->text();
    profile.password = m_password->text();
    profile.rememberPassword = m_remember->isChecked();
    profile.clientId = m_clientId->text();
    profile.filters.clear();
    for (int row = 0; row < m_filters->rowCount(); ++row) {
        const QTableWidgetItem *item = m_filters->item(row, FilterText);
        const auto *qos = qobject_cast<QComboBox *>(m_filters->cellWidget(row, FilterQos));
        profile.filters.append({item ? item->text() : QString(), quint8(qos->currentIndex())});
    }
    return profile;
}

void ConnectionProfileForm::setNameProblem(const QString &problem)
{
    m_nameProblem = problem;
    validate();
}

QString ConnectionProfileForm::problem(Field field) const
{
    const FieldMessage *message = m_messages.value(field);
    return message ? message->error() : QString();
}

void ConnectionProfileForm::addFilter(const QString &filter, quint8 qos)
{
    const int row = m_filters->rowCount();
    m_filters->insertRow(row);
    m_filters->setItem(row, FilterText, new QTableWidgetItem(filter));
    auto *qosBox = new QComboBox(m_filters);
    qosBox->addItems({QStringLiteral("0"), QStringLiteral("1"), QStringLiteral("2")});
    qosBox->setCurrentIndex(qMin<int>(qos, 2));
    connect(qosBox, &QComboBox::currentIndexChanged, this, &ConnectionProfileForm::validate);
    m_filters->setCellWidget(row, FilterQos, qosBox);
    validate();
}

void ConnectionProfileForm::removeSelectedFilters()
{
    QList<int> rows;
    for (const QModelIndex &index : m_filters->selectionModel()->selectedRows())
        rows.append(index.row());
    std::sort(rows.begin(), rows.end(), std::greater<>());
    for (int row : rows)
        m_filters->removeRow(row);
    validate();
}

void ConnectionProfileForm::onTransportChanged()
{
    const auto transport = Transport(m_transport->currentData().toInt());
    // A port left at the old transport's default follows the new one.
    if (!m_loading && m_port->value() == ConnectionProfile::defaultPort(m_shownTransport))
        m_port->setValue(ConnectionProfile::defaultPort(transport));
    m_shownTransport = transport;
    const bool encrypted = ConnectionProfile::isEncrypted(transport);
    const bool webSocket = transport == Transport::WebSocket || transport == Transport::SecureWebSocket;
    m_layout->setRowVisible(m_messages.value(Field::WebSocketPath)->parentWidget(), webSocket);
    for (Field field : {Field::CaFile, Field::CertificateFile, Field::KeyFile})
        m_layout->setRowVisible(m_messages.value(field)->parentWidget(), encrypted);
    validate();
}

void ConnectionProfileForm::validate()
{
    if (m_loading)
        return;
    QHash<Field, QStringList> problems;
    for (const ConnectionProfile::Problem &problem : profile().validate())
        problems[problem.field].append(problem.message);
    if (!m_nameProblem.isEmpty())
        problems[Field::Name].append(m_nameProblem);
    for (auto it = m_messages.cbegin(); it != m_messages.cend(); ++it)
        it.value()->setError(problems.value(it.key()).join(QLatin1Char('\n')));
    if (m_password->text().isEmpty() || m_remember->isChecked())
        m_messages.value(Field::Password)->setHint({});
    else
        m_messages.value(Field::Password)->setHint(tr("Not saved: type it again after a restart."));
    m_valid = problems.isEmpty();
    emit changed();
}

} // namespace iotcore::ui
