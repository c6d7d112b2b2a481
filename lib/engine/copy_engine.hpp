#pragma once
// The copy engine: the leader's user hub in, follower sessions out. It owns one login session per
// username (shared by the accounts under it), one hub connection per login, the leader's tracker
// and the circuit breaker. It fails closed: until the leader's account has passed its preflight and
// its positions have been read, nothing is copied, and it keeps retrying while saying why.
// Reconciliation runs at start (on_start), after every hub reconnect, and every reconcile_interval
// while anything is open.

#include "alerts/outage_watch.hpp"
#include "config/config.hpp"
#include "engine/copy_context.hpp"
#include "engine/follower_roster.hpp"
#include "engine/follower_session.hpp"
#include "engine/login_session.hpp"
#include "projectx/hub_client.hpp"
#include "projectx/tls_fwd.hpp"
#include "state/audit_log.hpp"
#include "state/guard_store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace copytrader::engine {

// copytraderctl copy: a manual signal, copied to the followers as a leader entry of `size` would be.
struct manual_signal {
  bool long_side = true;
  std::int32_t size = 0;
  std::optional<std::int32_t> sl_ticks; // for mirror followers, in place of the leader's legs
  std::optional<std::int32_t> tp_ticks;
  std::optional<std::string> strategy; // matched against allowed_strategies
  std::string contract;                // the leader contract it stands for; "" = each follower's contract_id
  bool dry_run = false;                // plan and report, send nothing
};

// What a signal means for one follower: its share of the signal's position before and after.
struct signal_plan {
  std::string follower;
  std::string contract;
  std::int32_t from = 0;
  std::int32_t to = 0;
  std::string note; // why it gets nothing (disabled, filtered, no contract), empty otherwise
};

struct flatten_result {
  std::vector<std::string> flattening; // followers now closing
  std::vector<std::string> skipped;    // "name: why" for a follower nothing can be sent for
};

// One login's request budget and hub, for status and metrics.
struct login_figures {
  std::string username;
  std::size_t tokens = 0;
  std::size_t capacity = 0;
  std::size_t waiting = 0;
  std::uint64_t throttled = 0;                         // 429s
  std::array<std::uint64_t, priority_lanes> granted{}; // requests sent since start, per priority lane
  std::size_t exit_reserve = 0;                        // requests of the window kept for exits
  std::size_t exit_reserve_needed = 0;                 // what closing every follower of the login at once costs
  std::uint64_t reserve_grants = 0;                    // exits that went on the reserve
  std::uint64_t round_trips = 0;                       // leader round trips measured
  std::optional<double> requests_per_round_trip;
  std::optional<double> round_trips_per_minute; // the window sustains, at that cost
  bool hub_connected = false;
  std::uint64_t hub_connections = 0;
  std::string hub_error;
  std::size_t connections_open = 0; // warm HTTPS connections of the login's pool
  std::size_t connection_pool = 0;  // the pool's size: one per account copied to and a spare, bounded
  std::uint64_t pool_waits = 0;     // requests that waited for another's answer to free a connection
};

class copy_engine {
public:
  // `guards` keeps the account guard's locks and day figures across restarts (null: in memory only).
  // `clocks`: where the engine reads the time (core/time_source.hpp).
  copy_engine(boost::asio::any_io_executor executor, const config& cfg, audit_log* audit, guard_store* guards = nullptr,
              const time_source& clocks = real_time());
  ~copy_engine();

  // Preflight, hubs, reconciliation and the timers; returns after stop().
  boost::asio::awaitable<void> run();
  void stop();
  // Why `next` cannot be applied to the running followers (follower_roster.hpp); empty when it can.
  [[nodiscard]] config_errors reload_conflicts(const config& next) const;
  // A reloaded configuration (reload_conflicts passed): followers added, handed over to a new name,
  // removed (managed until flat) or changed in place; the leader's connection is kept.
  void apply(const config& next);

  // copytraderctl unlock NAME: the follower's guard lock or halt ends. False: no such follower.
  bool unlock_guard(const std::string& follower);
  void reset_breaker();
  // Runs the preflight of every disabled follower again (every minute by itself).
  void recheck_disabled();
  // catch_up (enable only): the holds of its disabled time end, so it joins the leader's current
  // episode now rather than the next one.
  bool set_enabled(const std::string& follower, bool enabled, bool catch_up = false);
  // Closes the named follower (or every one for ""): positions closed, legs cancelled, nothing added
  // until the leader's episode ends; `flatten --all` also ends the manual signals' positions. The
  // names of the followers it applies to.
  outcome<flatten_result> flatten(const std::string& follower);
  // A manual signal; refused while the engine does not copy (fail closed).
  outcome<std::vector<signal_plan>> copy_signal(const manual_signal& signal);

  // Subscribes the follower's account on its login's hub (after its preflight passed).
  void subscribe(const follower_session& f);
  // G7: what the other accounts of `self`'s login hold against an entry in `direction` (hedge_view.cpp).
  [[nodiscard]] guard::hedge_conflict hedge_conflict_for(const follower_config& self, std::string_view group,
                                                         int direction) const;

  [[nodiscard]] const copy_context& context() const noexcept { return ctx_; }
  // The dashboard is on: keep the latest copies for its list and chart (off the hot path otherwise).
  void keep_recent_copies() noexcept { ctx_.keep_recent_copies = true; }
  // The engine's background work; the daemon says who ends the process on a fatal failure.
  background_tasks& tasks() noexcept { return tasks_; }
  [[nodiscard]] std::vector<const follower_session*> followers() const;
  [[nodiscard]] bool leader_hub_connected() const;
  [[nodiscard]] std::vector<login_figures> logins();
  [[nodiscard]] const config& configuration() const noexcept { return config_; }
  // One line for STATUS= and the log.
  [[nodiscard]] std::string status_line() const;
  // Where alerts go (the daemon's dispatcher, engine_alerts.cpp); without one they are only logged.
  void set_alert_sink(std::function<void(alerts::alert)> sink) { ctx_.alert_sink = std::move(sink); }

private:
  login_session& login_for(const credential& c);
  projectx::hub_client& hub_for(login_session& login);
  void add_follower(const follower_config& f, bool late);
  [[nodiscard]] std::vector<running_follower> running_followers() const;
  // Stops a session that holds nothing and moves it aside (kept alive: a coroutine may still hold it).
  void end_follower(std::size_t index, std::string_view why);
  void end_settled_retired();
  // The sessions now, for loops that await: a reload may add or end sessions meanwhile.
  [[nodiscard]] std::vector<follower_session*> follower_snapshot() const;
  projectx::next_record on_events(const std::string& username, std::vector<projectx::user_event>&& events);
  void on_leader_events(const std::vector<projectx::user_event>& events);
  void on_leader_change(const copy::position_change& change, double fill_price);
  void on_hub_connected(const std::string& username);
  void nudge_all();
  // Each login's exit reserve sized for its followers now (start, reload), with a warning when it
  // cannot close them all at once.
  void apply_exit_reserves();
  // The round-trip meters: told of each leader change, and ticked.
  void meter_leader_move(steady_clock::time_point now);
  void meter_tick(steady_clock::time_point now);
  // Each login's hub down longer than alerts.hub_down_after is alerted, once per outage.
  void watch_hubs(steady_clock::time_point now);
  boost::asio::awaitable<void> start_copying();
  boost::asio::awaitable<bool> leader_preflight();
  boost::asio::awaitable<bool> reconcile_leader(std::string reason);
  // One round at a time. A `deferrable` (periodic) round is put off, for the leader or a follower,
  // while that login is down to its exit reserve; a reconnect's round is not, and one asked for
  // while another runs is run once more after it, however many asked meanwhile.
  boost::asio::awaitable<void> reconcile(std::string reason, bool followers_too, bool deferrable);
  [[nodiscard]] bool budget_short(const credential& login);
  boost::asio::awaitable<void> ticker();
  boost::asio::awaitable<void> learn_contract(std::string contract);
  [[nodiscard]] bool anything_open() const;
  std::vector<signal_plan> plan_signal(const std::string& key, std::int32_t from_net, std::int32_t to_net,
                                       const manual_position& signal, const std::optional<std::string>& strategy) const;
  void end_unheld_signals(steady_clock::time_point now);
  void end_signal(const std::string& key, leader_contract_state& state); // the manual position back to 0

  boost::asio::any_io_executor executor_;
  config config_;
  audit_log* audit_;
  guard_store* guards_;
  std::map<projectx::account_number, guard_record> restored_guards_; // read at construction
  std::unique_ptr<boost::asio::ssl::context> tls_;
  projectx::https_endpoint rest_endpoint_;
  projectx::hub_endpoint hub_endpoint_;
  background_tasks tasks_;
  copy_context ctx_;
  leader_move_log leader_moves_; // read by every login's round-trip meter; outlives logins_
  std::map<std::string, std::unique_ptr<login_session>> logins_;
  std::map<std::string, std::unique_ptr<projectx::hub_client>> hubs_;
  std::vector<std::unique_ptr<follower_session>> followers_;
  std::vector<std::unique_ptr<follower_session>> ended_;                  // stopped; alive until the engine goes
  std::set<std::pair<std::string, projectx::account_number>> subscribed_; // (login, account)
  boost::asio::steady_timer tick_;
  std::chrono::steady_clock::time_point next_reconcile_{};
  std::chrono::steady_clock::time_point next_recheck_{};
  unsigned reconcile_rounds_ = 0;
  unsigned idle_rounds_ = 0;
  bool reconciling_ = false;
  std::map<std::string, alerts::outage_watch> hub_watch_; // per login
  std::set<std::string> learning_;                        // contracts whose details are being read: each is read once
  std::optional<std::string> reconcile_again_;            // a reconnect's round asked for while one ran
  bool reconcile_again_followers_ = false;
  bool started_ = false;
  bool stopped_ = false;
  projectx::trade_id watermark_ = 0;
  std::uint64_t leader_events_ = 0; // batches of leader events seen: a REST read that overlaps one is stale
};

} // namespace copytrader::engine
