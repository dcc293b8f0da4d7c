// The simulator's timing: the Scheduler (one queue and one timer for every device; due order,
// equal due times in scheduling order, bounded work per event-loop turn, tasks that change the
// schedule while they run) and the Schedule (period, jitter around nominal times without drift,
// start phases spread by seed, bursts, change rules, the JSON form).

#include "sim/Clock.h"
#include "sim/Schedule.h"
#include "sim/Scheduler.h"

#include <QJsonDocument>
#include <QtTest/QTest>

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <vector>

using namespace iotcore::sim;

namespace {

QJsonObject json(const char *text)
{
    return QJsonDocument::fromJson(text).object();
}

Schedule schedule(const char *text)
{
    QString error;
    const auto parsed = Schedule::fromJson(json(text), &error);
    if (!parsed)
        qFatal("schedule %s: %s", text, qPrintable(error));
    return *parsed;
}

// Moves the fake clock to each due time up to `endMs` and runs what is due there.
void runUntil(FakeClock &clock, Scheduler &scheduler, qint64 endMs)
{
    for (qint64 due = scheduler.nextDueTime(); due <= endMs; due = scheduler.nextDueTime()) {
        clock.setNowMs(due);
        scheduler.runDue();
    }
    clock.setNowMs(endMs);
}

} // namespace

class tst_Scheduler : public QObject
{
    Q_OBJECT

private slots:
    // Scheduler
    void runsInDueOrderThenSchedulingOrder();
    void runsOnlyWhatIsDue();
    void taskGetsItsDueTimeAndLatenessIsMeasured();
    void cancelAndRescheduleFromInsideTasks();
    void tasksMayAddAndRemoveWhileRunning();
    void removedIdsStayInvalid();
    void boundedWorkPerTurn();
    void fullTurnsLeaveRoomForOtherEvents();
    void timerRunsTasksOnTheEventLoop();
    void hundredThousandDevices();
    void noDriftOverAMillionSeconds();

    // Schedule
    void jitterStaysWithinBoundsAndIsUniform();
    void startPhasesAreSpreadBySeed();
    void offsetFixesThePhase();
    void burstsSendSeveralMessages();
    void skipMissedResumesTheRhythm();
    void changeRules();
    void jsonRoundTrip_data();
    void jsonRoundTrip();
    void jsonErrorsNameTheField_data();
    void jsonErrorsNameTheField();
};

void tst_Scheduler::runsInDueOrderThenSchedulingOrder()
{
    FakeClock clock;
    Scheduler scheduler(clock);
    QStringList ran;
    auto task = [&](const QString &name) {
        return scheduler.add([&ran, name](qint64) { ran << name; });
    };
    const TaskId a = task("a"), b = task("b"), c = task("c"), d = task("d"), e = task("e");
    scheduler.scheduleAt(c, 20);
    scheduler.scheduleAt(a, 10);
    scheduler.scheduleAt(b, 10);
    scheduler.scheduleAt(d, 5);
    scheduler.scheduleAt(e, 10);
    // Rescheduling to the same time counts as scheduling anew: a now comes after e.
    scheduler.scheduleAt(a, 10);

    clock.setNowMs(100);
    QCOMPARE(scheduler.runDue(), 5);
    QCOMPARE(ran, QStringList({"d", "b", "e", "a", "c"}));
    QCOMPARE(scheduler.scheduledCount(), 0);
    QCOMPARE(scheduler.taskCount(), 5);
}

void tst_Scheduler::runsOnlyWhatIsDue()
{
    FakeClock clock;
    Scheduler scheduler(clock);
    int firstRuns = 0, secondRuns = 0;
    const TaskId first = scheduler.add([&](qint64) { ++firstRuns; });
    const TaskId second = scheduler.add([&](qint64) { ++secondRuns; });
    scheduler.scheduleAt(first, 10);
    scheduler.scheduleAt(second, 20);
    QCOMPARE(scheduler.nextDueTime(), 10);

    clock.setNowMs(9);
    QCOMPARE(scheduler.runDue(), 0);
    clock.setNowMs(15);
    QCOMPARE(scheduler.runDue(), 1);
    QCOMPARE(firstRuns, 1);
    QCOMPARE(secondRuns, 0);
    // A task runs once per scheduling.
    QVERIFY(!scheduler.isScheduled(first));
    QCOMPARE(scheduler.dueTime(second), 20);
    QCOMPARE(scheduler.nextDueTime(), 20);

    scheduler.cancel(second);
    clock.setNowMs(100);
    QCOMPARE(scheduler.runDue(), 0);
    QCOMPARE(scheduler.nextDueTime(), Scheduler::NotScheduled);
    QVERIFY(scheduler.contains(second));
}

void tst_Scheduler::taskGetsItsDueTimeAndLatenessIsMeasured()
{
    FakeClock clock;
    Scheduler scheduler(clock);
    QList<qint64> dues;
    const TaskId a = scheduler.add([&](qint64 due) { dues << due; });
    const TaskId b = scheduler.add([&](qint64 due) { dues << due; });
    scheduler.scheduleAt(a, 10);
    scheduler.scheduleAt(b, 40);

    clock.setNowMs(30);
    QCOMPARE(scheduler.backlogMs(), 20);
    scheduler.runDue();
    clock.setNowMs(50);
    scheduler.runDue();
    QCOMPARE(dues, QList<qint64>({10, 40}));

    const Scheduler::Lateness lateness = scheduler.takeLateness();
    QCOMPARE(lateness.runs, 2u);
    QCOMPARE(lateness.maxMs, 20);
    QCOMPARE(lateness.meanMs(), 15.0);
    QCOMPARE(scheduler.lateness().runs, 0u);
    QCOMPARE(scheduler.backlogMs(), 0);
}

void tst_Scheduler::cancelAndRescheduleFromInsideTasks()
{
    FakeClock clock;
    Scheduler scheduler(clock);
    QStringList ran;
    TaskId victim;
    TaskId periodic;
    const TaskId canceller = scheduler.add([&](qint64) {
        ran << "canceller";
        scheduler.cancel(victim);
    });
    victim = scheduler.add([&](qint64) { ran << "victim"; });
    periodic = scheduler.add([&](qint64 due) {
        ran << QStringLiteral("periodic@%1").arg(due);
        if (due < 30)
            scheduler.scheduleAt(periodic, due + 10);
    });
    // Reschedules the victim it was going to run after: the victim runs later, not twice.
    const TaskId mover = scheduler.add([&](qint64) {
        ran << "mover";
        scheduler.scheduleAt(canceller, 25);
    });
    scheduler.scheduleAt(canceller, 10);
    scheduler.scheduleAt(victim, 10);
    scheduler.scheduleAt(periodic, 10);
    scheduler.scheduleAt(mover, 20);

    runUntil(clock, scheduler, 100);
    QCOMPARE(ran, QStringList({"canceller", "periodic@10", "mover", "periodic@20", "canceller",
                               "periodic@30"}));
    QCOMPARE(scheduler.scheduledCount(), 0);
}

void tst_Scheduler::tasksMayAddAndRemoveWhileRunning()
{
    FakeClock clock;
    Scheduler scheduler(clock);
    scheduler.setMaxTasksPerTurn(2000);
    QStringList ran;
    TaskId self;
    const QString label = QStringLiteral("captured state survives");
    self = scheduler.add([&, label](qint64) {
        // Enough new tasks to move the scheduler's storage while this task runs.
        for (int i = 0; i < 1000; ++i)
            scheduler.scheduleAt(scheduler.add([&ran, i](qint64) {
                if (i == 999)
                    ran << "added";
            }), 5);
        scheduler.remove(self);
        ran << label; // the lambda's own state, read after it was removed
        scheduler.scheduleAt(self, 5); // a removed task cannot be scheduled
    });
    scheduler.scheduleAt(self, 1);

    clock.setNowMs(10);
    QCOMPARE(scheduler.runDue(), 1001);
    QCOMPARE(ran, QStringList({label, "added"}));
    QVERIFY(!scheduler.contains(self));
    QCOMPARE(scheduler.taskCount(), 1000);
}

void tst_Scheduler::removedIdsStayInvalid()
{
    FakeClock clock;
    Scheduler scheduler(clock);
    int oldRuns = 0, newRuns = 0;
    const TaskId old = scheduler.add([&](qint64) { ++oldRuns; });
    scheduler.scheduleAt(old, 5);
    scheduler.remove(old);
    const TaskId fresh = scheduler.add([&](qint64) { ++newRuns; });
    QVERIFY(!(old == fresh));
    QVERIFY(!TaskId().isValid());

    // The old id must not reach the task that took its place.
    scheduler.scheduleAt(old, 5);
    scheduler.cancel(old);
    scheduler.remove(old);
    QVERIFY(scheduler.contains(fresh));
    QVERIFY(!scheduler.isScheduled(fresh));
    scheduler.scheduleAt(fresh, 5);
    clock.setNowMs(10);
    QCOMPARE(scheduler.runDue(), 1);
    QCOMPARE(oldRuns, 0);
    QCOMPARE(newRuns, 1);
}

void tst_Scheduler::boundedWorkPerTurn()
{
    FakeClock clock;
    Scheduler scheduler(clock);
    scheduler.setMaxTasksPerTurn(1000);
    std::vector<int> order;
    for (int i = 0; i < 2500; ++i)
        scheduler.scheduleAt(scheduler.add([&order, i](qint64) { order.push_back(i); }), i % 7);

    clock.setNowMs(10);
    QCOMPARE(scheduler.runDue(), 1000);
    QCOMPARE(scheduler.runDue(), 1000);
    QCOMPARE(scheduler.runDue(), 500);
    QCOMPARE(scheduler.runDue(), 0);

    // Late, but in due order across the turns, and in scheduling order within a due time.
    QCOMPARE(order.size(), size_t(2500));
    QVERIFY(std::is_sorted(order.begin(), order.end(), [](int a, int b) {
        return a % 7 != b % 7 ? a % 7 < b % 7 : a < b;
    }));
}

void tst_Scheduler::fullTurnsLeaveRoomForOtherEvents()
{
    SteadyClock clock;
    Scheduler scheduler(clock);
    scheduler.setMaxTasksPerTurn(1000);
    constexpr int Total = 20'000;
    int ran = 0;
    bool inOrder = true;
    int ranWhenEventArrived = -1;
    const qint64 now = clock.nowMs();
    for (int i = 0; i < Total; ++i) {
        scheduler.scheduleAt(scheduler.add([&, i](qint64) {
            inOrder = inOrder && ran == i;
            ++ran;
            if (i == 0) {
                // Stands for a socket's data arriving while the scheduler has a backlog.
                QMetaObject::invokeMethod(
                    this, [&] { ranWhenEventArrived = ran; }, Qt::QueuedConnection);
            }
        }), now);
    }
    QTRY_COMPARE(ran, Total);
    QVERIFY(inOrder);
    QVERIFY2(ranWhenEventArrived >= 1 && ranWhenEventArrived < Total,
             qPrintable(QString::number(ranWhenEventArrived)));
}

void tst_Scheduler::timerRunsTasksOnTheEventLoop()
{
    SteadyClock clock;
    Scheduler scheduler(clock);
    QList<int> ran;
    const qint64 start = clock.nowMs();
    const TaskId late = scheduler.add([&](qint64) { ran << 2; });
    const TaskId early = scheduler.add([&](qint64) { ran << 1; });
    scheduler.scheduleAt(late, start + 60);
    // An earlier task re-arms the timer.
    scheduler.scheduleAt(early, start + 20);
    QTRY_COMPARE(ran, QList<int>({1, 2}));
    QVERIFY(clock.nowMs() - start >= 60);
    QVERIFY(scheduler.lateness().maxMs < 1000);
}

void tst_Scheduler::hundredThousandDevices()
{
    // 100,000 devices publishing every 10 s, spread by their index, for one simulated minute.
    FakeClock clock;
    Scheduler scheduler(clock);
    const Schedule every10s = schedule(R"({"period": "10s", "jitter": "1s"})");
    constexpr int Devices = 100'000;
    std::vector<ScheduleCursor> cursors;
    cursors.reserve(Devices);
    std::vector<TaskId> ids(Devices);
    std::vector<int> sent(Devices, 0);
    std::map<qint64, int> perMillisecond;
    qint64 lastDue = -1;
    bool inOrder = true;
    for (int i = 0; i < Devices; ++i) {
        cursors.emplace_back(every10s, 0, quint64(i));
        ids[i] = scheduler.add([&, i](qint64 due) {
            inOrder = inOrder && due >= lastDue && due == cursors[i].dueMs();
            lastDue = due;
            ++sent[i];
            ++perMillisecond[due];
            cursors[i].advance();
            scheduler.scheduleAt(ids[i], cursors[i].dueMs());
        });
        scheduler.scheduleAt(ids[i], cursors[i].dueMs());
    }
    QCOMPARE(scheduler.scheduledCount(), Devices);

    runUntil(clock, scheduler, 60'000 - 1);
    QVERIFY(inOrder);
    // Phases spread over one period after the jitter (1 s to 11 s), so in [0, 60 s) each
    // device sends 5 or 6 messages: 5.9 on average, the minute less that 1 s over the period.
    const auto [fewest, most] = std::minmax_element(sent.begin(), sent.end());
    QVERIFY2(*fewest == 5 && *most == 6,
             qPrintable(QStringLiteral("%1 %2").arg(*fewest).arg(*most)));
    const qint64 total = std::accumulate(sent.begin(), sent.end(), qint64(0));
    QVERIFY2(qAbs(total - 59 * Devices / 10) < Devices / 100, qPrintable(QString::number(total)));
    // 100,000 messages per 10 s is 10 per millisecond; spreading keeps every millisecond near that.
    int busiest = 0;
    for (const auto &[ms, count] : perMillisecond)
        busiest = std::max(busiest, count);
    QVERIFY2(busiest <= 40, qPrintable(QString::number(busiest)));
}

void tst_Scheduler::noDriftOverAMillionSeconds()
{
    FakeClock clock(5'000);
    Scheduler scheduler(clock);
    const Schedule every10s = schedule(R"({"period": "10s", "jitter": "500ms", "offset": "2s"})");
    ScheduleCursor cursor(every10s, clock.nowMs(), 42);
    std::mt19937 random(7);
    std::uniform_int_distribution<int> turnDelay(0, 400);
    qint64 runs = 0;
    qint64 lastDue = 0;
    bool onNominalTimes = true;
    TaskId task;
    task = scheduler.add([&](qint64 due) {
        // The n-th message is due at start + offset + n·period, moved only by that period's
        // jitter, however late the previous turns ran.
        const qint64 nominal = 5'000 + 2'000 + runs * 10'000;
        onNominalTimes = onNominalTimes && qAbs(due - nominal) <= 500
            && due == nominal + every10s.jitterOf(42, runs);
        lastDue = due;
        ++runs;
        cursor.advance();
        scheduler.scheduleAt(task, cursor.dueMs());
    });
    scheduler.scheduleAt(task, cursor.dueMs());

    const qint64 endMs = 5'000 + 1'000'000'000LL;
    while (scheduler.nextDueTime() <= endMs) {
        // Every turn runs up to 400 ms late.
        clock.setNowMs(scheduler.nextDueTime() + turnDelay(random));
        scheduler.runDue();
    }
    QVERIFY(onNominalTimes);
    QCOMPARE(runs, 100'000);
    QVERIFY(qAbs(lastDue - (7'000 + 99'999 * 10'000LL)) <= 500);
    QVERIFY(scheduler.lateness().meanMs() > 150);
}

void tst_Scheduler::jitterStaysWithinBoundsAndIsUniform()
{
    const Schedule jittered = schedule(R"({"period": "10s", "jitter": "500ms"})");
    constexpr int Periods = 100'000;
    std::vector<int> buckets(10, 0);
    qint64 sum = 0, lowest = 0, highest = 0;
    qint64 previous = jittered.sendTime(0, 3, 0, 0);
    qint64 shortestInterval = std::numeric_limits<qint64>::max();
    for (int n = 0; n < Periods; ++n) {
        const qint64 jitter = jittered.jitterOf(3, n);
        QVERIFY(jitter >= -500 && jitter <= 500);
        sum += jitter;
        lowest = std::min(lowest, jitter);
        highest = std::max(highest, jitter);
        ++buckets[std::min<qint64>(9, (jitter + 500) / 100)];
        if (n > 0) {
            const qint64 time = jittered.sendTime(0, 3, n, 0);
            shortestInterval = std::min(shortestInterval, time - previous);
            previous = time;
        }
    }
    QVERIFY(lowest <= -495 && highest >= 495);
    QVERIFY(qAbs(double(sum) / Periods) < 5);
    for (int count : buckets)
        QVERIFY2(qAbs(count - Periods / 10) < Periods / 100, qPrintable(QString::number(count)));
    QVERIFY(shortestInterval >= 9'000);
    // A schedule is a function: the same seed gives the same jitter, another seed another.
    QCOMPARE(jittered.jitterOf(3, 17), jittered.jitterOf(3, 17));
    int same = 0;
    for (int n = 0; n < 1000; ++n)
        same += jittered.jitterOf(3, n) == jittered.jitterOf(4, n);
    QVERIFY(same < 10);
    QCOMPARE(schedule(R"({"period": "10s"})").jitterOf(3, 5), 0);
}

void tst_Scheduler::startPhasesAreSpreadBySeed()
{
    const Schedule every10s = schedule(R"({"period": "10s"})");
    constexpr int Devices = 10'000;
    std::vector<int> perMillisecond(10'000, 0);
    std::vector<int> per100ms(100, 0);
    for (int i = 0; i < Devices; ++i) {
        const qint64 phase = every10s.phaseMs(quint64(i));
        QVERIFY(phase >= 0 && phase < 10'000);
        ++perMillisecond[phase];
        ++per100ms[phase / 100];
        QCOMPARE(every10s.sendTime(1'000, quint64(i), 0, 0), 1'000 + phase);
    }
    QVERIFY(*std::max_element(perMillisecond.begin(), perMillisecond.end()) <= 3);
    const auto [fewest, most] = std::minmax_element(per100ms.begin(), per100ms.end());
    QVERIFY2(*fewest >= 95 && *most <= 105,
             qPrintable(QStringLiteral("%1 %2").arg(*fewest).arg(*most)));
    QCOMPARE(every10s.phaseMs(1234), every10s.phaseMs(1234));
}

void tst_Scheduler::offsetFixesThePhase()
{
    const Schedule fixed = schedule(R"({"period": "10s", "offset": "2500ms"})");
    QCOMPARE(fixed.phaseMs(1), 2'500);
    QCOMPARE(fixed.phaseMs(99), 2'500);
    QCOMPARE(fixed.sendTime(100, 1, 3, 0), 100 + 2'500 + 30'000);
    // Jitter never moves a message before the device started.
    const Schedule jittered = schedule(R"({"period": "10s", "jitter": "5s", "offset": 0})");
    for (quint64 seed = 0; seed < 100; ++seed)
        QVERIFY(jittered.sendTime(1'000, seed, 0, 0) >= 1'000);
}

void tst_Scheduler::burstsSendSeveralMessages()
{
    const Schedule bursty = schedule(R"({"period": "10s", "offset": 0,
        "burst": {"every": 3, "count": 3, "spacing": "100ms"}})");
    ScheduleCursor cursor(bursty, 0, 1);
    QList<qint64> times;
    for (int i = 0; i < 10; ++i) {
        times << cursor.dueMs();
        cursor.advance();
    }
    QCOMPARE(times, QList<qint64>({0, 100, 200, 10'000, 20'000, 30'000, 30'100, 30'200, 40'000,
                                   50'000}));
    QCOMPARE(bursty.messagesInPeriod(6), 3);
    QCOMPARE(bursty.messagesInPeriod(7), 1);
}

void tst_Scheduler::skipMissedResumesTheRhythm()
{
    const Schedule bursty = schedule(R"({"period": "10s", "jitter": "1s",
        "burst": {"every": 2, "count": 3, "spacing": "2s"}})");
    for (const qint64 now : {0LL, 1LL, 95'000LL, 3'600'000LL, 3'604'321LL}) {
        ScheduleCursor cursor(bursty, 0, 5);
        cursor.skipMissed(now);
        QVERIFY(cursor.dueMs() >= now);
        // Stepping from the start reaches the same message: nothing due at or after now was
        // skipped.
        ScheduleCursor walker(bursty, 0, 5);
        while (walker.dueMs() < now)
            walker.advance();
        QCOMPARE(cursor.period(), walker.period());
        QCOMPARE(cursor.messageInPeriod(), walker.messageInPeriod());
    }
    // A cursor never moves backwards.
    ScheduleCursor cursor(bursty, 0, 5);
    cursor.skipMissed(100'000);
    const qint64 due = cursor.dueMs();
    cursor.skipMissed(50'000);
    QCOMPARE(cursor.dueMs(), due);
}

void tst_Scheduler::changeRules()
{
    const Schedule onChange = schedule(R"({"period": "1s",
        "onlyOnChange": {"deadband": 0.5, "maxSilence": "5m"}, "sendStateOnChange": true})");
    QVERIFY(onChange.onlyOnChange);
    QVERIFY(onChange.sendStateOnChange);
    const Schedule::OnlyOnChange rule = *onChange.onlyOnChange;
    QVERIFY(!rule.exceedsDeadband(20.0, 20.4));
    QVERIFY(!rule.exceedsDeadband(20.0, 20.5));
    QVERIFY(rule.exceedsDeadband(20.0, 20.6));
    QVERIFY(rule.exceedsDeadband(20.0, 19.4));
    QVERIFY(!rule.heartbeatDue(299'999));
    QVERIFY(rule.heartbeatDue(300'000));

    const Schedule anyChange = schedule(R"({"period": "1s", "onlyOnChange": true})");
    QVERIFY(anyChange.onlyOnChange->exceedsDeadband(1.0, 1.001));
    QVERIFY(!anyChange.onlyOnChange->exceedsDeadband(1.0, 1.0));
    QVERIFY(!anyChange.onlyOnChange->heartbeatDue(1'000'000'000));
    QVERIFY(!anyChange.sendStateOnChange);
    QVERIFY(!schedule(R"({"period": "1s"})").onlyOnChange);
}

void tst_Scheduler::jsonRoundTrip_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("written");
    QTest::newRow("period only") << R"({"period": 10})" << R"({"period":"10s"})";
    QTest::newRow("everything")
        << R"({"period": "10s", "jitter": "500ms", "offset": "2s",
               "burst": {"every": 6, "count": 3, "spacing": "100ms"},
               "onlyOnChange": {"deadband": 0.5, "maxSilence": "5m"}, "sendStateOnChange": true})"
        << R"({"burst":{"count":3,"every":6,"spacing":"100ms"},"jitter":"500ms",)"
           R"("offset":"2s","onlyOnChange":{"deadband":0.5,"maxSilence":"5m"},)"
           R"("period":"10s","sendStateOnChange":true})";
    QTest::newRow("seconds as numbers") << R"({"period": 0.25, "jitter": 0.1})"
                                        << R"({"jitter":"100ms","period":"250ms"})";
    QTest::newRow("on change, shorthand") << R"({"period": "1h", "onlyOnChange": true})"
                                          << R"({"onlyOnChange":{"deadband":0},"period":"1h"})";
}

void tst_Scheduler::jsonRoundTrip()
{
    QFETCH(QString, input);
    QFETCH(QString, written);
    const Schedule parsed = schedule(input.toUtf8().constData());
    const QJsonObject out = parsed.toJson();
    QCOMPARE(QJsonDocument(out).toJson(QJsonDocument::Compact), written.toUtf8());
    QString error;
    const auto again = Schedule::fromJson(out, &error);
    QVERIFY2(again, qPrintable(error));
    QVERIFY(*again == parsed);
}

void tst_Scheduler::jsonErrorsNameTheField_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("error");
    QTest::newRow("no period") << R"({"jitter": "1s"})" << "period: missing";
    QTest::newRow("zero period") << R"({"period": 0})" << "period: must be longer than 0";
    QTest::newRow("bad duration") << R"({"period": "10 parsecs"})"
                                  << "period: \"10 parsecs\" is not a duration";
    QTest::newRow("negative jitter") << R"({"period": "10s", "jitter": -1})"
                                     << "jitter: -1 is not a duration";
    QTest::newRow("jitter over half")
        << R"({"period": "10s", "jitter": "6s"})"
        << "jitter: 6s is more than half the period (10s), so messages could swap places";
    QTest::newRow("unknown field") << R"({"period": "10s", "perod": "5s"})"
                                   << "perod: unknown field (known: period, jitter";
    QTest::newRow("burst of one") << R"({"period": "10s", "burst": {"every": 2, "count": 1}})"
                                  << "burst.count: must be a whole number from 2";
    QTest::newRow("burst every zero") << R"({"period": "10s", "burst": {"every": 0, "count": 3}})"
                                      << "burst.every: must be a whole number from 1";
    QTest::newRow("burst not an object") << R"({"period": "10s", "burst": 3})"
                                         << "burst: must be an object";
    QTest::newRow("burst too long")
        << R"({"period": "10s", "jitter": "1s", "burst": {"count": 5, "spacing": "3s"}})"
        << "burst.spacing: 5 messages 3s apart take 12s, more than the period (10s) less "
           "twice the jitter (1s)";
    QTest::newRow("burst unknown field")
        << R"({"period": "10s", "burst": {"count": 2, "spacing": "1s", "size": 3}})"
        << "burst.size: unknown field";
    QTest::newRow("deadband negative")
        << R"({"period": "10s", "onlyOnChange": {"deadband": -1}})"
        << "onlyOnChange.deadband: must be a number, 0 or more";
    QTest::newRow("max silence") << R"({"period": "10s", "onlyOnChange": {"maxSilence": "x"}})"
                                 << "onlyOnChange.maxSilence: \"x\" is not a duration";
    QTest::newRow("only on change yes") << R"({"period": "10s", "onlyOnChange": "yes"})"
                                        << "onlyOnChange: must be true or an object";
    QTest::newRow("state flag") << R"({"period": "10s", "sendStateOnChange": 1})"
                                << "sendStateOnChange: must be true or false";
}

void tst_Scheduler::jsonErrorsNameTheField()
{
    QFETCH(QString, input);
    QFETCH(QString, error);
    const QJsonObject object = json(input.toUtf8().constData());
    QVERIFY(!object.isEmpty());
    QString message;
    QVERIFY(!Schedule::fromJson(object, &message));
    QVERIFY2(message.startsWith(error), qPrintable(message));
    QVERIFY(!message.contains(u'\n'));
}

QTEST_GUILESS_MAIN(tst_Scheduler)
#include "tst_scheduler.moc"
