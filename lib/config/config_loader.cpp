#include "config/config_loader.hpp"

#include "config/alerts_reader.hpp"
#include "config/credentials.hpp"
#include "config/risk_reader.hpp"
#include "config/validate.hpp"
#include "config/yaml_reader.hpp"

#include <yaml-cpp/yaml.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>

namespace copytrader {

std::optional<std::string> load_options::default_getenv(const std::string& name) {
  // secure_getenv: a key never comes from the environment of a set-uid invocation.
  if (const char* value = ::secure_getenv(name.c_str())) return std::string(value);
  return std::nullopt;
}

std::string_view to_string(bracket_mode mode) noexcept {
  switch (mode) {
    case bracket_mode::mirror: return "mirror";
    case bracket_mode::fixed: return "fixed";
    case bracket_mode::none: return "none";
  }
  return "?";
}

std::string_view to_string(start_policy policy) noexcept {
  switch (policy) {
    case start_policy::close_only: return "close_only";
    case start_policy::full: return "full";
    case start_policy::alert: return "alert";
  }
  return "?";
}

std::string_view to_string(log_sink sink) noexcept {
  switch (sink) {
    case log_sink::automatic: return "auto";
    case log_sink::journald: return "journald";
    case log_sink::stderr_sink: return "stderr";
  }
  return "?";
}

namespace {

constexpr std::array<std::pair<std::string_view, bracket_mode>, 3> bracket_names{
    {{"mirror", bracket_mode::mirror}, {"fixed", bracket_mode::fixed}, {"none", bracket_mode::none}}};
constexpr std::array<std::pair<std::string_view, start_policy>, 3> start_names{
    {{"close_only", start_policy::close_only}, {"full", start_policy::full}, {"alert", start_policy::alert}}};
constexpr std::array<std::pair<std::string_view, log_sink>, 3> sink_names{
    {{"auto", log_sink::automatic}, {"journald", log_sink::journald}, {"stderr", log_sink::stderr_sink}}};

void read_api(yaml_mapping& m, api_config& api) {
  m.read("base_url", api.base_url);
  m.read("user_hub_url", api.user_hub_url);
  m.read("ca_file", api.ca_file);
  m.read("request_timeout", api.request_timeout);
  m.read("hub_timeout", api.hub_timeout);
  m.read("connections_per_login", api.connections_per_login);
}

void read_leader(yaml_mapping& m, leader_config& leader, credential_spec& spec) {
  m.require("username");
  m.require("account_id");
  m.read("username", leader.login.username);
  m.read("account_id", leader.account);
  read_credential_keys(m, spec);
}

// The dashboard's token is optional: without one given (a file, a variable, or the dashboard_token
// credential) the daemon makes one at each start. Given while the dashboard is off, it is a mistake.
void resolve_dashboard_token(const credential_spec& spec, const std::filesystem::path& file,
                             const load_options& options, yaml_reader& reader, control_config& control) {
  const bool given = spec.api_key_file || spec.api_key_env || spec.api_key;
  const auto credentials = options.getenv("CREDENTIALS_DIRECTORY");
  std::error_code ec;
  const bool credential = credentials && !credentials->empty() &&
                          std::filesystem::exists(std::filesystem::path(*credentials) / spec.default_name, ec);
  if (control.dashboard_listen.empty()) {
    if (given) reader.error_at("control.dashboard_token_file", "the dashboard is off: set control.dashboard_listen");
    return;
  }
  if (given || credential)
    resolve_credential(spec, file, options, reader, control.dashboard_token, control.dashboard_token_source);
}

void read_follower(yaml_reader& reader, yaml_mapping& m, follower_config& f, credential_spec& spec,
                   const risk_config& risk) {
  f.line = m.line();
  m.require("name");
  m.require("username");
  m.require("account_id");
  m.read("name", f.name);
  m.read("username", f.login.username);
  m.read("account_id", f.account);
  read_credential_keys(m, spec);
  m.read("contract_id", f.contract_id);
  m.read("contract_map", f.contract_map);
  m.read("size_ratio", f.size_ratio);
  m.read("min_size", f.min_size);
  m.read("max_size", f.max_size);
  m.read("fixed_size", f.fixed_size);
  m.read("invert", f.invert);
  m.read("allow_hedge", f.allow_hedge);
  read_follower_risk(reader, m, risk, f.risk);
  m.read_enum("bracket", f.bracket, bracket_names);
  m.read("sl_ticks", f.sl_ticks);
  m.read("tp_ticks", f.tp_ticks);
  m.read("allowed_strategies", f.allowed_strategies);
  m.read("enabled", f.enabled);
  spec.default_name = f.name;
}

void read_copy(yaml_mapping& m, copy_config& copy) {
  m.read("dry_run", copy.dry_run);
  m.read("strategy_pattern", copy.strategy_pattern);
  m.read("bracket_wait", copy.bracket_wait);
  m.read("max_copy_age", copy.max_copy_age);
  m.read("reconcile_interval", copy.reconcile_interval);
  m.read_enum("on_start", copy.on_start, start_names);
}

template <typename Section, typename ReadFn>
void read_section(yaml_reader& reader, yaml_mapping& parent, std::string_view key, Section& out, ReadFn read) {
  YAML::Node node = parent.child(key);
  if (!node.IsDefined()) return;
  yaml_mapping section(reader, node, parent.key_path(key));
  if (section.valid()) read(section, out);
}

void read_safety(yaml_reader& reader, yaml_mapping& m, safety_config& safety) {
  read_section(reader, m, "circuit_breaker", safety.circuit_breaker, [](yaml_mapping& s, circuit_breaker_config& c) {
    s.read("max_orders", c.max_orders);
    s.read("window", c.window);
  });
  read_section(reader, m, "rate_limit", safety.rate_limit, [&reader](yaml_mapping& s, rate_limit_config& c) {
    s.read("max_requests", c.max_requests);
    s.read("window", c.window);
    s.read("entries_use_reserve", c.entries_use_reserve);
    if (auto reserve = s.read_optional("exit_reserve"); reserve && *reserve != "auto") {
      std::int32_t n = 0;
      const auto* end = reserve->data() + reserve->size();
      const auto [stop, ec] = std::from_chars(reserve->data(), end, n);
      if (ec != std::errc() || stop != end)
        reader.error_at(s.key_path("exit_reserve"), "'" + *reserve + "' is neither auto nor a whole number");
      else
        c.exit_reserve = n;
    }
  });
  m.read("max_followers", safety.max_followers);
  m.read("allow_many_followers", safety.allow_many_followers);
  m.read("max_orders_per_minute", safety.max_orders_per_minute);
}

std::filesystem::path relative_to(const std::filesystem::path& base_dir, const std::filesystem::path& path) {
  return path.empty() || path.is_absolute() ? path : (base_dir / path).lexically_normal();
}

config_errors single_error(const std::filesystem::path& file, int line, std::string reason) {
  return config_errors{{diagnostic{file, line, "", std::move(reason)}}};
}

} // namespace

config_result<config> load_config(const std::filesystem::path& given, const load_options& options) {
  std::error_code ec;
  const std::filesystem::path file = std::filesystem::absolute(given, ec).lexically_normal();
  if (ec) return single_error(given, 0, "cannot resolve the path: " + ec.message());

  const auto size = std::filesystem::file_size(file, ec);
  if (ec) return single_error(file, 0, "cannot read: " + ec.message());
  if (size > max_config_bytes) return single_error(file, 0, "larger than 1 MiB; refusing to parse it");

  std::ifstream in(file, std::ios::binary);
  if (!in) return single_error(file, 0, std::string("cannot open: ") + std::strerror(errno));
  const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};

  YAML::Node root;
  try {
    auto documents = YAML::LoadAll(text);
    // A second document (after "---") would be silently ignored: followers pasted below it never run.
    if (documents.size() > 1) {
      const auto mark = documents[1].Mark();
      return single_error(file, mark.is_null() ? 0 : mark.line + 1,
                          "a second YAML document (after '---'); one file holds one configuration");
    }
    if (!documents.empty()) root = documents.front();
  } catch (const YAML::Exception& e) {
    return single_error(file, e.mark.is_null() ? 0 : e.mark.line + 1, "YAML syntax error: " + e.msg);
  }

  yaml_reader reader(file);
  config cfg;
  cfg.file = file;
  credential_spec leader_spec;
  leader_spec.key_path = "leader";
  leader_spec.default_name = "leader";
  std::vector<credential_spec> follower_specs;
  std::vector<credential_spec> alert_specs;
  credential_spec dashboard_spec;
  dashboard_spec.key_path = "control";
  dashboard_spec.default_name = "dashboard_token";
  dashboard_spec.base = "dashboard_token";
  dashboard_spec.what = "dashboard token";
  {
    yaml_mapping top(reader, root, "");
    if (!top.valid()) return reader.take_errors();

    read_section(reader, top, "api", cfg.api, read_api);
    read_risk_section(reader, top, cfg.risk); // before the followers, whose risk names its profiles
    top.require("leader");
    read_section(reader, top, "leader", cfg.leader,
                 [&](yaml_mapping& m, leader_config& l) { read_leader(m, l, leader_spec); });
    top.require("followers");
    if (YAML::Node list = top.child("followers"); list.IsDefined()) {
      if (!list.IsSequence()) {
        reader.error(line_of(list), "followers", "expected a list of followers");
      } else {
        for (std::size_t i = 0; i < list.size(); ++i) {
          const std::string path = "followers[" + std::to_string(i) + "]";
          yaml_mapping entry(reader, list[i], path);
          follower_config follower;
          credential_spec spec;
          spec.key_path = path;
          if (entry.valid()) read_follower(reader, entry, follower, spec, cfg.risk);
          cfg.followers.push_back(std::move(follower));
          follower_specs.push_back(std::move(spec));
        }
      }
    }
    read_section(reader, top, "copy", cfg.copy, read_copy);
    read_section(reader, top, "safety", cfg.safety,
                 [&](yaml_mapping& m, safety_config& s) { read_safety(reader, m, s); });
    read_section(reader, top, "control", cfg.control, [&dashboard_spec](yaml_mapping& m, control_config& c) {
      m.read("socket", c.socket);
      m.read("metrics_listen", c.metrics_listen);
      m.read("group", c.group);
      m.read("dashboard_listen", c.dashboard_listen);
      read_credential_keys(m, dashboard_spec);
    });
    read_section(reader, top, "state", cfg.state,
                 [](yaml_mapping& m, state_config& s) { m.read("directory", s.directory); });
    read_section(reader, top, "logging", cfg.logging, [](yaml_mapping& m, logging_config& l) {
      // People type "warning" (syslog's and Python's name); spdlog's is "warn": one name from here on.
      if (m.read("level", l.level) && l.level == "warning") l.level = "warn";
      m.read_enum("sink", l.sink, sink_names);
    });
    read_alerts_section(reader, top, cfg.alerts, alert_specs);
  } // every mapping reports its unknown keys here
  // Every error at once: the checks below run after a read error too, but stay quiet under a key
  // that already has one (its value is a default, not what the file says).
  reader.begin_checks();

  // Relative paths in the file mean "next to the file", whatever the working directory is.
  const std::filesystem::path dir = file.parent_path();
  cfg.api.ca_file = relative_to(dir, cfg.api.ca_file);
  cfg.control.socket = relative_to(dir, cfg.control.socket);
  cfg.state.directory = relative_to(dir, cfg.state.directory);

  resolve_credential(leader_spec, file, options, reader, cfg.leader.login);
  for (std::size_t i = 0; i < cfg.followers.size(); ++i) {
    resolve_credential(follower_specs[i], file, options, reader, cfg.followers[i].login);
  }
  resolve_alert_tokens(alert_specs, file, options, reader, cfg.alerts);
  resolve_dashboard_token(dashboard_spec, file, options, reader, cfg.control);
  validate_config(cfg, reader);
  validate_alerts(cfg.alerts, reader);
  if (options.account_ids_unknown) {
    reader.pardon([](const diagnostic& d) { return d.key.ends_with(".account_id"); });
  }
  if (!reader.ok()) return reader.take_errors();
  return cfg;
}

std::string diagnostic::to_string() const {
  std::string out = file.string();
  if (line > 0) out += ":" + std::to_string(line);
  out += ": ";
  if (!key.empty()) out += key + ": ";
  out += reason;
  return out;
}

std::string config_errors::to_string() const {
  std::string out;
  for (const auto& item : items) out += item.to_string() + "\n";
  return out;
}

void throw_exception_from_error(const config_errors& errors, const boost::source_location&) {
  throw std::runtime_error("invalid configuration:\n" + errors.to_string());
}

} // namespace copytrader
