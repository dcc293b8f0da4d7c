// The broker's own thread, as BrokerServer starts it: it runs with SCHED_BATCH, so that waking
// it (every client write) does not preempt the clients that share its machine, and the policy
// stays on that thread: the threads of the process that owns the server keep theirs.

#include "NetTestSupport.h"

#include <QtTest/QTest>

#include <atomic>
#include <memory>
#include <sched.h>

using namespace iotcore;
using namespace iotcore::test;

class tst_BrokerThread : public QObject
{
    Q_OBJECT

private slots:
    void runsAsBatchWork();
};

void tst_BrokerThread::runsAsBatchWork()
{
    CapturedLog log;
    BrokerServer server(BrokerConfig{}, log.log(), nullptr);
    std::string error;
    QVERIFY2(server.addInProcessListener("inproc", ListenerInfo::Mode::Open, &error),
             error.c_str());
    const int callerPolicy = sched_getscheduler(0);
    QVERIFY(server.start());

    std::atomic<int> brokerPolicy{-2}; // -2: the task has not run yet
    server.post([&brokerPolicy](Broker &) { brokerPolicy = sched_getscheduler(0); });
    QTRY_VERIFY(brokerPolicy != -2);
    QCOMPARE(brokerPolicy.load(), SCHED_BATCH);
    QCOMPARE(sched_getscheduler(0), callerPolicy);
    QVERIFY(server.stop());
}

QTEST_GUILESS_MAIN(tst_BrokerThread)
#include "tst_brokerthread.moc"
