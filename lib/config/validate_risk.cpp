// The account guard's configuration rules: a time zone the database knows, entry hours before the
// flatten time, buffers that cannot flatten an entry they just admitted, a stop on every guarded
// entry, and no inverted follower unless hedging is allowed for it (account-rules.md, G7).

#include "config/validate.hpp"
#include "guard/trading_calendar.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

namespace copytrader {

namespace {

// Returns whether the limits hold together; `where` is the key they were read under.
bool check_limits(yaml_reader& r, const std::string& where, const risk_limits& l) {
  const std::size_t before = r.error_count();
  const std::string from = l.profile.empty() || where.starts_with("risk.") ? "" : " (profile '" + l.profile + "')";
  try {
    guard::trading_calendar calendar{l.session};
  } catch (const std::exception& e) {
    r.error_at(where + ".session.time_zone", std::string(e.what()) + from);
  }
  if (l.session.last_entry > l.session.flatten_at) {
    r.error_at(where + ".session.last_entry", "must not be after session.flatten_at" + from);
  }
  if (l.session.flatten_at >= l.session.day_start) {
    r.error_at(where + ".session.flatten_at",
               "must be before session.day_start (the day closes before it reopens)" + from);
  }
  if (l.loss.max_loss > 0) {
    if (l.loss.program == guard::account_program::combine && l.loss.start_balance <= 0) {
      r.error_at(where + ".start_balance_usd", "a combine's floor needs its start balance" + from);
    }
    if (l.mll_flatten_buffer_usd >= l.mll_entry_buffer_usd) {
      r.error_at(where + ".mll_flatten_buffer_usd",
                 "must be below mll_entry_buffer_usd, or an entry just admitted would be flattened" + from);
    }
  }
  return r.error_count() == before;
}

} // namespace

void validate_risk(const config& cfg, yaml_reader& r) {
  std::map<std::string, bool> profile_ok;
  for (const auto& [name, limits] : cfg.risk.profiles)
    profile_ok[name] = check_limits(r, "risk.profiles." + name, limits);

  std::set<std::string> codes;
  for (std::size_t i = 0; i < cfg.risk.product_groups.size(); ++i) {
    const auto& g = cfg.risk.product_groups[i];
    for (const auto* list : {&g.minis, &g.micros}) {
      for (const auto& code : *list) {
        if (!codes.insert(code).second) {
          r.error_at(fmt::format("risk.product_groups[{}]", i), "product '" + code + "' is in two groups");
        }
      }
    }
  }

  for (std::size_t i = 0; i < cfg.followers.size(); ++i) {
    const auto& f = cfg.followers[i];
    const std::string at = fmt::format("followers[{}]", i);
    const bool practice = f.risk && f.risk->loss.program == guard::account_program::practice;
    if (f.invert && !f.allow_hedge && !practice) {
      r.error_at(at + ".invert",
                 "an inverted follower holds the opposite of the leader: cross-account hedging, which prop firms "
                 "forbid on funded accounts. Set allow_hedge: true only where the firm allows it (a practice "
                 "account, another firm)");
    }
    if (!f.risk) continue;
    const auto known = profile_ok.find(f.risk->profile);
    if (known == profile_ok.end() || known->second) check_limits(r, at + ".risk", *f.risk);
    if (f.risk->guards_loss() && f.bracket == bracket_mode::none) {
      r.error_at(at + ".bracket",
                 "none leaves entries without a stop, and the guard's loss limits are measured at the stops; use "
                 "mirror or fixed");
    }
  }
}

} // namespace copytrader
