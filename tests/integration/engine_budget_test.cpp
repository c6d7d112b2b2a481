// One login, many accounts (issue 19): the leader and its followers under one login share one
// request budget. A window spent by entries and a hub reconnect still closes every follower at once
// (the exit reserve), reads never take the reserve, periodic reads are put off rather than queued and
// run later, and the round-trip figure status shows is what the venue counted.

#include "control/metrics_text.hpp"
#include "integration/engine_fixture.hpp"

#include <fmt/format.h>
#include <boost/json/value.hpp>
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>

using namespace copytrader;
using namespace copytrader::testing;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view login = "leader_user";

// The leader (1001) and followers 2001..2000+n all under leader_user.
std::string shared_world(int followers) {
  std::string accounts = R"({"id":1001,"username":"leader_user"})";
  for (int i = 1; i <= followers; ++i) accounts += fmt::format(R"(,{{"id":{},"username":"leader_user"}})", 2000 + i);
  return R"({"users":[{"username":"leader_user","api_key":"leader-key"}],"accounts":[)" + accounts + "]}";
}

// `contract`: each follower's contract_id, when given (read at start, not during a round trip).
std::string shared_followers(int followers, std::string_view contract = {}) {
  std::string out;
  for (int i = 1; i <= followers; ++i) {
    out += fmt::format(
        "  - name: f{}\n    username: leader_user\n    api_key_file: leader.key\n    account_id: {}\n"
        "    bracket: fixed\n    sl_ticks: 16\n    tp_ticks: 24\n",
        i, 2000 + i);
    if (!contract.empty()) out += fmt::format("    contract_id: {}\n", contract);
  }
  return out;
}

// 90 requests in 30 s: the venue's rate, in a window short enough for a test.
constexpr std::size_t capacity = 90;
constexpr auto window = 30s;

std::string budget_sections(std::string_view reconcile_interval) {
  return fmt::format("safety:\n  rate_limit: {{max_requests: {}, window: {}s}}\ncopy:\n  reconcile_interval: {}\n",
                     capacity, window.count(), reconcile_interval);
}

engine::login_figures figures_of(engine_fixture& fx) {
  for (auto& l : fx.engine->logins()) {
    if (l.username == login) return l;
  }
  FAIL("no login " << login);
  return {};
}

struct logged_request {
  std::int64_t t_ns = 0;
  std::string what;
  std::int64_t account = 0;
};

// The login's REST requests as the venue logged them, from entry `since` on (sign-ins left out: they
// do not go through the budget).
std::vector<logged_request> requests_of_login(const engine_fixture& fx, std::size_t since = 0) {
  std::vector<logged_request> out;
  const auto log = fx.sim.control("GET", "/log?since=" + std::to_string(since)).json();
  for (const auto& e : log.at("entries").as_array()) {
    const auto& o = e.as_object();
    if (o.at("kind").as_string() != "rest") continue;
    const auto* who = o.if_contains("username");
    if (who == nullptr || !who->is_string() || who->as_string() != login) continue;
    const std::string what(o.at("what").as_string());
    if (what.starts_with("/api/Auth/")) continue;
    const auto* account = o.if_contains("account");
    out.push_back({o.at("t_ns").as_int64(), what, account != nullptr ? account->to_number<std::int64_t>() : 0});
  }
  return out;
}

std::size_t log_size(const engine_fixture& fx) {
  return static_cast<std::size_t>(fx.sim.control("GET", "/log?since=1000000000").json().at("next").as_int64());
}

bool is_read(const std::string& what) { return what.find("/search") != std::string::npos; }

std::int64_t ns(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

} // namespace

TEST_CASE("one login, ten followers: a window spent by entries and a reconnect still closes every follower at once",
          "[engine][budget][shared_login]") {
  constexpr int followers = 10;
  engine_fixture fx(shared_followers(followers), budget_sections("1s"), {}, 1001, shared_world(followers));
  fx.start();
  const auto reserve = figures_of(fx).exit_reserve;
  CHECK(reserve == 30); // a close and two leg cancels for each of the ten
  CHECK(figures_of(fx).exit_reserve_needed == 30);

  // Entries until the login is down to its reserve; a reconnect's reads then queue behind it.
  for (int i = 0; i < 6 && figures_of(fx).tokens > reserve; ++i) {
    fx.leader_market(1, -16, 24);
    fx.run_for(600ms);
  }
  fx.control("/fault/hub", R"({"kind":"close","mode":"rst"})");
  REQUIRE(fx.run_until([&] { return figures_of(fx).tokens <= reserve && figures_of(fx).waiting > 0; }, 10s));
  for (int i = 1; i <= followers; ++i) REQUIRE(fx.position(2000 + i) > 0);

  // The leader exits: every follower's close goes out at once, ahead of the queued reads.
  const auto exit_at = std::chrono::steady_clock::now();
  fx.leader_close();
  REQUIRE(fx.poll_until(
      [&] {
        for (int i = 1; i <= followers; ++i) {
          if (fx.position(2000 + i) != 0) return false;
        }
        return true;
      },
      5s));
  const auto exit_ns = ns(exit_at);
  std::map<std::int64_t, std::int64_t> first_close; // account -> ns after the leader's exit
  for (const auto& r : requests_of_login(fx)) {
    if (r.what == "/api/Position/closeContract" && r.t_ns >= exit_ns)
      first_close.try_emplace(r.account, r.t_ns - exit_ns);
  }
  for (int i = 1; i <= followers; ++i) {
    INFO("follower " << 2000 + i);
    REQUIRE(first_close.contains(2000 + i));
    CHECK(first_close[2000 + i] < std::chrono::nanoseconds(1s).count());
  }

  // Nothing left working on a flat account (the cancels beyond the reserve wait for the window),
  // nothing sent twice; the reads put off and queued run afterwards.
  CHECK(fx.poll_until(
      [&] {
        for (int i = 1; i <= followers; ++i) {
          if (!fx.legs(2000 + i).empty()) return false;
        }
        return true;
      },
      45s, 500ms));
  for (int i = 1; i <= followers; ++i) CHECK(fx.tags_unique(2000 + i));
  CHECK(fx.engine->context().counters.reads_deferred > 0);
  CHECK(fx.poll_until(
      [&] {
        std::set<std::int64_t> read_after;
        for (const auto& r : requests_of_login(fx)) {
          if (r.what == "/api/Position/searchOpen" && r.t_ns > exit_ns && r.account > 2000)
            read_after.insert(r.account);
        }
        return read_after.size() == followers; // every follower read again once the window allowed
      },
      45s, 500ms));

  // No read ever took the reserve: when each read arrived, the window before it held at most what
  // is left above the reserve. (Half a second before each read is not counted: requests sent on other
  // connections just before or after it may arrive in either order.)
  const auto requests = requests_of_login(fx);
  const auto window_ns = std::chrono::nanoseconds(window).count();
  const auto overlap_ns = std::chrono::nanoseconds(500ms).count();
  std::size_t worst = 0;
  for (const auto& r : requests) {
    if (!is_read(r.what)) continue;
    const auto in_window = static_cast<std::size_t>(std::count_if(requests.begin(), requests.end(), [&](const auto& o) {
      return o.t_ns > r.t_ns - window_ns && o.t_ns <= r.t_ns - overlap_ns;
    }));
    worst = std::max(worst, in_window);
  }
  INFO("the fullest window before a read held " << worst << " requests");
  CHECK(worst <= capacity - reserve - 1);
  CHECK(figures_of(fx).reserve_grants > 0);
}

TEST_CASE("the requests a leader round trip costs a login are what the venue counted",
          "[engine][budget][shared_login]") {
  constexpr int followers = 3;
  // The contract is known from the start: its details are read once in the daemon's life, not per round trip.
  engine_fixture fx(shared_followers(followers, mes), budget_sections("1h"), {}, 1001, shared_world(followers));
  fx.start();
  REQUIRE(fx.settle({{2001, 0}, {2002, 0}, {2003, 0}}));
  CHECK_FALSE(figures_of(fx).requests_per_round_trip);
  const auto since = log_size(fx);
  fx.leader_market(2, -16, 24);
  REQUIRE(fx.settle({{2001, 2}, {2002, 2}, {2003, 2}}));
  fx.leader_market(-1);
  REQUIRE(fx.settle({{2001, 1}, {2002, 1}, {2003, 1}}));
  fx.leader_close();
  REQUIRE(fx.settle({{2001, 0}, {2002, 0}, {2003, 0}}));
  REQUIRE(fx.run_until([&] { return figures_of(fx).round_trips == 1; }, 10s));
  const auto requests = requests_of_login(fx, since);
  const auto counted = requests.size();
  std::string seen;
  for (const auto& r : requests) seen += fmt::format("{} {} {}\n", r.t_ns, r.what, r.account);
  INFO("the venue's log of the round trip:\n" << seen);
  const auto f = figures_of(fx);
  REQUIRE(f.requests_per_round_trip);
  CHECK(*f.requests_per_round_trip == Approx(static_cast<double>(counted)));
  REQUIRE(f.round_trips_per_minute);
  CHECK(*f.round_trips_per_minute == Approx(static_cast<double>(capacity) * 60.0 / static_cast<double>(window.count()) /
                                            static_cast<double>(counted)));
  CHECK(counted >= 3 * 2); // at least an entry and a close for each follower
  // The same figures for Prometheus.
  const std::string metrics = control::metrics_text(*fx.engine);
  CHECK_THAT(metrics, Catch::Matchers::Contains(fmt::format(R"(copytrader_round_trip_requests{{login="{}"}} {})", login,
                                                            static_cast<double>(counted))));
  CHECK_THAT(metrics, Catch::Matchers::Contains(R"(copytrader_rate_limit_exit_reserve{login="leader_user"} 9)"));
}

TEST_CASE(
    "one login, twenty-four followers: each copy has a warm connection of its own, within "
    "api.connections_per_login",
    "[engine][budget][shared_login][pool]") {
  constexpr int followers = 24;
  const auto bound = GENERATE(0, 6); // 0: the default bound (64)
  const std::string api = bound == 0 ? "" : fmt::format("api:\n  connections_per_login: {}\n", bound);
  const std::string many = "safety:\n  allow_many_followers: true\n  rate_limit: {max_requests: 180, window: 60s}\n";
  engine_fixture fx(shared_followers(followers, mes), api + many + "copy:\n  reconcile_interval: 1h\n", {}, 1001,
                    shared_world(followers));
  fx.start();
  const std::size_t pool = bound == 0 ? followers + 2 : static_cast<std::size_t>(bound); // every account and a spare
  CHECK(figures_of(fx).connection_pool == pool);
  REQUIRE(fx.run_until([&] { return figures_of(fx).connections_open == pool; }, 10s));

  const auto waits_before = figures_of(fx).pool_waits;
  fx.leader_market(1);
  std::vector<std::pair<std::int64_t, int>> want;
  for (int i = 1; i <= followers; ++i) want.emplace_back(2000 + i, 1);
  REQUIRE(fx.settle(want));
  const auto waited = figures_of(fx).pool_waits - waits_before;
  INFO("requests that waited for a free connection during the copy: " << waited);
  if (bound == 0)
    CHECK(waited == 0); // 24 places written back to back, none behind another's answer
  else
    CHECK(waited > 0); // the bound holds: past 6, a request waits for an answer
  CHECK_THAT(
      control::metrics_text(*fx.engine),
      Catch::Matchers::Contains(fmt::format(R"(copytrader_https_connection_pool{{login="leader_user"}} {})", pool)));
}
