#pragma once
// Request bodies for the gateway's endpoints (every one a POST with a JSON body). Enums are sent as
// integers, as the gateway requires. Order bodies are formatted straight into one string: they are
// on the copy's hot path.

#include "core/secret.hpp"
#include "projectx/models.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace copytrader::projectx {

struct rest_request {
  std::string_view path;
  std::string body;
};

struct bracket {
  std::int32_t ticks = 0; // signed: long SL negative, TP positive; short the reverse
  int type = 0;           // SL: order_type::stop; TP: order_type::limit
};

struct place_order_params {
  account_number account = 0;
  std::string_view contract_id;
  int type = order_type::market;
  int side = side::bid;
  std::int32_t size = 0;
  std::optional<double> limit_price;
  std::optional<double> stop_price;
  std::string_view custom_tag; // empty: none
  std::optional<bracket> stop_loss;
  std::optional<bracket> take_profit;
};

struct modify_order_params {
  account_number account = 0;
  order_id order = 0;
  std::optional<std::int32_t> size; // only what changes is sent
  std::optional<double> limit_price;
  std::optional<double> stop_price;
};

rest_request login_key(std::string_view username, const secret& api_key);
rest_request validate_session();
rest_request search_accounts(bool only_active);
rest_request search_contracts(std::string_view text, bool live);
rest_request contract_by_id(std::string_view contract_id);
rest_request place_order(const place_order_params& p);
// The same, appended to `out` (cleared first), for callers that keep one buffer per follower.
void write_place_order(const place_order_params& p, std::string& out);
rest_request modify_order(const modify_order_params& p);
rest_request cancel_order(account_number account, order_id order);
rest_request search_orders(account_number account, timestamp start, std::optional<timestamp> end);
rest_request search_open_orders(account_number account);
rest_request search_open_positions(account_number account);
rest_request close_position(account_number account, std::string_view contract_id);
rest_request partial_close_position(account_number account, std::string_view contract_id, std::int32_t size);
rest_request search_trades(account_number account, timestamp start, std::optional<timestamp> end);

} // namespace copytrader::projectx
