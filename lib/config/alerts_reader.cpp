#include "config/alerts_reader.hpp"

#include "config/validate.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <set>

namespace copytrader {

std::string_view to_string(alert_format format) noexcept {
  switch (format) {
    case alert_format::webhook: return "webhook";
    case alert_format::discord: return "discord";
    case alert_format::slack: return "slack";
    case alert_format::telegram: return "telegram";
    case alert_format::ntfy: return "ntfy";
  }
  return "?";
}

std::string_view to_string(alert_severity severity) noexcept {
  switch (severity) {
    case alert_severity::info: return "info";
    case alert_severity::warning: return "warning";
    case alert_severity::critical: return "critical";
  }
  return "?";
}

namespace {

constexpr std::array<std::pair<std::string_view, alert_format>, 5> format_names{{{"webhook", alert_format::webhook},
                                                                                 {"discord", alert_format::discord},
                                                                                 {"slack", alert_format::slack},
                                                                                 {"telegram", alert_format::telegram},
                                                                                 {"ntfy", alert_format::ntfy}}};
constexpr std::array<std::pair<std::string_view, alert_severity>, 3> severity_names{
    {{"info", alert_severity::info}, {"warning", alert_severity::warning}, {"critical", alert_severity::critical}}};

// What the target's secret is, which also names its keys (url_file, bot_token_env, topic, ...).
std::pair<std::string, std::string> secret_keys(alert_format format) {
  switch (format) {
    case alert_format::telegram: return {"bot_token", "bot token"};
    case alert_format::ntfy: return {"topic", "ntfy topic"};
    default: return {"url", "webhook URL"};
  }
}

void read_target(yaml_mapping& m, alert_target_config& target, credential_spec& spec) {
  target.line = m.line();
  m.require("name");
  m.require("format");
  m.read("name", target.name);
  m.read_enum("format", target.format, format_names);
  m.read_enum("min_severity", target.min_severity, severity_names);
  if (target.format == alert_format::telegram) {
    target.server = "https://api.telegram.org";
    m.require("chat_id");
    m.read("chat_id", target.chat_id);
  }
  if (target.format == alert_format::ntfy) target.server = "https://ntfy.sh";
  if (target.format == alert_format::telegram || target.format == alert_format::ntfy) m.read("server", target.server);
  std::tie(spec.base, spec.what) = secret_keys(target.format);
  spec.default_name = "alert_" + target.name;
  read_credential_keys(m, spec);
}

// The value is a secret: a message says what is wrong with it, never what it is.
void check_secret_url(yaml_reader& r, const std::string& key, const secret& value) {
  auto url = boost::urls::parse_absolute_uri(value.reveal());
  if (!url || url->scheme() != "https" || url->encoded_host().empty())
    r.error_at(key, "is not an https:// URL with a host (the value is a secret and is not shown)");
  else if (url->has_userinfo())
    r.error_at(key, "must not carry a user name or password (the value is a secret and is not shown)");
}

template <typename T>
void check_range(yaml_reader& r, const std::string& key, T value, T low, T high, const std::string& bounds) {
  if (value < low || value > high) r.error_at(key, "must be between " + bounds);
}

} // namespace

void read_alerts_section(yaml_reader& reader, yaml_mapping& top, alerts_config& alerts,
                         std::vector<credential_spec>& specs) {
  YAML::Node node = top.child("alerts");
  if (!node.IsDefined()) return;
  yaml_mapping m(reader, node, "alerts");
  if (!m.valid()) return;
  m.read("repeat_interval", alerts.repeat_interval);
  m.read("hub_down_after", alerts.hub_down_after);
  m.read("timeout", alerts.timeout);
  m.read("max_attempts", alerts.max_attempts);
  m.read("queue_limit", alerts.queue_limit);
  YAML::Node list = m.child("targets");
  if (!list.IsDefined()) return;
  if (!list.IsSequence()) {
    reader.error(line_of(list), "alerts.targets", "expected a list of targets");
    return;
  }
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string path = "alerts.targets[" + std::to_string(i) + "]";
    yaml_mapping entry(reader, list[i], path);
    alert_target_config target;
    credential_spec spec;
    spec.key_path = path;
    if (entry.valid()) read_target(entry, target, spec);
    alerts.targets.push_back(std::move(target));
    specs.push_back(std::move(spec));
  }
}

void resolve_alert_tokens(const std::vector<credential_spec>& specs, const std::filesystem::path& config_file,
                          const load_options& options, yaml_reader& reader, alerts_config& alerts) {
  for (std::size_t i = 0; i < specs.size() && i < alerts.targets.size(); ++i)
    resolve_credential(specs[i], config_file, options, reader, alerts.targets[i].token, alerts.targets[i].token_source);
}

void validate_alerts(const alerts_config& alerts, yaml_reader& r) {
  using namespace std::chrono_literals;
  check_range(r, "alerts.repeat_interval", alerts.repeat_interval, duration(1s), duration(24h), "1s and 24h");
  check_range(r, "alerts.hub_down_after", alerts.hub_down_after, duration(5s), duration(1h), "5s and 1h");
  check_range(r, "alerts.timeout", alerts.timeout, duration(100ms), duration(60s), "100ms and 60s");
  check_range(r, "alerts.max_attempts", alerts.max_attempts, 1, 10, "1 and 10");
  check_range(r, "alerts.queue_limit", alerts.queue_limit, 1, 1000, "1 and 1000");
  std::set<std::string> names;
  for (std::size_t i = 0; i < alerts.targets.size(); ++i) {
    const auto& t = alerts.targets[i];
    const std::string path = "alerts.targets[" + std::to_string(i) + "]";
    if (!valid_name(t.name, 40))
      r.error_at(path + ".name", "'" + t.name + "' must be 1 to 40 letters, digits, '_' or '-'");
    else if (!names.insert(t.name).second)
      r.error_at(path + ".name", "'" + t.name + "' names another target too");
    if (!t.server.empty()) check_url(r, path + ".server", t.server, {"https"});
    if (t.token.empty()) continue; // its source was reported
    const auto key = path + "." + secret_keys(t.format).first;
    switch (t.format) {
      case alert_format::webhook:
      case alert_format::discord:
      case alert_format::slack: check_secret_url(r, key, t.token); break;
      case alert_format::telegram:
        // The token goes into the request's path: bot<digits>:<letters>.
        if (const auto token = t.token.reveal(); token.find(':') == std::string_view::npos ||
                                                 !valid_name(token.substr(0, token.find(':')), 20) ||
                                                 token.find_first_of("/?#% \t") != std::string_view::npos)
          r.error_at(key, "is not a bot token as BotFather gives it (digits:letters; the value is not shown)");
        if (t.chat_id.empty() || t.chat_id.find_first_of("/?# \t\"") != std::string::npos)
          r.error_at(path + ".chat_id", "must be the chat's id (a number, or @channelname)");
        break;
      case alert_format::ntfy:
        if (!valid_name(t.token.reveal(), 64))
          r.error_at(key, "a topic is 1 to 64 letters, digits, '_' or '-' (the value is not shown)");
        break;
    }
  }
}

} // namespace copytrader
