#pragma once
// One follower account, end to end: its book (fed by its own hub events and by reconciliation), and
// one worker coroutine that, whenever nudged, brings every contract to its target and keeps the
// bracket legs fitting the position. Orders carry deterministic tags; an unknown outcome is resolved
// by searching for the tag before anything is sent again, and a resend reuses the tag. The worker
// is sequential per follower (no two orders of one follower race each other); followers run side
// by side on the one io thread.

#include "config/config.hpp"
#include "copy/brackets.hpp"
#include "copy/follower_book.hpp"
#include "copy/follower_plan.hpp"
#include "copy/shadow_legs.hpp"
#include "engine/copy_context.hpp"
#include "engine/follower_figures.hpp"
#include "engine/follower_guard.hpp"
#include "engine/follower_lifecycle.hpp"
#include "engine/login_session.hpp"
#include "projectx/hub_events.hpp"
#include "state/audit_log.hpp"
#include "state/guard_store.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace copytrader::projectx {
class hub_client;
}

namespace copytrader::engine {

class follower_session {
public:
  follower_session(copy_context& ctx, login_session& login, follower_config rules, audit_log* audit,
                   guard_store* guards = nullptr);

  void start();
  void stop();
  // The hub that carries this account's events: while it is down, what the book says of the
  // account's working orders is not trusted after a close (follower_legs.cpp).
  void take_events_from(const projectx::hub_client& hub) { hub_ = &hub; }
  // Something changed: plan again soon (coalesced; the worker runs once per batch of nudges).
  void nudge();
  // The leader's new entry on `leader_contract` waits for its legs until `legs_due`: a mirror
  // follower that can only wait for them sleeps until they arm (the engine nudges every follower
  // then) or until `legs_due`; any other is nudged now.
  void nudge_unless_waiting_for_legs(const std::string& leader_contract, steady_clock::time_point legs_due);
  void tick(steady_clock::time_point now); // the account guard's live checks (the worker wakes itself)

  void on_events(const std::vector<projectx::user_event>& events);
  // The venue's positions and working orders replace what the book believed; differences are logged.
  boost::asio::awaitable<bool> reconcile(std::string reason);
  // Checks the account (found under its login, canTrade) and its contracts; a failure disables the
  // follower (nothing is sent for it) with the reason shown in the log and in status. A read that
  // fails leaves an active follower active. The engine checks disabled followers again every minute
  // and a changed follower after a reload.
  boost::asio::awaitable<bool> preflight();
  // What was open at start is left to on_start: close_only caps it, alert leaves it alone.
  void hold_open_positions(start_policy policy);

  void update_rules(follower_config rules);
  void set_enabled(bool enabled);
  // Lifts every cap set for this reason; the next plan follows the leader's current episode again.
  void release_holds(copy::hold_reason why);
  void retire(); // removed from the configuration: manage what is open until flat, add nothing
  void revive(); // configured again while retiring: managed as before
  // copytraderctl flatten: close every position and cancel the legs, now, even while the leader is
  // unknown; nothing is added again until the leader's current episode on each contract has ended.
  void flatten();
  // No position, nothing in flight, no working leg.
  [[nodiscard]] bool holds_nothing() const;
  // Holds nothing and has nothing under way (no plan running, no read, no check): it can end now.
  [[nodiscard]] bool settled() const { return holds_nothing() && idle() && reads_ == 0 && !lifecycle_.checking(); }
  // A flatten is under way (cleared once nothing is held, or by abandon_flatten).
  [[nodiscard]] bool flattening() const noexcept { return flatten_pending_; }
  void abandon_flatten() { flatten_pending_ = false; }

  [[nodiscard]] const follower_config& rules() const noexcept { return rules_; }
  [[nodiscard]] const copy::contract_routes& routes() const noexcept { return routes_; }
  [[nodiscard]] const follower_figures& figures() const noexcept { return figures_; }
  [[nodiscard]] const follower_guard& guard() const noexcept { return guard_; }
  // copytraderctl unlock: the guard's lock or halt ends; the next plan follows the leader's next episode.
  void unlock_guard();
  // What the guard kept before a restart (its lock, the day's start balance, the high-water mark).
  void restore_guard(const guard_record& saved);
  // Why nothing is sent (awaiting its check, or refused by it); empty while it copies.
  [[nodiscard]] const std::optional<std::string>& disabled_reason() const noexcept { return lifecycle_.refusal(); }
  [[nodiscard]] follower_stage stage() const noexcept { return lifecycle_.stage(); }
  [[nodiscard]] const copy::follower_book& book() const noexcept { return book_; }
  [[nodiscard]] bool retired() const noexcept { return lifecycle_.retiring(); }
  [[nodiscard]] bool stopped() const noexcept { return stopped_; }
  [[nodiscard]] bool manually_disabled() const noexcept { return manually_disabled_; }
  [[nodiscard]] bool checking() const noexcept { return lifecycle_.checking(); }
  [[nodiscard]] bool reading() const noexcept { return reads_ > 0; }
  [[nodiscard]] bool idle() const noexcept { return !busy_ && !dirty_; }
  // Per follower contract: what its plan remembers and last saw (targets, expected, the hold).
  [[nodiscard]] const std::map<std::string, copy::contract_plan>& plans() const noexcept { return plans_; }
  // Leader contracts held now that this follower's contract_map does not route (not copied; said once).
  [[nodiscard]] std::vector<std::string> unmapped_held() const;
  // Leader contracts whose open episode this follower's allowed_strategies sit out because the
  // entry carried no strategy in its customTag (docs/leader-bots.md).
  [[nodiscard]] std::vector<std::string> untagged_held() const;
  // Working legs the venue refused to cancel (cancel code 6): left on the account, shown in status.
  [[nodiscard]] std::vector<copy::working_order> orphan_legs() const;

private:
  struct contract_target {
    std::int32_t target = 0;
    std::string source; // the leader contract whose change names the tags
    bool leader_flat = true;
    bool entries_blocked = false;
    bool follows_episode = true;
    std::uint64_t episode = 0; // the sum of its leader contracts' episode numbers: changes when one starts anew
  };
  // The plan's entry screen for one contract (follower_risk.cpp). Only an entry calls room(): the
  // entry's own stop, the money and the other accounts are looked at then, never on a plan that
  // sends no entry.
  struct guard_screen final : copy::entry_screen {
    guard_screen(const follower_session& s, const std::string& c, const contract_target& t)
        : session(s), contract(c), target(t) {}
    const follower_session& session;
    const std::string& contract;
    const contract_target& target;
    mutable std::optional<guard::entry_verdict> bound; // the verdict that bound an entry, for the log line
    copy::entry_room room(int direction, std::int32_t held, std::int32_t wanted) const override;
  };
  void take_rejections(std::chrono::steady_clock::time_point now);
  // Caps the contract for the leader's current episode on it (copy::hold).
  void hold(const std::string& contract, std::int32_t limit, copy::hold_reason why);
  void refresh_targets();
  void note_unmapped(const std::string& leader_contract);
  // The symbol map's side (follower_routes.cpp).
  struct check_result {
    std::optional<std::string> problem;
    bool unreadable = false; // a read failed: proves nothing about the account
  };
  void learn_known_products();
  boost::asio::awaitable<check_result> resolve_symbols();
  void note_new_routes();
  boost::asio::awaitable<void> check_route(std::string contract);
  void note_untagged(const std::string& leader_contract, const leader_contract_state& state);
  // The account guard's live checks (session flatten, loss limits): acts and logs each decision once.
  void check_guard();
  void lock_after_refusal(const std::string& message);
  void note_guard_hold(const std::string& contract, const copy::contract_plan& plan, const guard::entry_verdict& v);
  // The bracket an entry on this contract would carry now (mirror: from the leader's legs).
  [[nodiscard]] copy::follower_bracket planned_bracket(const std::string& contract, const contract_target& t,
                                                       bool entry_long) const;

  boost::asio::awaitable<void> work();
  boost::asio::awaitable<void> converge();
  boost::asio::awaitable<bool> execute(const std::string& contract, const contract_target& t,
                                       const copy::action_list& actions);
  // False: planned again after a pause (an exit refused, an outcome left unknown).
  boost::asio::awaitable<bool> send_market(const std::string& contract, const contract_target& t,
                                           const copy::copy_action& action);
  enum class market_result : std::uint8_t { done, retry_later, again_unbracketed };
  boost::asio::awaitable<market_result> send_market_once(const std::string& contract, const contract_target& t,
                                                         const copy::copy_action& action);
  boost::asio::awaitable<bool> close(const std::string& contract);
  boost::asio::awaitable<void> maintain_legs(const std::string& contract, const contract_target& t);
  // After a close while the account's events cannot be trusted: its working orders on the contract,
  // read from the venue (the legs the venue made at the fill may never have reached the book).
  // Nothing: the read failed.
  boost::asio::awaitable<std::optional<std::vector<projectx::order_id>>> working_orders_read(
      const std::string& contract);
  [[nodiscard]] bool events_trusted() const;
  boost::asio::awaitable<void> place_protection(const std::string& contract, bool stop, std::int32_t size);
  boost::asio::awaitable<void> mirror_leg_moves(const std::string& contract, const contract_target& t);
  // Dry run: the leader's leg moves on the shadow legs, and each shadow change said as a live run does it.
  void shadow_leg_moves(const std::string& contract, const contract_target& t);
  void say_shadow_legs(const std::string& contract, const std::vector<copy::shadow_change>& changes,
                       std::string_view why);
  // Cancels a working leg. The venue's refusal for the account itself (cancel code 6) makes it an
  // orphan: it is not asked again, entries stop (the guard halts, G0) and the operator is told what to
  // do, once.
  boost::asio::awaitable<projectx::place_outcome> cancel_leg(const std::string& contract, projectx::order_id leg,
                                                             request_priority priority);
  // Sends a place and resolves an unknown outcome by the tag (copy/tag_resolution.hpp): the order
  // found, or (absent twice) the same tag sent again; every step ends by one deadline.
  boost::asio::awaitable<projectx::place_outcome> place_resolved(
      const projectx::place_order_params& p, request_priority priority,
      projectx::budget_turn first = projectx::budget_turn::wait);
  // A slot of the login's window now for an entry or a bracket move, which never wait in the login's
  // queue: waiting there, this follower could not send an exit the leader makes meanwhile. Without
  // one, the contract is planned again when a slot is due (said once until one is had).
  bool take_budget_turn(request_priority priority, const std::string& contract);
  boost::asio::awaitable<void> pause_until(steady_clock::time_point when);

  std::string next_tag(const std::string& event);
  void wake_at(steady_clock::time_point when);
  // The first time the worker waits for: wake_at's, or the book's next deadline (max: none); never
  // sooner than min_timed_wake_gap after its last such wake, so a deadline left in the past cannot spin.
  [[nodiscard]] steady_clock::time_point next_wake() const;
  void note_failure(const std::string& what);
  void audit(std::string_view kind, std::string_view tag, std::string detail);

  copy_context& ctx_;
  login_session& login_;
  const projectx::hub_client* hub_ = nullptr;
  follower_config rules_;
  copy::contract_routes routes_; // where each leader contract is copied, from rules_ and the venue's products
  audit_log* audit_;
  guard_store* guards_;
  copy::follower_book book_;
  boost::asio::steady_timer wake_;
  boost::asio::steady_timer pause_;
  follower_figures figures_;
  follower_guard guard_;
  std::string last_guard_note_; // the guard decision last logged, so each is logged once
  follower_lifecycle lifecycle_;
  bool manually_disabled_ = false;
  bool separate_protection_ = false; // Position Brackets account: no order brackets, stops placed apart
  bool flatten_pending_ = false;
  bool budget_short_said_ = false; // take_budget_turn said the login's window is spent
  int reads_ = 0;                  // reconciliation reads under way
  std::uint64_t activity_ = 0;     // the account's events and our sends: a read that overlaps one is stale
  bool dirty_ = false;
  bool busy_ = false;
  bool stopped_ = false;
  std::optional<steady_clock::time_point> wake_due_;
  static constexpr auto min_timed_wake_gap = std::chrono::milliseconds(5);
  steady_clock::time_point last_timed_wake_{};           // the worker last woke for a time it waited for
  std::map<std::string, copy::contract_plan> plans_;     // follower contract -> what its plan remembers
  std::set<projectx::order_id> orphans_;                 // legs the venue refused to cancel (code 6)
  steady_clock::time_point last_timed_change_{};         // the leader change whose copy latency was recorded last
  steady_clock::time_point rules_changed_{};             // a reload changed the rules: what it causes is not timed
  std::size_t routes_said_ = 0;                          // routes_.derived() already checked
  std::map<std::string, copy::shadow_legs> shadow_legs_; // dry run: the legs a live run would have
  std::map<std::string, bool> unmapped_; // leader contract contract_map leaves out -> held by the leader now
  std::map<std::string, std::uint64_t> untagged_said_; // leader contract -> the episode an untagged entry was said for
  struct event_steps {
    std::string event;
    int next = 0;
  };
  std::array<event_steps, 8> recent_events_; // event -> the next step of its tags
  std::size_t recent_at_ = 0;
  std::map<std::string, contract_target> targets_; // follower contract -> what the leader implies
};

} // namespace copytrader::engine
