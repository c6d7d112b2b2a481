// The figures an operator reads are true (issue "Found by a new user", item 8): a copy is one
// follower order or close sent, so successful_copies never exceeds total_copies; nothing is counted
// before anything is sent; an order a reload causes is not copy latency; a dry run sends nothing and
// counts nothing as sent, and says an exit is an exit.

#include "integration/engine_fixture.hpp"
#include "service/control_commands.hpp"
#include "support/log_capture.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::testing;
using namespace std::chrono_literals;

TEST_CASE("figures: a copy is a follower order sent; successful and failed copies add up to at most the total",
          "[engine][figures]") {
  engine_fixture fx(follower_entry("one", 2001, "    bracket: fixed\n") +
                    follower_entry("two", 2002, "    bracket: fixed\n"));
  fx.start();
  const auto& counters = fx.engine->context().counters;
  CHECK(counters.total_copies == 0); // started, nothing sent yet
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 1}, {2002, 1}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}, {2002, 0}}));
  fx.run_for(300ms);
  CHECK(counters.leader_changes == 2);
  CHECK(counters.total_copies == 4); // an entry and a close for each follower
  CHECK(counters.successful_copies == 4);
  CHECK(counters.successful_copies + counters.failed_copies <= counters.total_copies);
  for (const auto* f : fx.engine->followers()) CHECK(f->figures().orders_sent == 2);
}

TEST_CASE("figures: an order a reload causes is not timed as copy latency", "[engine][figures][reload]") {
  engine_fixture fx(follower_entry("one", 2001, "    bracket: fixed\n"));
  fx.start();
  const auto& figures = fx.engine->followers().front()->figures();
  fx.leader_market(2);
  REQUIRE(fx.settle({{2001, 2}}));
  CHECK(figures.latency.count == 1);
  // A new ratio: the follower is brought to 4 by an order the leader did not cause just now.
  REQUIRE(fx.reload(follower_entry("one", 2001, "    bracket: fixed\n    size_ratio: 2\n")).items.empty());
  REQUIRE(fx.settle({{2001, 4}}));
  CHECK(figures.orders_sent == 2);
  CHECK(figures.latency.count == 1);
  fx.leader_market(1); // the leader's next change is timed again
  REQUIRE(fx.settle({{2001, 6}}));
  CHECK(figures.latency.count == 2);
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
}

TEST_CASE("figures: a dry run counts nothing as sent and labels entries and exits", "[engine][figures][dry_run]") {
  log_capture log;
  engine_fixture fx(follower_entry("one", 2001, "    bracket: fixed\n"), "copy:\n  dry_run: true\n");
  fx.start();
  fx.leader_market(2);
  fx.run_for(800ms);
  fx.leader_market(-1);
  fx.run_for(800ms);
  const auto& figures = fx.engine->followers().front()->figures();
  CHECK(figures.orders_sent == 0);
  CHECK(figures.dry_run_orders == 2);
  CHECK(fx.engine->context().counters.total_copies == 0);
  CHECK(log.count("would buy 2 CON.F.US.MES.U26 (entry, tag ct-") == 1);
  CHECK(log.count(", stop 16 ticks, target 24 ticks)") == 1);
  CHECK(log.count("would sell 1 CON.F.US.MES.U26 (exit, tag ct-") == 1);
  CHECK(log.count("stop 0 ticks") == 0);
  fx.leader_close();
}

TEST_CASE("figures: the latest copies are kept for a dashboard only", "[engine][figures]") {
  engine_fixture fx(follower_entry("one", 2001, "    bracket: fixed\n"));
  fx.start();
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 1}}));
  CHECK(fx.engine->context().recent_copies.empty()); // no dashboard: nothing allocated for it
  fx.engine->keep_recent_copies();
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
  REQUIRE(fx.engine->context().recent_copies.size() == 1);
  const auto& close = fx.engine->context().recent_copies.front();
  CHECK(close.follower == "one");
  CHECK(close.action == "close");
  CHECK(close.size == 1);
  fx.leader_market(2);
  REQUIRE(fx.settle({{2001, 2}}));
  REQUIRE(fx.engine->context().recent_copies.size() == 2);
  const auto& entry = fx.engine->context().recent_copies.back();
  CHECK(entry.action == "buy");
  CHECK(entry.size == 2);
  CHECK(entry.timed); // the copy latency of the leader's entry, as stats counts it
  CHECK(entry.latency_us > 0);
  CHECK_FALSE(entry.event.empty());
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
}

TEST_CASE("figures: the dashboard feed lists each new copy; the list's text is kept while none is noted",
          "[engine][figures][dashboard]") {
  engine_fixture fx(follower_entry("one", 2001, "    bracket: fixed\n"));
  fx.start();
  fx.engine->keep_recent_copies();
  control_hooks hooks{*fx.engine, {}, [] { return reload_record{}; }, nullptr, {}};
  const auto copies_shown = [&] {
    const auto message = boost::json::parse(dashboard_snapshot(hooks));
    return message.as_object().at("copies").as_array();
  };
  CHECK(copies_shown().empty());
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 1}}));
  auto shown = copies_shown();
  REQUIRE(shown.size() == 1);
  CHECK(shown[0].at("action") == "buy");
  CHECK(shown[0].at("follower") == "one");
  const auto built_for = hooks.feed_copies.noted;
  CHECK(copies_shown() == shown); // nothing new: the same list, from the kept text
  CHECK(hooks.feed_copies.noted == built_for);
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}}));
  shown = copies_shown(); // a copy was noted: the list is built again and shows it
  REQUIRE(shown.size() == 2);
  CHECK(shown[1].at("action") == "close");
  CHECK(hooks.feed_copies.noted != built_for);
}

TEST_CASE("dry run: the legs a live run would place, resize, move and cancel are said", "[engine][dry_run][mirror]") {
  log_capture log;
  engine_fixture fx(follower_entry("one", 2001, "    bracket: mirror\n"), "copy:\n  dry_run: true\n");
  fx.start();
  fx.leader_market(2, -8, 12);
  REQUIRE(fx.run_until([&] { return log.count("would place a target of 2 on CON.F.US.MES.U26 at 12 ticks") == 1; }));
  CHECK(log.count("dry run: follower one would place a stop of 2 on CON.F.US.MES.U26 at 8 ticks") == 1);

  // The leader drags its stop to 4 ticks from its entry: the shadow stop follows.
  std::int64_t leader_stop = 0;
  for (const auto& leg : fx.legs(1001)) {
    if (leg.type == 4) leader_stop = leg.id;
  }
  REQUIRE(leader_stop != 0);
  fx.act(fmt::format(R"({{"account":1001,"op":"modify","order_id":{},"stop_price":{}}})", leader_stop, 6499.0));
  REQUIRE(fx.run_until([&] {
    return log.count("would move its stop on CON.F.US.MES.U26 to 4 ticks from its entry (the leader's moved)") == 1;
  }));

  fx.leader_market(-1); // a reduction leaves legs of 2 on a position of 1
  REQUIRE(fx.run_until([&] { return log.count("would resize its target on CON.F.US.MES.U26 to 1") == 1; }));
  CHECK(log.count("would resize its stop on CON.F.US.MES.U26 to 1") == 1);
  fx.leader_close();
  REQUIRE(fx.run_until([&] { return log.count("would cancel its target on CON.F.US.MES.U26") == 1; }));
  CHECK(log.count("would cancel its stop on CON.F.US.MES.U26") == 1);
  CHECK(fx.orders(2001) == 0); // said, never sent
}
