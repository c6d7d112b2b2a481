#include "engine/copy_engine.hpp"

#include "copy/sizing.hpp"
#include "core/crash_point.hpp"
#include "projectx/endpoint_url.hpp"
#include "projectx/tls_context.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdlib>
#include <set>
#include <stdexcept>

namespace copytrader::engine {
namespace asio = boost::asio;
namespace px = copytrader::projectx;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
constexpr auto tick_period = std::chrono::milliseconds(50);
constexpr auto preflight_retry = std::chrono::seconds(5);
constexpr auto recheck_interval = std::chrono::seconds(60);
// The periodic check reads the leader every interval and the followers every sixth (design.md 3).
constexpr unsigned follower_read_every = 6;

template <typename T>
T must(outcome<T> value, std::string_view what) {
  if (!value) throw std::runtime_error(std::string(what) + ": " + value.error().message);
  return std::move(*value);
}

std::vector<px::hub_subscription> account_subscriptions(px::account_number account) {
  return {{"SubscribeOrders", account}, {"SubscribePositions", account}, {"SubscribeTrades", account}};
}

// Added by a reload: check it, read it, and open nothing the leader already holds.
asio::awaitable<void> start_late(copy_engine* engine, follower_session* s) {
  const bool usable = co_await s->preflight();
  if (usable && !s->stopped()) {
    engine->subscribe(*s);
    co_await s->reconcile("added by a reload");
    s->hold_open_positions(start_policy::close_only);
    s->nudge();
  }
  co_return;
}

} // namespace

copy_engine::copy_engine(asio::any_io_executor executor, const config& cfg, audit_log* audit, guard_store* guards,
                         const time_source& clocks)
    : executor_(std::move(executor)),
      config_(cfg),
      audit_(audit),
      guards_(guards),
      restored_guards_(guards != nullptr ? guards->read_all() : std::map<projectx::account_number, guard_record>{}),
      tls_(must(px::make_client_tls(cfg.api.ca_file), "TLS")),
      rest_endpoint_(must(px::rest_endpoint_from(cfg.api.base_url, cfg.api.request_timeout), "api.base_url")),
      hub_endpoint_(must(px::hub_endpoint_from(cfg.api.user_hub_url), "api.user_hub_url")),
      tasks_(executor_),
      ctx_(cfg.leader.account, cfg, tasks_, clocks),
      tick_(executor_) {
  ctx_.hedge = [this](const follower_config& self, std::string_view group, int direction) {
    return hedge_conflict_for(self, group, direction);
  };
  hub_for(login_for(cfg.leader.login));
  for (const auto& f : cfg.followers) add_follower(f, false);
  apply_exit_reserves();
}

copy_engine::~copy_engine() = default;

login_session& copy_engine::login_for(const credential& c) {
  auto it = logins_.find(c.username);
  if (it != logins_.end()) return *it->second;
  // One warm connection per account under the login (and a spare), so a copy to fifty followers is
  // fifty requests written back to back, none queued behind another's answer; within the bound.
  std::size_t accounts = 1;
  for (const auto& f : config_.followers) accounts += f.login.username == c.username ? 1U : 0U;
  auto endpoint = rest_endpoint_;
  endpoint.pool_size = std::min<std::size_t>(accounts + 1, static_cast<std::size_t>(config_.api.connections_per_login));
  auto session = std::make_unique<login_session>(tasks_, *tls_, endpoint, c, config_.safety.rate_limit,
                                                 config_.safety.max_orders_per_minute, leader_moves_);
  auto& ref = *session;
  logins_.emplace(c.username, std::move(session));
  if (started_) ref.start();
  return ref;
}

px::hub_client& copy_engine::hub_for(login_session& login) {
  auto it = hubs_.find(login.username());
  if (it != hubs_.end()) return *it->second;
  std::vector<px::hub_subscription> subscriptions;
  if (login.username() == config_.leader.login.username) subscriptions = account_subscriptions(config_.leader.account);
  // Balances and canTrade of every account of the login: the account guard's money (G0, G1 to G3).
  subscriptions.push_back({"SubscribeAccounts", std::nullopt});
  const std::string username = login.username();
  px::hub_callbacks callbacks;
  callbacks.connected = [this, username] { on_hub_connected(username); };
  callbacks.events = [this, username](std::vector<px::user_event>&& events) {
    return on_events(username, std::move(events));
  };
  signalr::timing timing;
  timing.server_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(config_.api.hub_timeout);
  auto hub = std::make_unique<px::hub_client>(executor_, *tls_, hub_endpoint_, login.auth(), std::move(subscriptions),
                                              std::move(callbacks), timing);
  auto& ref = *hub;
  hubs_.emplace(username, std::move(hub));
  if (started_) tasks_.spawn("hub of " + username, ref.run(), task_policy::fatal);
  return ref;
}

void copy_engine::add_follower(const follower_config& f, bool late) {
  auto& login = login_for(f.login);
  auto& hub = hub_for(login); // its account is subscribed once its preflight passed: the hub refuses a foreign one
  followers_.push_back(std::make_unique<follower_session>(ctx_, login, f, audit_, guards_));
  auto& session = *followers_.back();
  session.take_events_from(hub);
  if (auto saved = restored_guards_.find(f.account); saved != restored_guards_.end())
    session.restore_guard(saved->second);
  if (!started_) return;
  session.start();
  if (late) {
    tasks_.spawn("start of follower " + f.name, start_late(this, &session));
  }
}

asio::awaitable<void> copy_engine::run() {
  // A stop can come before this task first runs (systemd's stop just after READY=1): then nothing starts.
  if (stopped_) co_return;
  started_ = true;
  stop_point("engine_start");
  for (auto& [name, login] : logins_) login->start();
  for (auto& [name, hub] : hubs_) tasks_.spawn("hub of " + name, hub->run(), task_policy::fatal);
  for (auto& f : followers_) f->start();
  co_await start_copying();
  if (stopped_) co_return;
  co_await ticker();
}

void copy_engine::stop() {
  stopped_ = true;
  tick_.cancel();
  for (auto& f : followers_) f->stop();
  for (auto& [name, hub] : hubs_) hub->stop();
  for (auto& [name, login] : logins_) login->stop();
}

// Every await here can end in a stop (SIGTERM during the start): each is followed by a check, so a
// stopped engine neither subscribes nor reconciles nor begins copying.
asio::awaitable<void> copy_engine::start_copying() {
  while (!stopped_) {
    const bool leader_usable = co_await leader_preflight();
    stop_point("leader_preflight");
    if (stopped_) co_return;
    bool leader_read = false;
    if (leader_usable) leader_read = co_await reconcile_leader("start");
    stop_point("leader_reconcile");
    if (stopped_) co_return;
    if (leader_read) {
      for (auto* f : follower_snapshot()) {
        if (f->stopped()) continue;
        const bool usable = co_await f->preflight();
        stop_point("follower_preflight");
        if (stopped_) co_return;
        if (usable) {
          subscribe(*f);
          co_await f->reconcile("start");
          stop_point("follower_reconcile");
          if (stopped_) co_return;
        }
        f->hold_open_positions(config_.copy.on_start);
      }
      for (auto& [contract, state] : ctx_.contracts) state.fresh_at_start = false; // for this start only
      ctx_.leader_ready = true;
      ctx_.leader_problem.clear();
      spdlog::info("copying: {}", status_line());
      nudge_all();
      next_reconcile_ = ctx_.now() + config_.copy.reconcile_interval;
      next_recheck_ = ctx_.now() + recheck_interval;
      co_return;
    }
    spdlog::error("not copying (fail closed): {}; retrying in {} s", ctx_.leader_problem, preflight_retry.count());
    tick_.expires_after(preflight_retry);
    co_await tick_.async_wait(tuple_awaitable);
  }
}

asio::awaitable<bool> copy_engine::leader_preflight() {
  auto& login = login_for(config_.leader.login);
  auto accounts = co_await login.rest().accounts();
  if (!accounts) {
    ctx_.leader_problem = "cannot read the leader's accounts: " + accounts.error().message;
    co_return false;
  }
  auto it = std::find_if(accounts->begin(), accounts->end(),
                         [this](const px::account& a) { return a.id == config_.leader.account; });
  if (it == accounts->end()) {
    ctx_.leader_problem = fmt::format("leader account {} not found under login {}", config_.leader.account,
                                      config_.leader.login.username);
    co_return false;
  }
  if (!it->can_trade) spdlog::warn("leader account {} cannot trade (canTrade false); copying what it holds", it->id);
  co_return true;
}

void copy_engine::on_hub_connected(const std::string& username) {
  if (!ctx_.leader_ready || stopped_) return; // the start-up reconciliation comes anyway
  // The gap may have lost events: read what the venue says.
  tasks_.spawn("reconciliation", reconcile("hub reconnect of " + username, true, false));
}

px::next_record copy_engine::on_events(const std::string& username, std::vector<px::user_event>&& events) {
  const auto nudges = ctx_.nudges;
  if (username == config_.leader.login.username) on_leader_events(events);
  for (auto& f : followers_) {
    if (f->rules().login.username == username) f->on_events(events);
  }
  return ctx_.nudges == nudges ? px::next_record::now : px::next_record::after_woken_work;
}

void copy_engine::subscribe(const follower_session& f) {
  if (!subscribed_.emplace(f.rules().login.username, f.rules().account).second) return;
  auto& hub = hub_for(login_for(f.rules().login));
  for (auto& sub : account_subscriptions(f.rules().account)) hub.subscribe(std::move(sub));
}

void copy_engine::nudge_all() {
  for (auto& f : followers_) f->nudge();
}

bool copy_engine::anything_open() const {
  if (!ctx_.tracker.open_contracts().empty()) return true;
  return std::any_of(followers_.begin(), followers_.end(),
                     [](const auto& f) { return !f->book().contracts().empty(); });
}

asio::awaitable<void> copy_engine::ticker() {
  projectx::trade_id written = 0;
  while (!stopped_) {
    tick_.expires_after(tick_period);
    co_await tick_.async_wait(tuple_awaitable);
    if (stopped_) break;
    const auto now = ctx_.now();
    fail_point("engine_tick"); // the engine's own task failing: the daemon must end, not go deaf
    watch_hubs(now);
    for (const auto& change : ctx_.tracker.poll(now)) {
      spdlog::warn("leader {}: position event says {}, trades said {}; adopted after the settle time", change.contract,
                   change.new_net, change.old_net);
      on_leader_change(change, 0);
    }
    for (const auto& v : ctx_.tracker.take_voided())
      spdlog::error("leader trade {} on {} was voided by the venue; copies are not undone, check the followers",
                    v.trade, v.contract);
    for (auto& f : followers_) f->tick(now);
    meter_tick(now);
    end_settled_retired();
    end_unheld_signals(now);
    if (ctx_.leader_ready && now >= next_recheck_) {
      // A follower refused by its preflight is checked again: a fixed account comes back by itself.
      next_recheck_ = now + recheck_interval;
      recheck_disabled();
    }
    if (audit_ != nullptr && watermark_ != written) {
      audit_->watermark(watermark_);
      written = watermark_;
    }
    if (ctx_.leader_ready && now >= next_reconcile_) {
      next_reconcile_ = now + config_.copy.reconcile_interval;
      // With the leader's hub down, its fills reach the daemon only by these reads: every interval.
      if (anything_open() || !leader_hub_connected()) {
        const bool followers_too = reconcile_rounds_++ % follower_read_every == 0;
        tasks_.spawn("reconciliation", reconcile("periodic", followers_too, true));
      } else if (++idle_rounds_ % follower_read_every == 0) {
        // Flat, as far as the events say: a hub that accepted the subscriptions but delivers
        // nothing (faults.md A6) would hide a leader fill for ever. The leader is read now and then.
        tasks_.spawn("reconciliation", reconcile("idle check", false, true));
      }
    }
  }
}

void copy_engine::recheck_disabled() {
  for (auto& f : followers_) {
    if (f->disabled_reason() && !f->checking() && !f->retired())
      tasks_.spawn("check of follower " + f->rules().name, start_late(this, f.get()));
  }
}

std::vector<const follower_session*> copy_engine::followers() const {
  std::vector<const follower_session*> out;
  for (const auto& f : followers_) out.push_back(f.get());
  return out;
}

bool copy_engine::leader_hub_connected() const {
  auto it = hubs_.find(config_.leader.login.username);
  return it != hubs_.end() && it->second->connected();
}

} // namespace copytrader::engine
