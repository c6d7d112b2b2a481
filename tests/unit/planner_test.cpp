#include "copy/planner.hpp"
#include "copy/brackets.hpp"
#include "copy/order_tag.hpp"
#include "copy/sizing.hpp"

#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::copy;
namespace px = copytrader::projectx;

namespace {

follower_config rules(double ratio) {
  follower_config f;
  f.size_ratio = ratio;
  return f;
}

} // namespace

TEST_CASE("the seed table: leader 5 with ratios 1.0, 0.5, 2.0, 0.2, 0.4 gives 5, 2, 10, 1, 2", "[planner][sizing]") {
  CHECK(target_size(5, rules(1.0)) == 5);
  CHECK(target_size(5, rules(0.5)) == 2);
  CHECK(target_size(5, rules(2.0)) == 10);
  CHECK(target_size(5, rules(0.2)) == 1);
  CHECK(target_size(5, rules(0.4)) == 2);
  CHECK(target_size(-5, rules(0.4)) == -2); // short the same
}

TEST_CASE("sizing: flat stays flat, min_size, max_size, fixed_size, invert", "[planner][sizing]") {
  CHECK(target_size(0, rules(3.0)) == 0);
  CHECK(target_size(1, rules(0.2)) == 1); // floor(0.2) = 0, raised to min_size 1
  auto capped = rules(2.0);
  capped.max_size = 3;
  CHECK(target_size(5, capped) == 3);
  CHECK(target_size(-5, capped) == -3);
  auto floor_two = rules(0.1);
  floor_two.min_size = 2;
  CHECK(target_size(3, floor_two) == 2);
  auto fixed = rules(0.5);
  fixed.fixed_size = 4;
  CHECK(target_size(1, fixed) == 4);
  CHECK(target_size(-9, fixed) == -4);
  auto inverted = rules(1.0);
  inverted.invert = true;
  CHECK(target_size(2, inverted) == -2);
  CHECK(target_size(-3, inverted) == 3);
  CHECK(target_size(0, inverted) == 0);
}

TEST_CASE("sizing does not lose a lot to binary floating point", "[planner][sizing]") {
  CHECK(target_size(100, rules(0.29)) == 29); // 100 x 0.29 is 28.999999999999996 in binary
  CHECK(target_size(10, rules(0.7)) == 7);
  CHECK(target_size(3, rules(0.1)) == 1);
}

TEST_CASE("plan_change: every shape of position change is one rule", "[planner]") {
  using k = action_kind;
  const int buy = px::side::bid, sell = px::side::ask;
  CHECK(plan_change(0, 0).empty());
  CHECK(plan_change(2, 2).empty());
  CHECK(plan_change(2, 0) == action_list{{k::open, buy, 2}});
  CHECK(plan_change(-2, 0) == action_list{{k::open, sell, 2}});
  CHECK(plan_change(3, 2) == action_list{{k::add, buy, 1}});     // scale-in
  CHECK(plan_change(1, 3) == action_list{{k::reduce, sell, 2}}); // scale-out
  CHECK(plan_change(-1, -3) == action_list{{k::reduce, buy, 2}});
  CHECK(plan_change(0, 3) == action_list{{k::flatten, sell, 3}});
  CHECK(plan_change(0, -3) == action_list{{k::flatten, buy, 3}});
  // D7: a reversal flattens (taking the old bracket with it) and opens with a bracket of its own.
  CHECK(plan_change(-1, 2) == action_list{{k::flatten, sell, 2}, {k::open, sell, 1}});
}

TEST_CASE("D6: a follower already stopped out gets nothing when the leader's stop fills later", "[planner][D6]") {
  // The follower's own stop closed it (confirmed 0) while the leader was still long 2 (target 2):
  // the engine does not re-enter on its own; then the leader's stop fills: target 0, expected 0.
  CHECK(plan_change(target_size(0, rules(1.0)), 0).empty());
  // A duplicated leader event recomputes the same target: nothing more is sent.
  CHECK(plan_change(2, 2).empty());
}

TEST_CASE("brackets: mirror converts the leader's distances into the follower's ticks", "[planner][brackets]") {
  follower_config f; // mirror, 16/24 fallback
  leader_bracket leader{6500.0, 6496.0, 6506.0, 0.25};
  auto same = plan_bracket(f, true, 0.25, leader);
  CHECK(same.stop_loss->ticks == -16);
  CHECK(same.stop_loss->type == px::order_type::stop);
  CHECK(same.take_profit->ticks == 24);
  CHECK(same.take_profit->type == px::order_type::limit);
  auto coarser = plan_bracket(f, true, 0.5, leader); // a follower contract with 0.5 ticks
  CHECK(coarser.stop_loss->ticks == -8);
  CHECK(coarser.take_profit->ticks == 12);
  auto short_side = plan_bracket(f, false, 0.25, leader_bracket{6500.0, 6504.0, 6494.0, 0.25});
  CHECK(short_side.stop_loss->ticks == 16);
  CHECK(short_side.take_profit->ticks == -24);
}

TEST_CASE("brackets: fallback, fixed, none, and widening to the venue's minimum", "[planner][brackets]") {
  follower_config f;
  auto fallback = plan_bracket(f, true, 0.25, std::nullopt);
  CHECK(fallback.stop_loss->ticks == -16);
  CHECK(fallback.take_profit->ticks == 24);
  auto half = plan_bracket(f, true, 0.25, leader_bracket{6500.0, 6496.0, std::nullopt, 0.25});
  CHECK(half.take_profit->ticks == 24); // the missing leg falls back
  f.bracket = bracket_mode::fixed;
  f.sl_ticks = 10;
  f.tp_ticks = 30;
  auto fixed = plan_bracket(f, false, 0.25, leader_bracket{6500.0, 6496.0, 6506.0, 0.25});
  CHECK(fixed.stop_loss->ticks == 10);
  CHECK(fixed.take_profit->ticks == -30);
  f.bracket = bracket_mode::none;
  auto none = plan_bracket(f, true, 0.25, std::nullopt);
  CHECK_FALSE(none.stop_loss);
  CHECK_FALSE(none.take_profit);
  follower_config mirror;
  auto tight = plan_bracket(mirror, true, 0.25, leader_bracket{6500.0, 6499.5, 6506.0, 0.25});
  CHECK(tight.stop_loss->ticks == -4);
  CHECK(tight.widened);
}

TEST_CASE("tags are deterministic and short", "[planner][tags]") {
  CHECK(order_tag("3004518356", 2001) == "ct-3004518356-2001");
  CHECK(order_tag("3004518356", 2001) == order_tag("3004518356", 2001));
  CHECK(order_tag("3004518356", 2001, 1) == "ct-3004518356-2001-1");
  CHECK(order_tag("r17", 2001) == "ct-r17-2001");
  CHECK(order_tag("3004518356", 2147483647, 1).size() + 3 <= 60); // room for -SL/-TP
}

TEST_CASE("strategy filters work per episode", "[planner][strategy]") {
  episode_tracker episodes("^([A-Za-z0-9_]+)");
  CHECK(episodes.strategy_of("scalper_v2-8f3a") == "scalper_v2");
  CHECK_FALSE(episodes.strategy_of("-x"));
  const std::vector<std::string> scalper_only{"scalper_v2"};
  const std::string mes = "CON.F.US.MES.U26";

  episodes.on_leader_change(mes, 0, 2, "scalper_v2-1"); // opened by an allowed strategy
  CHECK(episodes.follows(mes, scalper_only));
  episodes.on_leader_change(mes, 2, 3, "swing-7"); // an add by another strategy stays in the episode
  CHECK(episodes.follows(mes, scalper_only));
  episodes.on_leader_change(mes, 3, 0, std::nullopt); // flat: the episode ends
  episodes.on_leader_change(mes, 0, -1, "swing-8");   // the next one was opened by another strategy
  CHECK_FALSE(episodes.follows(mes, scalper_only));
  CHECK(episodes.follows(mes, {}));                      // no filter: everything
  episodes.on_leader_change(mes, -1, 1, "scalper_v2-9"); // a reversal starts a new episode
  CHECK(episodes.follows(mes, scalper_only));
  episodes.on_leader_change(mes, 1, 0, std::nullopt);
  episodes.on_leader_change(mes, 0, 1, std::nullopt); // untagged entries match no filter
  CHECK_FALSE(episodes.follows(mes, scalper_only));
}
