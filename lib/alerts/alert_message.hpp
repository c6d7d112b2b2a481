#pragma once
// An alert as each receiver wants it: where to POST it and the JSON body, for a generic webhook,
// Discord, Slack, Telegram's sendMessage and ntfy's JSON publishing. Pure. The path of a Discord,
// Slack or Telegram request carries the target's secret, and an ntfy body its topic: both are kept
// in `secret` or never logged.

#include "alerts/alert.hpp"
#include "core/failure.hpp"
#include "core/secret.hpp"

#include <string>
#include <string_view>

namespace copytrader::alerts {

struct alert_address {
  std::string host;
  std::string port = "443";
  secret path; // with the query; it may hold the webhook's token
};

// The target's host and path; the error never quotes its secret.
outcome<alert_address> address_of(const alert_target_config& target);

// Who sends, for a trader who runs more than one copier ("copytrader, leader 1001").
struct alert_origin {
  std::string name;
  std::string time_utc; // ISO-8601, when the alert was raised
};

// The longest text each chat service takes in one message.
inline constexpr std::size_t discord_max_text = 2000;
inline constexpr std::size_t telegram_max_text = 4096;

// The alert as a few lines of plain text: severity and title, who, what, what to do.
std::string alert_text(const alert& a, const alert_origin& origin);
// The request body for the target's format.
std::string alert_body(const alert_target_config& target, const alert& a, const alert_origin& origin);
// Cut to at most `limit` bytes without splitting a UTF-8 character.
std::string clip_utf8(std::string text, std::size_t limit);

} // namespace copytrader::alerts
