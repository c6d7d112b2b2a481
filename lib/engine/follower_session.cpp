#include "engine/follower_session.hpp"

#include "copy/brackets.hpp"
#include "copy/leg_plan.hpp"
#include "copy/order_tag.hpp"
#include "copy/sizing.hpp"
#include "core/crash_point.hpp"
#include "logging/log.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cmath>

namespace copytrader::engine {
namespace asio = boost::asio;
namespace px = copytrader::projectx;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
// After an order or a leg change, the follower's events need a moment to arrive before the legs
// are judged against the position again.
constexpr auto leg_settle = std::chrono::milliseconds(300);
constexpr auto retry_pause = std::chrono::seconds(1);
constexpr std::size_t max_latency_samples = 4096;

const char* side_name(int side) { return side == px::side::bid ? "buy" : "sell"; }

double round_to_tick(double price, double tick) { return tick > 0 ? std::round(price / tick) * tick : price; }

// A manual signal's tick distances stand in for the leader's legs of a mirror follower.
follower_config with_signal_ticks(const follower_config& rules, const manual_position& signal) {
  follower_config out = rules;
  out.sl_ticks = signal.sl_ticks.value_or(rules.sl_ticks);
  out.tp_ticks = signal.tp_ticks.value_or(rules.tp_ticks);
  return out;
}

std::int64_t micros_since(steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(steady_clock::now() - t).count();
}

} // namespace

latency_summary summarize(const std::deque<std::int64_t>& samples) {
  latency_summary out;
  out.count = samples.size();
  if (samples.empty()) return out;
  std::vector<std::int64_t> sorted(samples.begin(), samples.end());
  std::sort(sorted.begin(), sorted.end());
  auto at = [&sorted](double q) {
    const auto i = static_cast<std::size_t>(std::ceil(q * static_cast<double>(sorted.size()))) - 1;
    return sorted[std::min(i, sorted.size() - 1)];
  };
  out.p50 = at(0.50);
  out.p99 = at(0.99);
  out.max = sorted.back();
  return out;
}

follower_session::follower_session(copy_context& ctx, login_session& login, follower_config rules, audit_log* audit)
    : ctx_(ctx),
      login_(login),
      rules_(std::move(rules)),
      audit_(audit),
      book_(rules_.account, settle_time),
      wake_(login.http().get_executor()),
      pause_(login.http().get_executor()) {}

void follower_session::start() { asio::co_spawn(wake_.get_executor(), work(), asio::detached); }

void follower_session::stop() {
  stopped_ = true;
  wake_.cancel();
  pause_.cancel();
}

void follower_session::nudge() {
  dirty_ = true;
  wake_.cancel();
}

void follower_session::wake_at(steady_clock::time_point when) {
  if (!wake_due_ || when < *wake_due_) wake_due_ = when;
}

void follower_session::tick(steady_clock::time_point now) {
  const auto deadline = book_.next_deadline();
  if ((wake_due_ && *wake_due_ <= now) || (deadline && *deadline <= now)) {
    wake_due_.reset();
    nudge();
  }
}

void follower_session::on_events(const std::vector<px::user_event>& events) {
  const auto now = steady_clock::now();
  bool relevant = false;
  for (const auto& e : events) {
    if (const auto* t = std::get_if<px::trade_event>(&e); t && t->value.account_id == rules_.account) {
      const bool own_leg = book_.is_leg(t->value.order);
      if (t->value.created) ctx_.venue_clock.observe(*t->value.created, now);
      book_.on_trade(t->value, now);
      // The follower's own bracket closed (part of) it: it sits out the rest of the leader's episode,
      // so a leader stop that fills later never opens a reverse position (faults.md D6).
      if (own_leg) hold(t->value.contract_id, book_.confirmed(t->value.contract_id));
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
      wake_.expires_at(steady_clock::time_point::max());
      co_await wake_.async_wait(tuple_awaitable);
      continue;
    }
    dirty_ = false;
    busy_ = true;
    try {
      co_await converge();
    } catch (const std::exception& e) {
      // A bug must not silence the follower for good: say so loudly and plan again later.
      note_failure(std::string("unexpected error while copying: ") + e.what());
      wake_at(steady_clock::now() + retry_pause);
    }
    busy_ = false;
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
  for (const auto& [leader_contract, state] : ctx_.contracts) {
    const std::string* mine = copy_context::follower_contract(leader_contract, state, rules_);
    if (mine == nullptr) continue;
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
    }
    // The most recent leader change names the tags.
    if (t.source.empty() || state.seen > ctx_.contracts.find(t.source)->second.seen) t.source.assign(leader_contract);
  }
  book_.for_each_contract([this](const std::string& contract) {
    if (!targets_.contains(contract)) targets_.emplace(contract, contract_target{});
  });
}

asio::awaitable<void> follower_session::converge() {
  const auto now = steady_clock::now();
  book_.poll(now);
  // Fail closed for entries; a flatten the operator asked for goes even while the leader is unknown.
  if (disabled_ || (!ctx_.leader_ready && !flatten_pending_)) co_return;
  if (book_.take_events_missing()) co_await reconcile("a confirmed order produced no events");

  refresh_targets();
  for (const auto& [contract, t] : targets_) {
    if (stopped_) co_return;
    const std::int32_t expected = book_.expected(contract);
    if (auto off = hands_off_.find(contract); off != hands_off_.end()) {
      if (t.leader_flat && expected == 0) hands_off_.erase(off);
      continue;
    }
    // A cap lasts for the leader's episode it was set in: flat, or a reversal, starts a new one.
    if (auto held = caps_.find(contract); held != caps_.end() && (t.leader_flat || held->second.episode != t.episode))
      caps_.erase(held);
    if (flatten_pending_) {
      hold(contract, 0); // also what a read after the request found
    } else if (!t.leader_flat && !caps_.contains(contract) &&
               (!rules_.enabled || manually_disabled_ || retired_ || t.entries_blocked || !t.follows_episode)) {
      hold(contract, expected);
    }
    const auto cap = caps_.find(contract);
    const std::int32_t target = copy::capped_target(
        t.target, cap == caps_.end() ? std::nullopt : std::optional<std::int32_t>(cap->second.limit));
    if (cap != caps_.end()) cap->second.limit = target;
    last_plan_[contract] = {target, expected};

    if (auto wait = retry_after_.find(contract); wait != retry_after_.end()) {
      if (now < wait->second) {
        wake_at(wait->second);
        continue;
      }
      retry_after_.erase(wait);
    }

    auto actions = copy::plan_change(target, expected);
    if (actions.empty()) {
      if (!ctx_.copy.dry_run) co_await maintain_legs(contract, t);
      continue;
    }
    const bool adds = std::any_of(actions.begin(), actions.end(), [](const auto& a) { return a.adds_exposure(); });
    if (adds && rules_.bracket == bracket_mode::mirror && !t.source.empty()) {
      // The leader's entry had legs that are not armed yet: its bracket is coming, wait for it.
      const auto& leader = ctx_.contracts.find(t.source)->second;
      if (leader.legs_due && now < *leader.legs_due) {
        wake_at(*leader.legs_due);
        continue;
      }
    }
    if (!co_await execute(contract, t, actions)) retry_after_[contract] = steady_clock::now() + retry_pause;
  }
  if (flatten_pending_ && holds_nothing() && !reading_) flatten_pending_ = false;
}

asio::awaitable<bool> follower_session::execute(const std::string& contract, const contract_target& t,
                                                const copy::action_list& actions) {
  std::vector<px::order_id> old_legs;
  for (const auto& action : actions) {
    if (action.kind == copy::action_kind::flatten) {
      for (const auto& leg : book_.legs(contract)) old_legs.push_back(leg.id);
      if (!co_await close(contract)) co_return false;
    } else if (!co_await send_market(contract, t, action)) {
      co_return false;
    }
  }
  // After a close the venue leaves the old legs working; a reversal's new entry went first.
  for (px::order_id leg : old_legs) {
    if (ctx_.copy.dry_run) break;
    auto r = co_await login_.rest().cancel(rules_.account, leg);
    if (r.kind != px::outcome_kind::confirmed)
      spdlog::warn("follower {}: cancelling leftover leg {} on {}: {} ({})", rules_.name, leg, contract,
                   px::to_string(r.kind), r.message);
    audit("cancel_leg", {}, fmt::format("{} {} {}", leg, contract, px::to_string(r.kind)));
  }
  if (!old_legs.empty()) quiet_after_[contract] = steady_clock::now() + leg_settle;
  co_return true;
}

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

asio::awaitable<bool> follower_session::send_market(const std::string& contract, const contract_target& t,
                                                    const copy::copy_action& action) {
  const auto now = steady_clock::now();
  const bool entry = action.adds_exposure();
  if (entry && login_.order_ceiling().available(now) == 0) {
    // max_orders_per_minute is a hard ceiling for entries; exits always go (a refused exit leaves risk).
    hold(contract, book_.expected(contract));
    note_failure(fmt::format("max_orders_per_minute ({}) reached: entry on {} not copied, holding this episode",
                             ctx_.safety.max_orders_per_minute, contract));
    co_return true;
  }
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
    const auto planned = copy::plan_bracket(signal_rules ? *signal_rules : rules_, action.side == px::side::bid,
                                            tick > 0 ? tick : 0.25, from_leader);
    p.stop_loss = planned.stop_loss;
    p.take_profit = planned.take_profit;
  }

  book_.sent_place(tag, contract, signed_size, now);
  ++activity_;
  if (entry) login_.order_ceiling().use(now);
  quiet_after_[contract] = now + leg_settle;
  ++figures_.orders_sent;

  if (ctx_.copy.dry_run) {
    book_.place_failed(tag);
    book_.shadow_fill(contract, signed_size);
    spdlog::info("dry run: follower {} would {} {} {} (tag {}, stop {} ticks, target {} ticks)", rules_.name,
                 side_name(action.side), action.size, contract, tag, p.stop_loss ? p.stop_loss->ticks : 0,
                 p.take_profit ? p.take_profit->ticks : 0);
    audit("dry_run", tag, fmt::format("{} {} {}", side_name(action.side), action.size, contract));
    co_return true;
  }

  crash_point("before_place"); // F2
  const auto outcome = co_await place_resolved(p, entry ? request_priority::entry : request_priority::exit);
  if (outcome.kind == px::outcome_kind::confirmed) crash_point("place_answered"); // F4: before the book knows
  const std::int64_t latency = leader ? micros_since(leader->seen) : 0;
  switch (outcome.kind) {
    case px::outcome_kind::confirmed:
      if (outcome.order) {
        book_.placed(tag, *outcome.order, steady_clock::now());
        take_rejections(steady_clock::now()); // its rejection event may have come first
      }
      ++figures_.confirmed;
      ++ctx_.counters.successful_copies;
      if (leader) {
        if (outcome.written != steady_clock::time_point{}) {
          figures_.sent_us.push_back(
              std::chrono::duration_cast<std::chrono::microseconds>(outcome.written - leader->seen).count());
          if (figures_.sent_us.size() > max_latency_samples) figures_.sent_us.pop_front();
        }
        figures_.latency_us.push_back(latency);
        figures_.latency.record(latency);
        if (figures_.latency_us.size() > max_latency_samples) figures_.latency_us.pop_front();
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
      co_return true;
    case px::outcome_kind::rejected:
      book_.place_failed(tag);
      ++figures_.rejected;
      if (entry && (p.stop_loss || p.take_profit) && outcome.message.find("Position Brackets") != std::string::npos) {
        // The account is in Position Brackets mode and refuses order brackets (projectx-api.md 4.3):
        // from now on its entries go without them, and the leg upkeep places a separate stop and
        // target after each fill (and cancels them when flat, so none is left orphaned).
        separate_protection_ = true;
        note_failure(
            "the account is in Position Brackets mode and refuses order brackets; entries go without "
            "them and are protected by separate stop and target orders. Enable Auto OCO Brackets in "
            "TopstepX for native brackets.");
        audit("rejected", tag, outcome.message);
        co_return co_await send_market(contract, t, action); // the same entry, unbracketed, with the next tag
      }
      ++ctx_.counters.failed_copies;
      if (entry) hold(contract, book_.expected(contract)); // do not retry a refused entry all episode
      note_failure(fmt::format("{} {} {} refused (tag {}): {}", side_name(action.side), action.size, contract, tag,
                               outcome.message));
      audit("rejected", tag, outcome.message);
      co_return entry; // an entry is held for the episode; an exit is tried again after a pause
    default:
      book_.place_failed(tag);
      ++ctx_.counters.failed_copies;
      ++figures_.failed;
      note_failure(
          fmt::format("{} {} {} (tag {}) unresolved after searching for its tag: {}; reconciliation "
                      "will check the account",
                      side_name(action.side), action.size, contract, tag, outcome.message));
      audit("unresolved", tag, outcome.message);
      co_return false;
  }
}

asio::awaitable<px::place_outcome> follower_session::place_resolved(const px::place_order_params& p,
                                                                    request_priority priority) {
  // On the venue's clock: a window from a host clock minutes ahead would miss the order and resend it.
  const auto since =
      ctx_.venue_clock.now(steady_clock::now(), std::chrono::system_clock::now()) - std::chrono::minutes(5);
  px::place_outcome last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    last = co_await login_.rest().place(p, priority);
    if (last.kind == px::outcome_kind::confirmed) co_return last;
    if (last.kind == px::outcome_kind::not_sent) {
      // Nothing reached the venue: the same tag again after a pause.
      spdlog::warn("follower {}: tag {} {}; sending it again with the same tag", rules_.name, p.custom_tag,
                   last.message);
      co_await pause(std::chrono::milliseconds(200));
      continue;
    }
    const bool duplicate_tag = last.kind == px::outcome_kind::rejected &&
                               last.message.find("ustom") != std::string::npos &&
                               last.message.find("ag") != std::string::npos;
    if (last.kind == px::outcome_kind::rejected && !duplicate_tag) co_return last;
    // Unknown, or the tag already exists (an earlier attempt landed): the venue's orders decide.
    ++figures_.unknown;
    spdlog::warn("follower {}: outcome of tag {} unknown ({}); searching the account's orders for it", rules_.name,
                 p.custom_tag, last.message);
    auto found = co_await find_by_tag(p.custom_tag, since);
    if (found) {
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
    if (duplicate_tag) co_return last; // refused as a duplicate, yet not found: do not loop
    if (stopped_) co_return last;      // shutting down: left unknown (and audited), never sent again now
    ++figures_.unknown_resolved;
    spdlog::warn("follower {}: tag {} not found twice; sending it again with the same tag", rules_.name, p.custom_tag);
  }
  co_return last;
}

asio::awaitable<std::optional<px::order>> follower_session::find_by_tag(std::string_view tag, px::timestamp since) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    co_await pause(attempt == 0 ? std::chrono::milliseconds(250) : std::chrono::milliseconds(1000));
    if (stopped_) break;
    auto orders = co_await login_.rest().orders(rules_.account, since);
    if (!orders) continue; // a failed search proves nothing: try again
    for (const auto& o : *orders) {
      if (o.custom_tag && *o.custom_tag == tag) co_return o;
    }
  }
  co_return std::nullopt;
}

asio::awaitable<void> follower_session::pause(std::chrono::milliseconds how_long) {
  pause_.expires_after(how_long);
  co_await pause_.async_wait(tuple_awaitable);
}

asio::awaitable<bool> follower_session::close(const std::string& contract) {
  const auto now = steady_clock::now();
  const std::int32_t held = book_.confirmed(contract);
  ++figures_.orders_sent;
  quiet_after_[contract] = now + leg_settle;
  if (ctx_.copy.dry_run) {
    book_.shadow_fill(contract, -held);
    spdlog::info("dry run: follower {} would close {} on {}", rules_.name, held, contract);
    audit("dry_run", {}, fmt::format("close {} {}", held, contract));
    co_return true;
  }
  book_.sent_close(contract, now);
  ++activity_;
  const auto r = co_await login_.rest().close_position(rules_.account, contract);
  if (r.kind == px::outcome_kind::confirmed) {
    ++figures_.confirmed;
    ++ctx_.counters.successful_copies;
    spdlog::info("follower {}: closed {} ({} contracts)", rules_.name, contract, held);
    audit("close", {}, fmt::format("{} {}", contract, held));
    co_return true;
  }
  if (r.kind == px::outcome_kind::unknown) {
    // The close may have happened: the book expects flat until the events or their absence say.
    spdlog::warn("follower {}: close of {} unknown ({}); waiting for the account's events", rules_.name, contract,
                 r.message);
    co_return false;
  }
  book_.close_failed(contract);
  ++figures_.rejected;
  ++ctx_.counters.failed_copies;
  note_failure(fmt::format("close of {} refused: {}", contract, r.message));
  co_await reconcile("a close was refused"); // perhaps there was nothing to close: read the account
  co_return false;
}

asio::awaitable<void> follower_session::maintain_legs(const std::string& contract, const contract_target& t) {
  const auto now = steady_clock::now();
  if (!book_.quiet(contract) || book_.arming(contract)) co_return;
  if (auto q = quiet_after_.find(contract); q != quiet_after_.end() && now < q->second) {
    wake_at(q->second);
    co_return;
  }
  const std::int32_t position = book_.confirmed(contract);
  if (position != 0) crash_point("legs_check"); // F5: filled, protection not yet verified
  const bool protect = rules_.bracket != bracket_mode::none;
  const auto fixes = copy::plan_leg_fixes(position, book_.legs(contract), protect, protect);
  if (!fixes.empty()) quiet_after_[contract] = now + leg_settle;
  for (const auto& fix : fixes) {
    switch (fix.kind) {
      case copy::leg_fix_kind::cancel: {
        // A leg larger than the position, or on a flat one, reverses it if it fires: exit priority.
        auto r = co_await login_.rest().cancel(rules_.account, fix.order, request_priority::exit);
        spdlog::info("follower {}: cancelled leg {} on {} (position {}): {}", rules_.name, fix.order, contract,
                     position, px::to_string(r.kind));
        audit("cancel_leg", {}, fmt::format("{} {} {}", fix.order, contract, px::to_string(r.kind)));
        break;
      }
      case copy::leg_fix_kind::resize: {
        px::modify_order_params m;
        m.account = rules_.account;
        m.order = fix.order;
        m.size = fix.size;
        auto r = co_await login_.rest().modify(m);
        spdlog::info("follower {}: resized leg {} on {} to {} (position {}): {}", rules_.name, fix.order, contract,
                     fix.size, position, px::to_string(r.kind));
        audit("resize_leg", {}, fmt::format("{} {} {} {}", fix.order, contract, fix.size, px::to_string(r.kind)));
        break;
      }
      case copy::leg_fix_kind::add_stop:
      case copy::leg_fix_kind::add_target:
        co_await place_protection(contract, fix.kind == copy::leg_fix_kind::add_stop, fix.size);
        break;
    }
  }
  if (fixes.empty() && rules_.bracket == bracket_mode::mirror && position != 0) co_await mirror_leg_moves(contract, t);
}

asio::awaitable<void> follower_session::place_protection(const std::string& contract, bool stop, std::int32_t size) {
  const auto average = book_.average_price(contract);
  const double tick = ctx_.tick_size(contract);
  const std::int32_t position = book_.confirmed(contract);
  if (!average || tick <= 0 || position == 0) co_return;
  const bool is_long = position > 0;
  const std::int32_t ticks = stop ? rules_.sl_ticks : rules_.tp_ticks;
  const double offset = ticks * tick * ((is_long == stop) ? -1.0 : 1.0);
  px::place_order_params p;
  p.account = rules_.account;
  p.contract_id = contract;
  p.type = stop ? px::order_type::stop : px::order_type::limit;
  p.side = is_long ? px::side::ask : px::side::bid;
  p.size = size;
  const double price = round_to_tick(*average + offset, tick);
  if (stop)
    p.stop_price = price;
  else
    p.limit_price = price;
  const std::string tag = next_tag(ctx_.local_event('p'));
  p.custom_tag = tag;
  const auto r = co_await place_resolved(p, request_priority::exit);
  if (r.kind == px::outcome_kind::confirmed) {
    spdlog::warn("follower {}: position of {} on {} had no {}; placed one at {} (tag {})", rules_.name, position,
                 contract, stop ? "stop" : "target", price, tag);
  } else {
    note_failure(fmt::format("protecting {} on {} with a {} failed: {}", position, contract, stop ? "stop" : "target",
                             r.message));
  }
  audit(stop ? "add_stop" : "add_target", tag,
        fmt::format("{} {} {} {}", contract, size, price, px::to_string(r.kind)));
}

asio::awaitable<void> follower_session::mirror_leg_moves(const std::string& contract, const contract_target& t) {
  if (t.source.empty()) co_return;
  const auto& leader = ctx_.contracts.find(t.source)->second;
  auto& done = mirrored_moves_[contract];
  if (done == leader.leg_moves) co_return;
  done = leader.leg_moves;
  const auto prices = ctx_.legs.prices(t.source);
  const auto average = book_.average_price(contract);
  const double leader_tick = ctx_.tick_size(t.source);
  const double tick = ctx_.tick_size(contract);
  if (!average || !leader.average_price || leader_tick <= 0 || tick <= 0) co_return;
  const bool same_direction = (book_.confirmed(contract) > 0) == (ctx_.tracker.net(t.source) > 0);
  for (const auto& leg : book_.legs(contract)) {
    const auto leader_price = leg.is_stop() ? prices.stop : prices.target;
    if (!leader_price) continue;
    // The leader's distance from its fill, in its ticks, laid off from the follower's own fill.
    double distance_ticks = std::round((*leader_price - *leader.average_price) / leader_tick);
    if (!same_direction) distance_ticks = -distance_ticks; // invert
    const double wanted = round_to_tick(*average + distance_ticks * tick, tick);
    const auto current = leg.is_stop() ? leg.stop_price : leg.limit_price;
    if (current && std::abs(*current - wanted) < tick / 2) continue;
    px::modify_order_params m;
    m.account = rules_.account;
    m.order = leg.id;
    (leg.is_stop() ? m.stop_price : m.limit_price) = wanted;
    auto r = co_await login_.rest().modify(m);
    spdlog::info("follower {}: moved {} leg {} on {} to {} (the leader's moved): {}", rules_.name,
                 leg.is_stop() ? "stop" : "target", leg.id, contract, wanted, px::to_string(r.kind));
    audit("move_leg", {}, fmt::format("{} {} {} {}", leg.id, contract, wanted, px::to_string(r.kind)));
  }
}

asio::awaitable<bool> follower_session::reconcile(std::string reason) {
  if (ctx_.copy.dry_run) co_return true; // the shadow book is the dry run's truth
  reading_ = true;
  const std::uint64_t activity_before = activity_;
  auto positions = co_await login_.rest().open_positions(rules_.account);
  auto orders = co_await login_.rest().open_orders(rules_.account);
  reading_ = false;
  if (activity_ != activity_before && positions && orders) {
    // The account traded, or was sent an order, while it was read: the answer may predate that,
    // and applying it would count a fill as missing and send it again.
    spdlog::debug("follower {}: reconciliation ({}) overlapped the account's activity; read again later", rules_.name,
                  reason);
    nudge();
    co_return false;
  }
  if (!positions || !orders) {
    spdlog::warn("follower {}: reconciliation ({}) could not read the account: {}", rules_.name, reason,
                 !positions ? positions.error().message : orders.error().message);
    co_return false;
  }
  std::map<std::string, std::int32_t> before;
  for (const auto& c : book_.contracts()) before[c] = book_.confirmed(c);
  for (const auto& p : *positions) before.try_emplace(p.contract_id, book_.confirmed(p.contract_id));
  book_.reset_from(*positions, *orders, steady_clock::now());
  for (const auto& [contract, was] : before) {
    const std::int32_t now = book_.confirmed(contract);
    if (now == was) continue;
    ++figures_.corrections;
    ++ctx_.counters.reconcile_corrections;
    spdlog::warn("follower {}: reconciliation ({}): {} is {} at the venue, the book had {}", rules_.name, reason,
                 contract, now, was);
    audit("reconcile", {}, fmt::format("{} {} -> {} ({})", contract, was, now, reason));
  }
  nudge();
  co_return true;
}

asio::awaitable<bool> follower_session::preflight() {
  const bool was_active = !disabled_;
  checking_ = true;
  std::optional<std::string> problem;
  bool unreadable = false; // a read that failed proves nothing about the account
  auto accounts = co_await login_.rest().accounts();
  if (!accounts) {
    problem = "cannot read the accounts of " + rules_.login.username + ": " + accounts.error().message;
    unreadable = true;
  } else {
    auto it = std::find_if(accounts->begin(), accounts->end(),
                           [this](const px::account& a) { return a.id == rules_.account; });
    if (it == accounts->end())
      problem = fmt::format("account {} not found under login {}", rules_.account, rules_.login.username);
    else if (!it->can_trade)
      problem = fmt::format("account {} cannot trade (canTrade false)", rules_.account);
  }
  std::vector<std::string> contracts;
  if (!rules_.contract_id.empty()) contracts.push_back(rules_.contract_id);
  for (const auto& [from, to] : rules_.contract_map) contracts.push_back(to);
  for (const auto& c : contracts) {
    if (problem) break;
    if (ctx_.contract_info.contains(c)) continue;
    auto info = co_await login_.rest().contract_by_id(c);
    if (!info) {
      problem = "contract " + c + " cannot be resolved: " + info.error().message;
      unreadable = true;
    } else if (!info->active) {
      problem = "contract " + c + " is not active (expired?)";
    } else {
      ctx_.contract_info[c] = *info;
    }
  }
  checking_ = false;
  if (problem && unreadable && was_active) {
    // A follower that is copying is not stopped (and its positions not abandoned) over a failed read.
    spdlog::warn("follower {}: the check could not complete ({}); it stays active", rules_.name, *problem);
    co_return true;
  }
  disabled_ = problem;
  if (disabled_) {
    const log_fields fields{{"FOLLOWER", rules_.name}};
    spdlog::error("follower {} disabled: {}", rules_.name, *disabled_);
    figures_.last_error = *disabled_;
    co_return false;
  }
  nudge();
  co_return true;
}

void follower_session::hold_open_positions(start_policy policy) {
  if (policy == start_policy::full) return;
  refresh_targets();
  for (const auto& [contract, t] : targets_) {
    const std::int32_t held = book_.confirmed(contract);
    if (policy == start_policy::alert) {
      if (held != 0 || t.target != 0) {
        hands_off_[contract] = true;
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
        hold(contract, held);
    }
  }
}

void follower_session::update_rules(follower_config rules) {
  rules_ = std::move(rules);
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
    hold(r.contract, book_.expected(r.contract));
    retry_after_[r.contract] = now + retry_pause;
    note_failure(
        fmt::format("order {} (tag {}) on {} was accepted, then rejected by the venue; not sent again "
                    "this episode",
                    r.id, r.tag, r.contract));
    audit("rejected", r.tag, "rejected after it was accepted");
  }
}

void follower_session::hold(const std::string& contract, std::int32_t limit) {
  const auto t = targets_.find(contract);
  caps_[contract] = episode_cap{limit, t == targets_.end() ? 0 : t->second.episode};
}

void follower_session::flatten() {
  refresh_targets(); // every contract the leader or the book has
  for (const auto& [contract, t] : targets_) hold(contract, 0);
  hands_off_.clear();
  retry_after_.clear();
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

void follower_session::retire() {
  retired_ = true;
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
