#include "projectx/requests.hpp"

#include <fmt/format.h>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>

#include <iterator>

namespace copytrader::projectx {
namespace {

// A JSON string literal, escaped (tags and ids are ours, but usernames are not).
std::string quoted(std::string_view text) { return boost::json::serialize(boost::json::string(text)); }

} // namespace

rest_request login_key(std::string_view username, const secret& api_key) {
  return {"/api/Auth/loginKey",
          fmt::format(R"({{"userName":{},"apiKey":{}}})", quoted(username), quoted(api_key.reveal()))};
}

rest_request validate_session() { return {"/api/Auth/validate", ""}; }

rest_request search_accounts(bool only_active) {
  return {"/api/Account/search", fmt::format(R"({{"onlyActiveAccounts":{}}})", only_active)};
}

rest_request search_contracts(std::string_view text, bool live) {
  return {"/api/Contract/search", fmt::format(R"({{"searchText":{},"live":{}}})", quoted(text), live)};
}

rest_request contract_by_id(std::string_view contract_id) {
  return {"/api/Contract/searchById", fmt::format(R"({{"contractId":{}}})", quoted(contract_id))};
}

void write_place_order(const place_order_params& p, std::string& out) {
  out.clear();
  auto it = std::back_inserter(out);
  fmt::format_to(it, R"({{"accountId":{},"contractId":{},"type":{},"side":{},"size":{})", p.account,
                 quoted(p.contract_id), p.type, p.side, p.size);
  if (p.limit_price) fmt::format_to(it, R"(,"limitPrice":{})", *p.limit_price);
  if (p.stop_price) fmt::format_to(it, R"(,"stopPrice":{})", *p.stop_price);
  if (!p.custom_tag.empty()) fmt::format_to(it, R"(,"customTag":{})", quoted(p.custom_tag));
  if (p.stop_loss)
    fmt::format_to(it, R"(,"stopLossBracket":{{"ticks":{},"type":{}}})", p.stop_loss->ticks, p.stop_loss->type);
  if (p.take_profit) {
    fmt::format_to(it, R"(,"takeProfitBracket":{{"ticks":{},"type":{}}})", p.take_profit->ticks, p.take_profit->type);
  }
  out.push_back('}');
}

rest_request place_order(const place_order_params& p) {
  rest_request r{"/api/Order/place", {}};
  write_place_order(p, r.body);
  return r;
}

rest_request modify_order(const modify_order_params& p) {
  std::string body = fmt::format(R"({{"accountId":{},"orderId":{})", p.account, p.order);
  if (p.size) body += fmt::format(R"(,"size":{})", *p.size);
  if (p.limit_price) body += fmt::format(R"(,"limitPrice":{})", *p.limit_price);
  if (p.stop_price) body += fmt::format(R"(,"stopPrice":{})", *p.stop_price);
  body += '}';
  return {"/api/Order/modify", std::move(body)};
}

rest_request cancel_order(account_number account, order_id order) {
  return {"/api/Order/cancel", fmt::format(R"({{"accountId":{},"orderId":{}}})", account, order)};
}

rest_request search_orders(account_number account, timestamp start, std::optional<timestamp> end) {
  std::string body = fmt::format(R"({{"accountId":{},"startTimestamp":"{}")", account, format_timestamp(start));
  if (end) body += fmt::format(R"(,"endTimestamp":"{}")", format_timestamp(*end));
  body += '}';
  return {"/api/Order/search", std::move(body)};
}

rest_request search_open_orders(account_number account) {
  return {"/api/Order/searchOpen", fmt::format(R"({{"accountId":{}}})", account)};
}

rest_request search_open_positions(account_number account) {
  return {"/api/Position/searchOpen", fmt::format(R"({{"accountId":{}}})", account)};
}

rest_request close_position(account_number account, std::string_view contract_id) {
  return {"/api/Position/closeContract",
          fmt::format(R"({{"accountId":{},"contractId":{}}})", account, quoted(contract_id))};
}

rest_request partial_close_position(account_number account, std::string_view contract_id, std::int32_t size) {
  return {"/api/Position/partialCloseContract",
          fmt::format(R"({{"accountId":{},"contractId":{},"size":{}}})", account, quoted(contract_id), size)};
}

rest_request search_trades(account_number account, timestamp start, std::optional<timestamp> end) {
  std::string body = fmt::format(R"({{"accountId":{},"startTimestamp":"{}")", account, format_timestamp(start));
  if (end) body += fmt::format(R"(,"endTimestamp":"{}")", format_timestamp(*end));
  body += '}';
  return {"/api/Trade/search", std::move(body)};
}

} // namespace copytrader::projectx
