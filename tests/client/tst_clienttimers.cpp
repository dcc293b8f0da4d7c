// ClientDeadline, the single-shot timer of MqttClients kept in one queue per thread: it fires once
// when due, deadlines run in due order and equal due times in start order, a stopped, restarted
// or destroyed deadline is never called for its old start, callbacks may stop, start and destroy
// deadlines (their own included, the thread's last one included), a callback running a nested
// event loop does not hold up the others, 100,000 deadlines on one thread, and two threads
// independent of each other.

#include "client/ClientTimers.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QScopeGuard>
#include <QSemaphore>
#include <QThread>
#include <QTimer>
#include <QtTest/QTest>

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <vector>

using iotcore::app::ClientDeadline;

class tst_ClientTimers : public QObject
{
    Q_OBJECT

private slots:
    void firesOnceWhenDue();
    void remainingTimeCountsDown();
    void earlierDueTimeRunsFirst();
    void equalDueTimesRunInStartOrder();
    void restartReplacesTheDueTime();
    void stoppedDeadlineIsNotCalled();
    void destroyedDeadlineIsNotCalled();
    void callbackStopsAndStartsOthers();
    void callbackRestartsItself();
    void deadlineStartedForNowInsideACallbackRunsLater();
    void callbackDestroysItself();
    void callbackDestroysTheLastDeadlineOfTheThread();
    void callbackDestroysItsOwner();
    void nestedEventLoopInsideACallback();
    void hundredThousandDeadlines();
    void hundredThousandDeadlinesStopped();
    void twoThreadsAreIndependent();
};

void tst_ClientTimers::firesOnceWhenDue()
{
    int calls = 0;
    ClientDeadline deadline([&calls] { ++calls; });
    QVERIFY(!deadline.isActive());
    QCOMPARE(deadline.remainingTime(), -1);

    QElapsedTimer elapsed;
    elapsed.start();
    deadline.start(50);
    QVERIFY(deadline.isActive());
    QTRY_COMPARE(calls, 1);
    QVERIFY2(elapsed.elapsed() >= 50, qPrintable(QString::number(elapsed.elapsed())));
    QVERIFY(!deadline.isActive());
    QCOMPARE(deadline.remainingTime(), -1);

    // Single shot: started once, it is called once.
    ClientDeadline witness([] {});
    witness.start(100);
    QTRY_VERIFY(!witness.isActive());
    QCOMPARE(calls, 1);
}

void tst_ClientTimers::remainingTimeCountsDown()
{
    ClientDeadline deadline([] {});
    deadline.start(10000);
    const int remaining = deadline.remainingTime();
    QVERIFY2(remaining > 9000 && remaining <= 10000, qPrintable(QString::number(remaining)));
    deadline.stop();
    QVERIFY(!deadline.isActive());
    QCOMPARE(deadline.remainingTime(), -1);

    // A negative interval counts as 0: due at once.
    deadline.start(-5);
    QCOMPARE(deadline.remainingTime(), 0);
}

void tst_ClientTimers::earlierDueTimeRunsFirst()
{
    std::vector<QString> fired;
    ClientDeadline late([&fired] { fired.push_back(QStringLiteral("late")); });
    ClientDeadline early([&fired] { fired.push_back(QStringLiteral("early")); });
    late.start(80);
    early.start(10);
    QTRY_COMPARE(fired.size(), std::size_t(2));
    QCOMPARE(fired, (std::vector<QString>{QStringLiteral("early"), QStringLiteral("late")}));
}

void tst_ClientTimers::equalDueTimesRunInStartOrder()
{
    constexpr int Count = 50;
    std::vector<int> fired;
    std::vector<std::unique_ptr<ClientDeadline>> deadlines;
    for (int i = 0; i < Count; ++i)
        deadlines.push_back(std::make_unique<ClientDeadline>([&fired, i] { fired.push_back(i); }));
    // Started in reverse creation order, and 0 restarted last: the start counts, not the slot.
    for (int i = Count - 1; i >= 0; --i)
        deadlines[std::size_t(i)]->start(20);
    deadlines[0]->start(20);

    QTRY_COMPARE(fired.size(), std::size_t(Count));
    std::vector<int> expected;
    for (int i = Count - 1; i >= 1; --i)
        expected.push_back(i);
    expected.push_back(0);
    QCOMPARE(fired, expected);
}

void tst_ClientTimers::restartReplacesTheDueTime()
{
    int calls = 0;
    ClientDeadline deadline([&calls] { ++calls; });
    deadline.start(60000);
    deadline.start(10);
    QVERIFY(deadline.remainingTime() <= 10);
    QTRY_COMPARE(calls, 1);
    QVERIFY(!deadline.isActive()); // the 60 s start is gone, not merely overtaken

    deadline.start(10);
    deadline.start(60000);
    ClientDeadline witness([] {});
    witness.start(100);
    QTRY_VERIFY(!witness.isActive());
    QCOMPARE(calls, 1);
    QVERIFY(deadline.isActive());
}

void tst_ClientTimers::stoppedDeadlineIsNotCalled()
{
    int calls = 0;
    ClientDeadline deadline([&calls] { ++calls; });
    deadline.start(10);
    deadline.stop();
    QVERIFY(!deadline.isActive());
    deadline.stop(); // stopping a stopped deadline is harmless

    ClientDeadline witness([] {});
    witness.start(100);
    QTRY_VERIFY(!witness.isActive());
    QCOMPARE(calls, 0);

    // Stopped, then started again: called once, for the new start.
    deadline.start(10);
    QTRY_COMPARE(calls, 1);
}

void tst_ClientTimers::destroyedDeadlineIsNotCalled()
{
    int calls = 0;
    auto deadline = std::make_unique<ClientDeadline>([&calls] { ++calls; });
    deadline->start(10);
    deadline.reset();
    // A deadline made now may take the destroyed one's place: it is not started by that start.
    ClientDeadline successor([&calls] { calls += 100; });
    QVERIFY(!successor.isActive());

    ClientDeadline witness([] {});
    witness.start(100);
    QTRY_VERIFY(!witness.isActive());
    QCOMPARE(calls, 0);
}

void tst_ClientTimers::callbackStopsAndStartsOthers()
{
    std::vector<QString> fired;
    ClientDeadline stopped([&fired] { fired.push_back(QStringLiteral("stopped")); });
    ClientDeadline started([&fired] { fired.push_back(QStringLiteral("started")); });
    ClientDeadline first([&] {
        fired.push_back(QStringLiteral("first"));
        stopped.stop();
        started.start(20);
    });
    first.start(10);
    stopped.start(10); // due with `first`, after it

    QTRY_COMPARE(fired.size(), std::size_t(2));
    QCOMPARE(fired, (std::vector<QString>{QStringLiteral("first"), QStringLiteral("started")}));
    QVERIFY(!stopped.isActive());
}

void tst_ClientTimers::callbackRestartsItself()
{
    int calls = 0;
    bool activeInside = true;
    ClientDeadline *self = nullptr;
    ClientDeadline deadline([&] {
        activeInside = self->isActive();
        if (++calls < 3)
            self->start(5);
    });
    self = &deadline;
    deadline.start(5);
    QTRY_COMPARE(calls, 3);
    QVERIFY(!activeInside); // not active inside its own callback, as a single-shot QTimer
    QVERIFY(!deadline.isActive());
}

void tst_ClientTimers::deadlineStartedForNowInsideACallbackRunsLater()
{
    // A callback that starts a deadline for "now" again and again does not hold the thread: the
    // event loop turns between the runs (what each run posts is delivered before the next run),
    // and another deadline gets its turn.
    QObject context; // what the runs post to; takes what is still posted with it
    int spins = 0;
    int postsDelivered = 0;
    bool twiceInOneTurn = false;
    ClientDeadline *self = nullptr;
    ClientDeadline spinner([&] {
        twiceInOneTurn = twiceInOneTurn || postsDelivered < spins;
        ++spins;
        QMetaObject::invokeMethod(&context, [&postsDelivered] { ++postsDelivered; },
                                  Qt::QueuedConnection);
        self->start(0);
    });
    self = &spinner;
    bool other = false;
    ClientDeadline otherDeadline([&other] { other = true; });
    spinner.start(0);
    otherDeadline.start(20);
    QTRY_VERIFY(other);
    QVERIFY(spins > 1);
    QVERIFY(!twiceInOneTurn);
    spinner.stop();
}

void tst_ClientTimers::callbackDestroysItself()
{
    int calls = 0;
    std::unique_ptr<ClientDeadline> deadline;
    deadline = std::make_unique<ClientDeadline>([&] {
        ++calls;
        deadline.reset();
        // Made inside the callback, it may reuse the destroyed one's slot.
        deadline = std::make_unique<ClientDeadline>([&calls] { calls += 10; });
    });
    ClientDeadline after([] {});
    deadline->start(10);
    after.start(10); // due with it, after it: still runs
    QTRY_VERIFY(!after.isActive());
    QCOMPARE(calls, 1);
    QVERIFY(!deadline->isActive());

    deadline->start(10); // the new one works, with its own callback
    QTRY_COMPARE(calls, 11);
}

void tst_ClientTimers::callbackDestroysTheLastDeadlineOfTheThread()
{
    // The only deadline of this thread: the thread's queue goes with it, inside its own run.
    bool called = false;
    std::unique_ptr<ClientDeadline> last;
    last = std::make_unique<ClientDeadline>([&] {
        called = true;
        last.reset();
    });
    last->start(10);
    QTRY_VERIFY(called);
    QVERIFY(!last);

    // A new queue for the deadlines made afterwards.
    int calls = 0;
    ClientDeadline next([&calls] { ++calls; });
    next.start(10);
    QTRY_COMPARE(calls, 1);
}

void tst_ClientTimers::callbackDestroysItsOwner()
{
    // As an MqttClient whose slot of disconnected() deletes it: the owner of several deadlines,
    // destroyed by the callback of one of them while another is due at the same time.
    struct Owner {
        explicit Owner(std::unique_ptr<Owner> &self, int &calls)
            : first([&self] { self.reset(); })
            , second([&calls] { ++calls; })
        {
        }
        ClientDeadline first;
        ClientDeadline second;
    };
    int calls = 0;
    std::unique_ptr<Owner> owner;
    owner = std::make_unique<Owner>(owner, calls);
    owner->first.start(10);
    owner->second.start(10);

    ClientDeadline witness([] {});
    witness.start(100);
    QTRY_VERIFY(!witness.isActive());
    QVERIFY(!owner);
    QCOMPARE(calls, 0);
}

void tst_ClientTimers::nestedEventLoopInsideACallback()
{
    // A callback that waits in an event loop (as a modal dialog would) for another deadline.
    QEventLoop loop;
    bool otherRan = false;
    ClientDeadline other([&] {
        otherRan = true;
        loop.quit();
    });
    bool outerDone = false;
    ClientDeadline outer([&] {
        QTimer::singleShot(5000, &loop, &QEventLoop::quit); // give up rather than hang
        loop.exec();
        outerDone = true;
    });
    // Due with `outer`, after it: runs while `outer` waits, in its turn before `other`.
    bool dueWithOuterRan = false;
    bool otherRanFirst = false;
    ClientDeadline dueWithOuter([&] {
        dueWithOuterRan = !outerDone;
        otherRanFirst = otherRan;
    });
    outer.start(10);
    dueWithOuter.start(10);
    other.start(40);
    QTRY_VERIFY(outerDone);
    QVERIFY(otherRan);
    QVERIFY(dueWithOuterRan);
    QVERIFY(!otherRanFirst);
}

void tst_ClientTimers::hundredThousandDeadlines()
{
    constexpr int Count = 100000;
    constexpr int Intervals = 7;
    std::vector<int> fired;
    fired.reserve(Count);
    std::vector<std::unique_ptr<ClientDeadline>> deadlines;
    deadlines.reserve(Count);
    for (int i = 0; i < Count; ++i)
        deadlines.push_back(std::make_unique<ClientDeadline>([&fired, i] { fired.push_back(i); }));
    for (int i = 0; i < Count; ++i)
        deadlines[std::size_t(i)]->start(10 + (i % Intervals) * 15);
    // Every third one stopped, every fifth of those started again: it runs for its second start.
    std::vector<bool> expected(Count, true);
    for (int i = 0; i < Count; i += 3) {
        deadlines[std::size_t(i)]->stop();
        expected[std::size_t(i)] = false;
    }
    for (int i = 0; i < Count; i += 15) {
        deadlines[std::size_t(i)]->start(10 + (i % Intervals) * 15);
        expected[std::size_t(i)] = true;
    }
    const auto expectedCount = std::size_t(std::count(expected.begin(), expected.end(), true));

    QTRY_COMPARE_WITH_TIMEOUT(fired.size(), expectedCount, 30000);
    std::vector<int> times(Count, 0);
    for (int i : fired)
        ++times[std::size_t(i)];
    for (int i = 0; i < Count; ++i)
        QCOMPARE(times[std::size_t(i)], expected[std::size_t(i)] ? 1 : 0);
    // With the same interval, later starts are due no earlier, and run later.
    std::map<int, int> lastStartOfInterval;
    for (int i : fired) {
        const int interval = i % Intervals;
        const int startOrder = i % 15 == 0 ? Count + i : i; // restarted: started after all others
        if (auto it = lastStartOfInterval.find(interval); it != lastStartOfInterval.end()) {
            QVERIFY2(it->second < startOrder,
                     qPrintable(QStringLiteral("deadline %1 ran too early").arg(i)));
        }
        lastStartOfInterval[interval] = startOrder;
    }
    for (const auto &deadline : deadlines)
        QVERIFY(!deadline->isActive());
}

void tst_ClientTimers::hundredThousandDeadlinesStopped()
{
    // As a fleet shutting down: 100,000 keep-alives started, then all stopped, then destroyed.
    constexpr int Count = 100000;
    int calls = 0;
    std::vector<std::unique_ptr<ClientDeadline>> deadlines;
    deadlines.reserve(Count);
    for (int i = 0; i < Count; ++i) {
        deadlines.push_back(std::make_unique<ClientDeadline>([&calls] { ++calls; }));
        deadlines.back()->start(20 + i % 60);
    }
    for (const auto &deadline : deadlines)
        deadline->stop();
    for (int i = 0; i < Count; i += 2)
        deadlines[std::size_t(i)].reset();

    ClientDeadline witness([] {});
    witness.start(150);
    QTRY_VERIFY(!witness.isActive());
    QCOMPARE(calls, 0);
    for (int i = 1; i < Count; i += 2)
        QVERIFY(!deadlines[std::size_t(i)]->isActive());
}

void tst_ClientTimers::twoThreadsAreIndependent()
{
    // A deadline made on a worker thread fires there, and stopping everything on this thread
    // does not touch it.
    std::unique_ptr<ClientDeadline> onWorker;
    QThread worker;
    worker.start();
    const auto stopWorker = qScopeGuard([&worker] {
        worker.quit();
        worker.wait();
    });
    QObject workerContext;
    workerContext.moveToThread(&worker);

    std::atomic<QThread *> firedOn = nullptr;
    QMetaObject::invokeMethod(
        &workerContext,
        [&] {
            onWorker = std::make_unique<ClientDeadline>(
                [&firedOn] { firedOn = QThread::currentThread(); });
            onWorker->start(100);
        },
        Qt::BlockingQueuedConnection);

    QSemaphore hereFired;
    ClientDeadline here([&hereFired] { hereFired.release(); });
    here.start(10);
    here.stop(); // this thread now has nothing armed
    QTRY_COMPARE(firedOn.load(), &worker);
    QCOMPARE(hereFired.available(), 0);

    // The worker's loop blocked until this thread's deadline has run: it runs all the same.
    enum class Blocked { Waiting, SawItRun, GaveUp };
    std::atomic<Blocked> workerWait = Blocked::Waiting;
    QMetaObject::invokeMethod(
        &workerContext,
        [&] { workerWait = hereFired.tryAcquire(1, 10000) ? Blocked::SawItRun : Blocked::GaveUp; },
        Qt::QueuedConnection);
    here.start(10);
    QTRY_VERIFY_WITH_TIMEOUT(workerWait != Blocked::Waiting, 15000);
    QCOMPARE(workerWait.load(), Blocked::SawItRun);

    QMetaObject::invokeMethod(
        &workerContext, [&onWorker] { onWorker.reset(); }, Qt::BlockingQueuedConnection);
}

QTEST_GUILESS_MAIN(tst_ClientTimers)
#include "tst_clienttimers.moc"
