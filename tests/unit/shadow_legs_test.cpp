#include "copy/shadow_legs.hpp"

#include <catch2/catch.hpp>

using namespace copytrader::copy;
using k = shadow_change_kind;
using leg = shadow_leg_kind;

TEST_CASE("shadow legs: placed with an entry, added to, resized after a reduction, cancelled at the close",
          "[shadow_legs][dry_run]") {
  shadow_legs legs;
  CHECK(legs.empty());
  CHECK(legs.on_fill(0, 2, 8, 12) ==
        std::vector<shadow_change>{{k::place, leg::stop, 2, 8}, {k::place, leg::target, 2, 12}});
  CHECK(legs.on_fill(2, 3, 8, 12) ==
        std::vector<shadow_change>{{k::place, leg::stop, 1, 8}, {k::place, leg::target, 1, 12}});
  CHECK(legs.on_fill(3, 1, std::nullopt, std::nullopt) ==
        std::vector<shadow_change>{{k::resize, leg::stop, 1, 8}, {k::resize, leg::target, 1, 12}});
  CHECK(legs.on_fill(1, 0, std::nullopt, std::nullopt) ==
        std::vector<shadow_change>{{k::cancel, leg::stop, 0, 8}, {k::cancel, leg::target, 0, 12}});
  CHECK(legs.empty());
  CHECK(legs.on_fill(0, 0, std::nullopt, std::nullopt).empty());
}

TEST_CASE("shadow legs: a reversal cancels the old pair and places the new; no bracket, no leg",
          "[shadow_legs][dry_run]") {
  shadow_legs legs;
  CHECK(legs.on_fill(0, 1, 8, std::nullopt) == std::vector<shadow_change>{{k::place, leg::stop, 1, 8}});
  CHECK(legs.on_fill(1, -2, 10, 20) == std::vector<shadow_change>{{k::cancel, leg::stop, 0, 8},
                                                                  {k::place, leg::stop, 2, 10},
                                                                  {k::place, leg::target, 2, 20}});
  shadow_legs bare;
  CHECK(bare.on_fill(0, 3, std::nullopt, std::nullopt).empty()); // bracket: none
  CHECK(bare.on_fill(3, 1, std::nullopt, std::nullopt).empty());
}

TEST_CASE("shadow legs follow the leader's moves, once per new distance", "[shadow_legs][dry_run]") {
  shadow_legs legs;
  CHECK(legs.on_leader_legs(4, 6).empty()); // nothing held: nothing to move
  legs.on_fill(0, 2, 8, 12);
  CHECK(legs.on_leader_legs(8, 12).empty()); // where they are
  CHECK(legs.on_leader_legs(4, 12) == std::vector<shadow_change>{{k::move, leg::stop, 2, 4}});
  CHECK(legs.on_leader_legs(4, std::nullopt).empty()); // the leader's target gone: ours stays
}
