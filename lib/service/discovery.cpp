#include "service/discovery.hpp"

#include "copy/contract_routes.hpp"
#include "core/background.hpp"
#include "engine/login_session.hpp"
#include "projectx/endpoint_url.hpp"
#include "projectx/tls_context.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <map>
#include <memory>

namespace copytrader {
namespace asio = boost::asio;

std::vector<discovered_account> label_accounts(const config& cfg, const std::string& username,
                                               const std::vector<projectx::account>& seen) {
  std::vector<discovered_account> out;
  for (const auto& a : seen) {
    discovered_account row{username, a, ""};
    if (cfg.leader.login.username == username && cfg.leader.account == a.id) row.used_as = "leader";
    for (const auto& f : cfg.followers) {
      if (f.login.username == username && f.account == a.id) row.used_as = "follower " + f.name;
    }
    out.push_back(std::move(row));
  }
  return out;
}

std::string render_accounts(const std::vector<discovered_account>& rows) {
  std::string out = fmt::format("{:<20} {:>10} {:<24} {:<9} {:>12}  {}\n", "LOGIN", "ACCOUNT", "NAME", "CAN_TRADE",
                                "BALANCE", "IN THIS FILE");
  for (const auto& r : rows) {
    out += fmt::format("{:<20} {:>10} {:<24} {:<9} {:>12.2f}  {}\n", r.username, r.account.id, r.account.name,
                       r.account.can_trade ? "yes" : "NO", r.account.balance, r.used_as.empty() ? "-" : r.used_as);
  }
  if (rows.empty()) out += "(no active account under these logins)\n";
  return out;
}

std::string render_contracts(const std::vector<projectx::contract>& contracts) {
  // SYMBOL is what a contract_map by symbol takes ({MES: ES}); CONTRACT what one by id takes.
  std::string out = fmt::format("{:<22} {:<8} {:<7} {:<34} {:>9} {:>10} {:>8}  {}\n", "CONTRACT", "NAME", "SYMBOL",
                                "DESCRIPTION", "TICK_SIZE", "TICK_VALUE", "$/POINT", "ACTIVE");
  for (const auto& c : contracts) {
    const double per_point = c.tick_size > 0 ? c.tick_value / c.tick_size : 0;
    const auto symbol = copy::symbol_of(c.name);
    out +=
        fmt::format("{:<22} {:<8} {:<7} {:<34} {:>9} {:>10} {:>8}  {}\n", c.id, c.name, symbol.empty() ? "-" : symbol,
                    c.description.substr(0, 34), c.tick_size, c.tick_value, per_point, c.active ? "yes" : "no");
  }
  if (contracts.empty()) out += "(no contract matches)\n";
  return out;
}

namespace {

asio::awaitable<int> discover(const config& cfg, const discovery_request& request, background_tasks& tasks,
                              asio::ssl::context& tls, const projectx::https_endpoint& endpoint) {
  // One session per login, the leader's first; the same login under several entries is asked once.
  std::vector<credential> logins{cfg.leader.login};
  for (const auto& f : cfg.followers) {
    bool known = false;
    for (const auto& l : logins) known = known || l.username == f.login.username;
    if (!known) logins.push_back(f.login);
  }
  if (request.what == discovery_request::kind::contracts) logins.resize(1);
  int code = 0;
  std::vector<discovered_account> rows;
  const leader_move_log no_leader; // nothing is copied here: no round trip to meter
  for (const auto& login : logins) {
    engine::login_session session(tasks, tls, endpoint, login, cfg.safety.rate_limit, cfg.safety.max_orders_per_minute,
                                  no_leader);
    if (request.what == discovery_request::kind::contracts) {
      auto found = co_await session.rest().contracts(request.search);
      if (found)
        std::fputs(render_contracts(*found).c_str(), stdout);
      else
        std::fprintf(stderr, "copytraderd: searching contracts as %s: %s\n", login.username.c_str(),
                     found.error().message.c_str());
      code = found ? 0 : 1;
    } else {
      auto seen = co_await session.rest().accounts();
      if (seen) {
        for (auto& row : label_accounts(cfg, login.username, *seen)) rows.push_back(std::move(row));
      } else {
        std::fprintf(stderr, "copytraderd: listing the accounts of %s: %s\n", login.username.c_str(),
                     seen.error().message.c_str());
        code = 1;
      }
    }
    session.stop();
  }
  if (request.what == discovery_request::kind::accounts) std::fputs(render_accounts(rows).c_str(), stdout);
  co_return code;
}

} // namespace

int run_discovery(const config& cfg, const discovery_request& request) {
  auto tls = projectx::make_client_tls(cfg.api.ca_file);
  auto endpoint = projectx::rest_endpoint_from(cfg.api.base_url, cfg.api.request_timeout);
  if (!tls || !endpoint) {
    std::fprintf(stderr, "copytraderd: %s\n", (!tls ? tls.error() : endpoint.error()).message.c_str());
    return 1;
  }
  asio::io_context io(1);
  background_tasks tasks(io.get_executor());
  int code = 1;
  asio::co_spawn(io, discover(cfg, request, tasks, **tls, *endpoint),
                 [&](const std::exception_ptr& failed, int result) {
                   code = failed ? 1 : result;
                   io.stop();
                 });
  io.run();
  return code;
}

} // namespace copytrader
