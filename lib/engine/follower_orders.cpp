// A follower's orders: each carries a deterministic tag; an unknown outcome is resolved by searching
// the account for the tag before anything is sent again, and a resend reuses the tag.

#include "copy/brackets.hpp"
#include "copy/order_tag.hpp"
#include "copy/tag_resolution.hpp"
#include "core/crash_point.hpp"
#include "engine/follower_session.hpp"
#include "logging/log.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdlib>

namespace copytrader::engine {
namespace asio = boost::asio;
namespace px = copytrader::projectx;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

const char* side_name(int side) { return side == px::side::bid ? "buy" : "sell"; }

// A manual signal's tick distances stand in for the leader's legs of a mirror follower.
follower_config with_signal_ticks(const follower_config& rules, const manual_position& signal) {
  follower_config out = rules;
  out.sl_ticks = signal.sl_ticks.value_or(rules.sl_ticks);
  out.tp_ticks = signal.tp_ticks.value_or(rules.tp_ticks);
  return out;
}

std::int64_t micros_between(steady_clock::time_point from, steady_clock::time_point to) {
  return std::chrono::duration_cast<std::chrono::microseconds>(to - from).count();
}

} // namespace

std::string follower_session::next_tag(const std::string& event) {
  // Steps per event, in a small ring of the latest events: their strings keep their capacity, so a
  // new event costs no allocation; an event older than the ring is never planned for again.
  for (auto& slot : recent_events_) {
    if (slot.event == event) return copy::order_tag(event, rules_.account, slot.next++);
  }
  auto& slot = recent_events_[recent_at_++ % recent_events_.size()];
  slot.event.assign(event);
  slot.next = 1;
  return copy::order_tag(event, rules_.account, 0);
}

copy::follower_bracket follower_session::planned_bracket(const std::string& contract, const contract_target& t,
                                                         bool entry_long) const {
  const leader_contract_state* leader = t.source.empty() ? nullptr : &ctx_.contracts.find(t.source)->second;
  std::optional<copy::leader_bracket> from_leader;
  if (leader) {
    const auto legs = ctx_.legs.prices(t.source);
    if (legs.stop || legs.target)
      from_leader = copy::leader_bracket{leader->fill_price, legs.stop, legs.target, ctx_.tick_size(t.source)};
  }
  const double tick = ctx_.tick_size(contract);
  // Only a manual signal copies the rules (off the hot path); a leader entry plans with them as they are.
  std::optional<follower_config> signal_rules;
  if (leader && leader->manual && rules_.bracket == bracket_mode::mirror &&
      (leader->manual->sl_ticks || leader->manual->tp_ticks))
    signal_rules = with_signal_ticks(rules_, *leader->manual);
  return copy::plan_bracket(signal_rules ? *signal_rules : rules_, entry_long, tick > 0 ? tick : 0.25, from_leader);
}

asio::awaitable<bool> follower_session::send_market(const std::string& contract, const contract_target& t,
                                                    const copy::copy_action& action) {
  // A Position Brackets account refuses the first bracketed entry: the same entry goes once more,
  // unbracketed (separate_protection_ is set by then), with the next tag.
  auto result = co_await send_market_once(contract, t, action);
  if (result == market_result::again_unbracketed) result = co_await send_market_once(contract, t, action);
  co_return result == market_result::done;
}

asio::awaitable<follower_session::market_result> follower_session::send_market_once(const std::string& contract,
                                                                                    const contract_target& t,
                                                                                    const copy::copy_action& action) {
  const auto now = ctx_.now();
  const bool entry = action.adds_exposure();
  if (entry && login_.order_ceiling().available(now) == 0) {
    // max_orders_per_minute is a hard ceiling for entries; exits always go (a refused exit leaves risk).
    hold(contract, book_.expected(contract), copy::hold_reason::ceiling);
    note_failure(fmt::format("max_orders_per_minute ({}) reached: entry on {} not copied, holding this episode",
                             ctx_.safety.max_orders_per_minute, contract));
    co_return market_result::done;
  }
  if (entry && !ctx_.copy.dry_run && !take_budget_turn(request_priority::entry, contract))
    co_return market_result::done;
  const leader_contract_state* leader = t.source.empty() ? nullptr : &ctx_.contracts.find(t.source)->second;
  const std::string local = leader && !leader->event.empty() ? std::string() : ctx_.local_event('r');
  const std::string& event = local.empty() ? leader->event : local;
  const std::string tag = next_tag(event);
  const std::int32_t signed_size = action.side == px::side::bid ? action.size : -action.size;

  px::place_order_params p;
  p.account = rules_.account;
  p.contract_id = contract;
  p.type = px::order_type::market;
  p.side = action.side;
  p.size = action.size;
  p.custom_tag = tag;
  if (entry && !separate_protection_) {
    const auto planned = planned_bracket(contract, t, action.side == px::side::bid);
    p.stop_loss = planned.stop_loss;
    p.take_profit = planned.take_profit;
  }

  book_.sent_place(tag, contract, signed_size, now);
  ++activity_;
  if (entry) login_.order_ceiling().use(now);
  plans_[contract].legs_settle = now + copy::leg_settle;

  if (ctx_.copy.dry_run) {
    book_.place_failed(tag);
    const std::int32_t before = book_.confirmed(contract);
    book_.shadow_fill(contract, signed_size);
    ++figures_.dry_run_orders;
    std::string legs;
    if (p.stop_loss) legs += fmt::format(", stop {} ticks", std::abs(p.stop_loss->ticks));
    if (p.take_profit) legs += fmt::format(", target {} ticks", std::abs(p.take_profit->ticks));
    spdlog::info("dry run: follower {} would {} {} {} ({}, tag {}{})", rules_.name, side_name(action.side), action.size,
                 contract, entry ? "entry" : "exit", tag, legs);
    audit("dry_run", tag, fmt::format("{} {} {}", side_name(action.side), action.size, contract));
    const auto ticks = [](const auto& leg) {
      return leg ? std::optional<std::int32_t>(std::abs(leg->ticks)) : std::nullopt;
    };
    say_shadow_legs(
        contract,
        shadow_legs_[contract].on_fill(before, book_.confirmed(contract), ticks(p.stop_loss), ticks(p.take_profit)),
        {});
    co_return market_result::done;
  }
  ++figures_.orders_sent;
  ++ctx_.counters.total_copies;

  crash_point("before_place"); // F2
  const auto outcome = co_await place_resolved(p, entry ? request_priority::entry : request_priority::exit,
                                               entry ? px::budget_turn::taken : px::budget_turn::wait);
  if (outcome.kind == px::outcome_kind::confirmed) crash_point("place_answered"); // F4: before the book knows
  const std::int64_t latency = leader ? micros_between(leader->seen, ctx_.now()) : 0;
  switch (outcome.kind) {
    case px::outcome_kind::confirmed: {
      if (outcome.order) {
        book_.placed(tag, *outcome.order, ctx_.now());
        take_rejections(ctx_.now()); // its rejection event may have come first
      }
      ++figures_.confirmed;
      ++ctx_.counters.successful_copies;
      // Timed once per leader change: a second order for the same change (a retry, or a resize a
      // reload asked for) is not the copy's latency.
      const bool timed = leader && leader->seen > last_timed_change_ && leader->seen > rules_changed_;
      if (ctx_.keep_recent_copies)
        ctx_.note_copy({ctx_.time.wall(), rules_.name, std::string(side_name(action.side)), contract, action.size,
                        latency, timed, event});
      if (timed) {
        last_timed_change_ = leader->seen;
        if (outcome.written != steady_clock::time_point{}) {
          figures_.sent_us.add(
              std::chrono::duration_cast<std::chrono::microseconds>(outcome.written - leader->seen).count());
        }
        figures_.latency_us.add(latency);
        figures_.latency.record(latency);
      }
      {
        // journalctl -u copytraderd FOLLOWER=name (or TAG=, LEADER_TRADE_ID=) finds it; no co_await inside.
        const std::string latency_text = std::to_string(latency);
        const log_fields fields{
            {"FOLLOWER", rules_.name}, {"LEADER_TRADE_ID", event}, {"TAG", tag}, {"LATENCY_US", latency_text}};
        spdlog::info("follower {}: {} {} {} ({}), tag {}, order {}, {} us after the leader's event", rules_.name,
                     side_name(action.side), action.size, contract, entry ? "entry" : "exit", tag,
                     outcome.order.value_or(0), latency);
      }
      audit("place", tag,
            fmt::format("{} {} {} order {} latency_us {}", side_name(action.side), action.size, contract,
                        outcome.order.value_or(0), latency));
      co_return market_result::done;
    }
    case px::outcome_kind::rejected:
      book_.place_failed(tag);
      ++figures_.rejected;
      if (entry && (p.stop_loss || p.take_profit) && outcome.refusal == px::refusal_kind::position_brackets) {
        // The account is in Position Brackets mode and refuses order brackets (projectx-api.md 4.3):
        // from now on its entries go without them, and the leg upkeep places a separate stop and
        // target after each fill (and cancels them when flat, so none is left orphaned).
        separate_protection_ = true;
        note_failure(
            "the account is in Position Brackets mode and refuses order brackets; entries go without "
            "them and are protected by separate stop and target orders. Enable Auto OCO Brackets in "
            "TopstepX for native brackets.");
        audit("rejected", tag, outcome.message);
        co_return market_result::again_unbracketed;
      }
      ++ctx_.counters.failed_copies;
      if (entry) hold(contract, book_.expected(contract), copy::hold_reason::refused); // not again this episode
      // After a breach the firm refuses entries (account-rules.md): never retried, the follower is locked.
      if (entry && outcome.refusal == px::refusal_kind::account_violation) lock_after_refusal(outcome.message);
      note_failure(fmt::format("{} {} {} refused (tag {}): {}", side_name(action.side), action.size, contract, tag,
                               outcome.message));
      audit("rejected", tag, outcome.message);
      ctx_.raise(
          alerts::alert_kind::order_refused, rules_.name,
          fmt::format("{} {} {} ({}) was refused by the venue: {}", side_name(action.side), action.size, contract,
                      entry ? "an entry, not sent again this episode" : "an exit, tried again", outcome.message),
          "copytraderctl status; journalctl -u copytraderd FOLLOWER=" + rules_.name);
      // An entry is held for the episode; an exit is tried again after a pause.
      co_return entry ? market_result::done : market_result::retry_later;
    default:
      book_.place_failed(tag);
      ++ctx_.counters.failed_copies;
      ++figures_.failed;
      note_failure(
          fmt::format("{} {} {} (tag {}) unresolved after searching for its tag: {}; reconciliation "
                      "will check the account",
                      side_name(action.side), action.size, contract, tag, outcome.message));
      audit("unresolved", tag, outcome.message);
      ctx_.raise(alerts::alert_kind::outcome_unknown, rules_.name,
                 fmt::format("{} {} {} (tag {}): whether the venue took it could not be learned ({})",
                             side_name(action.side), action.size, contract, tag, outcome.message),
                 "look at the account in the platform; reconciliation reads it every reconcile_interval, and "
                 "copytraderctl flatten " +
                     rules_.name + " closes it");
      co_return market_result::retry_later;
  }
}

bool follower_session::take_budget_turn(request_priority priority, const std::string& contract) {
  auto& budget = login_.budget();
  if (budget.try_acquire(priority)) {
    budget_short_said_ = false;
    return true;
  }
  const auto now = ctx_.now();
  const auto due = budget.next_free_for(priority);
  wake_at(due); // a slot held by exits waiting ahead is looked at again on the next tick
  if (!budget_short_said_) {
    budget_short_said_ = true;
    spdlog::warn(
        "follower {}: {} on {} waits for login {}'s request budget ({} of {} left, {} kept for exits); "
        "planned again in {} ms",
        rules_.name, priority == request_priority::entry ? "an entry" : "a bracket move", contract,
        rules_.login.username, budget.available(), budget.capacity(), budget.reserve(),
        std::chrono::duration_cast<std::chrono::milliseconds>(std::max(due, now) - now).count());
  }
  return false;
}

asio::awaitable<px::place_outcome> follower_session::place_resolved(const px::place_order_params& p,
                                                                    request_priority priority, px::budget_turn first) {
  // On the venue's clock: a window from a host clock minutes ahead would miss the order and resend it.
  const auto since = ctx_.venue_clock.now(ctx_.now(), ctx_.time.wall()) - std::chrono::minutes(5);
  const auto request_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(login_.http().endpoint().request_timeout);
  copy::tag_resolution resolution(ctx_.now(), request_timeout);
  px::place_outcome last;
  std::string search_failed; // why the latest search could not be made: the operator's clue
  for (auto step = resolution.first();;) {
    if (step.kind == copy::resolve_step_kind::done) {
      if (step.end == copy::resolve_end::deadline || step.end == copy::resolve_end::sends_spent)
        last.message += fmt::format(" ({}{}{})", copy::to_string(step.end),
                                    search_failed.empty() ? "" : "; the last search failed: ", search_failed);
      co_return last;
    }
    co_await pause_until(step.at);
    if (stopped_) co_return last; // shutting down: left unknown (and audited), never sent again now
    if (step.kind == copy::resolve_step_kind::send) {
      last = co_await login_.rest().place(p, priority, resolution.sends() == 0 ? first : px::budget_turn::wait);
      step = resolution.on_place(last.kind, last.refusal, ctx_.now());
      if (step.kind == copy::resolve_step_kind::search) {
        // Unknown, or the tag already exists (an earlier attempt landed): the venue's orders decide.
        ++figures_.unknown;
        spdlog::warn("follower {}: outcome of tag {} unknown ({}); searching the account's orders for it", rules_.name,
                     p.custom_tag, last.message);
      } else if (step.kind == copy::resolve_step_kind::send) {
        spdlog::warn("follower {}: tag {} {}; sending it again with the same tag", rules_.name, p.custom_tag,
                     last.message); // nothing reached the venue
      }
      continue;
    }
    auto orders = co_await login_.rest().orders(rules_.account, since);
    const px::order* found = nullptr;
    if (!orders) {
      search_failed = orders.error().message;
      spdlog::warn("follower {}: the search for tag {} failed ({}); it proves nothing, so nothing is sent meanwhile",
                   rules_.name, p.custom_tag, search_failed);
    } else {
      search_failed.clear();
      const auto it = std::find_if(orders->begin(), orders->end(),
                                   [&](const px::order& o) { return o.custom_tag && *o.custom_tag == p.custom_tag; });
      if (it != orders->end()) found = &*it;
    }
    step = resolution.on_search(found != nullptr ? copy::search_result::found
                                                 : (orders ? copy::search_result::absent : copy::search_result::failed),
                                ctx_.now());
    if (found != nullptr) {
      ++figures_.unknown_resolved;
      px::place_outcome resolved;
      resolved.order = found->id;
      resolved.kind =
          found->status == px::order_status::rejected ? px::outcome_kind::rejected : px::outcome_kind::confirmed;
      resolved.message = "found by its tag";
      spdlog::info("follower {}: tag {} found as order {} (status {}); not sent again", rules_.name, p.custom_tag,
                   found->id, found->status);
      co_return resolved;
    }
    if (step.kind == copy::resolve_step_kind::send) {
      ++figures_.unknown_resolved;
      spdlog::warn("follower {}: tag {} not found twice; sending it again with the same tag", rules_.name,
                   p.custom_tag);
    }
  }
}

asio::awaitable<void> follower_session::pause_until(steady_clock::time_point when) {
  if (when <= ctx_.now()) co_return;
  pause_.expires_at(when);
  co_await pause_.async_wait(tuple_awaitable);
}

asio::awaitable<bool> follower_session::close(const std::string& contract) {
  const auto now = ctx_.now();
  const std::int32_t held = book_.confirmed(contract);
  plans_[contract].legs_settle = now + copy::leg_settle;
  if (ctx_.copy.dry_run) {
    book_.shadow_fill(contract, -held);
    ++figures_.dry_run_orders;
    spdlog::info("dry run: follower {} would close {} on {} (exit)", rules_.name, held, contract);
    audit("dry_run", {}, fmt::format("close {} {}", held, contract));
    say_shadow_legs(contract, shadow_legs_[contract].on_fill(held, 0, std::nullopt, std::nullopt), {});
    co_return true;
  }
  const auto ticket = book_.sent_close(contract, now);
  ++activity_;
  ++figures_.orders_sent;
  ++ctx_.counters.total_copies;
  const auto r = co_await login_.rest().close_position(rules_.account, contract);
  if (r.kind == px::outcome_kind::confirmed) {
    ++figures_.confirmed;
    ++ctx_.counters.successful_copies;
    spdlog::info("follower {}: closed {} ({} contracts)", rules_.name, contract, held);
    if (ctx_.keep_recent_copies)
      ctx_.note_copy({ctx_.time.wall(), rules_.name, "close", contract, std::abs(held), 0, false, {}});
    audit("close", {}, fmt::format("{} {}", contract, held));
    co_return true;
  }
  if (r.kind == px::outcome_kind::unknown) {
    // The close may have happened: the book expects flat until the events or their absence say.
    spdlog::warn("follower {}: close of {} unknown ({}); waiting for the account's events", rules_.name, contract,
                 r.message);
    co_return false;
  }
  book_.close_failed(contract, ticket);
  ++figures_.rejected;
  ++ctx_.counters.failed_copies;
  note_failure(fmt::format("close of {} refused: {}", contract, r.message));
  ctx_.raise(alerts::alert_kind::order_refused, rules_.name,
             fmt::format("the close of {} {} was refused by the venue: {}; the position is still open", held, contract,
                         r.message),
             "close it in the platform if it stays open; copytraderctl status shows what the daemon holds");
  co_await reconcile("a close was refused"); // perhaps there was nothing to close: read the account
  co_return false;
}

} // namespace copytrader::engine
