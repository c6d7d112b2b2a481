#pragma once
// Bracket legs that no longer fit the position, pure. A leg larger than the position reverses it
// when it fires; a leg on the same side as the position adds to it; legs left after a close are
// orphans (the venue leaves them working). And a position without a stop is unprotected: the
// missing stop (or target) is reported so the engine can place one.

#include "copy/follower_book.hpp"

#include <cstdint>
#include <vector>

namespace copytrader::copy {

enum class leg_fix_kind { cancel, resize, add_stop, add_target };

struct leg_fix {
  leg_fix_kind kind = leg_fix_kind::cancel;
  projectx::order_id order = 0; // cancel, resize
  std::int32_t size = 0;        // resize: the new size; add_*: the size to protect

  friend bool operator==(const leg_fix&, const leg_fix&) = default;
};

// `position` is the follower's confirmed net on the contract; `legs` its working stop/limit orders
// there. `want_target`: the follower's brackets include a take-profit.
std::vector<leg_fix> plan_leg_fixes(std::int32_t position, const std::vector<working_order>& legs, bool want_stop,
                                    bool want_target);

// After a close, the leftover legs to cancel at once: one leg of each bracket pair (its stop, the
// leg that can open a position soonest) and every leg with no pair. A venue that cancels a leg's
// sibling with it (projectx-api.md 4.4, [UNCONFIRMED]; the simulator's cancel_leg_cancels_sibling)
// is then asked once per pair; at one that does not, the legs check after leg_settle finds the
// sibling still working on the flat account and cancels it (plan_leg_fixes).
std::vector<projectx::order_id> leftover_cancels(const std::vector<working_order>& legs);

} // namespace copytrader::copy
