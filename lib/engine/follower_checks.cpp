// A follower's account read from the venue: reconciliation (positions and working orders replace
// what the book believed) and the preflight (the account exists under its login and can trade, its
// contracts are active).

#include "engine/follower_session.hpp"
#include "logging/log.hpp"
#include "projectx/rest_error.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace copytrader::engine {
namespace asio = boost::asio;
namespace px = copytrader::projectx;

asio::awaitable<bool> follower_session::reconcile(std::string reason) {
  if (ctx_.copy.dry_run) co_return true; // the shadow book is the dry run's truth
  const std::uint64_t activity_before = activity_;
  outcome<std::vector<px::position>> positions = failure{"not read"};
  outcome<std::vector<px::order>> orders = failure{"not read"};
  {
    ++reads_; // two reads may overlap (a periodic one and one after a refused close)
    const scope_exit done([this] { --reads_; });
    positions = co_await login_.rest().open_positions(rules_.account);
    orders = co_await login_.rest().open_orders(rules_.account);
  }
  if (activity_ != activity_before && positions && orders) {
    // The account traded, or was sent an order, while it was read: the answer may predate that,
    // and applying it would count a fill as missing and send it again.
    spdlog::debug("follower {}: reconciliation ({}) overlapped the account's activity; read again later", rules_.name,
                  reason);
    nudge();
    co_return false;
  }
  if (!positions || !orders) {
    const auto& problem = !positions ? positions.error() : orders.error();
    if (problem.code == px::rest_error::stopping) co_return false; // the daemon is stopping: nothing to say
    spdlog::warn("follower {}: reconciliation ({}) could not read the account: {}", rules_.name, reason,
                 !positions ? positions.error().message : orders.error().message);
    co_return false;
  }
  std::map<std::string, std::int32_t> before;
  for (const auto& c : book_.contracts()) before[c] = book_.confirmed(c);
  for (const auto& p : *positions) before.try_emplace(p.contract_id, book_.confirmed(p.contract_id));
  book_.reset_from(*positions, *orders, ctx_.now());
  guard_.confirmed(ctx_.venue_now());
  for (const auto& [contract, was] : before) {
    const std::int32_t now = book_.confirmed(contract);
    if (now == was) continue;
    ++figures_.corrections;
    ++ctx_.counters.reconcile_corrections;
    spdlog::warn("follower {}: reconciliation ({}): {} is {} at the venue, the book had {}", rules_.name, reason,
                 contract, now, was);
    audit("reconcile", {}, fmt::format("{} {} -> {} ({})", contract, was, now, reason));
    ctx_.raise(alerts::alert_kind::drift_corrected, rules_.name,
               fmt::format("{} is {} at the venue where the book had {} (found by reconciliation: {}); the daemon "
                           "copies from the venue's figure now",
                           contract, now, was, reason),
               "if nobody traded the account by hand, look at copytraderctl status and the journal");
  }
  nudge();
  co_return true;
}

asio::awaitable<bool> follower_session::preflight() {
  if (!lifecycle_.begin_check()) co_return lifecycle_.copies();  // the check under way decides
  const scope_exit done([this] { lifecycle_.abandon_check(); }); // a verdict first makes it a no-op
  std::optional<std::string> problem;
  bool unreadable = false; // a read that failed proves nothing about the account
  auto accounts = co_await login_.rest().accounts();
  if (!accounts) {
    problem = "cannot read the accounts of " + rules_.login.username + ": " + accounts.error().message;
    unreadable = true;
  } else {
    auto it = std::find_if(accounts->begin(), accounts->end(),
                           [this](const px::account& a) { return a.id == rules_.account; });
    if (it != accounts->end()) guard_.on_account(*it, ctx_.venue_now());
    if (it == accounts->end())
      problem = fmt::format("account {} not found under login {}", rules_.account, rules_.login.username);
    else if (!it->can_trade)
      problem = fmt::format("account {} cannot trade (canTrade false)", rules_.account);
  }
  if (!problem) {
    const check_result symbols = co_await resolve_symbols();
    problem = symbols.problem;
    unreadable = symbols.unreadable;
  }
  std::vector<std::string> contracts;
  if (!rules_.contract_id.empty()) contracts.push_back(rules_.contract_id);
  for (const auto& [from, to] : rules_.contract_map) {
    if (!copy::is_symbol(to)) contracts.push_back(to);
  }
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
  switch (lifecycle_.end_check(problem, unreadable)) {
    case check_verdict::activated: break;
    case check_verdict::kept_active:
      // A follower that is copying is not stopped (and its positions not abandoned) over a failed read.
      spdlog::warn("follower {}: the check could not complete ({}); it stays active", rules_.name, *problem);
      co_return true;
    case check_verdict::refused: {
      const std::string reason = lifecycle_.refusal().value_or(problem.value_or("refused"));
      const log_fields fields{{"FOLLOWER", rules_.name}};
      spdlog::error("follower {} disabled: {}", rules_.name, reason);
      figures_.last_error = reason;
      ctx_.raise(alerts::alert_kind::follower_disabled, rules_.name, "not copied: " + reason,
                 "fix the account or the configuration (then copytraderctl reload); it is checked again every minute");
      co_return false;
    }
  }
  nudge();
  co_return true;
}

} // namespace copytrader::engine
