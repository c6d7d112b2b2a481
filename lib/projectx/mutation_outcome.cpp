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

// PlaceOrderErrorCode (projectx-api.md 2.4).
constexpr int place_rejected = 2;
constexpr int place_account_violation = 4;
constexpr int place_outside_trading_hours = 5;
constexpr int place_contract_not_found = 8;
constexpr int place_contract_not_active = 9;
constexpr int place_account_rejected = 10;

bool contains_folded(std::string_view text, std::string_view lower_needle) {
  if (lower_needle.size() > text.size()) return false;
  for (std::size_t i = 0; i + lower_needle.size() <= text.size(); ++i) {
    bool match = true;
    for (std::size_t j = 0; j < lower_needle.size() && match; ++j) {
      const char c = text[i + j];
      match = (c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c) == lower_needle[j];
    }
    if (match) return true;
  }
  return false;
}

} // namespace

std::string_view to_string(refusal_kind kind) noexcept {
  switch (kind) {
    case refusal_kind::none: return "none";
    case refusal_kind::duplicate_tag: return "duplicate tag";
    case refusal_kind::position_brackets: return "position brackets";
    case refusal_kind::bracket_rule: return "bracket rule";
    case refusal_kind::account_violation: return "account violation";
    case refusal_kind::outside_trading_hours: return "outside trading hours";
    case refusal_kind::contract_not_active: return "contract not active";
    case refusal_kind::cancel_not_allowed: return "cancel not allowed";
    case refusal_kind::other: return "other";
  }
  return "?";
}

refusal_kind classify_cancel_refusal(int error_code) noexcept {
  constexpr int account_rejected = 6; // "Follower accounts cannot cancel orders", "Live accounts not supported"
  return error_code == account_rejected ? refusal_kind::cancel_not_allowed : refusal_kind::other;
}

refusal_kind classify_refusal(int error_code, std::string_view message) noexcept {
  switch (error_code) {
    case place_account_violation:
    case place_account_rejected: return refusal_kind::account_violation;
    case place_outside_trading_hours: return refusal_kind::outside_trading_hours;
    case place_contract_not_found:
    case place_contract_not_active: return refusal_kind::contract_not_active;
    case place_rejected: break; // every validation failure: only the text tells them apart
    default: return refusal_kind::other;
  }
  if (contains_folded(message, "position brackets")) return refusal_kind::position_brackets;
  if (contains_folded(message, "custom tag") || contains_folded(message, "customtag"))
    return refusal_kind::duplicate_tag;
  if (contains_folded(message, "stop loss") || contains_folded(message, "take profit") ||
      contains_folded(message, "ticks away"))
    return refusal_kind::bracket_rule;
  return refusal_kind::other;
}

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
  if (out.kind == outcome_kind::rejected)
    out.refusal = classify_refusal(out.error_code, decoded->status.error_message.value_or(""));
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
