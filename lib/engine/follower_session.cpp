#include "engine/follower_session.hpp"

#include "copy/leg_plan.hpp"
#include "copy/sizing.hpp"
#include "logging/log.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace copytrader::engine {
namespace asio = boost::asio;
namespace px = copytrader::projectx;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

} // namespace

follower_session::follower_session(copy_context& ctx, login_session& login, follower_config rules, audit_log* audit,
                                   guard_store* guards)
    : ctx_(ctx),
      login_(login),
      rules_(std::move(rules)),
      routes_(rules_),
      audit_(audit),
      guards_(guards),
      book_(rules_.account, settle_time),
      wake_(login.http().get_executor()),
      pause_(login.http().get_executor()) {
  guard_.configure(rules_, ctx_.risk);
  learn_known_products();
}

void follower_session::start() { ctx_.tasks.spawn("worker of follower " + rules_.name, work(), task_policy::fatal); }

void follower_session::stop() {
  stopped_ = true;
  wake_.cancel();
  pause_.cancel();
}

void follower_session::nudge() {
  dirty_ = true;
  ++ctx_.nudges;
  wake_.cancel();
}

void follower_session::wake_at(steady_clock::time_point when) {
  if (wake_due_ && *wake_due_ <= when) return;
  wake_due_ = when;
  if (!busy_) wake_.cancel(); // a worker asleep arms its timer again, for the earlier time
}

steady_clock::time_point follower_session::next_wake() const {
  auto due = wake_due_.value_or(steady_clock::time_point::max());
  if (const auto deadline = book_.next_deadline(); deadline && *deadline < due) due = *deadline;
  return std::max(due, last_timed_wake_ + min_timed_wake_gap);
}

void follower_session::tick(steady_clock::time_point /*now*/) { check_guard(); }

void follower_session::on_events(const std::vector<px::user_event>& events) {
  const auto now = ctx_.now();
  bool relevant = false;
  for (const auto& e : events) {
    if (const auto* a = std::get_if<px::account_event>(&e); a && a->value.id == rules_.account) {
      guard_.on_account(a->value, ctx_.venue_now());
      relevant = true;
    } else if (const auto* t = std::get_if<px::trade_event>(&e); t && t->value.account_id == rules_.account) {
      guard_.on_fill(t->value);
      const bool own_leg = book_.is_leg(t->value.order);
      if (t->value.created) ctx_.venue_clock.observe(*t->value.created, now);
      book_.on_trade(t->value, now);
      // The follower's own bracket closed (part of) it: it sits out the rest of the leader's episode,
      // so a leader stop that fills later never opens a reverse position (faults.md D6).
      if (own_leg) hold(t->value.contract_id, book_.confirmed(t->value.contract_id), copy::hold_reason::own_bracket);
      relevant = true;
    } else if (const auto* p = std::get_if<px::position_event>(&e); p && p->value.account_id == rules_.account) {
      book_.on_position(p->value, now);
      relevant = true;
    } else if (const auto* o = std::get_if<px::order_event>(&e); o && o->value.account_id == rules_.account) {
      book_.on_order(o->value, now);
      relevant = true;
    }
  }
  take_rejections(now);
  if (relevant) {
    ++activity_;
    nudge();
  }
}

asio::awaitable<void> follower_session::work() {
  while (!stopped_) {
    if (!dirty_) {
      // Asleep until nudged or until the first time it waits for (a plan's pause, a book deadline):
      // its own timer, armed for that time, wakes it.
      if (const auto due = next_wake(); due > ctx_.now()) {
        wake_.expires_at(due);
        co_await wake_.async_wait(tuple_awaitable);
        if (dirty_ || stopped_ || ctx_.now() < next_wake()) continue; // nudged, or armed again for earlier
      }
      last_timed_wake_ = ctx_.now();
      wake_due_.reset();
      dirty_ = true;
      continue;
    }
    dirty_ = false;
    busy_ = true;
    const scope_exit not_busy([this] { busy_ = false; }); // whatever converge() does
    try {
      co_await converge();
    } catch (const std::exception& e) {
      // A bug must not silence the follower for good: say so loudly and plan again later.
      note_failure(std::string("unexpected error while copying: ") + e.what());
      wake_at(ctx_.now() + copy::retry_pause);
    }
  }
}

// Refreshed in place: after the first plan for a contract, planning allocates nothing (hot path).
void follower_session::refresh_targets() {
  for (auto& [contract, t] : targets_) {
    t.target = 0;
    t.source.clear(); // keeps its capacity
    t.leader_flat = true;
    t.entries_blocked = false;
    t.follows_episode = true;
    t.episode = 0;
  }
  for (auto& [contract, held] : unmapped_) held = false;
  for (const auto& [leader_contract, state] : ctx_.contracts) {
    const std::string* mine = copy_context::follower_contract(leader_contract, state, routes_);
    if (mine == nullptr) {
      if (!state.manual && ctx_.leader_net(leader_contract, state) != 0) note_unmapped(leader_contract);
      continue;
    }
    auto it = targets_.find(*mine);
    if (it == targets_.end()) it = targets_.emplace(*mine, contract_target{}).first;
    contract_target& t = it->second;
    const std::int32_t net = ctx_.leader_net(leader_contract, state);
    t.target += copy::target_size(net, rules_);
    t.episode += state.episode;
    if (net != 0) {
      t.leader_flat = false;
      t.entries_blocked = t.entries_blocked || state.entries_blocked;
      t.follows_episode = t.follows_episode && ctx_.episodes.follows(leader_contract, rules_.allowed_strategies);
      if (!rules_.allowed_strategies.empty() && !state.manual && ctx_.episodes.strategy_unknown(leader_contract))
        note_untagged(leader_contract, state);
    }
    // The most recent leader change names the tags.
    if (t.source.empty() || state.seen > ctx_.contracts.find(t.source)->second.seen) t.source.assign(leader_contract);
  }
  book_.for_each_contract([this](const std::string& contract) {
    if (!targets_.contains(contract)) targets_.emplace(contract, contract_target{});
  });
  if (routes_.derived().size() > routes_said_) note_new_routes();
}

asio::awaitable<void> follower_session::converge() {
  const auto now = ctx_.now();
  book_.poll(now);
  // Fail closed for entries; a flatten the operator asked for goes even while the leader is unknown.
  if (!lifecycle_.copies() || (!ctx_.leader_ready && !flatten_pending_)) co_return;
  if (book_.take_events_missing()) co_await reconcile("a confirmed order produced no events");

  refresh_targets();
  copy::follower_gates gates;
  gates.flattening = flatten_pending_;
  gates.enabled = rules_.enabled && !manually_disabled_;
  gates.retiring = lifecycle_.retiring();
  gates.mirror = rules_.bracket == bracket_mode::mirror;
  for (const auto& [contract, t] : targets_) {
    if (stopped_) co_return;
    copy::leader_view leader{t.target, t.leader_flat, t.entries_blocked, t.follows_episode, t.episode, std::nullopt};
    if (!t.source.empty()) leader.legs_due = ctx_.contracts.find(t.source)->second.legs_due;
    auto& plan = plans_[contract];
    const guard_screen screen(*this, contract, t);
    const auto step = copy::next_step(plan, leader, book_.expected(contract), gates, now, &screen);
    if (screen.bound) note_guard_hold(contract, plan, *screen.bound);
    switch (step.kind) {
      case copy::step_kind::skip: break;
      case copy::step_kind::wait:
        wake_at(step.until);
        if (step.legs_first && !ctx_.copy.dry_run) co_await maintain_legs(contract, t);
        break;
      case copy::step_kind::legs:
        if (ctx_.copy.dry_run)
          shadow_leg_moves(contract, t);
        else
          co_await maintain_legs(contract, t);
        break;
      case copy::step_kind::send: {
        const bool done = co_await execute(contract, t, step.actions);
        if (!done) copy::retry_later(plans_[contract], ctx_.now());
        break;
      }
    }
  }
  if (flatten_pending_ && holds_nothing() && reads_ == 0) flatten_pending_ = false;
}

asio::awaitable<bool> follower_session::execute(const std::string& contract, const contract_target& t,
                                                const copy::action_list& actions) {
  std::vector<px::order_id> old_legs;
  bool unseen_legs = false;
  for (const auto& action : actions) {
    if (action.kind == copy::action_kind::flatten) {
      old_legs = copy::leftover_cancels(book_.legs(contract));
      if (!co_await close(contract)) co_return false;
      // Read before a reversal's entry, so its new legs are not among them.
      unseen_legs = !ctx_.copy.dry_run && !events_trusted();
      if (unseen_legs) {
        auto found = co_await working_orders_read(contract);
        if (found) old_legs = std::move(*found); // unread: what the book knows is cancelled still
      }
    } else if (!co_await send_market(contract, t, action)) {
      co_return false;
    }
  }
  // After a close the venue leaves the old legs working; a reversal's new entry went first. One of
  // each pair now; a sibling the venue left working is cancelled by the legs check after leg_settle.
  for (px::order_id leg : old_legs) {
    if (ctx_.copy.dry_run) break;
    if (orphans_.contains(leg)) continue;
    auto r = co_await cancel_leg(contract, leg, request_priority::exit);
    if (r.kind != px::outcome_kind::confirmed && r.refusal != px::refusal_kind::cancel_not_allowed)
      spdlog::warn("follower {}: cancelling leftover leg {} on {}: {} ({})", rules_.name, leg, contract,
                   px::to_string(r.kind), r.message);
    else if (unseen_legs)
      spdlog::warn(
          "follower {}: cancelled order {} on {}, found working by REST after the close while its hub is "
          "down",
          rules_.name, leg, contract);
  }
  if (!old_legs.empty()) plans_[contract].legs_settle = ctx_.now() + copy::leg_settle;
  co_return true;
}

void follower_session::hold_open_positions(start_policy policy) {
  if (policy == start_policy::full) return;
  refresh_targets();
  for (const auto& [contract, t] : targets_) {
    const std::int32_t held = book_.confirmed(contract);
    if (policy == start_policy::alert) {
      if (held != 0 || t.target != 0) {
        plans_[contract].hands_off = true;
        if (held != t.target)
          spdlog::warn("follower {}: at start {} holds {}, the leader implies {}; on_start: alert leaves it alone",
                       rules_.name, contract, held, t.target);
      }
    } else if (!t.leader_flat) {
      // close_only: keep at most what is already held in the leader's direction; open nothing late,
      // except what the leader filled within max_copy_age (a copy a crash or restart cut short).
      const auto leader = ctx_.contracts.find(t.source);
      const bool fresh = leader != ctx_.contracts.end() && leader->second.fresh_at_start;
      if (fresh)
        spdlog::info("follower {}: the leader's position on {} was filled within max_copy_age; copied at start",
                     rules_.name, t.source);
      else
        hold(contract, held, copy::hold_reason::start);
    }
  }
}

void follower_session::note_unmapped(const std::string& leader_contract) {
  auto [it, first] = unmapped_.try_emplace(leader_contract, true);
  it->second = true;
  if (!first) return;
  const log_fields fields{{"FOLLOWER", rules_.name}, {"CONTRACT", leader_contract}};
  if (routes_.by_symbol())
    spdlog::warn(
        "follower {}: the leader holds {}, which its contract_map does not map: not copied (another "
        "product, or a month the follower's product is not listed in). Map its symbol and reload",
        rules_.name, leader_contract);
  else
    spdlog::warn(
        "follower {}: the leader holds {}, which its contract_map does not map: not copied. Map it "
        "(copytraderd --contracts finds the ids; at a roll, the new month's, or map by symbol: {{MES: ES}}) "
        "and reload",
        rules_.name, leader_contract);
}

void follower_session::note_untagged(const std::string& leader_contract, const leader_contract_state& state) {
  auto [it, first] = untagged_said_.try_emplace(leader_contract, state.episode);
  if (!first && it->second == state.episode) return; // once per episode
  it->second = state.episode;
  // Said after the handlers already queued: the targets are being worked out for this follower's sends.
  boost::asio::post(ctx_.tasks.executor(), [name = rules_.name, contract = leader_contract, event = state.event] {
    const log_fields fields{{"FOLLOWER", name}, {"CONTRACT", contract}};
    spdlog::warn(
        "follower {}: the leader's entry on {} (event {}) carries no strategy in its customTag "
        "(copy.strategy_pattern reads none), so allowed_strategies sits this episode out; tag the bot's "
        "entries with the strategy's name (docs/leader-bots.md)",
        name, contract, event);
  });
}

std::vector<std::string> follower_session::untagged_held() const {
  std::vector<std::string> out;
  if (rules_.allowed_strategies.empty()) return out;
  for (const auto& [contract, state] : ctx_.contracts) {
    if (!state.manual && ctx_.leader_net(contract, state) != 0 && ctx_.episodes.strategy_unknown(contract) &&
        copy_context::follower_contract(contract, state, routes_) != nullptr)
      out.push_back(contract);
  }
  return out;
}

std::vector<std::string> follower_session::unmapped_held() const {
  std::vector<std::string> out;
  for (const auto& [contract, held] : unmapped_) {
    if (held) out.push_back(contract);
  }
  return out;
}

void follower_session::update_rules(follower_config rules) {
  unmapped_.clear(); // a contract the new map still leaves out is said again
  rules_changed_ = ctx_.now();
  rules_ = std::move(rules);
  routes_ = copy::contract_routes(rules_);
  routes_said_ = 0;
  learn_known_products();
  guard_.configure(rules_, ctx_.risk);
  nudge();
}

void follower_session::set_enabled(bool enabled) {
  manually_disabled_ = !enabled;
  nudge();
}

void follower_session::take_rejections(steady_clock::time_point now) {
  for (const auto& r : book_.take_rejections()) {
    // Accepted, then refused by the venue: treated as a refusal at the place (not sent again this
    // episode, an exit after a pause), never as a copy still owed that a new order would make up.
    ++figures_.rejected;
    ++ctx_.counters.failed_copies;
    hold(r.contract, book_.expected(r.contract), copy::hold_reason::refused);
    copy::retry_later(plans_[r.contract], now);
    note_failure(
        fmt::format("order {} (tag {}) on {} was accepted, then rejected by the venue; not sent again "
                    "this episode",
                    r.id, r.tag, r.contract));
    audit("rejected", r.tag, "rejected after it was accepted");
  }
}

void follower_session::hold(const std::string& contract, std::int32_t limit, copy::hold_reason why) {
  const auto t = targets_.find(contract);
  copy::hold(plans_[contract], limit, t == targets_.end() ? 0 : t->second.episode, why);
}

void follower_session::flatten() {
  refresh_targets(); // every contract the leader or the book has
  for (const auto& [contract, t] : targets_) hold(contract, 0, copy::hold_reason::flatten);
  for (auto& [contract, plan] : plans_) {
    plan.hands_off = false;
    plan.retry_after = {};
  }
  flatten_pending_ = true;
  nudge();
}

bool follower_session::holds_nothing() const {
  bool flat = true;
  book_.for_each_contract([&](const std::string& contract) {
    flat = flat && book_.expected(contract) == 0 && book_.legs(contract).empty();
  });
  return flat;
}

void follower_session::release_holds(copy::hold_reason why) {
  for (auto& [contract, plan] : plans_) copy::release(plan, why);
  nudge();
}

void follower_session::retire() {
  lifecycle_.retire();
  nudge();
}

void follower_session::revive() {
  lifecycle_.revive();
  nudge();
}

void follower_session::note_failure(const std::string& what) {
  figures_.last_error = what;
  const log_fields fields{{"FOLLOWER", rules_.name}};
  spdlog::error("follower {}: {}", rules_.name, what);
}

void follower_session::audit(std::string_view kind, std::string_view tag, std::string detail) {
  if (audit_ != nullptr) audit_->record(kind, rules_.name, tag, std::move(detail));
}

} // namespace copytrader::engine
