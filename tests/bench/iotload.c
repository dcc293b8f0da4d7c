/* iotload: IoT Core fan-in load with one identity per device, on libmosquitto.
 *
 * N devices, each connecting as itself (client id and username = its 20-character id, its own
 * password) and publishing to $devices/<id>/events, into one subscriber: the registry on
 * $devices/#. With --anonymous the same clients, client ids and topics connect without
 * credentials, for an open listener. The devices come from "<id> <password>" lines, the form
 * in which `iotcore-studio import yc` prints the passwords it generates. The shared mqttload cannot do this: its {i} template
 * makes neither the service's ids nor one password per device.
 *
 * A few threads drive all clients (epoll, libmosquitto's non-blocking loop calls). Every payload
 * carries a send time, the publisher's index and a sequence number, so the subscriber measures
 * latency, loss and duplicates. The last line printed is a RESULT line in mqttload's format.
 */
#define _GNU_SOURCE
#include <mosquitto.h>

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum phase { PH_CONNECT, PH_WARMUP, PH_MEASURE, PH_DRAIN, PH_STOP };

#define HEADER_BYTES 17 /* u64 send time, u32 publisher, u32 sequence, u8 phase */
#define LAT_US_BUCKETS 100000 /* 1 us resolution up to 100 ms */
#define LAT_MS_BUCKETS 100000 /* then 1 ms resolution up to 100 s */
#define MAX_ID 64
#define MAX_PASSWORD 256

struct options {
    const char *host, *devices_file, *registry, *registry_password, *sub_topic;
    int port, qos, payload, threads, window, anonymous, broker_pid, max_devices;
    double duration, warmup;
};

struct client {
    struct mosquitto *m;
    int index; /* publisher index; -1 for the subscriber */
    int thread, connected, epollout;
    char topic[MAX_ID + 32];
    /* publisher */
    uint32_t seq;
    uint64_t published, inflight, sent_measure;
    atomic_uint_fast64_t delivered; /* counted by the subscriber: closes the loop end to end */
    /* subscriber: next expected sequence of each publisher */
    uint32_t *next_seq;
};

struct subscriber_stats { /* written by the subscriber's thread only */
    atomic_uint_fast64_t received; /* also read while the drain waits */
    uint64_t dup, reorder, lat_max_ns;
    uint32_t *lat_us, *lat_ms;
};

struct worker {
    pthread_t tid;
    int epfd, nclients;
    struct client **clients;
    uint64_t errors;
};

struct proc_sample {
    double cpu_s, rss_mb, hwm_mb;
};

static struct options o = {
    .host = "127.0.0.1", .sub_topic = "$devices/#", .port = 1883, .qos = 0, .payload = 64,
    .threads = 2, .window = 64, .duration = 5, .warmup = 1,
};
static atomic_int g_phase = PH_CONNECT;
static atomic_int g_connected, g_refused; /* CONNACKs: accepted, refused or never sent */
static atomic_int g_subscription; /* 0 waiting, 1 granted, -1 refused or not connected */
static struct client *g_publishers;
static int g_npublishers;
static struct client g_subscriber;
static struct subscriber_stats g_stats;
static struct worker *g_workers;

static atomic_int g_errors_printed;
#define ERR(...) do { if (atomic_fetch_add(&g_errors_printed, 1) < 10) fprintf(stderr, __VA_ARGS__); } while (0)

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void put32(unsigned char *b, uint32_t v) { memcpy(b, &v, 4); }
static void put64(unsigned char *b, uint64_t v) { memcpy(b, &v, 8); }
static uint32_t get32(const unsigned char *b) { uint32_t v; memcpy(&v, b, 4); return v; }
static uint64_t get64(const unsigned char *b) { uint64_t v; memcpy(&v, b, 8); return v; }

static const char *client_name(const struct client *c)
{
    return c->index < 0 ? "subscriber" : c->topic + strlen("$devices/");
}

static void on_connect(struct mosquitto *m, void *ud, int rc)
{
    struct client *c = ud;
    if (rc != 0) {
        ERR("%s: CONNACK %d (%s)\n", client_name(c), rc, mosquitto_connack_string(rc));
        atomic_fetch_add(&g_refused, 1);
        if (c->index < 0)
            atomic_store(&g_subscription, -1);
        return;
    }
    c->connected = 1;
    atomic_fetch_add(&g_connected, 1);
    if (c->index < 0)
        mosquitto_subscribe(m, NULL, o.sub_topic, o.qos);
}

static void on_subscribe(struct mosquitto *m, void *ud, int mid, int n, const int *granted)
{
    (void)m; (void)ud; (void)mid;
    if (n < 1 || granted[0] == 0x80) {
        ERR("subscriber: SUBACK refused %s\n", o.sub_topic);
        atomic_store(&g_subscription, -1);
        return;
    }
    atomic_store(&g_subscription, 1);
}

static void on_publish(struct mosquitto *m, void *ud, int mid)
{
    (void)m; (void)mid;
    struct client *c = ud;
    if (c->inflight > 0)
        c->inflight--;
}

static void on_disconnect(struct mosquitto *m, void *ud, int rc)
{
    (void)m;
    struct client *c = ud;
    if (c->connected && rc != 0 && atomic_load(&g_phase) < PH_STOP) {
        ERR("%s: disconnected (%s)\n", client_name(c), mosquitto_strerror(rc));
        g_workers[c->thread].errors++;
    }
    c->connected = 0;
}

static void on_message(struct mosquitto *m, void *ud, const struct mosquitto_message *msg)
{
    (void)m; (void)ud;
    if (msg->payloadlen < HEADER_BYTES)
        return;
    const unsigned char *p = msg->payload;
    uint32_t publisher = get32(p + 8), seq = get32(p + 12);
    if (publisher >= (uint32_t)g_npublishers)
        return;
    atomic_fetch_add_explicit(&g_publishers[publisher].delivered, 1, memory_order_relaxed);
    if (p[16] != PH_MEASURE)
        return;
    uint64_t latency = now_ns() - get64(p);
    atomic_fetch_add_explicit(&g_stats.received, 1, memory_order_relaxed);
    if (latency / 1000 < LAT_US_BUCKETS)
        g_stats.lat_us[latency / 1000]++;
    else if (latency / 1000000 < LAT_MS_BUCKETS)
        g_stats.lat_ms[latency / 1000000]++;
    else
        g_stats.lat_ms[LAT_MS_BUCKETS - 1]++;
    if (latency > g_stats.lat_max_ns)
        g_stats.lat_max_ns = latency;
    uint32_t *next = &g_subscriber.next_seq[publisher];
    if (seq >= *next)
        *next = seq + 1;
    else if (msg->qos > 0)
        g_stats.dup++; /* an equal or higher sequence of this publisher came already */
    else
        g_stats.reorder++;
}

static void watch(struct worker *w, struct client *c, int want_out)
{
    if (want_out == c->epollout)
        return;
    struct epoll_event ev = { .events = EPOLLIN | (want_out ? EPOLLOUT : 0), .data.ptr = c };
    epoll_ctl(w->epfd, EPOLL_CTL_MOD, mosquitto_socket(c->m), &ev);
    c->epollout = want_out;
}

static void publish_due(struct worker *w, struct client *c, unsigned char *buf)
{
    int phase = atomic_load(&g_phase);
    if (!c->connected || (phase != PH_WARMUP && phase != PH_MEASURE))
        return;
    for (int budget = 64; budget > 0; budget--) { /* per turn, so no device starves the others */
        /* The loop is closed end to end: at most `window` messages of a device are on their way
         * to the subscriber, so the broker's queues stay bounded and the figure is what the
         * broker sustains, not a backlog the generator built. */
        if (c->published - atomic_load_explicit(&c->delivered, memory_order_relaxed) >= (uint64_t)o.window)
            break;
        if (o.qos == 0 && mosquitto_want_write(c->m))
            break; /* socket full: back off */
        put64(buf, now_ns());
        put32(buf + 8, (uint32_t)c->index);
        put32(buf + 12, ++c->seq);
        buf[16] = (unsigned char)phase;
        if (mosquitto_publish(c->m, NULL, c->topic, o.payload, buf, o.qos, false) != MOSQ_ERR_SUCCESS) {
            w->errors++;
            break;
        }
        c->published++;
        if (o.qos > 0)
            c->inflight++;
        if (phase == PH_MEASURE)
            c->sent_measure++;
    }
    watch(w, c, mosquitto_want_write(c->m));
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct epoll_event events[512];
    unsigned char *buf = calloc(1, (size_t)o.payload);
    uint64_t last_misc = now_ns();
    for (int i = 0; i < w->nclients; i++) {
        struct client *c = w->clients[i];
        int rc = mosquitto_connect(c->m, o.host, o.port, 60);
        if (rc != MOSQ_ERR_SUCCESS) {
            ERR("%s: connect: %s\n", client_name(c), mosquitto_strerror(rc));
            atomic_fetch_add(&g_refused, 1);
            if (c->index < 0)
                atomic_store(&g_subscription, -1);
            continue;
        }
        struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.ptr = c };
        c->epollout = 1;
        epoll_ctl(w->epfd, EPOLL_CTL_ADD, mosquitto_socket(c->m), &ev);
    }
    while (atomic_load(&g_phase) != PH_STOP) {
        int n = epoll_wait(w->epfd, events, 512, 1);
        for (int i = 0; i < n; i++) {
            struct client *c = events[i].data.ptr;
            if (events[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
                mosquitto_loop_read(c->m, 64);
            if (mosquitto_socket(c->m) < 0)
                continue;
            if (mosquitto_want_write(c->m))
                mosquitto_loop_write(c->m, 64);
            watch(w, c, mosquitto_want_write(c->m));
        }
        for (int i = 0; i < w->nclients; i++)
            if (w->clients[i]->index >= 0)
                publish_due(w, w->clients[i], buf);
        uint64_t t = now_ns();
        if (t - last_misc > 200000000ull) { /* keep-alive */
            for (int i = 0; i < w->nclients; i++)
                mosquitto_loop_misc(w->clients[i]->m);
            last_misc = t;
        }
    }
    for (int i = 0; i < w->nclients; i++) {
        mosquitto_disconnect(w->clients[i]->m);
        mosquitto_loop_write(w->clients[i]->m, 1);
    }
    free(buf);
    return NULL;
}

static int sample_proc(int pid, struct proc_sample *s)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    unsigned long utime = 0, stime = 0;
    if (fgets(line, sizeof line, f)) {
        char *p = strrchr(line, ')'); /* the command name may hold spaces */
        if (p)
            sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime);
    }
    fclose(f);
    s->cpu_s = (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
    snprintf(path, sizeof path, "/proc/%d/status", pid);
    f = fopen(path, "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f)) {
        unsigned long kb;
        if (sscanf(line, "VmRSS: %lu", &kb) == 1)
            s->rss_mb = (double)kb / 1024.0;
        if (sscanf(line, "VmHWM: %lu", &kb) == 1)
            s->hwm_mb = (double)kb / 1024.0;
    }
    fclose(f);
    return 0;
}

static double percentile_us(double q)
{
    uint64_t received = atomic_load(&g_stats.received), want = (uint64_t)(q * (double)received), seen = 0;
    if (received == 0)
        return 0;
    if (want == 0)
        want = 1;
    for (int i = 0; i < LAT_US_BUCKETS; i++)
        if ((seen += g_stats.lat_us[i]) >= want)
            return i;
    for (int i = 0; i < LAT_MS_BUCKETS; i++)
        if ((seen += g_stats.lat_ms[i]) >= want)
            return i * 1000.0;
    return 0; /* not reached: every message is in a bucket */
}

struct device {
    char id[MAX_ID + 1], password[MAX_PASSWORD + 1];
};

/* "<id> <password>" lines; '#' comments and empty lines skipped. */
static struct device *read_devices(int *count)
{
    FILE *f = fopen(o.devices_file, "r");
    if (!f) {
        fprintf(stderr, "iotload: %s: cannot read: %s\n", o.devices_file, strerror(errno));
        return NULL;
    }
    int capacity = 1024, n = 0, number = 0, bad = 0;
    struct device *devices = malloc((size_t)capacity * sizeof *devices);
    char line[1024];
    while (!bad && fgets(line, sizeof line, f) && (o.max_devices == 0 || n < o.max_devices)) {
        number++;
        if (line[0] == '#' || line[strspn(line, " \t\r\n")] == 0)
            continue;
        if (n == capacity)
            devices = realloc(devices, (size_t)(capacity *= 2) * sizeof *devices);
        struct device *d = &devices[n];
        int fields = sscanf(line, "%64s %256s", d->id, d->password);
        if (fields < 1 || (fields < 2 && !o.anonymous)) {
            fprintf(stderr, "iotload: %s:%d: expected \"<device id> <password>\"\n", o.devices_file, number);
            bad = 1;
        } else {
            n++;
        }
    }
    fclose(f);
    if (!bad && n == 0)
        fprintf(stderr, "iotload: %s: no devices\n", o.devices_file);
    if (bad || n == 0) {
        free(devices);
        return NULL;
    }
    *count = n;
    return devices;
}

static void set_callbacks(struct client *c)
{
    mosquitto_max_inflight_messages_set(c->m, (unsigned)o.window);
    mosquitto_int_option(c->m, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_connect_callback_set(c->m, on_connect);
    mosquitto_subscribe_callback_set(c->m, on_subscribe);
    mosquitto_publish_callback_set(c->m, on_publish);
    mosquitto_message_callback_set(c->m, on_message);
    mosquitto_disconnect_callback_set(c->m, on_disconnect);
}

static void usage(void)
{
    fprintf(stderr,
        "usage: iotload --devices FILE (--registry ID --registry-password PASSWORD | --anonymous) [options]\n"
        "  FILE: \"<device id> <password>\" lines (what `iotcore-studio import yc` prints)\n"
        "  -h HOST -p PORT --qos 0|1 --payload BYTES (>= %d) --max-devices N (0 = all in FILE)\n"
        "  --sub-topic FILTER (default $devices/#) --duration S --warmup S --threads N --window N\n"
        "  --broker-pid PID (broker CPU and RSS from /proc)\n", HEADER_BYTES);
    exit(2);
}

static void parse_options(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"devices", 1, 0, 'D'}, {"registry", 1, 0, 'R'}, {"registry-password", 1, 0, 'S'},
        {"anonymous", 0, 0, 'A'}, {"qos", 1, 0, 'q'}, {"payload", 1, 0, 's'},
        {"max-devices", 1, 0, 'n'}, {"sub-topic", 1, 0, 'T'}, {"duration", 1, 0, 'd'},
        {"warmup", 1, 0, 'w'}, {"threads", 1, 0, 'j'}, {"window", 1, 0, 'W'},
        {"broker-pid", 1, 0, 'B'}, {"host", 1, 0, 'h'}, {"port", 1, 0, 'p'}, {0, 0, 0, 0}};
    int ch;
    while ((ch = getopt_long(argc, argv, "h:p:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'D': o.devices_file = optarg; break;
        case 'R': o.registry = optarg; break;
        case 'S': o.registry_password = optarg; break;
        case 'A': o.anonymous = 1; break;
        case 'q': o.qos = atoi(optarg); break;
        case 's': o.payload = atoi(optarg); break;
        case 'n': o.max_devices = atoi(optarg); break;
        case 'T': o.sub_topic = optarg; break;
        case 'd': o.duration = atof(optarg); break;
        case 'w': o.warmup = atof(optarg); break;
        case 'j': o.threads = atoi(optarg); break;
        case 'W': o.window = atoi(optarg); break;
        case 'B': o.broker_pid = atoi(optarg); break;
        case 'h': o.host = optarg; break;
        case 'p': o.port = atoi(optarg); break;
        default: usage();
        }
    }
    if (optind != argc || !o.devices_file)
        usage();
    if (!o.anonymous && (!o.registry || !o.registry_password)) {
        fprintf(stderr, "iotload: the subscriber needs --registry and --registry-password (or --anonymous)\n");
        exit(2);
    }
    if (o.qos != 0 && o.qos != 1) {
        fprintf(stderr, "iotload: --qos %d: IoT Core identities publish at QoS 0 or 1\n", o.qos);
        exit(2);
    }
    if (o.payload < HEADER_BYTES)
        o.payload = HEADER_BYTES;
    if (o.threads < 1)
        o.threads = 1;
    if (o.window < 1)
        o.window = 1;
}

int main(int argc, char **argv)
{
    parse_options(argc, argv);
    signal(SIGPIPE, SIG_IGN);
    struct rlimit rl; /* libmosquitto holds three descriptors per client */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    mosquitto_lib_init();
    struct device *devices = read_devices(&g_npublishers);
    if (!devices)
        return 2;
    g_publishers = calloc((size_t)g_npublishers, sizeof *g_publishers);
    for (int i = 0; i < g_npublishers; i++) {
        struct client *c = &g_publishers[i];
        c->index = i;
        snprintf(c->topic, sizeof c->topic, "$devices/%s/events", devices[i].id);
        /* The client id plays no part in IoT Core identities; devices use their own id. */
        c->m = mosquitto_new(devices[i].id, true, c);
        if (!c->m) {
            fprintf(stderr, "iotload: cannot create a client for %s\n", devices[i].id);
            return 2;
        }
        if (!o.anonymous)
            mosquitto_username_pw_set(c->m, devices[i].id, devices[i].password);
    }
    free(devices);

    char subscriber_id[MAX_ID];
    snprintf(subscriber_id, sizeof subscriber_id, "iotload-%d-subscriber", (int)getpid());
    g_subscriber.index = -1;
    g_subscriber.m = mosquitto_new(o.anonymous ? subscriber_id : o.registry, true, &g_subscriber);
    g_subscriber.next_seq = calloc((size_t)g_npublishers, sizeof(uint32_t));
    g_stats.lat_us = calloc(LAT_US_BUCKETS, sizeof(uint32_t));
    g_stats.lat_ms = calloc(LAT_MS_BUCKETS, sizeof(uint32_t));
    if (!g_subscriber.m) {
        fprintf(stderr, "iotload: cannot create the subscriber\n");
        return 2;
    }
    if (!o.anonymous)
        mosquitto_username_pw_set(g_subscriber.m, o.registry, o.registry_password);

    int nclients = g_npublishers + 1;
    g_workers = calloc((size_t)o.threads, sizeof *g_workers);
    for (int t = 0; t < o.threads; t++) {
        g_workers[t].epfd = epoll_create1(0);
        g_workers[t].clients = calloc((size_t)nclients, sizeof(struct client *));
    }
    /* The subscriber first, so it is subscribed before anybody publishes. */
    for (int k = 0; k < nclients; k++) {
        struct client *c = k == 0 ? &g_subscriber : &g_publishers[k - 1];
        c->thread = k % o.threads;
        set_callbacks(c);
        struct worker *w = &g_workers[c->thread];
        w->clients[w->nclients++] = c;
    }

    uint64_t t0 = now_ns();
    for (int t = 0; t < o.threads; t++)
        pthread_create(&g_workers[t].tid, NULL, worker_main, &g_workers[t]);
    double connect_s = 0;
    for (;;) { /* every CONNACK and the SUBACK, or 120 s (first connects wait for password hashes) */
        int done = atomic_load(&g_connected) + atomic_load(&g_refused) >= nclients
            && atomic_load(&g_subscription) != 0;
        connect_s = (double)(now_ns() - t0) / 1e9;
        if (done || connect_s > 120)
            break;
        usleep(2000);
    }
    int connected = atomic_load(&g_connected);
    int failed = nclients - connected + (connected == nclients && atomic_load(&g_subscription) != 1);
    printf("connected %d/%d clients in %.3f s (%.0f/s), %d failed\n", connected, nclients, connect_s,
           connected / (connect_s > 0 ? connect_s : 1), nclients - connected);
    fflush(stdout);

    struct proc_sample b0 = {0}, b1 = {0};
    if (failed == 0) { /* a run short of a client would measure something else: report it only */
        atomic_store(&g_phase, PH_WARMUP);
        usleep((useconds_t)(o.warmup * 1e6));
        atomic_store(&g_phase, PH_MEASURE);
    }
    if (o.broker_pid)
        sample_proc(o.broker_pid, &b0);
    uint64_t m0 = now_ns();
    if (failed == 0)
        usleep((useconds_t)(o.duration * 1e6));
    double measured_s = (double)(now_ns() - m0) / 1e9;
    if (o.broker_pid)
        sample_proc(o.broker_pid, &b1);
    atomic_store(&g_phase, PH_DRAIN);
    /* Drain: until every message arrived, or none arrived for 1 s (5 s at most), so a moment's
     * stall of a loaded machine is not counted as loss. */
    uint64_t sent = 0, last = UINT64_MAX;
    for (int i = 0; i < g_npublishers; i++)
        sent += g_publishers[i].sent_measure;
    for (int k = 0, idle = 0; k < 50 && idle < 10; k++) {
        uint64_t received = atomic_load(&g_stats.received);
        if (received >= sent)
            break;
        idle = received == last ? idle + 1 : 0;
        last = received;
        usleep(100000);
    }
    atomic_store(&g_phase, PH_STOP);
    uint64_t errors = 0;
    for (int t = 0; t < o.threads; t++) {
        pthread_join(g_workers[t].tid, NULL);
        errors += g_workers[t].errors;
    }
    sent = 0;
    for (int i = 0; i < g_npublishers; i++)
        sent += g_publishers[i].sent_measure;

    uint64_t received = atomic_load(&g_stats.received), lost = sent > received ? sent - received : 0;
    double rate = (double)received / measured_s;
    double cpu_per_m = 0;
    if (o.broker_pid && received > 0)
        cpu_per_m = (b1.cpu_s - b0.cpu_s) / ((double)received / 1e6);
    printf("sent %llu, received %llu, lost %llu, dup %llu, reordered %llu, errors %llu\n"
           "throughput %.0f msg/s delivered; latency p50 %.0f us, p99 %.0f us, max %.0f us\n",
           (unsigned long long)sent, (unsigned long long)received, (unsigned long long)lost,
           (unsigned long long)g_stats.dup, (unsigned long long)g_stats.reorder, (unsigned long long)errors,
           rate, percentile_us(0.50), percentile_us(0.99), (double)g_stats.lat_max_ns / 1000.0);
    if (o.broker_pid)
        printf("broker pid %d: rss %.1f MB (peak %.1f MB), cpu %.2f s during measure\n", o.broker_pid,
               b1.rss_mb, b1.hwm_mb, b1.cpu_s - b0.cpu_s);
    printf("RESULT scenario=devices qos=%d clients=%d payload=%d rate=0 duration=%.1f sent=%llu received=%llu "
           "lost=%llu dup=%llu failed=%d errors=%llu msg_per_s=%.0f p50_us=%.0f p99_us=%.0f max_us=%.0f "
           "connect_s=%.3f connect_per_s=%.0f rss_mb=%.1f peak_rss_mb=%.1f cpu_s_per_M=%.2f\n",
           o.qos, g_npublishers, o.payload, measured_s, (unsigned long long)sent, (unsigned long long)received,
           (unsigned long long)lost, (unsigned long long)g_stats.dup, failed, (unsigned long long)errors, rate,
           percentile_us(0.50), percentile_us(0.99), (double)g_stats.lat_max_ns / 1000.0, connect_s,
           connected / (connect_s > 0 ? connect_s : 1), b1.rss_mb, b1.hwm_mb, cpu_per_m);
    for (int i = 0; i < g_npublishers; i++)
        mosquitto_destroy(g_publishers[i].m);
    mosquitto_destroy(g_subscriber.m);
    mosquitto_lib_cleanup();
    return failed > 0 || (o.qos > 0 && lost > 0) ? 1 : 0;
}
