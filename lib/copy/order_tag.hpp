#pragma once
// Deterministic customTags: the same leader event and follower always give the same tag, so a resend
// after an unknown outcome reuses it and the venue's uniqueness rule refuses a second order.
// `ct-<event>-<account>` (with `-<step>` for the second order of a reversal) stays short: the
// venue appends -SL/-TP to its bracket legs.

#include "projectx/models.hpp"

#include <string>
#include <string_view>

namespace copytrader::copy {

// `event` names the leader change: its trade id, or `r<n>` for a reconciliation correction.
std::string order_tag(std::string_view event, projectx::account_number follower_account, int step = 0);

} // namespace copytrader::copy
