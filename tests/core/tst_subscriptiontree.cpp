// SubscriptionTree, written from MQTT 3.1.1 section 4.7 (topic names and filters): every example
// the standard gives, the '$' rule, empty levels, and the bookkeeping of subscribe/unsubscribe.
//
// A Session cannot be built without a Broker. The tree only stores, compares and hands back the
// Session pointers it is given and never dereferences them (SubscriptionTree.h/.cpp), so the
// distinct addresses of small stand-in objects serve as opaque session keys.

#include "core/SubscriptionTree.h"

#include <QtTest/QTest>

#include <algorithm>
#include <array>
#include <cstddef>
#include <set>
#include <string>
#include <utility>
#include <vector>

using namespace iotcore::broker;

namespace {

struct alignas(std::max_align_t) SessionStandIn {
    char unused = 0;
};

using Visit = std::pair<Session *, std::uint8_t>;

std::vector<Visit> visitsOf(const SubscriptionTree &tree, const std::string &topic)
{
    std::vector<Visit> visits;
    tree.match(topic, [&](const SubscriptionTree::Subscriber &s) {
        visits.emplace_back(s.session, s.qos);
    });
    std::sort(visits.begin(), visits.end());
    return visits;
}

} // namespace

class tst_SubscriptionTree : public QObject
{
    Q_OBJECT

private slots:
    void matching_data();
    void matching();
    void dollarTopicsAndWildcards_data();
    void dollarTopicsAndWildcards();
    void subscribeReturnsTrueOnlyForNewFilter();
    void resubscribeReplacesQos();
    void overlappingFiltersAreVisitedOncePerFilter();
    void unsubscribe();
    void unsubscribeLeavesNeighbouringFilters_data();
    void unsubscribeLeavesNeighbouringFilters();
    void manySessions();

private:
    Session *session(std::size_t i) { return reinterpret_cast<Session *>(&m_standIns.at(i)); }

    std::array<SessionStandIn, 1000> m_standIns;
};

void tst_SubscriptionTree::matching_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addColumn<QString>("topic");
    QTest::addColumn<bool>("matches");

    // MQTT 4.7.1.2, multi-level wildcard: "sport/tennis/player1/#" receives the player and
    // everything below it; '#' also matches the parent level (MQTT-4.7.1-2).
    QTest::newRow("player1/# vs player1") << "sport/tennis/player1/#" << "sport/tennis/player1" << true;
    QTest::newRow("player1/# vs ranking") << "sport/tennis/player1/#" << "sport/tennis/player1/ranking" << true;
    QTest::newRow("player1/# vs score/wimbledon")
        << "sport/tennis/player1/#" << "sport/tennis/player1/score/wimbledon" << true;
    QTest::newRow("player1/# vs player2") << "sport/tennis/player1/#" << "sport/tennis/player2" << false;
    QTest::newRow("player1/# vs sport/tennis") << "sport/tennis/player1/#" << "sport/tennis" << false;
    QTest::newRow("sport/# vs sport") << "sport/#" << "sport" << true;
    QTest::newRow("sport/# vs sport/") << "sport/#" << "sport/" << true;
    QTest::newRow("sport/# vs sports") << "sport/#" << "sports" << false;
    QTest::newRow("sport/tennis/# vs sport/tennis") << "sport/tennis/#" << "sport/tennis" << true;
    QTest::newRow("# vs sport") << "#" << "sport" << true;
    QTest::newRow("# vs deep topic") << "#" << "sport/tennis/player1/ranking" << true;
    QTest::newRow("# vs /") << "#" << "/" << true;

    // MQTT 4.7.1.3, single-level wildcard.
    QTest::newRow("tennis/+ vs player1") << "sport/tennis/+" << "sport/tennis/player1" << true;
    QTest::newRow("tennis/+ vs player2") << "sport/tennis/+" << "sport/tennis/player2" << true;
    QTest::newRow("tennis/+ vs player1/ranking")
        << "sport/tennis/+" << "sport/tennis/player1/ranking" << false;
    QTest::newRow("sport/+ vs sport") << "sport/+" << "sport" << false;
    QTest::newRow("sport/+ vs sport/") << "sport/+" << "sport/" << true;
    QTest::newRow("+ vs finance") << "+" << "finance" << true;
    QTest::newRow("+/+ vs /finance") << "+/+" << "/finance" << true;
    QTest::newRow("/+ vs /finance") << "/+" << "/finance" << true;
    QTest::newRow("+ vs /finance") << "+" << "/finance" << false;
    QTest::newRow("+/tennis/# vs sport/tennis/player1")
        << "+/tennis/#" << "sport/tennis/player1" << true;
    QTest::newRow("+/tennis/# vs sport/golf") << "+/tennis/#" << "sport/golf" << false;
    QTest::newRow("+/# vs sport (# matches the parent)") << "+/#" << "sport" << true;
    QTest::newRow("+/+ vs sport") << "+/+" << "sport" << false;

    // MQTT 4.7.3: levels are compared exactly, case-sensitively; empty levels are levels.
    QTest::newRow("exact") << "sport/tennis/player1" << "sport/tennis/player1" << true;
    QTest::newRow("exact vs trailing slash") << "sport/tennis/player1" << "sport/tennis/player1/" << false;
    QTest::newRow("case sensitive") << "ACCOUNTS" << "Accounts" << false;
    QTest::newRow("space is a character") << "Accounts payable" << "Accounts payable" << true;
    QTest::newRow("leading slash is a level") << "finance" << "/finance" << false;
    QTest::newRow("empty level vs +") << "a/+/b" << "a//b" << true;
    QTest::newRow("empty level is not skipped") << "a/b" << "a//b" << false;
    QTest::newRow("/ vs +/+") << "+/+" << "/" << true;
    QTest::newRow("/ vs /#") << "/#" << "/" << true;
    QTest::newRow("/ vs +") << "+" << "/" << false;
    QTest::newRow("// vs +/+/+") << "+/+/+" << "//" << true;

    // MQTT-4.7.2-1: only a wildcard at the first level is kept away from '$' topics.
    QTest::newRow("# vs $SYS/monitor/Clients") << "#" << "$SYS/monitor/Clients" << false;
    QTest::newRow("+/monitor/Clients vs $SYS/monitor/Clients")
        << "+/monitor/Clients" << "$SYS/monitor/Clients" << false;
    QTest::newRow("$SYS/# vs $SYS/monitor/Clients") << "$SYS/#" << "$SYS/monitor/Clients" << true;
    QTest::newRow("$SYS/monitor/+ vs $SYS/monitor/Clients")
        << "$SYS/monitor/+" << "$SYS/monitor/Clients" << true;
    QTest::newRow("$SYS/# vs $SYS") << "$SYS/#" << "$SYS" << true;
    QTest::newRow("+ vs $SYS") << "+" << "$SYS" << false;
    QTest::newRow("+/# vs $SYS/x") << "+/#" << "$SYS/x" << false;
    QTest::newRow("# vs $") << "#" << "$" << false;
    QTest::newRow("$SYS/# vs $SYSTEM") << "$SYS/#" << "$SYSTEM" << false;
    QTest::newRow("a/+ vs a/$b ($ deeper down)") << "a/+" << "a/$b" << true;
    QTest::newRow("# vs a/$b") << "#" << "a/$b" << true;
    QTest::newRow("exact $ topic") << "$foo/bar" << "$foo/bar" << true;
}

void tst_SubscriptionTree::matching()
{
    QFETCH(QString, filter);
    QFETCH(QString, topic);
    QFETCH(bool, matches);

    SubscriptionTree tree;
    tree.subscribe(filter.toStdString(), session(0), 1);
    const std::vector<Visit> expected = matches ? std::vector<Visit>{{session(0), 1}}
                                                : std::vector<Visit>{};
    QVERIFY(visitsOf(tree, topic.toStdString()) == expected);
}

void tst_SubscriptionTree::dollarTopicsAndWildcards_data()
{
    QTest::addColumn<QString>("topic");
    QTest::addColumn<QList<int>>("receivers");

    // Session i holds filter i: "#", "+/monitor/Clients", "$SYS/#", "$SYS/monitor/+",
    // "sys/monitor/Clients". MQTT-4.7.2-1 plus the rule that $ topics are otherwise ordinary.
    QTest::newRow("$SYS topic") << "$SYS/monitor/Clients" << QList<int>{2, 3};
    QTest::newRow("ordinary topic") << "sys/monitor/Clients" << QList<int>{0, 1, 4};
}

void tst_SubscriptionTree::dollarTopicsAndWildcards()
{
    QFETCH(QString, topic);
    QFETCH(QList<int>, receivers);

    SubscriptionTree tree;
    const char *filters[] = {"#", "+/monitor/Clients", "$SYS/#", "$SYS/monitor/+",
                             "sys/monitor/Clients"};
    for (std::size_t i = 0; i < std::size(filters); ++i)
        tree.subscribe(filters[i], session(i), 0);

    std::vector<Visit> expected;
    for (const int i : receivers)
        expected.emplace_back(session(i), 0);
    std::sort(expected.begin(), expected.end());
    QVERIFY(visitsOf(tree, topic.toStdString()) == expected);
}

void tst_SubscriptionTree::subscribeReturnsTrueOnlyForNewFilter()
{
    SubscriptionTree tree;
    QCOMPARE(tree.subscriptionCount(), std::size_t(0));
    QVERIFY(tree.subscribe("a/b", session(0), 0));
    QVERIFY(tree.subscribe("a/b", session(1), 0)); // same filter, another session
    QVERIFY(tree.subscribe("a/+", session(0), 0)); // another filter, same session
    QCOMPARE(tree.subscriptionCount(), std::size_t(3));
    QVERIFY(!tree.subscribe("a/b", session(0), 2));
    QCOMPARE(tree.subscriptionCount(), std::size_t(3));
}

void tst_SubscriptionTree::resubscribeReplacesQos()
{
    // MQTT-3.8.4-3: an identical filter replaces the subscription; only its QoS may change.
    SubscriptionTree tree;
    tree.subscribe("a/#", session(0), 0);
    QVERIFY(visitsOf(tree, "a/b") == (std::vector<Visit>{{session(0), 0}}));
    QVERIFY(!tree.subscribe("a/#", session(0), 2));
    QVERIFY(visitsOf(tree, "a/b") == (std::vector<Visit>{{session(0), 2}}));
    QVERIFY(!tree.subscribe("a/#", session(0), 1));
    QVERIFY(visitsOf(tree, "a/b") == (std::vector<Visit>{{session(0), 1}}));
    QCOMPARE(tree.subscriptionCount(), std::size_t(1));
}

void tst_SubscriptionTree::overlappingFiltersAreVisitedOncePerFilter()
{
    // The tree reports every matching filter; choosing the highest QoS (MQTT-3.3.5-1) is the
    // broker's job.
    SubscriptionTree tree;
    tree.subscribe("a/b", session(0), 0);
    tree.subscribe("a/+", session(0), 1);
    tree.subscribe("a/#", session(0), 2);
    tree.subscribe("#", session(0), 0);
    tree.subscribe("+/+", session(1), 1);
    QVERIFY(visitsOf(tree, "a/b")
            == (std::vector<Visit>{{session(0), 0}, {session(0), 0}, {session(0), 1},
                                   {session(0), 2}, {session(1), 1}}));
}

void tst_SubscriptionTree::unsubscribe()
{
    SubscriptionTree tree;
    tree.subscribe("a/b", session(0), 1);
    tree.subscribe("a/b", session(1), 1);

    QVERIFY(!tree.unsubscribe("a/c", session(0)));   // never subscribed
    QVERIFY(!tree.unsubscribe("a/+", session(0)));   // a filter is not matched against filters
    QVERIFY(!tree.unsubscribe("a/b", session(2)));   // another session's filter
    QVERIFY(!tree.unsubscribe("a/b/c", session(0))); // below an existing node
    QVERIFY(!tree.unsubscribe("a", session(0)));     // above an existing node
    QCOMPARE(tree.subscriptionCount(), std::size_t(2));

    QVERIFY(tree.unsubscribe("a/b", session(0)));
    QCOMPARE(tree.subscriptionCount(), std::size_t(1));
    QVERIFY(visitsOf(tree, "a/b") == (std::vector<Visit>{{session(1), 1}}));
    QVERIFY(!tree.unsubscribe("a/b", session(0)));
    QCOMPARE(tree.subscriptionCount(), std::size_t(1));

    QVERIFY(tree.unsubscribe("a/b", session(1)));
    QCOMPARE(tree.subscriptionCount(), std::size_t(0));
    QVERIFY(visitsOf(tree, "a/b").empty());
}

void tst_SubscriptionTree::unsubscribeLeavesNeighbouringFilters_data()
{
    QTest::addColumn<QStringList>("filters");

    // Filters sharing nodes, removed one at a time in the given order; each removal prunes what
    // it leaves empty and must not disturb the others.
    const QStringList chain = {"a", "a/b", "a/b/c", "a/b/c/d"};
    QTest::newRow("chain, shortest first") << chain;
    QTest::newRow("chain, longest first") << QStringList{"a/b/c/d", "a/b/c", "a/b", "a"};
    QTest::newRow("wildcards beside levels")
        << QStringList{"a/+/c", "a/#", "a/b/c", "+/b/#", "#", "+", "a/+"};
    QTest::newRow("wildcards beside levels, reversed")
        << QStringList{"a/+", "+", "#", "+/b/#", "a/b/c", "a/#", "a/+/c"};
    QTest::newRow("$ root and ordinary root") << QStringList{"$SYS/#", "#", "$SYS/a", "+/a"};
    QTest::newRow("empty levels") << QStringList{"/", "//", "/+", "+/", "/#"};
}

void tst_SubscriptionTree::unsubscribeLeavesNeighbouringFilters()
{
    QFETCH(QStringList, filters);

    // Each filter belongs to its own session so that a visit names the filter it came from.
    SubscriptionTree tree;
    for (qsizetype i = 0; i < filters.size(); ++i)
        QVERIFY(tree.subscribe(filters[i].toStdString(), session(i), 0));
    const std::vector<std::string> topics = {"a", "a/b", "a/b/c", "a/b/c/d", "x/b/y", "a/x",
                                             "$SYS/a", "x/a", "/", "//", "/x", "x/"};
    auto expectedReceivers = [&](const std::string &topic, qsizetype removed) {
        SubscriptionTree fresh; // a tree built with only the remaining filters
        for (qsizetype i = removed; i < filters.size(); ++i)
            fresh.subscribe(filters[i].toStdString(), session(i), 0);
        return visitsOf(fresh, topic);
    };

    for (qsizetype removed = 0; removed < filters.size(); ++removed) {
        QVERIFY(tree.unsubscribe(filters[removed].toStdString(), session(removed)));
        QCOMPARE(tree.subscriptionCount(), std::size_t(filters.size() - removed - 1));
        for (const std::string &topic : topics) {
            if (visitsOf(tree, topic) != expectedReceivers(topic, removed + 1))
                QFAIL(qPrintable(QString("after removing %1, topic %2 matches wrongly")
                                     .arg(filters[removed], QString::fromStdString(topic))));
        }
    }

    // The pruned tree grows back.
    QVERIFY(tree.subscribe(filters.last().toStdString(), session(0), 2));
    QCOMPARE(tree.subscriptionCount(), std::size_t(1));
}

void tst_SubscriptionTree::manySessions()
{
    // 1000 devices, each subscribed to its own command topic; every 10th is also a dashboard
    // ("devices/+/events") and every 100th an auditor ("#").
    SubscriptionTree tree;
    const std::size_t count = m_standIns.size();
    for (std::size_t i = 0; i < count; ++i) {
        tree.subscribe("devices/" + std::to_string(i) + "/commands", session(i), 1);
        if (i % 10 == 0)
            tree.subscribe("devices/+/events", session(i), 0);
        if (i % 100 == 0)
            tree.subscribe("#", session(i), 2);
    }
    QCOMPARE(tree.subscriptionCount(), count + count / 10 + count / 100);

    std::vector<Visit> expected = {{session(42), 1}};
    for (std::size_t i = 0; i < count; i += 100)
        expected.emplace_back(session(i), 2);
    std::sort(expected.begin(), expected.end());
    QVERIFY(visitsOf(tree, "devices/42/commands") == expected);

    std::set<Session *> receivers;
    for (const Visit &visit : visitsOf(tree, "devices/7/events"))
        receivers.insert(visit.first);
    QCOMPARE(receivers.size(), count / 10); // the auditors are dashboards too

    for (std::size_t i = 0; i < count; ++i)
        QVERIFY(tree.unsubscribe("devices/" + std::to_string(i) + "/commands", session(i)));
    QCOMPARE(tree.subscriptionCount(), count / 10 + count / 100);
    QVERIFY(visitsOf(tree, "devices/42/commands").size() == count / 100);
}

QTEST_APPLESS_MAIN(tst_SubscriptionTree)
#include "tst_subscriptiontree.moc"
