// The ProjectX client layer (HTTPS pool, auth, REST, user hub) against projectx-sim.

#include "projectx/auth_session.hpp"
#include "projectx/hub_client.hpp"
#include "projectx/rest_client.hpp"
#include "projectx/rest_error.hpp"
#include "projectx/tls_context.hpp"
#include "safety/request_budget.hpp"
#include "support/alert_receiver.hpp"
#include "support/printers.hpp"
#include "support/raw_client.hpp"

#include <fmt/format.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <catch2/catch.hpp>

#include <deque>
#include <fstream>
#include <functional>
#include <thread>

using namespace copytrader;
using namespace copytrader::projectx;
using namespace copytrader::testing;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using Catch::Matchers::Contains;

namespace {

// Runs one coroutine to completion on `io`, failing the test if it takes longer than `limit`.
template <typename T>
T run(asio::io_context& io, asio::awaitable<T> work, std::chrono::milliseconds limit = 20s) {
  std::optional<T> result;
  std::exception_ptr error;
  asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
    error = e;
    if (!e) result.emplace(std::move(value));
  });
  io.restart();
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!result && !error && std::chrono::steady_clock::now() < deadline) io.run_one_until(deadline);
  if (error) std::rethrow_exception(error);
  if (!result) throw std::runtime_error("timed out");
  return std::move(*result);
}

// Runs the io_context until `done()` or the limit.
bool run_until(asio::io_context& io, const std::function<bool()>& done, std::chrono::milliseconds limit = 20s) {
  io.restart();
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    io.run_one_until(std::min(deadline, std::chrono::steady_clock::now() + 20ms));
    io.restart();
  }
  return done();
}

struct client_fixture {
  sim_process sim;
  asio::io_context io;
  std::unique_ptr<asio::ssl::context> tls;
  std::unique_ptr<https_client> http;
  std::unique_ptr<auth_session> auth;
  std::unique_ptr<rest_client> rest;

  explicit client_fixture(std::vector<std::string> sim_args = {}, std::string user = "leader_user",
                          std::string key = "leader-key", duration timeout = 2s)
      : sim(std::move(sim_args)) {
    auto made = make_client_tls(sim.dir.path() / "ca.pem");
    REQUIRE(made);
    tls = std::move(*made);
    https_endpoint ep{"127.0.0.1", std::to_string(sim.port), timeout, 2};
    http = std::make_unique<https_client>(io.get_executor(), *tls, ep);
    auth = std::make_unique<auth_session>(*http, credential{user, secret(key), "test"});
    rest = std::make_unique<rest_client>(*http, *auth);
  }

  std::size_t count_requests(std::string_view path) const {
    std::size_t n = 0;
    const auto log = sim.control("GET", "/log").json();
    for (const auto& e : log.at("entries").as_array()) {
      if (e.at("what").as_string() == path) ++n;
    }
    return n;
  }
};

place_order_params bracketed(std::string_view tag, int size = 1) {
  place_order_params p;
  p.account = 1001;
  p.contract_id = "CON.F.US.MES.U26";
  p.type = order_type::market;
  p.side = side::bid;
  p.size = size;
  p.custom_tag = tag;
  p.stop_loss = bracket{-16, order_type::stop};
  p.take_profit = bracket{24, order_type::limit};
  return p;
}

} // namespace

TEST_CASE("REST: login, accounts, contract, a bracketed place, modify, cancel, close", "[client][rest]") {
  client_fixture fx;
  auto accounts = run(fx.io, fx.rest->accounts());
  REQUIRE(accounts);
  REQUIRE(accounts->size() == 2); // the leader's login holds 1001 and 1002
  CHECK(accounts->at(0).id == 1001);
  CHECK(accounts->at(1).id == 1002);
  CHECK(fx.auth->logins() == 1);

  auto es = run(fx.io, fx.rest->contract_by_id("CON.F.US.EP.U26"));
  REQUIRE(es);
  CHECK(es->tick_value == 12.5);
  CHECK_FALSE(run(fx.io, fx.rest->contract_by_id("CON.F.US.NOPE.Z99")));
  auto nq = run(fx.io, fx.rest->contracts("NQ"));
  REQUIRE(nq);
  CHECK(nq->size() == 2); // ENQ and MNQ: the search is fuzzy

  const auto placed = run(fx.io, fx.rest->place(bracketed("ct-a")));
  CHECK(placed.kind == outcome_kind::confirmed);
  REQUIRE(placed.order);
  auto open = run(fx.io, fx.rest->open_orders(1001));
  REQUIRE(open);
  REQUIRE(open->size() == 2);
  CHECK(open->at(0).custom_tag == "ct-a-SL");

  const auto moved = run(fx.io, fx.rest->modify({1001, *placed.order + 1, std::nullopt, std::nullopt, 6497.0}));
  CHECK(moved.kind == outcome_kind::confirmed);
  CHECK(run(fx.io, fx.rest->cancel(1001, *placed.order + 2)).kind == outcome_kind::confirmed);
  const auto again = run(fx.io, fx.rest->cancel(1001, *placed.order + 2));
  CHECK(again.kind == outcome_kind::rejected);

  auto positions = run(fx.io, fx.rest->open_positions(1001));
  REQUIRE(positions);
  CHECK(positions->at(0).signed_size() == 1);
  CHECK(run(fx.io, fx.rest->close_position(1001, "CON.F.US.MES.U26")).kind == outcome_kind::confirmed);
  CHECK(run(fx.io, fx.rest->open_positions(1001))->empty());
  auto trades = run(fx.io, fx.rest->trades(1001, *parse_timestamp("2020-01-01T00:00:00Z")));
  REQUIRE(trades);
  CHECK(trades->size() == 2);
}

TEST_CASE("connections are opened ahead of time and reused", "[client][rest]") {
  client_fixture fx;
  run(fx.io, [&]() -> asio::awaitable<bool> {
    co_await fx.http->warm_up();
    co_return true;
  }());
  CHECK(fx.http->open_connections() == 2);
  CHECK(fx.http->handshakes() == 2);
  for (int i = 0; i < 5; ++i) REQUIRE(run(fx.io, fx.rest->open_orders(1001)));
  CHECK(fx.http->handshakes() == 2); // no request paid a handshake
}

TEST_CASE("a certificate from an unknown CA is refused; nothing is sent", "[client][tls][J1]") {
  client_fixture fx;
  auto plain = make_client_tls(""); // the system store only: the simulator's CA is not in it
  REQUIRE(plain);
  https_client http(fx.io.get_executor(), **plain, {"127.0.0.1", std::to_string(fx.sim.port), 2s, 1});
  const auto r = run(fx.io, http.post("/api/Auth/loginKey", "{}", ""));
  CHECK(r.stage == transport_stage::before_send);
  CHECK_THAT(r.error, Contains("TLS handshake"));
  CHECK(fx.count_requests("/api/Auth/loginKey") == 0);
}

TEST_CASE("outcome classes from injected faults", "[client][rest][faults][B3][B4][B5][B7]") {
  client_fixture fx({}, "leader_user", "leader-key", 500ms);
  REQUIRE(run(fx.io, fx.rest->accounts())); // logged in
  auto arm = [&](std::string_view fault) { REQUIRE(fx.sim.control("POST", "/fault/rest", fault).status == 200); };

  arm(R"({"path":"/api/Order/place","kind":"drop_response"})");
  auto dropped = run(fx.io, fx.rest->place(bracketed("f-1")));
  CHECK(dropped.kind == outcome_kind::unknown); // B4: processed, answer lost
  CHECK(fx.sim.ledger(1001).at("orders").as_array().size() == 3);

  arm(R"({"path":"/api/Order/place","kind":"status","status":503})");
  CHECK(run(fx.io, fx.rest->place(bracketed("f-2"))).kind == outcome_kind::unknown); // B3

  arm(R"({"path":"/api/Order/place","kind":"delay","delay_ms":1500})");
  auto slow = run(fx.io, fx.rest->place(bracketed("f-3")));
  CHECK(slow.kind == outcome_kind::unknown);
  CHECK_THAT(slow.message, Contains("request timeout"));

  arm(R"({"path":"/api/Order/place","kind":"business_error","error_code":4,"message":"Daily loss limit reached"})");
  auto violation = run(fx.io, fx.rest->place(bracketed("f-4")));
  CHECK(violation.kind == outcome_kind::rejected); // B7 / E1
  CHECK_THAT(violation.message, Contains("AccountViolation (4): Daily loss limit reached"));

  const auto orders_before_reset = fx.sim.ledger(1001).at("orders").as_array().size();
  arm(R"({"path":"/api/Order/place","kind":"reset"})");
  CHECK(run(fx.io, fx.rest->place(bracketed("f-4b"))).kind == outcome_kind::unknown); // sent, then reset
  CHECK(fx.sim.ledger(1001).at("orders").as_array().size() == orders_before_reset);   // not processed

  arm(R"({"path":"/api/Order/place","kind":"truncate"})");
  CHECK(run(fx.io, fx.rest->place(bracketed("f-5"))).kind == outcome_kind::unknown); // B6

  // B5: nothing listening: not sent.
  https_client closed(fx.io.get_executor(), *fx.tls, {"127.0.0.1", "1", 500ms, 1});
  auth_session nobody(closed, credential{"leader_user", secret("leader-key"), "test"});
  rest_client unreachable(closed, nobody);
  CHECK(run(fx.io, unreachable.place(bracketed("f-6"))).kind == outcome_kind::not_sent);
}

TEST_CASE("a failed read says what kind of failure it was, as a rest_error code", "[client][rest][rest_error]") {
  client_fixture fx({}, "leader_user", "leader-key", 500ms);
  REQUIRE(run(fx.io, fx.rest->accounts())); // logged in
  auto arm = [&](std::string_view fault) { REQUIRE(fx.sim.control("POST", "/fault/rest", fault).status == 200); };
  auto open_orders_failure = [&] {
    auto read = run(fx.io, fx.rest->open_orders(1001));
    REQUIRE_FALSE(read.has_value());
    return read.error();
  };

  arm(R"({"path":"/api/Order/searchOpen","kind":"status","status":503,"count":2})"); // retried once, then given up
  auto unavailable = open_orders_failure();
  CHECK(unavailable.code == rest_error::http_status);
  CHECK_THAT(unavailable.message, Contains("HTTP 503"));

  arm(R"({"path":"/api/Order/searchOpen","kind":"status","status":429})");
  CHECK(open_orders_failure().code == rest_error::throttled);

  arm(R"({"path":"/api/Order/searchOpen","kind":"delay","delay_ms":1500,"count":2})");
  CHECK(open_orders_failure().code == rest_error::transport);

  arm(R"({"path":"/api/Order/searchOpen","kind":"body","body":"<html>maintenance</html>"})");
  CHECK(open_orders_failure().code == rest_error::malformed);

  arm(R"({"path":"/api/Order/searchOpen","kind":"business_error","error_code":1,"message":"Account not found"})");
  auto refused = open_orders_failure();
  CHECK(refused.code == rest_error::refused_by_venue);
  CHECK_THAT(refused.message, Contains("Account not found"));

  auto unknown = run(fx.io, fx.rest->contract_by_id("CON.F.US.NOPE.Z26"));
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().code == rest_error::not_found);

  // The daemon stopping: the budget is closed, nothing is sent.
  request_budget closed_budget(fx.io.get_executor(), 10, 60s, "leader_user");
  closed_budget.close();
  rest_client stopping(*fx.http, *fx.auth, &closed_budget);
  auto stopped = run(fx.io, stopping.open_orders(1001));
  REQUIRE_FALSE(stopped.has_value());
  CHECK(stopped.error().code == rest_error::stopping);

  // No session: the login itself is refused.
  client_fixture refused_login({}, "leader_user", "wrong-key");
  auto no_session = run(refused_login.io, refused_login.rest->open_orders(1001));
  REQUIRE_FALSE(no_session.has_value());
  CHECK(no_session.error().code == rest_error::no_session);
  CHECK(std::string(no_session.error().code.category().name()) == "projectx.rest");
}

TEST_CASE("a 429 is an unknown outcome, flagged and counted", "[client][rest][B1]") {
  client_fixture fx({"--rate-limit", "3/60s"});
  REQUIRE(run(fx.io, fx.rest->accounts())); // login and one read: 2 of 3
  CHECK(run(fx.io, fx.rest->place(bracketed("r-1"))).kind == outcome_kind::confirmed);
  const auto limited = run(fx.io, fx.rest->place(bracketed("r-2")));
  CHECK(limited.kind == outcome_kind::unknown);
  CHECK(limited.throttled);
  CHECK(fx.rest->throttled() == 1);
}

TEST_CASE("tokens are refreshed before they expire, with no 401", "[client][auth][C1]") {
  client_fixture fx({"--token-lifetime", "3s"});
  REQUIRE(run(fx.io, fx.rest->accounts()));
  asio::co_spawn(fx.io, fx.auth->keep_fresh(), asio::detached);
  CHECK(run_until(
      fx.io, [&] { return fx.auth->refreshes() >= 1; }, 10s));
  // Past the first token's expiry, requests still work without a new login.
  run_until(
      fx.io, [] { return false; }, 2s);
  REQUIRE(run(fx.io, fx.rest->open_orders(1001)));
  CHECK(fx.auth->logins() == 1);
  const auto log = fx.sim.control("GET", "/log").json();
  for (const auto& e : log.at("entries").as_array()) CHECK(e.at("status").as_int64() != 401);
  fx.auth->stop();
  run_until(
      fx.io, [] { return false; }, 50ms);
}

TEST_CASE("a 401 logs in again and the read succeeds", "[client][auth][B11][C3]") {
  client_fixture fx;
  REQUIRE(run(fx.io, fx.rest->accounts()));
  fx.sim.control("POST", "/expire_tokens", R"({"username":"leader_user"})");
  REQUIRE(run(fx.io, fx.rest->open_orders(1001)));
  CHECK(fx.auth->logins() == 2);
  // A mutation is never retried: its 401 invalidates the token and reports unknown.
  fx.sim.control("POST", "/expire_tokens", R"({"username":"leader_user"})");
  const auto placed = run(fx.io, fx.rest->place(bracketed("u-1")));
  CHECK(placed.kind == outcome_kind::unknown);
  CHECK(placed.unauthorized);
  CHECK(fx.sim.ledger(1001).at("orders").as_array().empty());
  CHECK(run(fx.io, fx.rest->place(bracketed("u-1"))).kind == outcome_kind::confirmed);
  CHECK(fx.auth->logins() == 3);
}

TEST_CASE("a refused login names the error and is not retried hot", "[client][auth][C4]") {
  client_fixture fx({}, "leader_user", "wrong-key");
  auto first = run(fx.io, fx.auth->token());
  REQUIRE_FALSE(first);
  CHECK_THAT(first.error().message, Contains("InvalidCredentials (3)"));
  CHECK_THAT(first.error().message, Contains("leader_user"));
  CHECK(first.error().message.find("wrong-key") == std::string::npos);
  REQUIRE_FALSE(run(fx.io, fx.auth->token()));
  REQUIRE_FALSE(run(fx.io, fx.rest->accounts()));
  CHECK(fx.count_requests("/api/Auth/loginKey") == 1);
}

TEST_CASE("concurrent callers share one login", "[client][auth][C6]") {
  client_fixture fx;
  int done = 0;
  for (int i = 0; i < 20; ++i) {
    asio::co_spawn(fx.io, fx.rest->open_orders(1001), [&](std::exception_ptr, auto result) {
      CHECK(result);
      ++done;
    });
  }
  CHECK(run_until(fx.io, [&] { return done == 20; }));
  CHECK(fx.auth->logins() == 1);
  CHECK(fx.count_requests("/api/Auth/loginKey") == 1);
}

namespace {

struct hub_fixture : client_fixture {
  std::unique_ptr<hub_client> hub;
  int connected = 0;
  int disconnected = 0;
  std::vector<trade> trades;
  // Each event's kind as it was handed over, and "work" where what a trade woke ran.
  std::vector<std::string> seen;
  next_record after_trade = next_record::now;

  explicit hub_fixture(std::vector<std::string> sim_args = {}, signalr::timing timing = {},
                       std::vector<hub_subscription> subs = {{"SubscribeOrders", 1001},
                                                             {"SubscribePositions", 1001},
                                                             {"SubscribeTrades", 1001},
                                                             {"SubscribeAccounts", std::nullopt}})
      : client_fixture(std::move(sim_args)) {
    hub_callbacks callbacks;
    callbacks.connected = [this] { ++connected; };
    callbacks.disconnected = [this](std::string_view) { ++disconnected; };
    callbacks.events = [this](std::vector<user_event>&& events) {
      bool trade_seen = false;
      for (auto& e : events) {
        if (auto* t = std::get_if<trade_event>(&e)) {
          trades.push_back(t->value);
          trade_seen = true;
        }
        seen.emplace_back(std::holds_alternative<order_event>(e)      ? "order"
                          : std::holds_alternative<trade_event>(e)    ? "trade"
                          : std::holds_alternative<position_event>(e) ? "position"
                                                                      : "account");
      }
      if (!trade_seen) return next_record::now;
      asio::post(io, [this] { seen.emplace_back("work"); }); // as a follower's copy, woken by the trade
      return after_trade;
    };
    hub = std::make_unique<hub_client>(io.get_executor(), *tls, hub_endpoint{"127.0.0.1", std::to_string(sim.port)},
                                       *auth, subs, callbacks, timing, reconnect_backoff(50ms, 200ms, 7));
    asio::co_spawn(io, hub->run(), asio::detached);
  }
  ~hub_fixture() {
    hub->stop();
    run_until(
        io, [] { return false; }, 100ms);
  }

  void leader_fill() {
    REQUIRE(sim.control("POST", "/act",
                        R"({"account":1001,"op":"place","contract_id":"CON.F.US.MES.U26","side":0,"size":1})")
                .json()
                .at("errorCode")
                .as_int64() == 0);
  }
};

} // namespace

TEST_CASE("hub: subscriptions confirmed, then the leader's fills arrive", "[client][hub]") {
  hub_fixture fx;
  REQUIRE(run_until(fx.io, [&] { return fx.connected == 1; }));
  fx.leader_fill();
  CHECK(run_until(fx.io, [&] { return fx.trades.size() == 1; }));
  CHECK(fx.trades.at(0).size == 1);
}

TEST_CASE("hub: what a record woke runs before the rest of its message is parsed, when asked",
          "[client][hub][records]") {
  // The simulator sends a fill's order, trade, position and account records as one message
  // (coalesce_records): a follower's copy woken by the trade need not wait for the last two.
  for (const auto answer : {next_record::after_woken_work, next_record::now}) {
    const bool early = answer == next_record::after_woken_work;
    INFO((early ? "after_woken_work" : "now"));
    hub_fixture fx;
    fx.after_trade = answer;
    REQUIRE(run_until(fx.io, [&] { return fx.connected == 1; }));
    fx.leader_fill();
    const auto index_of = [&](const std::string& kind) {
      const auto it = std::find(fx.seen.begin(), fx.seen.end(), kind);
      return it == fx.seen.end() ? fx.seen.size() : static_cast<std::size_t>(it - fx.seen.begin());
    };
    REQUIRE(
        run_until(fx.io, [&] { return index_of("work") < fx.seen.size() && index_of("account") < fx.seen.size(); }));
    std::string order;
    for (const auto& kind : fx.seen) order += kind + " ";
    INFO("handed over: " << order);
    REQUIRE(index_of("position") > index_of("trade")); // the message's order
    if (early)
      CHECK(index_of("work") == index_of("trade") + 1);
    else
      CHECK(index_of("work") > index_of("position"));
  }
}

TEST_CASE("hub: a stop while the connection is still being set up ends it at once", "[client][hub][start_stop]") {
  // A peer that accepts TCP and never answers the TLS handshake: the hub is stuck setting up its
  // connection when the daemon is told to stop (issue 18). It must not wait out handshake_timeout.
  client_fixture fx;
  asio::ip::tcp::acceptor silent(fx.io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  asio::ip::tcp::socket held(fx.io);
  bool accepted = false;
  silent.async_accept(held, [&](boost::system::error_code ec) { accepted = !ec; });
  hub_client hub(fx.io.get_executor(), *fx.tls,
                 hub_endpoint{"127.0.0.1", std::to_string(silent.local_endpoint().port())}, *fx.auth,
                 {{"SubscribeAccounts", std::nullopt}}, {});
  bool ended = false;
  asio::co_spawn(fx.io, hub.run(), [&](std::exception_ptr) { ended = true; });
  REQUIRE(run_until(fx.io, [&] { return accepted; }));
  run_until(
      fx.io, [] { return false; }, 100ms); // the client hello is out; no answer comes
  REQUIRE_FALSE(ended);
  hub.stop();
  CHECK(run_until(
      fx.io, [&] { return ended; }, 2s)); // handshake_timeout is 15 s
  CHECK_FALSE(hub.connected());
}

TEST_CASE("hub: a connection whose TLS handshake never completes is given up at handshake_timeout",
          "[client][hub][socket_deadline]") {
  client_fixture fx; // the login goes to the simulator; the hub to a peer that accepts TCP and never answers
  asio::ip::tcp::acceptor silent(fx.io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  std::deque<asio::ip::tcp::socket> held;
  std::function<void()> accept_next = [&] {
    held.emplace_back(fx.io);
    silent.async_accept(held.back(), [&](boost::system::error_code ec) {
      if (!ec) accept_next();
    });
  };
  accept_next();
  signalr::timing timing;
  timing.handshake_timeout = 200ms;
  hub_client hub(fx.io.get_executor(), *fx.tls,
                 hub_endpoint{"127.0.0.1", std::to_string(silent.local_endpoint().port())}, *fx.auth,
                 {{"SubscribeAccounts", std::nullopt}}, {}, timing, reconnect_backoff(50ms, 50ms, 1));
  bool ended = false;
  asio::co_spawn(fx.io, hub.run(), [&](std::exception_ptr) { ended = true; });
  // Two connections accepted: the first was given up (the default handshake_timeout, 15 s, would
  // hold the second past this bound).
  CHECK(run_until(
      fx.io, [&] { return held.size() >= 3; }, 5s));
  CHECK_THAT(hub.last_error(), Contains("TLS handshake") && Contains("timed out"));
  CHECK_FALSE(hub.connected());
  hub.stop();
  CHECK(run_until(
      fx.io, [&] { return ended; }, 2s));
}

TEST_CASE("hub: an upgrade that is never answered is given up at handshake_timeout, not called refused",
          "[client][hub][socket_deadline]") {
  client_fixture fx; // the login goes to the simulator; the hub to a TLS peer that reads the upgrade and hangs
  alert_receiver silent;
  silent.set_answer(alert_receiver::answer::hang);
  const temp_dir dir;
  std::ofstream(dir.path() / "ca.pem") << silent.ca_pem();
  auto tls = make_client_tls(dir.path() / "ca.pem");
  REQUIRE(tls);
  signalr::timing timing;
  timing.handshake_timeout = 300ms;
  hub_client hub(fx.io.get_executor(), **tls, hub_endpoint{"127.0.0.1", std::to_string(silent.port())}, *fx.auth,
                 {{"SubscribeAccounts", std::nullopt}}, {}, timing, reconnect_backoff(50ms, 50ms, 1));
  bool ended = false;
  asio::co_spawn(fx.io, hub.run(), [&](std::exception_ptr) { ended = true; });
  CHECK(run_until(
      fx.io, [&] { return !hub.last_error().empty(); }, 5s));
  CHECK(hub.last_error() == "no answer to the upgrade within handshake_timeout");
  CHECK_FALSE(silent.requests().empty());
  hub.stop();
  CHECK(run_until(
      fx.io, [&] { return ended; }, 2s));
}

TEST_CASE("hub: reconnects after RST, FIN and a close message, re-subscribing each time", "[client][hub][A1][A8]") {
  hub_fixture fx;
  REQUIRE(run_until(fx.io, [&] { return fx.connected == 1; }));
  int expected = 1;
  for (const char* fault : {R"({"kind":"close","mode":"rst"})", R"({"kind":"close","mode":"fin"})",
                            R"({"kind":"close","mode":"message","allow_reconnect":true})"}) {
    INFO(fault);
    fx.sim.control("POST", "/fault/hub", fault);
    ++expected;
    REQUIRE(run_until(fx.io, [&] { return fx.connected == expected; }));
    fx.leader_fill(); // events flow on the new connection: the subscriptions were re-made
    REQUIRE(run_until(fx.io, [&] { return fx.trades.size() == static_cast<std::size_t>(expected - 1); }));
  }
  CHECK(fx.disconnected == 3);
  CHECK(fx.hub->connections() == 4);
}

TEST_CASE("hub: a silent server is detected by the server timeout and the client reconnects", "[client][hub][A4]") {
  signalr::timing timing;
  timing.server_timeout = 800ms;
  timing.keepalive = 300ms;
  hub_fixture fx({"--ping-interval", "200ms"}, timing);
  REQUIRE(run_until(fx.io, [&] { return fx.connected == 1; }));
  fx.sim.control("POST", "/fault/hub", R"({"kind":"silence","ms":1500})");
  REQUIRE(run_until(
      fx.io, [&] { return fx.disconnected == 1; }, 5s));
  CHECK_THAT(fx.hub->last_error(), Contains("server timeout"));
  REQUIRE(run_until(
      fx.io, [&] { return fx.connected == 2; }, 10s));
}

TEST_CASE("hub: GatewayLogout logs in again and reconnects", "[client][hub][A9]") {
  hub_fixture fx;
  REQUIRE(run_until(fx.io, [&] { return fx.connected == 1; }));
  CHECK(fx.auth->logins() == 1);
  fx.sim.control("POST", "/fault/hub", R"({"kind":"logout"})");
  REQUIRE(run_until(fx.io, [&] { return fx.connected == 2; }));
  CHECK(fx.auth->logins() == 2);
  fx.leader_fill();
  CHECK(run_until(fx.io, [&] { return fx.trades.size() == 1; }));
}

TEST_CASE("hub: a refused handshake and a corrupt frame both end in a reconnect", "[client][hub][A7][A13]") {
  hub_fixture fx;
  REQUIRE(run_until(fx.io, [&] { return fx.connected == 1; }));
  fx.sim.control("POST", "/fault/hub", R"({"kind":"corrupt","count":1})");
  fx.leader_fill(); // its first frame arrives corrupt
  REQUIRE(run_until(fx.io, [&] { return fx.connected == 2; }));
  fx.sim.control("POST", "/fault/hub", R"({"kind":"handshake_error","count":1})");
  fx.sim.control("POST", "/fault/hub", R"({"kind":"close","mode":"rst"})");
  REQUIRE(run_until(fx.io, [&] { return fx.connected == 3; }));
  CHECK(fx.hub->connections() == 4); // one connection was refused at the handshake
}

TEST_CASE("hub: an expired token at reconnect means a fresh login, not a 401 loop", "[client][hub][C5]") {
  hub_fixture fx;
  REQUIRE(run_until(fx.io, [&] { return fx.connected == 1; }));
  fx.sim.control("POST", "/expire_tokens", R"({"username":"leader_user"})");
  fx.sim.control("POST", "/fault/hub", R"({"kind":"close","mode":"rst"})");
  REQUIRE(run_until(fx.io, [&] { return fx.connected == 2; }));
  CHECK(fx.auth->logins() == 2);
  CHECK(fx.hub->connections() <= 3);
}

TEST_CASE("connections are re-warmed in the background, so requests never pay a handshake", "[client][rest]") {
  client_fixture fx;
  https_endpoint ep{"127.0.0.1", std::to_string(fx.sim.port), 2s, 2, 8 * 1024 * 1024, 300ms};
  https_client http(fx.io.get_executor(), *fx.tls, ep);
  run(fx.io, [&]() -> asio::awaitable<bool> {
    co_await http.warm_up();
    co_return true;
  }());
  asio::co_spawn(fx.io, http.keep_warm(), asio::detached);
  run_until(
      fx.io, [] { return false; }, 700ms); // past idle_refresh: the pool was reopened meanwhile
  CHECK(http.handshakes() > 2);
  const auto r = run(fx.io, http.post("/api/Status/ping", "", ""));
  CHECK(r.stage == transport_stage::completed);
  // The request found a warm connection. (Counting every handshake here also counted a background
  // refresh that happened to run while the request was on its way, and failed under load.)
  CHECK(http.request_handshakes() == 0);
  http.close();
  run_until(
      fx.io, [] { return false; }, 50ms);
}

TEST_CASE("the request budget keeps a login under the venue's limit: no 429", "[client][budget][I4]") {
  client_fixture fx({"--rate-limit", "4/2s"});
  request_budget budget(fx.io.get_executor(), 3, 2s, "leader_user"); // the login takes the 4th
  rest_client limited(*fx.http, *fx.auth, &budget);
  int done = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 7; ++i) {
    asio::co_spawn(fx.io, limited.open_orders(1001), [&](std::exception_ptr, auto result) {
      CHECK(result);
      ++done;
    });
  }
  REQUIRE(run_until(
      fx.io, [&] { return done == 7; }, 15s));
  CHECK(std::chrono::steady_clock::now() - start >= 4s); // 3 now, 3 after 2 s, 1 after 4 s: delayed, not dropped
  CHECK(fx.sim.control("GET", "/stats").json().at("throttled").as_int64() == 0);
}

TEST_CASE("a 429 pauses the login for Retry-After", "[client][budget][B1]") {
  client_fixture fx;
  request_budget budget(fx.io.get_executor(), 100, 60s, "leader_user");
  rest_client limited(*fx.http, *fx.auth, &budget);
  REQUIRE(run(fx.io, limited.open_orders(1001)));
  fx.sim.control("POST", "/settings", R"({"retry_after_s":1})");
  fx.sim.control("POST", "/fault/rest", R"({"path":"/api/Order/searchOpen","kind":"status","status":429})");
  CHECK_FALSE(run(fx.io, limited.open_orders(1001)));
  CHECK(budget.throttled_count() == 1);
  const auto start = std::chrono::steady_clock::now();
  REQUIRE(run(fx.io, limited.open_orders(1001)));
  CHECK(std::chrono::steady_clock::now() - start >= 900ms);
}

TEST_CASE("hub: with nothing to subscribe, connected is reported after the handshake", "[client][hub]") {
  hub_fixture fx({}, {}, {});
  CHECK(run_until(fx.io, [&] { return fx.connected == 1; }));
}

TEST_CASE("hub: a subscription the server refuses ends the connection", "[client][hub][A6]") {
  hub_fixture fx({}, {}, {{"SubscribeOrders", 2001}}); // another user's account
  CHECK(run_until(fx.io, [&] { return fx.hub->connections() >= 2; }));
  CHECK(fx.connected == 0);
  CHECK_THAT(fx.hub->last_error(), Contains("SubscribeOrders refused"));
}
