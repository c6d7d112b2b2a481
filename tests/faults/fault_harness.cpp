#include "faults/fault_harness.hpp"

#include "copy/sizing.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

namespace copytrader::testing {
namespace json = boost::json;
using namespace std::chrono_literals;

fault_totals& totals() {
  static fault_totals t;
  return t;
}

std::vector<follower_spec> standard_followers() {
  return {
      {"one", 2001, "    size_ratio: 1.0\n    bracket: fixed\n    sl_ticks: 16\n    tp_ticks: 24\n", true},
      {"half", 2002, "    size_ratio: 0.5\n    bracket: mirror\n    sl_ticks: 12\n    tp_ticks: 20\n", true},
  };
}

std::vector<follower_spec> one_follower() { return {standard_followers().front()}; }

namespace {

std::string followers_yaml(const std::vector<follower_spec>& followers) {
  std::string out;
  for (const auto& f : followers) {
    // One login for all (COPYTRADER_TEST_ONE_LOGIN): a follower on the leader's login is on it still.
    const std::string login = one_login() ? "follower_user" : f.login;
    out += fmt::format("  - name: {}\n    username: {}\n    api_key_file: {}.key\n    account_id: {}\n{}", f.name,
                       login, login.substr(0, login.find('_')), f.account, f.rules);
  }
  return out;
}

// I4: per login, REST requests in any 60 s window; a tag placed twice has a search in between.
void check_budget(const engine_fixture& fx, std::uint64_t& violations) {
  const auto log = fx.sim.control("GET", "/log").json();
  std::map<std::string, std::vector<std::int64_t>> by_user;
  std::map<std::string, std::size_t> last_place;             // tag -> index of its latest place
  std::map<std::int64_t, std::vector<std::size_t>> searches; // account -> indexes of Order/search
  const auto& entries = log.at("entries").as_array();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const auto& e = entries[i].as_object();
    if (e.at("kind").as_string() != "rest") continue;
    const auto* user = e.if_contains("username");
    if (user != nullptr && user->is_string())
      by_user[std::string(user->as_string())].push_back(e.at("t_ns").as_int64());
    const std::string what(e.at("what").as_string());
    const auto* account = e.if_contains("account");
    const std::int64_t acct = account != nullptr ? account->to_number<std::int64_t>() : 0;
    if (what == "/api/Order/search") searches[acct].push_back(i);
    const auto* tag = e.if_contains("tag");
    if (what != "/api/Order/place" || tag == nullptr || !tag->is_string() || tag->as_string().empty()) continue;
    const std::string t(tag->as_string());
    if (auto earlier = last_place.find(t); earlier != last_place.end()) {
      const auto& s = searches[acct];
      const bool searched =
          std::any_of(s.begin(), s.end(), [&](std::size_t k) { return k > earlier->second && k < i; });
      if (!searched) {
        UNSCOPED_INFO("I4: tag " << t << " placed again without a search for it");
        ++violations;
      }
    }
    last_place[t] = i;
  }
  const auto limit = static_cast<std::size_t>(fx.cfg.safety.rate_limit.max_requests);
  const std::int64_t window =
      std::chrono::duration_cast<std::chrono::nanoseconds>(fx.cfg.safety.rate_limit.window).count();
  for (auto& [user, times] : by_user) {
    std::sort(times.begin(), times.end());
    std::size_t from = 0;
    for (std::size_t to = 0; to < times.size(); ++to) {
      while (times[to] - times[from] >= window) ++from;
      if (to - from + 1 > limit) {
        UNSCOPED_INFO("I4: " << user << " sent " << (to - from + 1) << " requests in one window (limit " << limit
                             << ")");
        ++violations;
        break;
      }
    }
  }
}

} // namespace

fault_harness::fault_harness(std::vector<follower_spec> specs, std::string extra, std::vector<std::string> sim_args,
                             std::optional<std::string> world)
    : fx(followers_yaml(specs), std::move(extra), std::move(sim_args), 1001, std::move(world)),
      followers(std::move(specs)) {}

void fault_harness::inject(std::string_view path, const std::string& body) {
  fx.control(path, body);
  ++totals().faults;
}

int fault_harness::target(const follower_spec& f) const {
  const auto it = std::find_if(fx.cfg.followers.begin(), fx.cfg.followers.end(),
                               [&](const follower_config& c) { return c.account == f.account; });
  REQUIRE(it != fx.cfg.followers.end());
  return copy::target_size(fx.position(1001), *it);
}

void fault_harness::check(const std::string& reported, std::chrono::milliseconds settle_within,
                          const std::vector<std::int64_t>& skipped, const std::vector<std::string>& refused_logins) {
  auto want_of = [&](const follower_spec& f) {
    return std::find(skipped.begin(), skipped.end(), f.account) != skipped.end() ? 0 : target(f);
  };
  // Quiescence: every follower at its target with its legs fitted, and staying there.
  std::vector<std::pair<std::int64_t, int>> wanted;
  for (const auto& f : followers) wanted.emplace_back(f.account, want_of(f));
  const bool settled = fx.settle(wanted, mes, false, settle_within);
  std::uint64_t lost = 0;
  std::uint64_t duplicated = 0;
  std::uint64_t unprotected = 0;
  std::string detail = "leader holds " + std::to_string(fx.position(1001));
  for (const auto& f : followers) {
    const int want = want_of(f);
    const int have = fx.position(f.account);
    detail += "; " + f.name + " target " + std::to_string(want) + ", holds " + std::to_string(have);
    // I1: short of the target (or flat when it should hold) is a lost copy.
    if ((want > 0 && have < want && have >= 0) || (want < 0 && have > want && have <= 0))
      lost += static_cast<std::uint64_t>(std::abs(want - have));
    // I2: beyond the target, or on the wrong side, is a duplicated (or reversed) copy.
    if ((want >= 0 && (have > want || have < 0)) || (want <= 0 && (have < want || have > 0)))
      duplicated += static_cast<std::uint64_t>(std::abs(want - have));
    if (!fx.tags_unique(f.account)) ++duplicated;
    // I3.
    // T_protect: 15 s, enough for leg fixes queued behind a spent request budget.
    if (f.bracketed && !fx.poll_until([&] { return fx.protected_exactly(f.account); }, 15s)) {
      detail += "; I3: " + f.name + " holds " + std::to_string(fx.position(f.account)) + " with legs";
      for (const auto& leg : fx.legs(f.account))
        detail += fmt::format(" [{} {} {}x @{}]", leg.type == 4 ? "stop" : "limit", leg.side == 0 ? "buy" : "sell",
                              leg.size, leg.price);
      ++unprotected;
    }
  }
  std::uint64_t violations = 0;
  check_budget(fx, violations);
  // I6: copying again with every hub up.
  const bool live = fx.run_until(
      [&] {
        if (!fx.engine->context().leader_ready) return false;
        for (const auto& l : fx.engine->logins()) {
          const bool refused =
              std::find(refused_logins.begin(), refused_logins.end(), l.username) != refused_logins.end();
          if (!l.hub_connected && !refused) return false;
        }
        return true;
      },
      20s);
  // I5.
  const std::string lines = log.text();
  totals().lost += lost;
  totals().duplicated += duplicated;
  totals().unprotected += unprotected;
  totals().budget_violations += violations;
  INFO(detail);
  CHECK(settled);
  CHECK(lost == 0);
  CHECK(duplicated == 0);
  CHECK(unprotected == 0);
  CHECK(violations == 0);
  CHECK(live);
  if (!reported.empty()) {
    INFO("I5: the engine's log should name the fault with '" << reported << "'");
    CHECK(lines.find(reported) != std::string::npos);
  }
  for (const char* secret : {"leader-key", "follower-key", "eyJ"}) {
    INFO("I5: a secret in the log: " << secret);
    CHECK(lines.find(secret) == std::string::npos);
  }
}

} // namespace copytrader::testing
