// The copy engine's operator entry points (copytraderctl): the breaker, enable and disable, flatten,
// manual signals, and the figures status and metrics read.
#include "engine/copy_engine.hpp"

#include "copy/sizing.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>

namespace copytrader::engine {
namespace asio = boost::asio;

namespace {

// A manual position no follower holds any more (their brackets closed it, or they refused it) ends
// after this long, so that the next signal starts a new episode.
constexpr auto unheld_signal_grace = std::chrono::seconds(5);

std::string signal_key(const std::string& contract) { return contract.empty() ? "manual" : "manual:" + contract; }

// The engine failed closed before this follower was ever read: check and read it now, so that the
// flatten finds what it holds.
asio::awaitable<void> flatten_unread(copy_engine* engine, follower_session* s) {
  // Awaited into a variable first: GCC 12 miscompiles a co_await in an if condition here.
  const bool usable = co_await s->preflight();
  if (usable) {
    engine->subscribe(*s);
    co_await s->reconcile("flatten");
    s->nudge();
  } else {
    s->abandon_flatten();
  }
  co_return;
}

} // namespace

void copy_engine::reset_breaker() {
  ctx_.breaker.reset();
  for (auto& [contract, state] : ctx_.contracts) state.entries_blocked = false;
  // The entries refused in the current episodes may follow again (operations.md): the followers
  // held by the breaker catch up with what the leader holds now.
  for (auto& f : followers_) f->release_holds(copy::hold_reason::entries_blocked);
  spdlog::info("circuit breaker re-armed; followers held by it follow the current episodes again");
}

bool copy_engine::unlock_guard(const std::string& follower) {
  bool found = false;
  for (auto& f : followers_) {
    if (!f->retired() && f->rules().name == follower) {
      f->unlock_guard();
      found = true;
    }
  }
  return found;
}

bool copy_engine::set_enabled(const std::string& follower, bool enabled, bool catch_up) {
  bool found = false;
  for (auto& f : followers_) {
    if (!f->retired() && f->rules().name == follower) {
      f->set_enabled(enabled);
      // What it was held at while disabled is let go: it joins the leader's current position now.
      if (enabled && catch_up) f->release_holds(copy::hold_reason::disabled);
      found = true;
    }
  }
  if (found)
    spdlog::info("follower {} {} by the operator{}", follower, enabled ? "enabled" : "disabled",
                 !enabled   ? ""
                 : catch_up ? "; it joins the leader's current position now"
                            : "; it adds again from the leader's next episode on each contract");
  return found;
}

outcome<flatten_result> copy_engine::flatten(const std::string& follower) {
  flatten_result result;
  for (auto& f : followers_) {
    const auto& name = f->rules().name;
    if (!follower.empty() && name != follower) continue;
    if (f->disabled_reason() && !ctx_.leader_ready && !f->checking()) {
      f->flatten();
      tasks_.spawn("flatten of follower " + name, flatten_unread(this, f.get()));
      result.flattening.push_back(name);
      continue;
    }
    if (f->disabled_reason()) {
      result.skipped.push_back(name + ": " + *f->disabled_reason());
      continue;
    }
    f->flatten();
    result.flattening.push_back(name);
  }
  if (!follower.empty() && result.flattening.empty()) {
    if (result.skipped.empty()) return failure("no follower is named '" + follower + "'");
    return failure("nothing can be sent for " + result.skipped.front());
  }
  if (follower.empty()) {
    for (auto& [key, state] : ctx_.contracts) {
      if (!state.manual || state.manual->net == 0) continue;
      end_signal(key, state);
    }
  }
  spdlog::warn("operator flatten of {}: closing {}{}", follower.empty() ? "every follower" : follower,
               fmt::join(result.flattening, ", "),
               result.skipped.empty() ? "" : fmt::format("; skipped {}", fmt::join(result.skipped, "; ")));
  if (audit_ != nullptr) audit_->record("flatten", follower.empty() ? "all" : follower, "", "operator");
  return result;
}

std::vector<signal_plan> copy_engine::plan_signal(const std::string& key, std::int32_t from_net, std::int32_t to_net,
                                                  const manual_position& signal,
                                                  const std::optional<std::string>& strategy) const {
  leader_contract_state probe;
  probe.manual = signal;
  const bool adds = to_net != 0 && std::abs(to_net) > std::abs(from_net);
  std::vector<signal_plan> out;
  for (const auto& f : followers_) {
    if (f->retired()) continue;
    const auto& rules = f->rules();
    signal_plan line;
    line.follower = rules.name;
    const std::string* mine = copy_context::follower_contract(key, probe, f->routes());
    if (mine == nullptr) {
      line.note = "no contract for a manual signal (set its contract_id, or give the signal a contract)";
      out.push_back(std::move(line));
      continue;
    }
    line.contract = *mine;
    line.from = copy::target_size(from_net, rules);
    line.to = copy::target_size(to_net, rules);
    const auto& allowed = rules.allowed_strategies;
    if (f->disabled_reason()) {
      line.note = "disabled: " + *f->disabled_reason();
    } else if (!adds) {
    } else if (!rules.enabled || f->manually_disabled()) {
      line.note = "disabled: adds nothing";
    } else if (!allowed.empty() &&
               (!strategy || std::find(allowed.begin(), allowed.end(), *strategy) == allowed.end())) {
      line.note = "its allowed_strategies exclude this signal";
    } else if (ctx_.breaker.tripped()) {
      line.note = "circuit breaker tripped: entries refused";
    }
    out.push_back(std::move(line));
  }
  return out;
}

outcome<std::vector<signal_plan>> copy_engine::copy_signal(const manual_signal& signal) {
  if (signal.size < 1) return failure("the size must be at least 1");
  if (!ctx_.leader_ready && !signal.dry_run)
    return failure("not copying (" + ctx_.leader_problem + "): a manual signal is refused until the leader is read");
  const std::string key = signal_key(signal.contract);
  auto it = ctx_.contracts.find(key);
  const std::int32_t from = it != ctx_.contracts.end() && it->second.manual ? it->second.manual->net : 0;
  const std::int32_t to = from + (signal.long_side ? signal.size : -signal.size);
  // An add without ticks keeps the bracket of the signal it adds to.
  const manual_position* previous = from != 0 ? &*it->second.manual : nullptr;
  const manual_position next{to, signal.contract,
                             signal.sl_ticks ? signal.sl_ticks
                             : previous      ? previous->sl_ticks
                                             : std::nullopt,
                             signal.tp_ticks ? signal.tp_ticks
                             : previous      ? previous->tp_ticks
                                             : std::nullopt};
  auto plan = plan_signal(key, from, to, next, signal.strategy);
  if (std::none_of(plan.begin(), plan.end(), [](const signal_plan& p) { return !p.contract.empty(); }))
    return failure(signal.contract.empty()
                       ? "no follower has a contract_id for a manual signal; name the leader contract it stands for "
                         "(--contract)"
                       : "no follower copies " + signal.contract);
  if (signal.dry_run) {
    spdlog::info("manual signal (dry run): {} {} {}; nothing sent", signal.long_side ? "long" : "short", signal.size,
                 key);
    return plan;
  }
  auto& state = ctx_.contracts[key];
  state.manual = next;
  copy::position_change change;
  change.contract = key;
  change.old_net = from;
  change.new_net = to;
  change.cause = copy::change_cause::manual_signal;
  on_leader_change(change, 0);
  if (signal.strategy) ctx_.episodes.set_strategy(key, *signal.strategy);
  if (audit_ != nullptr)
    audit_->record("manual_signal", "operator", state.event,
                   fmt::format("{} {} {} -> {}", signal.long_side ? "long" : "short", signal.size, key, to));
  return plan;
}

void copy_engine::end_signal(const std::string& key, leader_contract_state& state) {
  copy::position_change change;
  change.contract = key;
  change.old_net = state.manual->net;
  change.new_net = 0;
  change.cause = copy::change_cause::manual_signal;
  state.manual->net = 0;
  on_leader_change(change, 0);
}

void copy_engine::end_unheld_signals(steady_clock::time_point now) {
  for (auto& entry : ctx_.contracts) {
    const std::string& key = entry.first;
    auto& state = entry.second;
    if (!state.manual || state.manual->net == 0 || now - state.seen < unheld_signal_grace) continue;
    const bool held = std::any_of(followers_.begin(), followers_.end(), [&key, &state](const auto& f) {
      const std::string* mine = copy_context::follower_contract(key, state, f->routes());
      return mine != nullptr && (!f->idle() || f->book().expected(*mine) != 0);
    });
    if (held) continue;
    spdlog::info("manual signal {} ended: no follower holds its position any more", state.event);
    end_signal(key, state);
  }
}

std::string copy_engine::status_line() const {
  std::string line = ctx_.leader_ready ? "copying" : "NOT COPYING (" + ctx_.leader_problem + ")";
  line += leader_hub_connected() ? ", leader hub connected" : ", leader hub disconnected";
  if (ctx_.breaker.tripped()) line += ", BREAKER TRIPPED";
  if (ctx_.copy.dry_run) line += ", dry run";
  std::size_t active = 0;
  for (const auto& f : followers_) active += (!f->retired() && !f->disabled_reason()) ? 1U : 0U;
  line += fmt::format(", {} of {} followers active, copies {} ok {} failed {}", active, followers_.size(),
                      ctx_.counters.total_copies, ctx_.counters.successful_copies, ctx_.counters.failed_copies);
  return line;
}

} // namespace copytrader::engine
