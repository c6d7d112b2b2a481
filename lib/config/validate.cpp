#include "config/validate.hpp"

#include "config/validate_files.hpp"
#include "copy/contract_routes.hpp"

#include <boost/url/parse.hpp>

#include <boost/asio/ip/address.hpp>

#include <grp.h>
#include <sys/un.h>
#include <cmath>
#include <limits>
#include <map>
#include <regex>
#include <set>

namespace copytrader {
namespace {

constexpr std::int64_t max_account_id = std::numeric_limits<std::int32_t>::max();
// A login's warm HTTPS connections: one per account it copies to is the point; past a few hundred a
// venue or a firewall may take the daemon for a flood.
constexpr std::int32_t max_connections_per_login = 256;

void check_positive(yaml_reader& r, const std::string& key, duration d) {
  if (d.count() <= 0) r.error_at(key, "must be longer than 0");
}

void check_account(yaml_reader& r, const std::string& key, account_id id) {
  if (id <= 0 || id > max_account_id) r.error_at(key, "must be a positive account id (1 to 2147483647)");
}

// Orders name a contract by its ProjectX id, one month of one product; a symbol ("MES") matches no
// position and fails only at run time.
void check_contract_id(yaml_reader& r, const std::string& key, const std::string& id) {
  if (id.starts_with("CON.") && id.size() > 4) return;
  r.error_at(
      key, "'" + id +
               "' is not a ProjectX contract id (like CON.F.US.MES.Z26); copytraderd --config FILE --contracts " + id +
               " lists the ids. To follow the leader's month, map symbols instead: contract_map: {MES: ES}");
}

// A pair maps a month to a month (ids) or a product to a product (symbols, the leader's month kept).
void check_contract_pair(yaml_reader& r, const std::string& key, const std::string& leader,
                         const std::string& follower) {
  const auto is_id = [](const std::string& text) { return text.starts_with("CON.") && text.size() > 4; };
  if ((is_id(leader) && is_id(follower)) || (copy::is_symbol(leader) && copy::is_symbol(follower))) return;
  bool named = false;
  for (const auto* side : {&leader, &follower}) {
    if (is_id(*side) || copy::is_symbol(*side)) continue;
    named = true;
    r.error_at(key, "'" + *side +
                        "' is neither a ProjectX contract id (like CON.F.US.MES.Z26) nor a symbol (upper-case, the "
                        "contract's name without its month: MESZ6 -> MES); copytraderd --config FILE --contracts " +
                        *side + " lists both");
  }
  if (!named)
    r.error_at(key, "'" + leader + ": " + follower +
                        "' mixes a symbol and a contract id: map a symbol to a symbol (MES: ES, the leader's month "
                        "kept) or an id to an id (CON.F.US.MES.Z26: CON.F.US.EP.Z26)");
}

// ProjectX logs in with the platform's user name; an e-mail address is refused by the gateway as
// bad credentials (code 3), which reads like a wrong key.
void check_username(yaml_reader& r, const std::string& key, const std::string& username) {
  if (username.empty()) {
    r.error_at(key, "must not be empty");
  } else if (username.find('@') != std::string::npos) {
    r.error_at(key, "'" + username +
                        "' looks like an e-mail address; ProjectX logs in with the platform user name (shown in "
                        "the platform's account settings), not the e-mail");
  }
}

void check_bracket_ticks(yaml_reader& r, const std::string& key, std::int32_t ticks) {
  if (ticks <= 0) {
    r.error_at(key, "must be a positive distance in ticks (the sign is set per side when the order is sent)");
  } else if (ticks < min_bracket_ticks) {
    r.error_at(key, "must be at least 4 ticks (the gateway rejects closer brackets)");
  }
}

void validate_follower(yaml_reader& r, const follower_config& f, const std::string& p) {
  if (!valid_name(f.name)) r.error_at(p + ".name", "must be 1 to 32 letters, digits, '_' or '-'");
  check_username(r, p + ".username", f.login.username);
  check_account(r, p + ".account_id", f.account);
  if (!f.contract_id.empty() && !f.contract_map.empty()) {
    r.error_at(p + ".contract_map", "give contract_id or contract_map, not both");
  }
  if (!f.contract_id.empty()) check_contract_id(r, p + ".contract_id", f.contract_id);
  for (const auto& [leader, follower] : f.contract_map) check_contract_pair(r, p + ".contract_map", leader, follower);
  if (!(f.size_ratio > 0) || !std::isfinite(f.size_ratio)) r.error_at(p + ".size_ratio", "must be greater than 0");
  if (f.fixed_size < 0) r.error_at(p + ".fixed_size", "must be 0 (use size_ratio) or a positive size");
  if (f.max_size < 0) r.error_at(p + ".max_size", "must be 0 (no cap) or a positive size");
  if (f.fixed_size == 0) {
    if (f.min_size < 1) {
      r.error_at(p + ".min_size", "must be at least 1, or a non-zero leader position could be copied as 0");
    } else if (f.max_size > 0 && f.min_size > f.max_size) {
      r.error_at(p + ".min_size", "is larger than max_size (" + std::to_string(f.max_size) + ")");
    }
  } else if (f.max_size > 0 && f.fixed_size > f.max_size) {
    r.error_at(p + ".fixed_size", "is larger than max_size (" + std::to_string(f.max_size) + ")");
  }
  if (f.bracket != bracket_mode::none) {
    check_bracket_ticks(r, p + ".sl_ticks", f.sl_ticks);
    check_bracket_ticks(r, p + ".tp_ticks", f.tp_ticks);
  }
}

void validate_followers(const config& cfg, yaml_reader& r) {
  const auto count = cfg.followers.size();
  const auto limit = static_cast<std::size_t>(std::max(cfg.safety.max_followers, 0));
  if (count > limit && !cfg.safety.allow_many_followers) {
    r.error_at("followers", std::to_string(count) + " followers is more than safety.max_followers (" +
                                std::to_string(limit) + "); raise it or set safety.allow_many_followers: true");
  }

  std::map<std::string, std::size_t> names;
  std::map<account_id, std::size_t> accounts;
  // One login holds one key: two entries under one username with different keys is a mistake.
  std::map<std::string, std::pair<const secret*, std::string>> keys;
  if (!cfg.leader.login.api_key.empty()) {
    keys.emplace(cfg.leader.login.username, std::pair{&cfg.leader.login.api_key, std::string("leader")});
  }

  for (std::size_t i = 0; i < count; ++i) {
    const follower_config& f = cfg.followers[i];
    const std::string p = "followers[" + std::to_string(i) + "]";
    validate_follower(r, f, p);

    if (auto [it, fresh] = names.emplace(f.name, i); !fresh) {
      r.error_at(p + ".name", "'" + f.name + "' is already used by followers[" + std::to_string(it->second) + "]");
    }
    if (f.account == cfg.leader.account && f.account != 0) {
      r.error_at(p + ".account_id", "is the leader's account; the leader cannot also be a follower");
    } else if (auto [it, fresh] = accounts.emplace(f.account, i); !fresh && f.account != 0) {
      r.error_at(p + ".account_id",
                 std::to_string(f.account) + " is already used by followers[" + std::to_string(it->second) + "]");
    }
    if (!f.login.api_key.empty()) {
      auto [it, fresh] = keys.emplace(f.login.username, std::pair{&f.login.api_key, p});
      if (!fresh && !(*it->second.first == f.login.api_key)) {
        r.error_at(p + ".username", "'" + f.login.username + "' is also used by " + it->second.second +
                                        " with a different API key; one login has one key");
      }
    }
  }
}

void validate_copy(const copy_config& copy, yaml_reader& r) {
  try {
    const std::regex pattern(copy.strategy_pattern, std::regex::ECMAScript);
    if (pattern.mark_count() < 1) {
      r.error_at("copy.strategy_pattern", "needs a capture group: the first one is the strategy name");
    }
  } catch (const std::regex_error& e) {
    r.error_at("copy.strategy_pattern", std::string("is not a valid regular expression: ") + e.what());
  }
  if (copy.bracket_wait > std::chrono::seconds(5)) {
    r.error_at("copy.bracket_wait", "must be at most 5s (a copy waits this long for the leader's brackets)");
  }
  check_positive(r, "copy.max_copy_age", copy.max_copy_age);
  if (copy.reconcile_interval < std::chrono::seconds(1)) {
    r.error_at("copy.reconcile_interval", "must be at least 1s (reconciliation reads cost request budget)");
  }
}

void validate_safety(const safety_config& s, yaml_reader& r) {
  if (s.circuit_breaker.max_orders < 1) r.error_at("safety.circuit_breaker.max_orders", "must be at least 1");
  check_positive(r, "safety.circuit_breaker.window", s.circuit_breaker.window);
  if (s.rate_limit.max_requests < 1) r.error_at("safety.rate_limit.max_requests", "must be at least 1");
  check_positive(r, "safety.rate_limit.window", s.rate_limit.window);
  if (s.rate_limit.exit_reserve &&
      (*s.rate_limit.exit_reserve < 0 || *s.rate_limit.exit_reserve >= s.rate_limit.max_requests))
    r.error_at("safety.rate_limit.exit_reserve", "must be auto or from 0 to max_requests - 1");
  if (s.rate_limit.max_requests >= 1 && s.rate_limit.window.count() > 0) {
    // max_requests / window must not exceed the gateway's 200 per 60 s, or the venue answers 429.
    const auto lhs = static_cast<std::int64_t>(s.rate_limit.max_requests) * 60'000;
    const auto rhs = static_cast<std::int64_t>(gateway_requests_per_minute) * s.rate_limit.window.count();
    if (lhs > rhs) {
      r.error_at("safety.rate_limit", "allows more than the gateway's 200 requests per 60s");
    }
  }
  if (s.max_followers < 1) r.error_at("safety.max_followers", "must be at least 1");
  if (s.max_orders_per_minute < 1) r.error_at("safety.max_orders_per_minute", "must be at least 1");
}

// address:port for a listener; `loopback_only`: anything but 127.0.0.0/8, ::1 or localhost is refused.
void validate_listen(yaml_reader& r, const std::string& key, const std::string& listen, std::string_view example,
                     bool loopback_only) {
  if (listen.empty()) return;
  const auto colon = listen.rfind(':');
  bool ok = colon != std::string::npos && colon > 0 && colon + 1 < listen.size();
  if (ok) {
    int port = 0;
    for (char c : listen.substr(colon + 1)) {
      ok = ok && c >= '0' && c <= '9';
      port = ok ? port * 10 + (c - '0') : 0;
      if (port > 65535) ok = false;
    }
    ok = ok && port > 0;
  }
  if (ok) {
    // An address, not a name: resolving a name would block, and "listen on all" must be spelled out.
    boost::system::error_code ec;
    std::string host = listen.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host != "localhost") boost::asio::ip::make_address(host, ec);
    if (ec) {
      r.error_at(key, "'" + host + "' is not an IP address (e.g. " + std::string(example) + ")");
      return;
    }
    if (loopback_only && host != "localhost" && !boost::asio::ip::make_address(host, ec).is_loopback()) {
      r.error_at(key, "'" + host +
                          "' is not a loopback address: the dashboard is served on this machine only "
                          "(127.0.0.1 or ::1; reach it from elsewhere through an SSH tunnel)");
      return;
    }
  }
  if (!ok && colon != std::string::npos && listen.substr(colon + 1) == "0") {
    r.error_at(key,
               "port 0 would listen on a port chosen at random that nothing can reach; give one from 1 to "
               "65535 (e.g. " +
                   std::string(example) + ")");
    return;
  }
  if (!ok) r.error_at(key, "'" + listen + "' is not host:port (e.g. " + std::string(example) + ")");
}

} // namespace

void check_url(yaml_reader& r, const std::string& key, const std::string& text,
               std::initializer_list<std::string_view> schemes) {
  auto url = boost::urls::parse_absolute_uri(text);
  if (!url) {
    r.error_at(key, "'" + text + "' is not an absolute URL");
    return;
  }
  bool scheme_ok = false;
  for (auto scheme : schemes) scheme_ok = scheme_ok || url->scheme() == scheme;
  if (!scheme_ok) {
    std::string allowed;
    for (auto scheme : schemes) allowed += (allowed.empty() ? "" : " or ") + std::string(scheme);
    r.error_at(key, "must use " + allowed + " (TLS is never optional)");
  }
  if (url->encoded_host().empty()) r.error_at(key, "has no host");
  if (url->has_userinfo()) r.error_at(key, "must not carry credentials");
  for (auto param : url->params()) {
    if (param.key == "access_token") r.error_at(key, "must not carry an access_token (the daemon adds its own)");
  }
}

bool valid_name(std::string_view name, std::size_t longest) {
  if (name.empty() || name.size() > longest) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

void validate_config(const config& cfg, yaml_reader& r) {
  check_url(r, "api.base_url", cfg.api.base_url, {"https"});
  check_url(r, "api.user_hub_url", cfg.api.user_hub_url, {"wss", "https"});
  check_ca_file(r, cfg.api.ca_file);
  if (cfg.api.request_timeout < std::chrono::milliseconds(100) || cfg.api.request_timeout > std::chrono::seconds(60)) {
    r.error_at("api.request_timeout", "must be between 100ms and 60s");
  }
  // Below two of the gateway's 15 s keep-alive pings a quiet but healthy hub would be dropped.
  if (cfg.api.hub_timeout < std::chrono::seconds(1) || cfg.api.hub_timeout > std::chrono::seconds(300)) {
    r.error_at("api.hub_timeout", "must be between 1s and 300s");
  }
  if (cfg.api.connections_per_login < 1 || cfg.api.connections_per_login > max_connections_per_login) {
    r.error_at("api.connections_per_login", "must be between 1 and " + std::to_string(max_connections_per_login));
  }

  check_username(r, "leader.username", cfg.leader.login.username);
  check_account(r, "leader.account_id", cfg.leader.account);

  validate_followers(cfg, r);
  validate_risk(cfg, r);
  validate_copy(cfg.copy, r);
  validate_safety(cfg.safety, r);

  if (cfg.control.socket.empty()) {
    r.error_at("control.socket", "must not be empty");
  } else if (cfg.control.socket.native().size() >= sizeof(sockaddr_un::sun_path)) {
    r.error_at("control.socket", "path is too long for a unix socket");
  }
  validate_listen(r, "control.metrics_listen", cfg.control.metrics_listen, "127.0.0.1:9464", false);
  validate_listen(r, "control.dashboard_listen", cfg.control.dashboard_listen, "127.0.0.1:8470", true);
  if (!cfg.control.dashboard_token.empty() && cfg.control.dashboard_token.reveal().size() < 16)
    r.error_at("control.dashboard_token_file",
               "the dashboard token must be at least 16 characters (openssl rand -hex 32 "
               "makes a good one)");
  if (!cfg.control.group.empty() && ::getgrnam(cfg.control.group.c_str()) == nullptr)
    r.error_at("control.group", "no group is named '" + cfg.control.group + "'");
  check_state_directory(r, cfg.state.directory);

  static const std::set<std::string, std::less<>> levels{"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (!levels.contains(cfg.logging.level)) {
    r.error_at("logging.level", "'" + cfg.logging.level + "' is not one of: trace debug info warn error critical off");
  }
}

} // namespace copytrader
