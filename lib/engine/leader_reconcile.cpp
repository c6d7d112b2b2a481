// Reconciliation: the venue's positions replace what the events said, for the leader (a fill found
// late is judged by the leader's trades against max_copy_age, faults.md D11) and, every sixth round
// or after a reconnect, for the followers. Periodic rounds give way to exits when a login's budget
// is down to its exit reserve (issue 19).

#include "core/crash_point.hpp"
#include "engine/copy_engine.hpp"
#include "projectx/rest_error.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <utility>

namespace copytrader::engine {
namespace asio = boost::asio;
namespace px = copytrader::projectx;

asio::awaitable<bool> copy_engine::reconcile_leader(std::string reason) {
  auto& login = login_for(config_.leader.login);
  const std::uint64_t events_before = leader_events_;
  auto positions = co_await login.rest().open_positions(config_.leader.account);
  if (!positions) {
    if (positions.error().code == px::rest_error::stopping) co_return false; // not a problem to tell anyone
    ctx_.leader_problem = "cannot read the leader's positions: " + positions.error().message;
    spdlog::warn("reconciliation ({}): {}", reason, ctx_.leader_problem);
    co_return false;
  }
  if (leader_events_ != events_before && ctx_.leader_ready) {
    // The hub delivered leader events while the read was on its way: the answer may predate them.
    // The hub is alive; the next round reads again.
    spdlog::debug("reconciliation ({}): leader events arrived during the read; checking again later", reason);
    co_return true;
  }
  const auto now = ctx_.now();
  std::set<std::string> contracts;
  for (auto& c : ctx_.tracker.open_contracts()) contracts.insert(std::move(c));
  for (const auto& p : *positions) contracts.insert(p.contract_id);
  for (const auto& contract : contracts) {
    std::int32_t venue = 0;
    double average = 0;
    for (const auto& p : *positions) {
      if (p.contract_id == contract) {
        venue = p.signed_size();
        average = p.average_price;
      }
    }
    if (!ctx_.contract_info.contains(contract)) co_await learn_contract(contract);
    const std::int32_t believed = ctx_.tracker.net(contract);
    const bool adds =
        venue != 0 && (believed == 0 || (believed > 0) != (venue > 0) || std::abs(venue) > std::abs(believed));
    bool stale = false;
    bool fresh = false; // the leader's trades of the last max_copy_age were read and include this contract
    if (adds) {
      // A fill found only now: is it recent enough to copy (faults.md D11)? Its trade says when.
      const auto since = ctx_.venue_clock.now(ctx_.now(), ctx_.time.wall()) -
                         std::chrono::duration_cast<std::chrono::microseconds>(config_.copy.max_copy_age);
      const std::uint64_t before_read = leader_events_;
      auto recent = co_await login.rest().trades(config_.leader.account, since);
      if (leader_events_ != before_read) co_return true; // events arrived meanwhile: read again next round
      stale = recent && std::none_of(recent->begin(), recent->end(), [&contract](const px::trade& t) {
                return t.contract_id == contract && !t.voided;
              });
      fresh = recent && !stale;
    }
    auto& state = ctx_.contracts[contract];
    // At start, a fill younger than max_copy_age is one the daemon (perhaps a crash) missed moments
    // ago: copied as if found late by reconciliation, whatever on_start says about older drift.
    if (reason == "start") state.fresh_at_start = fresh;
    if (venue != 0) state.average_price = average;
    // Fills whose events are still on their way are consumed when they arrive, not counted twice.
    auto change = ctx_.tracker.correct(contract, venue, now);
    if (!change) continue;
    change->stale = stale;
    ++ctx_.counters.reconcile_corrections;
    spdlog::warn("reconciliation ({}): the leader holds {} on {}, the events said {}", reason, venue, contract,
                 change->old_net);
    if (audit_ != nullptr)
      audit_->record("reconcile", "leader", "",
                     fmt::format("{} {} -> {} ({})", contract, change->old_net, venue, reason));
    on_leader_change(*change, average);
  }
  co_return true;
}

bool copy_engine::budget_short(const credential& login) {
  auto& budget = login_for(login).budget();
  return budget.waiting() > 0 || budget.available() <= budget.reserve();
}

asio::awaitable<void> copy_engine::reconcile(std::string reason, bool followers_too, bool deferrable) {
  if (stopped_) co_return;
  if (reconciling_) {
    if (!deferrable) {
      reconcile_again_ = std::move(reason);
      reconcile_again_followers_ = reconcile_again_followers_ || followers_too;
    }
    co_return;
  }
  if (deferrable && budget_short(config_.leader.login)) {
    ++ctx_.counters.reads_deferred;
    spdlog::debug("reconciliation ({}) put off: login {} is down to its exit reserve", reason,
                  config_.leader.login.username);
    co_return;
  }
  reconciling_ = true;
  const scope_exit done([this] { reconciling_ = false; });
  for (;;) {
    fail_point("reconcile");
    co_await reconcile_leader(reason);
    for (auto* f : followers_too ? follower_snapshot() : std::vector<follower_session*>{}) {
      if (f->disabled_reason() || f->stopped()) continue;
      if (deferrable && budget_short(f->rules().login)) {
        ++ctx_.counters.reads_deferred;
        continue;
      }
      co_await f->reconcile(reason);
    }
    if (!reconcile_again_ || stopped_) break;
    reason = std::move(*reconcile_again_);
    followers_too = std::exchange(reconcile_again_followers_, false);
    deferrable = false;
    reconcile_again_.reset();
  }
  nudge_all();
}

} // namespace copytrader::engine
