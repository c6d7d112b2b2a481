#pragma once
// How many of a login's requests per window are kept for exits (issue 19, docs/performance.md): by
// default enough to close every follower of the login and cancel the two legs the venue leaves
// working after a close, all at once; at most half the window, so entries and reads keep the rest.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace copytrader {

// A close, then the cancels of its stop and its target.
inline constexpr std::size_t requests_per_follower_exit = 3;

struct exit_reserve_plan {
  std::size_t reserve = 0; // slots of the window kept for exits
  std::size_t needed = 0;  // what closing every follower of the login at once costs
  [[nodiscard]] bool covers_all() const noexcept { return reserve >= needed; }
};

// `configured`: safety.rate_limit.exit_reserve (empty: auto).
exit_reserve_plan plan_exit_reserve(std::size_t capacity, std::size_t followers, std::optional<std::size_t> configured);

// When the reserve cannot close every follower of `login` at once: what that means and what to do.
std::optional<std::string> exit_reserve_warning(std::string_view login, std::size_t followers,
                                                const exit_reserve_plan& plan);

} // namespace copytrader
