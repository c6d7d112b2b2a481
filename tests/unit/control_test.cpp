// The control socket's pure parts: line framing, who may connect, the ctl's tables, label escaping.
#include "control/accept_backoff.hpp"
#include "control/ctl_view.hpp"
#include "control/line_reader.hpp"
#include "control/metrics_text.hpp"
#include "control/peer_policy.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <unistd.h>

using namespace copytrader::control;
using Catch::Matchers::Contains;

TEST_CASE("control lines: split across reads, several per read, CRLF tolerated", "[control]") {
  line_reader lines(16);
  lines.feed("{\"a\"");
  CHECK_FALSE(lines.next());
  lines.feed(":1}\r\n{}\n\n");
  auto first = lines.next();
  REQUIRE(first);
  CHECK(first->text == "{\"a\":1}");
  CHECK_FALSE(first->oversized);
  CHECK(lines.next()->text == "{}");
  CHECK(lines.next()->text.empty());
  CHECK_FALSE(lines.next());
}

TEST_CASE("control lines: an oversized line is reported once and skipped to its newline", "[control]") {
  line_reader lines(8);
  lines.feed("0123456");
  lines.feed("789abcdef"); // past the cap: reported now, without waiting for the newline
  auto over = lines.next();
  REQUIRE(over);
  CHECK(over->oversized);
  CHECK(over->text.empty());
  lines.feed(std::string(10000, 'x')); // still the same line: nothing more, nothing buffered
  CHECK_FALSE(lines.next());
  lines.feed("tail\nok\n");
  auto next = lines.next();
  REQUIRE(next);
  CHECK_FALSE(next->oversized);
  CHECK(next->text == "ok");
  // Exactly at the cap is allowed.
  lines.feed("12345678\n");
  CHECK(lines.next()->text == "12345678");
}

TEST_CASE("control peers: root, the daemon's user and control.group members only", "[control]") {
  access_policy policy;
  policy.own_uid = 990;
  CHECK(peer_allowed(peer_identity{1, 0, 0, {}}, policy));
  CHECK(peer_allowed(peer_identity{1, 990, 990, {}}, policy));
  CHECK_FALSE(peer_allowed(peer_identity{1, 1000, 1000, {}}, policy));
  CHECK_FALSE(peer_allowed(peer_identity{1, 1000, 1000, {4242}}, policy)); // no group configured
  policy.group = 4242;
  CHECK(peer_allowed(peer_identity{1, 1000, 4242, {}}, policy));         // primary group
  CHECK(peer_allowed(peer_identity{1, 1000, 1000, {27, 4242}}, policy)); // supplementary
  CHECK_FALSE(peer_allowed(peer_identity{1, 65534, 65534, {27}}, policy));
  CHECK_THAT(refusal_reason(peer_identity{1, 65534, 65534, {}}, policy),
             Contains("uid 65534") && Contains("group 4242"));
}

TEST_CASE("control peers: supplementary groups read from /proc status text", "[control]") {
  CHECK(parse_status_groups("Name:\tx\nUid:\t1\t1\t1\t1\nGroups:\t4 24 27 4242 \nNSpid:\t1\n") ==
        std::vector<gid_t>{4, 24, 27, 4242});
  CHECK(parse_status_groups("Name:\tx\nGroups:\t\n").empty());
  CHECK(parse_status_groups("garbage").empty());
  CHECK_FALSE(supplementary_groups(::getpid()).size() > 65536); // reads this process without failing
}

TEST_CASE("metrics: label values escaped as the text format asks", "[control]") {
  CHECK(escape_label(R"(a"b\c)") == R"(a\"b\\c)");
  CHECK(escape_label("x\ny") == "x\\ny");
  CHECK(escape_label("plain_name-1") == "plain_name-1");
}

TEST_CASE("ctl tables: status shows what an operator acts on", "[control]") {
  const auto status = boost::json::parse(R"({
    "copying":false,"problem":"cannot read the leader's positions","dry_run":false,
    "leader":{"account":1001,"hub_connected":false,"positions":[{"contract":"MES","net":3}]},
    "breaker":{"tripped":true,"trips":2,"max_orders":5,"window_ms":1000},
    "logins":[{"username":"u","tokens":170,"capacity":180,"waiting":1,"throttled":3,"hub_connected":true,
               "requests":{"exit":10,"entry":20,"bracket_move":10,"read":60}}],
    "followers":[{"name":"small","account":2001,"state":"unusable","reason":"canTrade false",
                  "positions":[{"contract":"MES","position":1,"target":2}]}],
    "reload":{"attempted":true,"ok":false,"when":"2026-11-24T04:00:00Z","message":"x"}})")
                          .as_object();
  const std::string text = render_status(status);
  CHECK_THAT(text, Contains("NO: cannot read the leader's positions"));
  CHECK_THAT(text, Contains("hub DISCONNECTED, MES 3"));
  CHECK_THAT(text, Contains("TRIPPED") && Contains("reset-breaker"));
  CHECK_THAT(text, Contains("170/180 requests free, 1 waiting, 3 x 429, reads 60% of 100 sent"));
  CHECK_THAT(text, Contains("unusable (canTrade false)") && Contains("MES 1/2"));
  CHECK_THAT(text, Contains("REFUSED"));
}

TEST_CASE("ctl tables: each login's exit reserve and what a leader round trip costs it", "[control][reserve]") {
  const auto status = boost::json::parse(R"({
    "copying":true,"dry_run":false,"leader":{"account":1001,"hub_connected":true,"positions":[]},
    "breaker":{"tripped":false,"trips":0,"max_orders":5,"window_ms":1000},
    "logins":[{"username":"trader","tokens":52,"capacity":180,"waiting":0,"throttled":0,"hub_connected":true,
               "requests":{"exit":10,"entry":20,"bracket_move":10,"read":60},"exit_reserve":15,
               "exit_reserve_needed":15,"reserve_grants":0,"round_trips":4,"requests_per_round_trip":21.0,
               "round_trips_per_minute":8.571},
              {"username":"crowded","tokens":180,"capacity":180,"waiting":0,"throttled":0,"hub_connected":true,
               "requests":{},"exit_reserve":90,"exit_reserve_needed":120,"reserve_grants":0,"round_trips":0,
               "requests_per_round_trip":null,"round_trips_per_minute":null}],
    "followers":[],"reload":{"attempted":false}})")
                          .as_object();
  const std::string text = render_status(status);
  CHECK_THAT(text, Contains("15 kept for exits (15 to close every follower at once); a leader round trip costs 21.0 "
                            "requests (4 measured): 8.6 a minute sustained"));
  CHECK_THAT(text, Contains("90 kept for exits (120 to close every follower at once: TOO FEW, see the journal); "
                            "no leader round trip measured yet"));
}

TEST_CASE("ctl tables: a follower held below the leader shows both targets and why", "[control]") {
  const auto status = boost::json::parse(R"({
    "copying":true,"dry_run":false,"leader":{"account":1001,"hub_connected":true,"positions":[]},
    "breaker":{"tripped":false,"trips":1,"max_orders":5,"window_ms":1000},"logins":[],
    "followers":[{"name":"es","account":2002,"state":"active","positions":[
      {"contract":"MES","position":5,"target":5,"leader_target":7,"held":"entries blocked"},
      {"contract":"MNQ","position":1,"target":1,"leader_target":1}]}],
    "reload":{"attempted":false}})")
                          .as_object();
  const std::string text = render_status(status);
  CHECK_THAT(text, Contains("MES 5/5 (leader 7, held: entries blocked)"));
  CHECK_THAT(text, Contains("MNQ 1/1") && !Contains("MNQ 1/1 ("));
}

TEST_CASE("ctl tables: legs the venue will not cancel are shown as orphans, with what to do", "[control]") {
  const auto status = boost::json::parse(R"({
    "copying":true,"dry_run":false,"leader":{"account":1001,"hub_connected":true,"positions":[]},
    "breaker":{"tripped":false,"trips":0,"max_orders":5,"window_ms":1000},"logins":[],
    "followers":[{"name":"es","account":2002,"state":"active","positions":[],
      "guard":{"name":"es","guarded":false,"state":"halted","rule":"G0 account state","reason":"the venue refuses"},
      "orphan_legs":[{"order":77,"contract":"CON.F.US.MES.U26","kind":"stop","side":"sell","size":1,"price":4980.25}]}],
    "reload":{"attempted":false}})")
                          .as_object();
  const std::string text = render_status(status);
  CHECK_THAT(text, Contains("ORPHAN stop sell 1 CON.F.US.MES.U26 at 4980.25 (order 77): the venue will not cancel it; "
                            "cancel it by hand"));
}

TEST_CASE("ctl tables: stats, a signal's plan and a flatten", "[control]") {
  const auto stats = boost::json::parse(R"({"total_copies":7,"successful_copies":6,"failed_copies":1,
    "circuit_breaker_trips":0,"reconcile_corrections":2,"followers":[{"name":"small","orders_sent":9,"rejected":1,
    "unknown":2,"unknown_resolved":2,"position":1,"target":1,"latency_us":{"p50":150,"p99":900,"max":1200},
    "throttled":0,"last_error":"Buy 1 MES refused"}]})")
                         .as_object();
  const std::string text = render_stats(stats);
  CHECK_THAT(text, Contains("total_copies 7") && Contains("failed_copies 1") && Contains("circuit_breaker_trips 0"));
  CHECK_THAT(text, Contains("small") && Contains("2/2") && Contains("1200") && Contains("Buy 1 MES refused"));

  const auto plan = boost::json::parse(R"({"dry_run":true,"followers":[
    {"name":"small","contract":"MES","from":0,"to":2,"note":""},
    {"name":"es","contract":"","from":0,"to":0,"note":"no contract"}]})")
                        .as_object();
  const std::string planned = render_signal(plan);
  CHECK_THAT(planned, Contains("dry run, nothing sent") && Contains("MES 0 -> 2") && Contains("nothing: no contract"));

  const auto flat = boost::json::parse(R"({"flat":["a"],"skipped":["b: canTrade false"]})").as_object();
  CHECK_THAT(render_flatten(flat), Contains("flat: a") && Contains("NOT flattened: b: canTrade false"));
}

TEST_CASE("a failed accept waits, doubling to a second, and is worth one line per streak", "[control][I3]") {
  accept_backoff b;
  CHECK(b.failed() == std::chrono::milliseconds(10));
  CHECK(b.first_of_streak());
  CHECK(b.failed() == std::chrono::milliseconds(20));
  CHECK_FALSE(b.first_of_streak());
  for (int i = 0; i < 20; ++i) b.failed();
  CHECK(b.failed() == std::chrono::milliseconds(1000));
  CHECK(b.succeeded() == 23);
  CHECK(b.succeeded() == 0);
  CHECK(b.failed() == std::chrono::milliseconds(10)); // a new streak starts short
}
