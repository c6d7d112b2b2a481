#include "config/risk_reader.hpp"

#include <array>
#include <stdexcept>

namespace copytrader {

std::string_view to_string(daily_loss_action action) noexcept {
  switch (action) {
    case daily_loss_action::flatten_lock: return "flatten_lock";
    case daily_loss_action::close_only: return "close_only";
  }
  return "?";
}

std::string_view to_string(guard::account_program program) noexcept {
  switch (program) {
    case guard::account_program::combine: return "combine";
    case guard::account_program::express: return "express";
    case guard::account_program::live: return "live";
    case guard::account_program::practice: return "practice";
  }
  return "?";
}

namespace {

constexpr std::array<std::pair<std::string_view, guard::account_program>, 4> program_names{
    {{"combine", guard::account_program::combine},
     {"express", guard::account_program::express},
     {"live", guard::account_program::live},
     {"practice", guard::account_program::practice}}};
constexpr std::array<std::pair<std::string_view, daily_loss_action>, 2> action_names{
    {{"flatten_lock", daily_loss_action::flatten_lock}, {"close_only", daily_loss_action::close_only}}};

// An amount in dollars: present, finite (the reader checks) and not negative.
void read_usd(yaml_reader& r, yaml_mapping& m, std::string_view key, double& out) {
  double value = out;
  if (!m.read(key, value)) return;
  if (value < 0) {
    r.error_at(m.key_path(key), "must not be negative (US dollars)");
    return;
  }
  out = value;
}

void read_clock(yaml_reader& r, yaml_mapping& m, std::string_view key, guard::clock_of_day& out) {
  std::string text;
  if (!m.read(key, text)) return;
  if (auto clock = guard::parse_clock(text)) {
    out = *clock;
  } else {
    r.error_at(m.key_path(key), "'" + text + "' is not a time of day HH:MM (24-hour, local to session.time_zone)");
  }
}

void read_session(yaml_reader& r, yaml_mapping& m, guard::session_hours& s) {
  m.read("time_zone", s.time_zone);
  m.read("enforce", s.enforce);
  read_clock(r, m, "day_start", s.day_start);
  read_clock(r, m, "last_entry", s.last_entry);
  read_clock(r, m, "flatten_at", s.flatten_at);
  std::map<std::string, std::string> early;
  if (m.read("early_closes", early)) {
    s.early_closes.clear();
    for (const auto& [day_text, close_text] : early) {
      const auto day = guard::parse_date(day_text);
      const auto close = guard::parse_clock(close_text);
      const std::string key = m.key_path("early_closes") + "." + day_text;
      if (!day)
        r.error_at(key, "'" + day_text + "' is not a date YYYY-MM-DD");
      else if (!close)
        r.error_at(key, "'" + close_text + "' is not a time of day HH:MM");
      else
        s.early_closes[*day] = *close;
    }
  }
}

void read_blackouts(yaml_reader& r, yaml_mapping& m, std::vector<blackout_window>& out) {
  YAML::Node list = m.child("blackouts");
  if (!list.IsDefined()) return;
  if (!list.IsSequence()) {
    r.error_at(m.key_path("blackouts"), "expected a list of {start, end, products}");
    return;
  }
  out.clear();
  for (std::size_t i = 0; i < list.size(); ++i) {
    yaml_mapping w(r, list[i], m.key_path("blackouts") + "[" + std::to_string(i) + "]");
    if (!w.valid()) continue;
    w.require("start");
    w.require("end");
    std::string start_text;
    std::string end_text;
    blackout_window window;
    w.read("start", start_text);
    w.read("end", end_text);
    w.read("products", window.products);
    const auto start = guard::parse_local_time(start_text);
    const auto end = guard::parse_local_time(end_text);
    const char* form = "is not a local time 'YYYY-MM-DD HH:MM' (in session.time_zone)";
    if (!start_text.empty() && !start) r.error_at(w.key_path("start"), "'" + start_text + "' " + form);
    if (!end_text.empty() && !end) r.error_at(w.key_path("end"), "'" + end_text + "' " + form);
    if (!start || !end) continue;
    if (*end <= *start) {
      r.error_at(w.key_path("end"), "must be after start");
      continue;
    }
    window.start = *start;
    window.end = *end;
    out.push_back(std::move(window));
  }
}

// Every key a profile may set; a follower's `risk` mapping may set each of them too.
void read_limits(yaml_reader& r, yaml_mapping& m, risk_limits& l) {
  m.read_enum("program", l.loss.program, program_names);
  read_usd(r, m, "start_balance_usd", l.loss.start_balance);
  read_usd(r, m, "max_loss_usd", l.loss.max_loss);
  m.read("payout_taken", l.loss.payout_taken);
  read_usd(r, m, "high_water_usd", l.high_water_usd);
  read_usd(r, m, "mll_entry_buffer_usd", l.mll_entry_buffer_usd);
  read_usd(r, m, "mll_flatten_buffer_usd", l.mll_flatten_buffer_usd);
  read_usd(r, m, "daily_loss_limit_usd", l.daily_loss_limit_usd);
  m.read_enum("daily_loss_action", l.on_daily_loss, action_names);
  read_usd(r, m, "daily_profit_target_usd", l.daily_profit_target_usd);
  double max_contracts = l.max_contracts;
  if (m.read("max_contracts", max_contracts)) {
    if (max_contracts < 0)
      r.error_at(m.key_path("max_contracts"), "must not be negative (mini-equivalents)");
    else
      l.max_contracts = max_contracts;
  }
  double weight = l.micro_weight;
  if (m.read("micro_weight", weight)) {
    if (!(weight > 0 && weight <= 1))
      r.error_at(m.key_path("micro_weight"), "must be above 0 and at most 1");
    else
      l.micro_weight = weight;
  }
  read_usd(r, m, "slippage_reserve_usd", l.cost.slippage_reserve);
  read_usd(r, m, "fee_per_fill_usd", l.cost.fee_per_fill);
  m.read("max_state_age", l.max_state_age);
  if (YAML::Node node = m.child("session"); node.IsDefined()) {
    yaml_mapping session(r, node, m.key_path("session"));
    if (session.valid()) read_session(r, session, l.session);
  }
  read_blackouts(r, m, l.blackouts);
}

void read_product_groups(yaml_reader& r, yaml_mapping& m, std::vector<guard::product_group>& out) {
  YAML::Node list = m.child("product_groups");
  if (!list.IsDefined()) return;
  if (!list.IsSequence()) {
    r.error_at(m.key_path("product_groups"), "expected a list of {name, minis, micros}");
    return;
  }
  out.clear();
  for (std::size_t i = 0; i < list.size(); ++i) {
    yaml_mapping g(r, list[i], m.key_path("product_groups") + "[" + std::to_string(i) + "]");
    if (!g.valid()) continue;
    guard::product_group group;
    g.require("name");
    g.read("name", group.name);
    g.read("minis", group.minis);
    g.read("micros", group.micros);
    if (group.minis.empty() && group.micros.empty()) r.error_at(g.key_path("minis"), "a group needs minis or micros");
    out.push_back(std::move(group));
  }
}

} // namespace

void read_risk_section(yaml_reader& reader, yaml_mapping& top, risk_config& risk) {
  YAML::Node node = top.child("risk");
  if (!node.IsDefined()) return;
  yaml_mapping section(reader, node, "risk");
  if (!section.valid()) return;
  if (YAML::Node profiles = section.child("profiles"); profiles.IsDefined()) {
    if (!profiles.IsMap()) {
      reader.error_at("risk.profiles", "expected a mapping of profile names to limits");
    } else {
      for (auto it = profiles.begin(); it != profiles.end(); ++it) {
        const std::string name = it->first.Scalar();
        yaml_mapping profile(reader, it->second, "risk.profiles." + name);
        if (!profile.valid()) continue;
        risk_limits limits;
        limits.profile = name;
        read_limits(reader, profile, limits);
        risk.profiles[name] = std::move(limits);
      }
    }
  }
  read_product_groups(reader, section, risk.product_groups);
}

void read_follower_risk(yaml_reader& reader, yaml_mapping& follower, const risk_config& risk,
                        std::optional<risk_limits>& out) {
  YAML::Node node = follower.child("risk");
  if (!node.IsDefined()) return;
  yaml_mapping m(reader, node, follower.key_path("risk"));
  if (!m.valid()) return;
  risk_limits limits;
  std::string profile;
  if (m.read("profile", profile)) {
    if (auto it = risk.profiles.find(profile); it != risk.profiles.end()) {
      limits = it->second;
    } else {
      reader.error_at(m.key_path("profile"), "no profile '" + profile + "' under risk.profiles");
    }
  }
  read_limits(reader, m, limits);
  out = std::move(limits);
}

} // namespace copytrader
