#pragma once
// The copy engine: the leader's user hub in, follower sessions out. It owns one login session per
// username (shared by the accounts under it), one hub connection per login, the leader's tracker
// and the circuit breaker. It fails closed: until the leader's account has passed its preflight and
// its positions have been read, nothing is copied, and it keeps retrying while saying why.
// Reconciliation runs at start (on_start), after every hub reconnect, and every reconcile_interval
// while anything is open.

#include "config/config.hpp"
#include "engine/copy_context.hpp"
#include "engine/follower_session.hpp"
#include "engine/login_session.hpp"
#include "projectx/hub_client.hpp"
#include "state/audit_log.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace copytrader::engine {

class copy_engine {
public:
  copy_engine(boost::asio::any_io_executor executor, const config& cfg, audit_log* audit);
  ~copy_engine();

  // Preflight, hubs, reconciliation and the timers; returns after stop().
  boost::asio::awaitable<void> run();
  void stop();
  // A reloaded configuration: followers added, removed (managed until flat) or changed in place;
  // the leader's connection is kept.
  void apply(const config& next);

  void reset_breaker();
  // Runs the preflight of every disabled follower again (every minute by itself).
  void recheck_disabled();
  bool set_enabled(const std::string& follower, bool enabled);

  // Subscribes the follower's account on its login's hub (after its preflight passed).
  void subscribe(const follower_session& f);

  [[nodiscard]] const copy_context& context() const noexcept { return ctx_; }
  [[nodiscard]] std::vector<const follower_session*> followers() const;
  [[nodiscard]] bool leader_hub_connected() const;
  // One line for STATUS= and the log.
  [[nodiscard]] std::string status_line() const;

private:
  login_session& login_for(const credential& c);
  projectx::hub_client& hub_for(login_session& login);
  void add_follower(const follower_config& f, bool late);
  void on_events(const std::string& username, std::vector<projectx::user_event>&& events);
  void on_leader_events(const std::vector<projectx::user_event>& events);
  void on_leader_change(const copy::position_change& change, double fill_price);
  void on_hub_connected(const std::string& username);
  void nudge_all();
  boost::asio::awaitable<void> start_copying();
  boost::asio::awaitable<bool> leader_preflight();
  boost::asio::awaitable<bool> reconcile_leader(std::string reason);
  boost::asio::awaitable<void> reconcile(std::string reason, bool followers_too);
  boost::asio::awaitable<void> ticker();
  boost::asio::awaitable<void> learn_contract(std::string contract);
  [[nodiscard]] bool anything_open() const;

  boost::asio::any_io_executor executor_;
  config config_;
  audit_log* audit_;
  std::unique_ptr<boost::asio::ssl::context> tls_;
  projectx::https_endpoint rest_endpoint_;
  projectx::hub_endpoint hub_endpoint_;
  copy_context ctx_;
  std::map<std::string, std::unique_ptr<login_session>> logins_;
  std::map<std::string, std::unique_ptr<projectx::hub_client>> hubs_;
  std::vector<std::unique_ptr<follower_session>> followers_;
  std::set<projectx::account_number> subscribed_;
  boost::asio::steady_timer tick_;
  std::chrono::steady_clock::time_point next_reconcile_{};
  std::chrono::steady_clock::time_point next_recheck_{};
  unsigned reconcile_rounds_ = 0;
  bool reconciling_ = false;
  bool started_ = false;
  bool stopped_ = false;
  projectx::trade_id watermark_ = 0;
  std::uint64_t leader_events_ = 0; // batches of leader events seen: a REST read that overlaps one is stale
};

} // namespace copytrader::engine
