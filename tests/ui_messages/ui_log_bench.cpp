// The message log's figures (issue 6, "How it is proven"), printed:
//   1. memory: 1,000,000 messages (QoS 1, one receiver, acknowledged) appended to a MessageStore
//      with the log and topic models attached; RSS before and after;
//   2. filters over those 1,000,000 records: the scan alone, and the model's sliced filter from
//      setFilter() to the swap, with the event loop running;
//   3. live: a real BrokerServer (open listener on a free port) routes `--rate` messages/s from
//      libmosquitto publishers on threads of their own to one subscriber, while the log view
//      and the topic tree are shown (offscreen); a 5 ms timer probes the GUI event loop.
// With `--screenshot DIR`, instead: a little varied traffic, then PNGs of the log (a row
// selected, its detail pane) and of the topic tree (a topic selected, its diff).
//
//   ui_log_bench [--messages N] [--rate MSG_PER_S] [--seconds S] [--capacity N] [--screenshot DIR]

#include "EventBuilder.h"
#include "BrokerEventFeed.h"
#include "MessageFilter.h"
#include "MessageLogModel.h"
#include "MessageLogView.h"
#include "MessageStore.h"
#include "TopicTreeModel.h"
#include "TopicTreeView.h"

#include "net/BrokerServer.h"
#include "observe/Log.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSplitter>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QTreeView>

#include <mosquitto.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <unistd.h>

using namespace iotcore;
using namespace iotcore::ui;
using namespace iotcore::ui::test;
using Kind = BrokerEvent::Kind;

namespace {

double rssMiB()
{
    long pages = 0;
    long resident = 0;
    if (FILE *statm = std::fopen("/proc/self/statm", "r")) {
        if (std::fscanf(statm, "%ld %ld", &pages, &resident) != 2)
            resident = 0;
        std::fclose(statm);
    }
    return double(resident) * double(sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
}

std::string telemetry(std::uint64_t n)
{
    return "{\"t\":" + std::to_string(18 + n % 70 / 10.0).substr(0, 5) + ",\"h\":" + std::to_string(30 + n % 40)
        + ",\"ts\":" + std::to_string(T0 + std::int64_t(n)) + ",\"seq\":" + std::to_string(n) + "}";
}

// --- 1 and 2: memory and filters -------------------------------------------------------------

void appendMillion(MessageStore &store, std::uint64_t count)
{
    const double before = rssMiB();
    QElapsedTimer timer;
    timer.start();
    constexpr std::uint64_t Batch = 2000; // about what one 40 ms drain carries at 50,000 msg/s
    std::vector<BrokerEvent> events;
    for (std::uint64_t first = 0; first < count; first += Batch) {
        events.clear();
        for (std::uint64_t n = first; n < std::min(count, first + Batch); ++n) {
            const std::string device = "dev-" + std::to_string(n % 1000);
            const MessagePtr msg = message(n + 1, "fleet/" + device + "/telemetry", telemetry(n), 1);
            const std::int64_t time = T0 + std::int64_t(n / 50);
            events.push_back(published(msg, device, time));
            events.push_back(delivery(Kind::Deliver, msg, "dashboard", 1, std::uint16_t(n % 65535 + 1), time));
            events.push_back(acked(msg, "dashboard", std::uint16_t(n % 65535 + 1), "PUBACK", time + 1));
        }
        store.ingest(events);
    }
    events = {};
    const double after = rssMiB();
    std::printf("append: %llu messages (3 events each) in %lld ms\n",
                static_cast<unsigned long long>(store.size()), static_cast<long long>(timer.elapsed()));
    std::printf("memory: RSS %.0f MiB -> %.0f MiB, delta %.0f MiB (%.0f bytes/message); "
                "store's own estimate %.0f MiB\n",
                before, after, after - before, (after - before) * 1048576.0 / double(store.size()),
                double(store.memoryUsed()) / 1048576.0);
}

void timeFilters(MessageStore &store, MessageLogModel &model)
{
    const struct {
        const char *what;
        MessageFilterCriteria criteria;
    } cases[] = {
        {"topic fleet/dev-42/#", {"fleet/dev-42/#", {}, -1, {}}},
        {"topic fleet/+/telemetry (all match)", {"fleet/+/telemetry", {}, -1, {}}},
        {"client dev-7", {{}, "dev-7", -1, {}}},
        {"qos 1", {{}, {}, 1, {}}},
        {"text \"seq\":99999 (payload search)", {{}, {}, -1, "\"seq\":99999"}},
        {"text TELEMETRY (case-insensitive)", {{}, {}, -1, "TELEMETRY"}},
        {"topic + client + text", {"fleet/#", "dev-1", -1, "\"h\":3"}},
    };
    for (const auto &entry : cases) {
        MessageFilter filter(store, entry.criteria);
        std::vector<std::uint64_t> found;
        found.reserve(store.size());
        QElapsedTimer timer;
        timer.start();
        filter.scan(store.firstSeq(), store.endSeq(), found);
        const qint64 scanMs = timer.elapsed();

        QEventLoop loop;
        qint64 modelMs = 0;
        const auto connection = QObject::connect(&model, &MessageLogModel::filterFinished,
                                                 [&](qint64 elapsed, int) {
                                                     modelMs = elapsed;
                                                     loop.quit();
                                                 });
        model.setFilter(entry.criteria);
        if (model.isFiltering())
            loop.exec();
        QObject::disconnect(connection);
        std::printf("filter over %llu: %-40s %8zu rows, scan %4lld ms, model (sliced, event loop "
                    "running) %4lld ms\n",
                    static_cast<unsigned long long>(store.size()), entry.what, found.size(),
                    static_cast<long long>(scanMs), static_cast<long long>(modelMs));
    }
    model.setFilter({});
}

// --- 3: live traffic through the broker ------------------------------------------------------

struct Subscriber {
    std::atomic<std::uint64_t> received{0};
    std::string filter;
    int qos = 0;
};

void onSubscriberConnect(mosquitto *mosq, void *data, int)
{
    auto *subscriber = static_cast<Subscriber *>(data);
    mosquitto_subscribe(mosq, nullptr, subscriber->filter.c_str(), subscriber->qos);
}

void onSubscriberMessage(mosquitto *, void *data, const mosquitto_message *)
{
    static_cast<Subscriber *>(data)->received.fetch_add(1, std::memory_order_relaxed);
}

mosquitto *connectClient(const char *id, int port, void *data = nullptr)
{
    mosquitto *mosq = mosquitto_new(id, true, data);
    if (!mosq || mosquitto_connect(mosq, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS) {
        std::fprintf(stderr, "ui_log_bench: cannot connect %s to 127.0.0.1:%d\n", id, port);
        std::exit(1);
    }
    mosquitto_loop_start(mosq);
    return mosq;
}

// Publishes `rate` QoS 0 messages a second on its own thread, paced per millisecond.
class Publisher
{
public:
    Publisher(int index, int port, int rate, std::atomic<bool> &stop)
        : m_thread([=, &stop, this] {
            const std::string id = "bench-pub-" + std::to_string(index);
            mosquitto *mosq = connectClient(id.c_str(), port);
            const auto start = std::chrono::steady_clock::now();
            std::uint64_t n = 0;
            while (!stop.load(std::memory_order_relaxed)) {
                const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
                for (const auto due = std::uint64_t(seconds * rate); n < due; ++n) {
                    const std::string topic = "bench/" + std::to_string(index) + "/sensor-"
                        + std::to_string(n % 100) + "/telemetry";
                    const std::string payload = telemetry(n);
                    mosquitto_publish(mosq, nullptr, topic.c_str(), int(payload.size()),
                                      payload.data(), 0, false);
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            }
            published = n;
            mosquitto_disconnect(mosq);
            mosquitto_loop_stop(mosq, false);
            mosquitto_destroy(mosq);
        })
    {
    }
    void join() { m_thread.join(); }
    std::uint64_t published = 0;

private:
    std::thread m_thread;
};

struct ProbeResult {
    qint64 maxStallMs = 0;
    int over16 = 0;
    int over100 = 0;
};

int runLive(int rate, int seconds, std::size_t capacity)
{
    broker::Log log(broker::LogLevel::Warning);
    broker::BrokerServer server(broker::BrokerConfig{}, log, nullptr);
    broker::ListenerSpec spec;
    spec.name = "open-mqtt";
    std::string error;
    if (!server.addListener(spec, &error) || !server.start()) {
        std::fprintf(stderr, "ui_log_bench: broker: %s\n", error.c_str());
        return 1;
    }
    const int port = server.listeners().front().port;

    MessageStore store(capacity);
    BrokerEventFeed feed(server.tap(), store);
    QSplitter window;
    auto *logView = new MessageLogView(store, &window);
    auto *treeView = new TopicTreeView(store, {}, &window);
    window.addWidget(logView);
    window.addWidget(treeView);
    window.resize(1920, 1080);
    window.show();

    Subscriber subscriber;
    subscriber.filter = "bench/#";
    mosquitto *sub = mosquitto_new("bench-sub", true, &subscriber);
    mosquitto_connect_callback_set(sub, onSubscriberConnect);
    mosquitto_message_callback_set(sub, onSubscriberMessage);
    if (mosquitto_connect(sub, "127.0.0.1", port, 60) != MOSQ_ERR_SUCCESS)
        return 1;
    mosquitto_loop_start(sub);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));

    std::atomic<bool> stop{false};
    constexpr int Publishers = 2;
    std::vector<std::unique_ptr<Publisher>> publishers;
    for (int i = 0; i < Publishers; ++i)
        publishers.push_back(std::make_unique<Publisher>(i, port, rate / Publishers, stop));

    // The probe: a 5 ms timer; any gap past its interval is time the event loop was busy.
    ProbeResult probe;
    QElapsedTimer sinceTick;
    sinceTick.start();
    QTimer probeTimer;
    probeTimer.setTimerType(Qt::PreciseTimer);
    probeTimer.setInterval(5);
    QObject::connect(&probeTimer, &QTimer::timeout, [&] {
        const qint64 stall = sinceTick.restart() - 5;
        probe.maxStallMs = std::max(probe.maxStallMs, stall);
        probe.over16 += stall > 16;
        probe.over100 += stall > 100;
    });
    QElapsedTimer run;
    run.start();
    probeTimer.start();
    QEventLoop loop;
    QTimer::singleShot(seconds * 1000, &loop, &QEventLoop::quit);
    loop.exec();
    probeTimer.stop();
    const qint64 elapsed = run.elapsed();
    stop = true;
    std::uint64_t published = 0;
    for (auto &publisher : publishers) {
        publisher->join();
        published += publisher->published;
    }
    // The last messages may still be on their way through the broker: let them arrive.
    QEventLoop settle;
    QTimer::singleShot(500, &settle, &QEventLoop::quit);
    settle.exec();
    feed.drain();
    std::printf("live: %d s at a target of %d msg/s through BrokerServer: %llu published "
                "(%.0f msg/s), %llu received by the subscriber, %llu records in the log "
                "(capacity %zu)\n",
                seconds, rate, static_cast<unsigned long long>(published),
                double(published) * 1000.0 / double(elapsed),
                static_cast<unsigned long long>(subscriber.received.load()),
                static_cast<unsigned long long>(store.size()), capacity);
    std::printf("live: GUI event loop with the log and topic tree shown: max stall %lld ms, "
                "%d stalls over 16 ms, %d over 100 ms; RSS %.0f MiB\n",
                static_cast<long long>(probe.maxStallMs), probe.over16, probe.over100, rssMiB());
    mosquitto_disconnect(sub);
    mosquitto_loop_stop(sub, false);
    mosquitto_destroy(sub);
    server.stop();
    return probe.over100 == 0 ? 0 : 2;
}

// --- screenshots -------------------------------------------------------------------------------

void waitMs(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

int screenshots(const QString &directory)
{
    QDir().mkpath(directory);
    broker::Log log(broker::LogLevel::Warning);
    broker::BrokerConfig config;
    config.maxQueuedMessages = 2; // so that the offline subscriber's queue overflows: drops
    broker::BrokerServer server(config, log, nullptr);
    broker::ListenerSpec spec;
    spec.name = "open-mqtt";
    std::string error;
    if (!server.addListener(spec, &error) || !server.start()) {
        std::fprintf(stderr, "ui_log_bench: broker: %s\n", error.c_str());
        return 1;
    }
    const int port = server.listeners().front().port;
    MessageStore store;
    BrokerEventFeed feed(server.tap(), store);
    const TopicOwnerLookup lookup = [](const QString &id) -> std::optional<TopicOwnerNames> {
        if (id == "are0boiler000000000")
            return TopicOwnerNames{"home", "boiler"};
        return std::nullopt;
    };
    MessageLogView logView(store);
    TopicTreeView treeView(store, lookup);
    logView.resize(1366, 768);
    treeView.resize(1366, 768);
    logView.show();
    treeView.show();

    // A persistent QoS 1 subscriber that goes away: its queue fills and then drops.
    Subscriber offline;
    offline.filter = "home/#";
    offline.qos = 1;
    mosquitto *away = mosquitto_new("phone-app", false, &offline);
    mosquitto_connect_callback_set(away, onSubscriberConnect);
    mosquitto_connect(away, "127.0.0.1", port, 60);
    mosquitto_loop_start(away);
    Subscriber dashboard;
    dashboard.filter = "#";
    dashboard.qos = 2;
    mosquitto *dash = mosquitto_new("dashboard", true, &dashboard);
    mosquitto_connect_callback_set(dash, onSubscriberConnect);
    mosquitto_message_callback_set(dash, onSubscriberMessage);
    mosquitto_connect(dash, "127.0.0.1", port, 60);
    mosquitto_loop_start(dash);
    waitMs(300);
    mosquitto_disconnect(away);
    mosquitto_loop_stop(away, false);

    mosquitto *kitchen = connectClient("kitchen-sensor", port);
    mosquitto *door = connectClient("hall-door", port);
    mosquitto *boiler = connectClient("are0boiler000000000", port);
    for (int i = 0; i < 6; ++i) {
        const std::string reading = "{\"temperature\":" + std::to_string(21 + i % 3) + "." + std::to_string(i)
            + ",\"humidity\":" + std::to_string(40 + i) + ",\"ts\":" + std::to_string(1764072000 + i * 5) + "}";
        mosquitto_publish(kitchen, nullptr, "home/kitchen/climate", int(reading.size()), reading.data(), 1, false);
        const char *state = i % 2 ? "open" : "closed";
        mosquitto_publish(door, nullptr, "home/hall/door", int(std::strlen(state)), state, 2, i == 5);
        const std::string event = "{\"burner\":" + std::string(i % 2 ? "true" : "false") + ",\"flow\":"
            + std::to_string(55 + i) + "}";
        mosquitto_publish(boiler, nullptr, "$devices/are0boiler000000000/events/burner",
                          int(event.size()), event.data(), 0, false);
        const char binary[] = {'\x01', '\x02', '\x7f', '\x00', '\xfe'};
        mosquitto_publish(boiler, nullptr, "$devices/are0boiler000000000/state", 5, binary, 1, false);
        waitMs(120);
    }
    waitMs(500);
    feed.drain();

    // A JSON message with a time in it, and the tree opened down to its topic.
    MessageLogModel *model = logView.model();
    for (int row = 0; row < model->rowCount(); ++row) {
        if (model->index(row, MessageLogModel::Topic).data().toString() == "home/kitchen/climate") {
            logView.table()->selectRow(row);
            break;
        }
    }
    treeView.tree()->expandAll();
    treeView.selectTopic("home/kitchen/climate");
    waitMs(200);
    const bool saved = logView.grab().save(directory + "/message-log.png")
        && treeView.grab().save(directory + "/topic-tree.png");
    std::printf("screenshots in %s: %s\n", qPrintable(directory), saved ? "written" : "FAILED");
    for (mosquitto *client : {kitchen, door, boiler, dash}) {
        mosquitto_disconnect(client);
        mosquitto_loop_stop(client, false);
        mosquitto_destroy(client);
    }
    mosquitto_destroy(away);
    server.stop();
    return saved ? 0 : 1;
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addOption({"messages", "Messages for the memory and filter figures.", "N", "1000000"});
    parser.addOption({"rate", "Messages per second in the live run.", "MSG_PER_S", "50000"});
    parser.addOption({"seconds", "Length of the live run.", "S", "10"});
    parser.addOption({"capacity", "The log's capacity in the live run.", "N", "1000000"});
    parser.addOption({"screenshot", "Write PNGs of the log and topic tree to DIR instead.", "DIR"});
    parser.process(app);
    mosquitto_lib_init();
    if (parser.isSet("screenshot")) {
        const int status = screenshots(parser.value("screenshot"));
        mosquitto_lib_cleanup();
        return status;
    }
    int status = 0;
    {
        MessageStore store(parser.value("messages").toULongLong());
        MessageLogModel model(store);
        TopicTreeModel tree(store);
        appendMillion(store, parser.value("messages").toULongLong());
        timeFilters(store, model);
    }
    status = runLive(parser.value("rate").toInt(), parser.value("seconds").toInt(),
                     parser.value("capacity").toULongLong());
    mosquitto_lib_cleanup();
    return status;
}
