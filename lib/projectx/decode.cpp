#include "projectx/decode.hpp"

#include "projectx/json_reader.hpp"

#include <boost/json/parse.hpp>

#include <array>

namespace copytrader::projectx {
namespace json = boost::json;

outcome<order> decode_order(const json::object& o) {
  json_reader r(o, "order");
  order v;
  r.required("id", v.id);
  r.required("accountId", v.account_id);
  r.required("contractId", v.contract_id);
  r.optional("symbolId", v.symbol_id);
  r.optional("creationTimestamp", v.created);
  r.optional("updateTimestamp", v.updated);
  r.required("status", v.status, true);
  r.required("type", v.type, true);
  r.required("side", v.side, true);
  r.required("size", v.size);
  r.optional("limitPrice", v.limit_price);
  r.optional("stopPrice", v.stop_price);
  r.optional("fillVolume", v.fill_volume);
  r.optional("filledPrice", v.filled_price);
  r.optional("customTag", v.custom_tag);
  r.optional("parentOrderId", v.parent_order_id);
  r.optional("linkedOrderId", v.linked_order_id);
  r.optional("trailPrice", v.trail_price);
  r.optional("trailDistance", v.trail_distance);
  if (!r.ok()) return *r.error();
  if (v.size < 0 || v.fill_volume < 0) return failure{"order.size: negative"};
  // A side the gateway does not document would be acted on as a direction: the read fails (faults.md
  // B9). A new status or type is carried: one odd order must not make every order search fail.
  if (v.side != side::bid && v.side != side::ask) return failure{"order.side: unknown value " + std::to_string(v.side)};
  return v;
}

outcome<position> decode_position(const json::object& o) {
  json_reader r(o, "position");
  position v;
  r.required("id", v.id);
  r.required("accountId", v.account_id);
  r.required("contractId", v.contract_id);
  r.optional("creationTimestamp", v.created);
  r.required("type", v.type, true);
  r.required("size", v.size);
  r.optional("averagePrice", v.average_price);
  if (!r.ok()) return *r.error();
  if (v.size < 0) return failure{"position.size: negative"};
  // The direction comes only from the type: 0 (undefined) is seen on a closed position, never on an open one.
  if (v.type < 0 || v.type > position_type::short_position)
    return failure{"position.type: unknown value " + std::to_string(v.type)};
  if (v.type == 0 && v.size != 0) return failure{"position.type: undefined on an open position"};
  return v;
}

outcome<trade> decode_trade(const json::object& o) {
  json_reader r(o, "trade");
  trade v;
  r.required("id", v.id);
  r.required("accountId", v.account_id);
  r.required("contractId", v.contract_id);
  r.optional("creationTimestamp", v.created);
  r.required("price", v.price);
  r.optional("profitAndLoss", v.profit_and_loss);
  r.optional("fees", v.fees);
  r.required("side", v.side, true);
  r.required("size", v.size);
  r.optional("voided", v.voided);
  r.required("orderId", v.order);
  if (!r.ok()) return *r.error();
  if (v.size <= 0) return failure{"trade.size: must be positive"};
  if (v.side != side::bid && v.side != side::ask) return failure{"trade.side: unknown value " + std::to_string(v.side)};
  return v;
}

outcome<account> decode_account(const json::object& o) {
  json_reader r(o, "account");
  account v;
  r.required("id", v.id);
  r.optional("name", v.name);
  r.optional("balance", v.balance);
  r.required("canTrade", v.can_trade);
  r.optional("isVisible", v.is_visible);
  r.optional("simulated", v.simulated);
  if (!r.ok()) return *r.error();
  return v;
}

outcome<contract> decode_contract(const json::object& o) {
  json_reader r(o, "contract");
  contract v;
  r.required("id", v.id);
  r.optional("name", v.name);
  r.optional("description", v.description);
  r.required("tickSize", v.tick_size);
  r.required("tickValue", v.tick_value);
  r.optional("activeContract", v.active);
  r.optional("symbolId", v.symbol_id);
  if (!r.ok()) return *r.error();
  if (!(v.tick_size > 0)) return failure{"contract.tickSize: must be positive"};
  return v;
}

outcome<response<json::object>> decode_envelope(std::string_view body) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 32;
  json::value value = json::parse(body, ec, {}, options);
  if (ec) return failure{"response is not JSON: " + ec.message()};
  if (!value.is_object()) return failure{"response is not a JSON object"};
  response<json::object> out;
  out.payload = std::move(value.as_object());
  json_reader r(out.payload, "response");
  r.required("success", out.status.success);
  r.required("errorCode", out.status.error_code, true);
  r.optional("errorMessage", out.status.error_message);
  if (!r.ok()) return *r.error();
  return out;
}

namespace {

template <typename T, typename Decode>
outcome<response<std::vector<T>>> decode_list(std::string_view body, std::string_view key, Decode decode) {
  auto env = decode_envelope(body);
  if (!env) return env.error();
  response<std::vector<T>> out;
  out.status = env->status;
  const json::value* list = env->payload.if_contains(key);
  if (list == nullptr || list->is_null()) {
    if (out.status.ok()) return failure{"response." + std::string(key) + ": missing"};
    return out; // a refusal carries no list
  }
  if (!list->is_array()) return failure{"response." + std::string(key) + ": expected an array"};
  out.payload.reserve(list->as_array().size());
  for (const json::value& item : list->as_array()) {
    if (!item.is_object()) return failure{"response." + std::string(key) + ": expected objects"};
    auto decoded = decode(item.as_object());
    if (!decoded) return decoded.error();
    out.payload.push_back(std::move(*decoded));
  }
  return out;
}

outcome<response<std::optional<secret>>> decode_token(std::string_view body, std::string_view key) {
  auto env = decode_envelope(body);
  if (!env) return env.error();
  response<std::optional<secret>> out;
  out.status = env->status;
  if (const json::value* token = env->payload.if_contains(key); token != nullptr && !token->is_null()) {
    if (!token->is_string()) return failure{"response." + std::string(key) + ": expected a string"};
    if (!token->as_string().empty()) out.payload = secret(std::string(token->as_string()));
  }
  if (out.status.ok() && !out.payload) return failure{"response." + std::string(key) + ": missing"};
  return out;
}

} // namespace

outcome<response<std::optional<secret>>> decode_login(std::string_view body) { return decode_token(body, "token"); }
outcome<response<std::optional<secret>>> decode_validate(std::string_view body) {
  return decode_token(body, "newToken");
}

outcome<response<std::optional<order_id>>> decode_place(std::string_view body) {
  auto env = decode_envelope(body);
  if (!env) return env.error();
  response<std::optional<order_id>> out;
  out.status = env->status;
  json_reader r(env->payload, "response");
  r.optional("orderId", out.payload);
  if (!r.ok()) return *r.error();
  return out;
}

outcome<response<std::monostate>> decode_ack(std::string_view body) {
  auto env = decode_envelope(body);
  if (!env) return env.error();
  return response<std::monostate>{env->status, {}};
}

outcome<response<std::vector<order>>> decode_orders(std::string_view body) {
  return decode_list<order>(body, "orders", decode_order);
}
outcome<response<std::vector<position>>> decode_positions(std::string_view body) {
  return decode_list<position>(body, "positions", decode_position);
}
outcome<response<std::vector<trade>>> decode_trades(std::string_view body) {
  return decode_list<trade>(body, "trades", decode_trade);
}
outcome<response<std::vector<account>>> decode_accounts(std::string_view body) {
  return decode_list<account>(body, "accounts", decode_account);
}
outcome<response<std::vector<contract>>> decode_contracts(std::string_view body) {
  return decode_list<contract>(body, "contracts", decode_contract);
}

outcome<response<std::optional<contract>>> decode_contract_by_id(std::string_view body) {
  auto env = decode_envelope(body);
  if (!env) return env.error();
  response<std::optional<contract>> out;
  out.status = env->status;
  const json::value* one = env->payload.if_contains("contract");
  if (one != nullptr && one->is_object()) {
    auto c = decode_contract(one->as_object());
    if (!c) return c.error();
    out.payload = std::move(*c);
    return out;
  }
  if (const json::value* many = env->payload.if_contains("contracts"); many != nullptr && many->is_array()) {
    if (many->as_array().size() > 1) return failure{"response.contracts: more than one contract for one id"};
    if (!many->as_array().empty()) {
      if (!many->as_array()[0].is_object()) return failure{"response.contracts: expected objects"};
      auto c = decode_contract(many->as_array()[0].as_object());
      if (!c) return c.error();
      out.payload = std::move(*c);
    }
    return out;
  }
  if (one != nullptr && !one->is_null()) return failure{"response.contract: expected an object"};
  return out;
}

std::string_view place_error_name(int code) noexcept {
  static constexpr std::array<std::string_view, 11> names{
      "Success",          "AccountNotFound",     "OrderRejected",  "InsufficientFunds",
      "AccountViolation", "OutsideTradingHours", "OrderPending",   "UnknownError",
      "ContractNotFound", "ContractNotActive",   "AccountRejected"};
  return code >= 0 && code < static_cast<int>(names.size()) ? names[static_cast<std::size_t>(code)] : "Unknown";
}

std::string_view login_error_name(int code) noexcept {
  static constexpr std::array<std::string_view, 11> names{"Success",
                                                          "UserNotFound",
                                                          "PasswordVerificationFailed",
                                                          "InvalidCredentials",
                                                          "AppNotFound",
                                                          "AppVerificationFailed",
                                                          "InvalidDevice",
                                                          "AgreementsNotSigned",
                                                          "UnknownError",
                                                          "ApiSubscriptionNotFound",
                                                          "ApiKeyAuthenticationDisabled"};
  return code >= 0 && code < static_cast<int>(names.size()) ? names[static_cast<std::size_t>(code)] : "Unknown";
}

} // namespace copytrader::projectx
