#include "integration/engine_fixture.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <thread>

namespace copytrader::testing {
namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

std::string text_or_empty(const json::object& o, std::string_view key) {
  auto it = o.find(key);
  if (it == o.end() || !it->value().is_string()) return {};
  return std::string(it->value().as_string());
}

bool set_to_one(const char* variable) {
  const char* v = std::getenv(variable);
  return v != nullptr && std::string_view(v) == "1";
}

} // namespace

bool one_login() {
  static const bool on = set_to_one("COPYTRADER_TEST_ONE_LOGIN");
  return on;
}

bool one_record_per_message() {
  static const bool on = set_to_one("COPYTRADER_TEST_ONE_RECORD");
  return on;
}

std::string_view leader_login() { return one_login() ? "follower_user" : "leader_user"; }

namespace {

// The simulator's default world with the leader's accounts under the followers' login.
std::optional<std::string> world_for_this_run(std::optional<std::string> world) {
  if (world || !one_login()) return world;
  return std::string(R"({"users":[{"username":"follower_user","api_key":"follower-key"}],
   "accounts":[{"id":1001,"username":"follower_user"},{"id":1002,"username":"follower_user"},
    {"id":2001,"username":"follower_user"},
    {"id":2002,"username":"follower_user"},{"id":2003,"username":"follower_user","position_brackets":true}]})");
}

} // namespace

std::string follower_entry(std::string_view name, int account, std::string_view rules) {
  return fmt::format(
      "  - name: {}\n    username: follower_user\n    api_key_file: follower.key\n    account_id: {}\n{}", name,
      account, rules);
}

void trip_breaker_on_third_entry(engine_fixture& fx) {
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 1}}));
  fx.leader_market(1);
  REQUIRE(fx.settle({{2001, 2}}));
  fx.leader_market(1); // the third copy event in the window trips it
  fx.run_for(800ms);
}

engine_fixture::engine_fixture(std::string followers, std::string extra, std::vector<std::string> sim_args,
                               std::int64_t leader_account, std::optional<std::string> world)
    : sim(std::move(sim_args), world_for_this_run(std::move(world))), leader_account_(leader_account) {
  if (one_record_per_message()) REQUIRE(sim.control("POST", "/switch", R"({"coalesce_records":false})").status == 200);
  sim.dir.write("leader.key", "leader-key\n", 0600);
  sim.dir.write("follower.key", "follower-key\n", 0600);
  std::filesystem::create_directories(sim.dir.path() / "state");
  cfg = load(followers, extra);
  auto opened = audit_log::open(cfg.state.directory, helper);
  REQUIRE(opened);
  audit = std::move(*opened);
  auto store = guard_store::open(cfg.state.directory, helper);
  REQUIRE(store);
  guards = std::move(*store);
}

engine_fixture::~engine_fixture() {
  stop();
  guards.reset();
  audit.reset(); // its queued writes run on the helper thread: before that is joined
  helper.join();
}

config engine_fixture::load(const std::string& followers, const std::string& extra_sections) {
  // An `api:` section in `extra` adds its keys to the fixture's own.
  std::string extra = extra_sections;
  std::string api_keys; // its indented lines, each with its newline
  constexpr std::string_view api_head = "api:\n";
  if (extra.starts_with(api_head)) {
    std::size_t stop = api_head.size();
    while (stop < extra.size() && extra[stop] == ' ') {
      const auto eol = extra.find('\n', stop);
      stop = eol == std::string::npos ? extra.size() : eol + 1;
    }
    api_keys = extra.substr(api_head.size(), stop - api_head.size());
    extra = extra.substr(stop);
  }
  const std::string yaml = fmt::format(R"(api:
  base_url: https://127.0.0.1:{0}
  user_hub_url: wss://127.0.0.1:{0}/hubs/user
  ca_file: ca.pem
  request_timeout: 2s
{4}leader:
  username: {5}
  api_key_file: {6}
  account_id: {3}
followers:
{1}
state:
  directory: state
control:
  socket: ctl.sock
logging:
  sink: stderr
  level: info
{2}
)",
                                       sim.port, followers, extra, leader_account_, api_keys, leader_login(),
                                       one_login() ? "follower.key" : "leader.key");
  auto path = sim.dir.write("copytrader.yaml", yaml, 0600);
  auto loaded = load_config(path);
  INFO(yaml);
  if (!loaded) FAIL(loaded.error().to_string());
  return std::move(*loaded);
}

void engine_fixture::start(bool wait_until_copying) {
  engine = std::make_unique<engine::copy_engine>(io.get_executor(), cfg, audit.get(), guards.get(),
                                                 clocks ? *clocks : real_time());
  if (alert_sink) engine->set_alert_sink(alert_sink);
  running_ = true;
  finished_ = false;
  asio::co_spawn(io, engine->run(), [this](std::exception_ptr e) {
    finished_ = true;
    if (e) std::rethrow_exception(e);
  });
  if (!wait_until_copying) return;
  REQUIRE(run_until([this] {
    if (!engine->context().leader_ready || !engine->leader_hub_connected()) return false;
    for (const auto* f : engine->followers()) {
      if (f->disabled_reason() && *f->disabled_reason() == "waiting for its preflight") return false;
    }
    return true;
  }));
}

void engine_fixture::stop() {
  if (!running_) return;
  running_ = false;
  engine->stop();
  run_until([this] { return finished_; }, 5s);
  // Let the cancelled operations finish before the engine goes.
  io.restart();
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (io.run_one_until(deadline) > 0) {
  }
  engine.reset();
}

bool engine_fixture::run_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    io.restart();
    io.run_one_until(std::min(deadline, now + 20ms));
  }
  return true;
}

bool engine_fixture::poll_until(const std::function<bool()>& done, std::chrono::milliseconds limit,
                                std::chrono::milliseconds every) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    run_for(every);
  }
  return true;
}

void engine_fixture::run_for(std::chrono::milliseconds how_long) {
  const auto until = std::chrono::steady_clock::now() + how_long;
  run_until([until] { return std::chrono::steady_clock::now() >= until; }, how_long + 1s);
}

config_errors engine_fixture::reload(std::string followers, std::string extra) {
  config next = load(followers, extra);
  auto errors = engine->reload_conflicts(next);
  if (!errors.items.empty()) return errors;
  cfg = std::move(next);
  engine->apply(cfg);
  return errors;
}

json::value engine_fixture::act(const std::string& body) const {
  auto r = sim.control("POST", "/act", body);
  INFO(body << " -> " << r.body);
  REQUIRE(r.status == 200);
  return r.json();
}

void engine_fixture::control(std::string_view path, const std::string& body) const {
  auto r = sim.control("POST", path, body);
  INFO(std::string(path) << " " << body << " -> " << r.body);
  REQUIRE(r.status == 200);
}

std::int64_t engine_fixture::leader_market(int signed_size, std::optional<int> sl_ticks, std::optional<int> tp_ticks,
                                           const std::string& tag, std::string_view contract) const {
  std::string body = fmt::format(R"({{"account":1001,"op":"place","contract_id":"{}","side":{},"size":{},"type":2)",
                                 contract, signed_size > 0 ? 0 : 1, std::abs(signed_size));
  if (sl_ticks) body += fmt::format(R"(,"sl_ticks":{})", *sl_ticks);
  if (tp_ticks) body += fmt::format(R"(,"tp_ticks":{})", *tp_ticks);
  if (!tag.empty()) body += fmt::format(R"(,"custom_tag":"{}")", tag);
  body += "}";
  auto reply = act(body);
  const auto* id = reply.as_object().if_contains("orderId");
  return id != nullptr ? id->to_number<std::int64_t>() : 0;
}

void engine_fixture::leader_close(std::string_view contract) const {
  act(fmt::format(R"({{"account":1001,"op":"close","contract_id":"{}"}})", contract));
}

void engine_fixture::move_price(double price, std::string_view contract) const {
  control("/price", fmt::format(R"({{"contract_id":"{}","price":{}}})", contract, price));
}

int engine_fixture::position(std::int64_t account, std::string_view contract) const {
  return sim.position(account, contract);
}

std::vector<leg_view> engine_fixture::legs(std::int64_t account, std::string_view contract) const {
  std::vector<leg_view> out;
  const auto ledger = sim.ledger(account);
  for (const auto& v : ledger.at("orders").as_array()) {
    const auto& o = v.as_object();
    if (o.at("contractId").as_string() != contract || o.at("status").to_number<int>() != 1) continue;
    const int type = o.at("type").to_number<int>();
    if (type == 2) continue;
    leg_view leg;
    leg.id = o.at("id").to_number<std::int64_t>();
    leg.type = type;
    leg.side = o.at("side").to_number<int>();
    leg.size = o.at("size").to_number<int>() - o.at("fillVolume").to_number<int>();
    const auto* price = o.if_contains(type == 4 ? "stopPrice" : "limitPrice");
    leg.price = price != nullptr && !price->is_null() ? price->to_number<double>() : 0;
    leg.tag = text_or_empty(o, "customTag");
    out.push_back(leg);
  }
  return out;
}

std::size_t engine_fixture::orders(std::int64_t account) const {
  return sim.ledger(account).at("orders").as_array().size();
}

bool engine_fixture::tags_unique(std::int64_t account) const {
  std::map<std::string, int> seen;
  const auto ledger = sim.ledger(account);
  for (const auto& v : ledger.at("orders").as_array()) {
    const auto& o = v.as_object();
    if (o.at("status").to_number<int>() == 5) continue; // refused: not an accepted order
    const std::string tag = text_or_empty(o, "customTag");
    if (!tag.empty() && ++seen[tag] > 1) {
      UNSCOPED_INFO("tag " << tag << " accepted twice on " << account);
      return false;
    }
  }
  return true;
}

bool engine_fixture::protected_exactly(std::int64_t account, std::string_view contract) const {
  const int pos = position(account, contract);
  int stops = 0;
  int targets = 0;
  for (const auto& leg : legs(account, contract)) {
    const int closing_side = pos > 0 ? 1 : 0;
    if (pos == 0 || leg.side != closing_side) return false;
    (leg.type == 4 ? stops : targets) += leg.size;
  }
  return pos == 0 || (stops == std::abs(pos) && targets == std::abs(pos));
}

bool engine_fixture::settle(const std::vector<std::pair<std::int64_t, int>>& wanted, std::string_view contract,
                            bool check_legs, std::chrono::milliseconds limit) {
  auto done = [&] {
    for (const auto& [account, size] : wanted) {
      if (position(account, contract) != size) return false;
      if (check_legs && !protected_exactly(account, contract)) return false;
    }
    return true;
  };
  // The ledger is read over HTTP: poll it every 100 ms, running the engine in between.
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    run_for(100ms);
    if (done()) {
      run_for(400ms); // and it stays there (nothing more is sent)
      if (done()) return true;
    }
  }
  for (const auto& [account, size] : wanted) {
    UNSCOPED_INFO("account " << account << ": position " << position(account, contract) << ", wanted " << size
                             << ", legs " << legs(account, contract).size());
  }
  return false;
}

std::size_t engine_fixture::count_log(std::string_view what, std::optional<std::int64_t> account) const {
  std::size_t n = 0;
  const auto log = sim.control("GET", "/log").json();
  for (const auto& e : log.at("entries").as_array()) {
    if (e.at("what").as_string() != what) continue;
    const auto* who = e.as_object().if_contains("account");
    if (account && (who == nullptr || who->to_number<std::int64_t>() != *account)) continue;
    ++n;
  }
  return n;
}

std::size_t engine_fixture::count_user_log(std::string_view what, std::string_view username,
                                           std::optional<unsigned> status) const {
  std::size_t n = 0;
  const auto log = sim.control("GET", "/log").json();
  for (const auto& e : log.at("entries").as_array()) {
    if (e.at("what").as_string() != what) continue;
    const auto* who = e.as_object().if_contains("username");
    const std::string_view name = who != nullptr && who->is_string() ? std::string_view(who->as_string()) : "";
    if (name != username) continue; // "" names requests of no known user (a dead token)
    if (status && e.at("status").to_number<unsigned>() != *status) continue;
    ++n;
  }
  return n;
}

} // namespace copytrader::testing
