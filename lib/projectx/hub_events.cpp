#include "projectx/hub_events.hpp"

#include "projectx/decode.hpp"
#include "projectx/json_reader.hpp"

#include <cctype>

namespace copytrader::projectx {
namespace json = boost::json;

bool target_is(std::string_view target, std::string_view name) noexcept {
  if (target.size() != name.size()) return false;
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(target[i])) != std::tolower(static_cast<unsigned char>(name[i]))) {
      return false;
    }
  }
  return true;
}

namespace {

template <typename Event, typename Decode>
outcome<void> add_entity(const json::value& v, int action, Decode decode, std::vector<user_event>& out) {
  if (!v.is_object()) return failure{"event entity is not an object"};
  auto entity = decode(v.as_object());
  if (!entity) return entity.error();
  out.emplace_back(Event{action, std::move(*entity)});
  return {};
}

template <typename Event, typename Decode>
outcome<std::vector<user_event>> decode_entities(const json::value& argument, Decode decode) {
  std::vector<user_event> out;
  const json::value* body = &argument;
  int action = action_unknown;
  if (argument.is_object()) {
    const json::object& o = argument.as_object();
    const json::value* data = o.if_contains("data");
    if (data != nullptr && (data->is_object() || data->is_array())) {
      body = data;
      if (const json::value* a = o.if_contains("action")) {
        auto n = as_integer(*a);
        if (!n) return failure{"event.action: expected an integer"};
        action = static_cast<int>(*n);
      }
    }
  }
  if (body->is_array()) {
    for (const json::value& item : body->as_array()) {
      if (item.is_null()) continue; // the market hub pads arrays with nulls; tolerate it here too
      if (auto added = add_entity<Event>(item, action, decode, out); !added) return added.error();
    }
  } else if (auto added = add_entity<Event>(*body, action, decode, out); !added) {
    return added.error();
  }
  return out;
}

} // namespace

outcome<std::vector<user_event>> decode_user_event(std::string_view target, const json::array& arguments) {
  if (target_is(target, "GatewayLogout")) return std::vector<user_event>{logout_event{}};
  const bool known = target_is(target, "GatewayUserOrder") || target_is(target, "GatewayUserPosition") ||
                     target_is(target, "GatewayUserTrade") || target_is(target, "GatewayUserAccount");
  if (!known) return std::vector<user_event>{unknown_event{std::string(target)}};
  if (arguments.empty()) return failure{std::string(target) + ": no argument"};
  const json::value& argument = arguments[0];
  if (target_is(target, "GatewayUserOrder")) return decode_entities<order_event>(argument, decode_order);
  if (target_is(target, "GatewayUserPosition")) return decode_entities<position_event>(argument, decode_position);
  if (target_is(target, "GatewayUserTrade")) return decode_entities<trade_event>(argument, decode_trade);
  return decode_entities<account_event>(argument, decode_account);
}

} // namespace copytrader::projectx
