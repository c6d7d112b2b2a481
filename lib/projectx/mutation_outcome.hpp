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

struct place_outcome {
  outcome_kind kind = outcome_kind::unknown;
  std::optional<order_id> order; // a rejected place may carry one too
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
