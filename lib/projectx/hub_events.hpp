#pragma once
// Decodes the user hub's events. Live, each event's one argument is an envelope {action, data}; the
// documentation shows the bare entity, and a community note says only orders are wrapped. Both are
// accepted: an object with an object or array `data` member is unwrapped, anything else is taken as
// the entity. Targets match case-insensitively, as the JS client does.

#include "core/failure.hpp"
#include "projectx/models.hpp"

#include <boost/json/array.hpp>

#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace copytrader::projectx {

inline constexpr int action_unknown = -1; // a bare entity carries no action

struct order_event {
  int action = action_unknown;
  order value;
};
struct position_event {
  int action = action_unknown;
  position value;
};
struct trade_event {
  int action = action_unknown;
  trade value;
};
struct account_event {
  int action = action_unknown;
  account value;
};
struct logout_event {};
struct unknown_event {
  std::string target;
};

using user_event = std::variant<order_event, position_event, trade_event, account_event, logout_event, unknown_event>;

// Every entity the invocation carries (a `data` array yields several); fails on a malformed one.
outcome<std::vector<user_event>> decode_user_event(std::string_view target, const boost::json::array& arguments);

bool target_is(std::string_view target, std::string_view name) noexcept;

} // namespace copytrader::projectx
