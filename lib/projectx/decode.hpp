#pragma once
// Decoders for the gateway's entities and responses. Each takes untrusted JSON and either returns a
// complete typed value or says what was wrong; a list with one bad element fails as a whole (a
// half-read position list would look like "flat").

#include "core/failure.hpp"
#include "core/secret.hpp"
#include "projectx/models.hpp"

#include <boost/json/object.hpp>

#include <optional>
#include <string_view>
#include <variant>
#include <vector>

namespace copytrader::projectx {

outcome<order> decode_order(const boost::json::object& o);
outcome<position> decode_position(const boost::json::object& o);
outcome<trade> decode_trade(const boost::json::object& o);
outcome<account> decode_account(const boost::json::object& o);
outcome<contract> decode_contract(const boost::json::object& o);

// Every response body: {success, errorCode, errorMessage, <payload>}.
struct envelope {
  bool success = false;
  int error_code = 0;
  std::optional<std::string> error_message;

  [[nodiscard]] bool ok() const noexcept { return success && error_code == 0; }
};

template <typename T>
struct response {
  envelope status;
  T payload{};
};

// Parses a body into an object and its envelope; fails on anything that is not one.
outcome<response<boost::json::object>> decode_envelope(std::string_view body);

outcome<response<std::optional<secret>>> decode_login(std::string_view body);    // token
outcome<response<std::optional<secret>>> decode_validate(std::string_view body); // newToken
outcome<response<std::optional<order_id>>> decode_place(std::string_view body);
outcome<response<std::monostate>> decode_ack(std::string_view body); // modify, cancel, close: envelope only
outcome<response<std::vector<order>>> decode_orders(std::string_view body);
outcome<response<std::vector<position>>> decode_positions(std::string_view body);
outcome<response<std::vector<trade>>> decode_trades(std::string_view body);
outcome<response<std::vector<account>>> decode_accounts(std::string_view body);
outcome<response<std::vector<contract>>> decode_contracts(std::string_view body);
// searchById: the singular `contract`, or the old documentation's one-element `contracts`.
outcome<response<std::optional<contract>>> decode_contract_by_id(std::string_view body);

// The name of an errorCode, per endpoint (the numbers mean different things on each).
std::string_view place_error_name(int code) noexcept;
std::string_view login_error_name(int code) noexcept;

} // namespace copytrader::projectx
