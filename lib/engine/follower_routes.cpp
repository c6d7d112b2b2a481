// A follower's symbol-keyed contract_map ({MES: ES}) met with the venue: each symbol resolved to its
// product code at the preflight, and each month the leader moves to (the roll) checked once.

#include "engine/follower_session.hpp"
#include "logging/log.hpp"

#include <spdlog/spdlog.h>

namespace copytrader::engine {
namespace asio = boost::asio;

namespace {
// How long a month met for the first time waits for the venue's word before orders go anyway (the
// venue then refuses what it does not list). Once a quarter, on the first copy after the roll.
constexpr auto route_check_pause = std::chrono::seconds(3);
} // namespace

void follower_session::learn_known_products() {
  for (const auto& symbol : routes_.unresolved_symbols()) {
    if (auto known = ctx_.symbol_products.find(symbol); known != ctx_.symbol_products.end())
      routes_.learn_product(symbol, known->second);
  }
}

asio::awaitable<follower_session::check_result> follower_session::resolve_symbols() {
  learn_known_products();
  for (const auto& symbol : routes_.unresolved_symbols()) {
    auto found = co_await login_.rest().contracts(symbol);
    if (!found)
      co_return check_result{
          fmt::format("contract_map: symbol {} cannot be resolved: {}", symbol, found.error().message), true};
    const projectx::contract* active = copy::active_contract_of(symbol, *found);
    if (active == nullptr)
      co_return check_result{fmt::format("contract_map: symbol {} names no active contract at the venue (a symbol is "
                                         "a contract's name without its month, MESZ6 -> MES; copytraderd --contracts "
                                         "{} lists them)",
                                         symbol, symbol),
                             false};
    const std::string product(copy::split_contract_id(active->id)->product);
    ctx_.symbol_products[symbol] = product;
    ctx_.contract_info.try_emplace(active->id, *active);
    routes_.learn_product(symbol, product);
    spdlog::info("follower {}: contract_map symbol {} is product {} at the venue (active now: {})", rules_.name, symbol,
                 product, active->id);
  }
  co_return check_result{};
}

void follower_session::note_new_routes() {
  const auto& derived = routes_.derived();
  while (routes_said_ < derived.size()) {
    const std::string& mine = derived[routes_said_++];
    if (ctx_.contract_info.contains(mine)) continue;
    // A month first met here, at a roll or when the leader trades another month: the venue checks
    // it once, and a month the product does not list stops being routed. Nothing is sent on it
    // meanwhile: an entry there could only be refused.
    plans_[mine].retry_after = ctx_.now() + route_check_pause;
    ctx_.tasks.spawn("contract check of follower " + rules_.name, check_route(mine));
  }
}

asio::awaitable<void> follower_session::check_route(std::string contract) {
  auto found = co_await login_.rest().find_contract(contract);
  if (auto plan = plans_.find(contract); plan != plans_.end()) plan->second.retry_after = {};
  const scope_exit plan_again([this] { nudge(); }); // what waited for the answer goes now
  if (!found) {
    spdlog::warn("follower {}: contract {} (from its contract_map) could not be checked: {}", rules_.name, contract,
                 found.error().message);
    co_return;
  }
  if (*found && (*found)->active) {
    ctx_.contract_info.try_emplace(contract, **found);
    spdlog::info("follower {}: copying onto {} from now on (contract_map by symbol)", rules_.name, contract);
    co_return;
  }
  const log_fields fields{{"FOLLOWER", rules_.name}, {"CONTRACT", contract}};
  if (book_.confirmed(contract) != 0 || book_.expected(contract) != 0) {
    // Held already (from before a restart): its route stays, or the plan would close it under the leader.
    spdlog::warn("follower {}: contract {} is {} at the venue but held; its route stays", rules_.name, contract,
                 *found ? "not active" : "not listed");
    co_return;
  }
  spdlog::error(
      "follower {}: contract {} (from its contract_map by symbol) is {} at the venue: that month is not "
      "copied",
      rules_.name, contract, *found ? "not active" : "not listed");
  routes_.refuse(contract);
}

} // namespace copytrader::engine
