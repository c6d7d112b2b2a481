#include "copy/shadow_legs.hpp"

#include <cstdlib>

namespace copytrader::copy {

std::string_view to_string(shadow_leg_kind leg) noexcept { return leg == shadow_leg_kind::stop ? "stop" : "target"; }

std::vector<shadow_change> shadow_legs::on_fill(std::int32_t before, std::int32_t after,
                                                std::optional<std::int32_t> stop_ticks,
                                                std::optional<std::int32_t> target_ticks) {
  std::vector<shadow_change> out;
  const bool reversed = before != 0 && after != 0 && (before > 0) != (after > 0);
  const std::int32_t held = std::abs(after);
  for (const auto kind : {shadow_leg_kind::stop, shadow_leg_kind::target}) {
    auto& current = of(kind);
    const auto ticks = kind == shadow_leg_kind::stop ? stop_ticks : target_ticks;
    if (current && (after == 0 || reversed)) {
      out.push_back({shadow_change_kind::cancel, kind, 0, current->ticks});
      current.reset();
    }
    const std::int32_t added = reversed ? held : (std::abs(after) > std::abs(before) ? held - std::abs(before) : 0);
    if (added > 0 && ticks) {
      // Each entry brings its own pair (Auto OCO); shown as one leg of the summed size.
      current = leg{(current ? current->size : 0) + added, *ticks};
      out.push_back({shadow_change_kind::place, kind, added, *ticks});
    } else if (current && current->size > held) {
      // A leg larger than the position would reverse it when it fires: cut to the position.
      current->size = held;
      out.push_back({shadow_change_kind::resize, kind, held, current->ticks});
    }
  }
  return out;
}

std::vector<shadow_change> shadow_legs::on_leader_legs(std::optional<std::int32_t> stop_ticks,
                                                       std::optional<std::int32_t> target_ticks) {
  std::vector<shadow_change> out;
  for (const auto kind : {shadow_leg_kind::stop, shadow_leg_kind::target}) {
    auto& current = of(kind);
    const auto ticks = kind == shadow_leg_kind::stop ? stop_ticks : target_ticks;
    if (!current || !ticks || *ticks == current->ticks) continue;
    current->ticks = *ticks;
    out.push_back({shadow_change_kind::move, kind, current->size, *ticks});
  }
  return out;
}

} // namespace copytrader::copy
