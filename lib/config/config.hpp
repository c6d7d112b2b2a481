#pragma once
// The whole configuration schema (docs/configuration.md, etc/copytrader.yaml). Defaults live here and
// nowhere else. A `config` value is only ever produced by load_config(), so holding one means it passed
// every rule in validate.cpp.

#include "config/risk_config.hpp"
#include "core/duration.hpp"
#include "core/secret.hpp"

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace copytrader {

using account_id = std::int64_t;

struct api_config {
  std::string base_url = "https://api.topstepx.com";
  std::string user_hub_url = "wss://rtc.topstepx.com/hubs/user";
  std::filesystem::path ca_file; // extra trust anchor; the system store is always used as well
  duration request_timeout = std::chrono::seconds(5);
  duration hub_timeout = std::chrono::seconds(30); // nothing from the hub, pings included: the link is dead
  std::int32_t connections_per_login = 64;         // the bound of one login's warm HTTPS pool
};

// Where an API key came from, for messages; never the key itself.
struct credential {
  std::string username;
  secret api_key;
  std::string source; // "file /path", "environment variable NAME", "inline"
};

struct leader_config {
  credential login;
  account_id account = 0;
};

enum class bracket_mode { mirror, fixed, none };

struct follower_config {
  std::string name;
  credential login;
  account_id account = 0;
  std::string contract_id;                         // every leader contract is copied onto this one
  std::map<std::string, std::string> contract_map; // or per leader contract; both empty = same contract
  double size_ratio = 1.0;
  std::int32_t min_size = 1;
  std::int32_t max_size = 0;   // 0 = no cap
  std::int32_t fixed_size = 0; // >0: ignore the ratio
  bool invert = false;
  // Holding the opposite of another account of the trader is cross-account hedging, which prop
  // firms forbid on funded accounts: invert needs this, and it exempts the follower from G7.
  bool allow_hedge = false;
  std::optional<risk_limits> risk; // the account guard's limits; nullopt: only G0 and G7 apply
  bracket_mode bracket = bracket_mode::mirror;
  std::int32_t sl_ticks = 16;
  std::int32_t tp_ticks = 24;
  std::vector<std::string> allowed_strategies; // empty = all
  bool enabled = true;
  int line = 0; // where the entry starts in the file, for messages about it
};

enum class start_policy { close_only, full, alert };

struct copy_config {
  bool dry_run = false;
  std::string strategy_pattern = "^([A-Za-z0-9_]+)";
  duration bracket_wait = std::chrono::milliseconds(300);
  duration max_copy_age = std::chrono::seconds(30);
  duration reconcile_interval = std::chrono::seconds(10);
  start_policy on_start = start_policy::close_only;
};

struct circuit_breaker_config {
  std::int32_t max_orders = 5;
  duration window = std::chrono::seconds(1);
};

struct rate_limit_config {
  std::int32_t max_requests = 180;
  duration window = std::chrono::seconds(60);
  // Requests of each login's window kept for exits (safety/exit_reserve.hpp); empty: auto, three
  // per follower of the login, at most half the window.
  std::optional<std::int32_t> exit_reserve;
  bool entries_use_reserve = false;
};

struct safety_config {
  circuit_breaker_config circuit_breaker;
  rate_limit_config rate_limit;
  std::int32_t max_followers = 10;
  bool allow_many_followers = false;
  std::int32_t max_orders_per_minute = 50;
};

struct control_config {
  std::filesystem::path socket = "/run/copytrader/control.sock";
  std::string metrics_listen;   // "" = off; otherwise address:port (an IP literal or localhost)
  std::string group;            // "" = root and the daemon's user only; else members of this group too
  std::string dashboard_listen; // "" = off; otherwise a loopback address:port
  // What the dashboard's actions must carry: dashboard_token_file (0600), $CREDENTIALS_DIRECTORY/
  // dashboard_token, or made anew at each start when neither is there (copytraderctl dashboard shows it).
  secret dashboard_token;
  std::string dashboard_token_source;
};

struct state_config {
  std::filesystem::path directory = "/var/lib/copytrader";
};

enum class log_sink { automatic, journald, stderr_sink };

struct logging_config {
  std::string level = "info";
  log_sink sink = log_sink::automatic;
};

// Alerts (docs/operations.md, "Alerts"): where the trader hears of what needs them.
enum class alert_format { webhook, discord, slack, telegram, ntfy };
enum class alert_severity { info, warning, critical };

struct alert_target_config {
  std::string name;
  alert_format format = alert_format::webhook;
  // The webhook URL (webhook, discord, slack), the bot token (telegram) or the topic (ntfy): whoever
  // holds it can post to the trader's phone, so it is read and kept like an API key.
  secret token;
  std::string token_source; // where it came from, for messages; never the value
  std::string server;       // telegram and ntfy: the service's base URL (their public one by default)
  std::string chat_id;      // telegram
  alert_severity min_severity = alert_severity::info;
  int line = 0;
};

struct alerts_config {
  std::vector<alert_target_config> targets;
  duration repeat_interval = std::chrono::minutes(15); // the same kind for the same follower: one alert per interval
  duration hub_down_after = std::chrono::seconds(60);  // a hub down this long is alerted
  duration timeout = std::chrono::seconds(5);          // one delivery attempt
  std::int32_t max_attempts = 4;                       // per alert and target, then it counts as failed
  std::int32_t queue_limit = 50;                       // per target; more are dropped and counted
};

struct config {
  std::filesystem::path file; // the file this was loaded from (absolute)
  api_config api;
  leader_config leader;
  std::vector<follower_config> followers;
  copy_config copy;
  risk_config risk;
  safety_config safety;
  control_config control;
  state_config state;
  logging_config logging;
  alerts_config alerts;
};

std::string_view to_string(bracket_mode) noexcept;
std::string_view to_string(start_policy) noexcept;
std::string_view to_string(log_sink) noexcept;
std::string_view to_string(alert_format) noexcept;
std::string_view to_string(alert_severity) noexcept;

} // namespace copytrader
