#include "projectx/mutation_outcome.hpp"

#include <fmt/format.h>

namespace copytrader::projectx {

std::string_view to_string(outcome_kind kind) noexcept {
  switch (kind) {
    case outcome_kind::confirmed: return "confirmed";
    case outcome_kind::rejected: return "rejected";
    case outcome_kind::not_sent: return "not sent";
    case outcome_kind::unknown: return "unknown";
  }
  return "?";
}

namespace {

// Transport and HTTP status, shared by every mutation; nullopt when a body must be read.
std::optional<place_outcome> classify_transport(const http_exchange& x) {
  place_outcome out;
  switch (x.stage) {
    case transport_stage::before_send:
      out.kind = outcome_kind::not_sent;
      out.message = "not sent: " + x.transport_error;
      return out;
    case transport_stage::after_send:
      out.kind = outcome_kind::unknown;
      out.message = "no response: " + x.transport_error;
      return out;
    case transport_stage::completed: break;
  }
  if (x.status == 200) return std::nullopt;
  out.message = fmt::format("HTTP {}", x.status);
  if (x.status == 429) {
    // The gateway does not say whether a throttled request was processed: treat it as unknown.
    out.kind = outcome_kind::unknown;
    out.throttled = true;
  } else if (x.status == 401) {
    out.kind = outcome_kind::unknown;
    out.unauthorized = true;
  } else if (x.status >= 400 && x.status < 500) {
    out.kind = outcome_kind::rejected; // the body did not bind: refused before any order existed
  } else {
    out.kind = outcome_kind::unknown;
  }
  return out;
}

constexpr int place_order_pending = 6;
constexpr int place_unknown_error = 7;

} // namespace

place_outcome classify_place(const http_exchange& x) {
  if (auto early = classify_transport(x)) return *early;
  place_outcome out;
  auto decoded = decode_place(x.body);
  if (!decoded) {
    out.kind = outcome_kind::unknown;
    out.message = "unreadable response: " + decoded.error().message;
    return out;
  }
  out.order = decoded->payload;
  out.error_code = decoded->status.error_code;
  if (decoded->status.ok()) {
    out.kind = out.order ? outcome_kind::confirmed : outcome_kind::unknown;
    if (!out.order) out.message = "success without an orderId";
    return out;
  }
  out.message = fmt::format("{} ({}){}{}", place_error_name(out.error_code), out.error_code,
                            decoded->status.error_message ? ": " : "", decoded->status.error_message.value_or(""));
  // UnknownError and OrderPending say nothing definite about whether the order exists.
  const bool indefinite = out.error_code == place_unknown_error || out.error_code == place_order_pending ||
                          (decoded->status.success && out.error_code != 0);
  out.kind = indefinite ? outcome_kind::unknown : outcome_kind::rejected;
  return out;
}

place_outcome classify_ack(const http_exchange& x) {
  if (auto early = classify_transport(x)) return *early;
  place_outcome out;
  auto decoded = decode_ack(x.body);
  if (!decoded) {
    out.kind = outcome_kind::unknown;
    out.message = "unreadable response: " + decoded.error().message;
    return out;
  }
  out.error_code = decoded->status.error_code;
  if (decoded->status.ok()) {
    out.kind = outcome_kind::confirmed;
    return out;
  }
  out.kind = outcome_kind::rejected;
  out.message = fmt::format("error code {}{}{}", out.error_code, decoded->status.error_message ? ": " : "",
                            decoded->status.error_message.value_or(""));
  return out;
}

} // namespace copytrader::projectx
