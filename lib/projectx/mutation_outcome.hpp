#pragma once
// What became of an order mutation (faults.md section 1, point 5): confirmed, definitively rejected,
// not sent, or unknown. Unknown is resolved by searching the follower's orders for the tag, never by
// sending again blindly; this classification is the one place that decides which is which.

#include "projectx/decode.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace copytrader::projectx {

enum class outcome_kind { confirmed, rejected, not_sent, unknown };
std::string_view to_string(outcome_kind) noexcept;

// What the transport saw.
enum class transport_stage {
  completed,   // a full HTTP response arrived
  before_send, // failed before any request byte left (connect refused, DNS, TLS handshake)
  after_send,  // failed after sending: timeout, reset, truncated response
};

struct http_exchange {
  transport_stage stage = transport_stage::completed;
  unsigned status = 0; // HTTP status when completed
  std::string_view body;
  std::string transport_error; // when not completed
};

// Why the venue refused an order, decided once from errorCode and, where the code is coarse (code 2
// on place covers every validation failure), from errorMessage (projectx-api.md 2.4, 4.2, 4.3).
// classify_refusal is the only code that reads a message's text; everything else dispatches on this.
enum class refusal_kind {
  none,                  // not a refusal
  duplicate_tag,         // the customTag is already used on the account: an earlier attempt landed
  position_brackets,     // order brackets on an account in Position Brackets mode (needs Auto OCO)
  bracket_rule,          // a bracket's ticks of the wrong sign, too close, or of the wrong type
  account_violation,     // the account broke a rule of its firm (code 4, or AccountRejected)
  outside_trading_hours, // the market is closed or halted
  contract_not_active,   // the contract expired or is unknown
  cancel_not_allowed,    // the account may not cancel through the API (cancel code 6: a follower in the
                         // platform's own copier, or a live account)
  other,                 // any other refusal
};
[[nodiscard]] std::string_view to_string(refusal_kind kind) noexcept;
// For Order/place's PlaceOrderErrorCode (a refusal, not an indefinite code).
[[nodiscard]] refusal_kind classify_refusal(int error_code, std::string_view error_message) noexcept;
// For Order/cancel's CancelOrderErrorCode: 6 AccountRejected is the account's, not the order's.
[[nodiscard]] refusal_kind classify_cancel_refusal(int error_code) noexcept;

struct place_outcome {
  outcome_kind kind = outcome_kind::unknown;
  refusal_kind refusal = refusal_kind::none; // why, when kind is rejected by a place
  std::optional<order_id> order;             // a rejected place may carry one too
  int error_code = 0;
  std::string message;                             // for the log: code name, errorMessage, or what went wrong
  bool throttled = false;                          // HTTP 429: cool the login down
  bool unauthorized = false;                       // HTTP 401: refresh the token before anything else
  std::chrono::steady_clock::time_point written{}; // the request on the wire (unset if it never was)
};

place_outcome classify_place(const http_exchange& exchange);

// For envelope-only mutations (modify, cancel, close): the same four classes.
place_outcome classify_ack(const http_exchange& exchange);

} // namespace copytrader::projectx
