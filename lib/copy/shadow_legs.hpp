#pragma once
// A dry run's bracket legs: what a follower's stop and target would be, so that the dry run shows
// the leg work a live run does (placed with an entry, resized after a reduction, cancelled at the
// close, moved after the leader's) and not only the orders. Distances in ticks from the follower's
// entry: a dry run has no fill price of its own. Pure: the engine logs the changes it returns.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace copytrader::copy {

enum class shadow_leg_kind { stop, target };
enum class shadow_change_kind { place, resize, cancel, move };

struct shadow_change {
  shadow_change_kind kind = shadow_change_kind::place;
  shadow_leg_kind leg = shadow_leg_kind::stop;
  std::int32_t size = 0;  // place, resize: the leg's size after the change
  std::int32_t ticks = 0; // place, move: its distance from the entry

  friend bool operator==(const shadow_change&, const shadow_change&) = default;
};
[[nodiscard]] std::string_view to_string(shadow_leg_kind leg) noexcept;

class shadow_legs {
public:
  // The shadow position went from `before` to `after` (signed) by an order carrying these brackets
  // (ticks, positive; nullopt: that leg was not sent).
  std::vector<shadow_change> on_fill(std::int32_t before, std::int32_t after, std::optional<std::int32_t> stop_ticks,
                                     std::optional<std::int32_t> target_ticks);
  // The leader's legs now stand at these distances from its entry (in ticks, positive).
  std::vector<shadow_change> on_leader_legs(std::optional<std::int32_t> stop_ticks,
                                            std::optional<std::int32_t> target_ticks);
  [[nodiscard]] bool empty() const noexcept { return !stop_ && !target_; }

private:
  struct leg {
    std::int32_t size = 0;
    std::int32_t ticks = 0;
  };
  std::optional<leg>& of(shadow_leg_kind kind) noexcept { return kind == shadow_leg_kind::stop ? stop_ : target_; }
  std::optional<leg> stop_;
  std::optional<leg> target_;
};

} // namespace copytrader::copy
