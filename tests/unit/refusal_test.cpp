// classify_refusal: one case per gateway wording of projectx-api.md (2.4, 4.2, 4.3) and the simulator's,
// so that nothing but this function ever reads a refusal's text.

#include "projectx/mutation_outcome.hpp"
#include "projectx/rest_error.hpp"

#include <set>

#include <catch2/catch.hpp>

using namespace copytrader::projectx;

namespace {

refusal_kind place_refusal(std::string_view body) {
  return classify_place(http_exchange{transport_stage::completed, 200, body, ""}).refusal;
}

} // namespace

TEST_CASE("a refused place carries its kind, decided from errorCode and errorMessage", "[projectx][refusal]") {
  CHECK(place_refusal(R"({"orderId":9057,"success":false,"errorCode":2,
    "errorMessage":"Brackets cannot be used with Position Brackets. You must enable Auto OCO Brackets."})") ==
        refusal_kind::position_brackets);
  CHECK(place_refusal(R"({"orderId":null,"success":false,"errorCode":2,
    "errorMessage":"An order with this custom tag already exists."})") == refusal_kind::duplicate_tag);
  CHECK(place_refusal(R"({"orderId":null,"success":false,"errorCode":4,"errorMessage":null})") ==
        refusal_kind::account_violation);
  CHECK(place_refusal(R"({"orderId":null,"success":false,"errorCode":10,"errorMessage":null})") ==
        refusal_kind::account_violation);
  CHECK(place_refusal(R"({"orderId":null,"success":false,"errorCode":5,"errorMessage":null})") ==
        refusal_kind::outside_trading_hours);
  CHECK(place_refusal(R"({"orderId":null,"success":false,"errorCode":9,"errorMessage":null})") ==
        refusal_kind::contract_not_active);
  CHECK(place_refusal(R"({"orderId":null,"success":false,"errorCode":3,"errorMessage":null})") == refusal_kind::other);
  // Not refusals: confirmed, and the indefinite codes (the order may exist).
  CHECK(place_refusal(R"({"orderId":1,"success":true,"errorCode":0,"errorMessage":null})") == refusal_kind::none);
  CHECK(place_refusal(R"({"orderId":null,"success":false,"errorCode":7,"errorMessage":"custom tag"})") ==
        refusal_kind::none);
}

TEST_CASE("every documented and observed code-2 wording", "[projectx][refusal]") {
  struct wording {
    std::string_view message;
    refusal_kind kind;
  };
  const wording cases[] = {
      {"Brackets cannot be used with Position Brackets. You must enable Auto OCO Brackets.",
       refusal_kind::position_brackets},
      {"An order with this custom tag already exists.", refusal_kind::duplicate_tag},
      {"CustomTag must be unique", refusal_kind::duplicate_tag},
      {"Invalid stop loss ticks (40). Ticks should be less than zero when longing.", refusal_kind::bracket_rule},
      {"Invalid take profit ticks (30). Ticks should be less than zero when going short.", refusal_kind::bracket_rule},
      {"Invalid stop loss ticks (1). Price should be at least 4 ticks away.", refusal_kind::bracket_rule},
      {"Invalid stop loss type (Limit)", refusal_kind::bracket_rule},
      {"Trail Distance not set.", refusal_kind::other},
      {"Invalid trail price. Price is not aligned to tick size.", refusal_kind::other},
      {"Cannot trail without a last price", refusal_kind::other},
      {"Invalid symbol", refusal_kind::other},
      {"Trail Distance exceeds maximum (1000)", refusal_kind::other},
      {"Order price is outside allowed range. Please set price above best bid.", refusal_kind::other},
      {"Invalid price", refusal_kind::other},
      {"", refusal_kind::other},
  };
  for (const auto& c : cases) {
    INFO(c.message);
    CHECK(classify_refusal(2, c.message) == c.kind);
  }
  // The code decides where it says enough: the text of another code is not read.
  CHECK(classify_refusal(4, "Brackets cannot be used with Position Brackets.") == refusal_kind::account_violation);
  CHECK(classify_refusal(3, "An order with this custom tag already exists.") == refusal_kind::other);
}

TEST_CASE("a refused cancel: code 6 is the account's (it may not cancel), any other the order's",
          "[projectx][refusal]") {
  CHECK(classify_cancel_refusal(6) == refusal_kind::cancel_not_allowed); // follower in the platform's copier, live
  CHECK(classify_cancel_refusal(2) == refusal_kind::other);              // OrderNotFound
  CHECK(classify_cancel_refusal(3) == refusal_kind::other);              // Rejected (no longer working)
  CHECK(to_string(refusal_kind::cancel_not_allowed) == "cancel not allowed");
}

TEST_CASE("rest_error: the REST layer's own category, one message per code", "[refusal][rest_error]") {
  using copytrader::projectx::rest_error;
  const boost::system::error_code stopping = rest_error::stopping;
  CHECK(std::string(stopping.category().name()) == "projectx.rest");
  CHECK(stopping == rest_error::stopping);
  CHECK(stopping != rest_error::transport);
  CHECK(stopping.message() == "not sent: the daemon is stopping");
  std::set<std::string> messages;
  for (int v = static_cast<int>(rest_error::stopping); v <= static_cast<int>(rest_error::not_found); ++v)
    messages.insert(boost::system::error_code(v, copytrader::projectx::rest_category()).message());
  CHECK(messages.size() == 9); // each code says something of its own
  CHECK_FALSE(messages.contains("unknown REST error"));
  // A failure without a code (most of this code base's) never equals one of these.
  const copytrader::failure plain{"a file cannot be written"};
  CHECK_FALSE(plain.code == rest_error::stopping);
}
