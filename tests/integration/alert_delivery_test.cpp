// Alerts from the dispatcher to a local HTTPS receiver standing in for each service: each format's
// request as that service takes it; a receiver that answers 500 or hangs is retried, then counted,
// and holds up neither the other targets nor the io thread; the URL's secret never reaches a log
// line or the status.

#include "alerts/alert_dispatcher.hpp"
#include "control/metrics_text.hpp"
#include "control/reports.hpp"
#include "projectx/tls_context.hpp"
#include "support/alert_receiver.hpp"
#include "support/log_capture.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::alerts;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
using copytrader::testing::alert_receiver;
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

alert_target_config target(std::string name, alert_format format, std::string token, std::string server = {},
                           std::string chat_id = {}) {
  alert_target_config t;
  t.name = std::move(name);
  t.format = format;
  t.token = secret(std::move(token));
  t.server = std::move(server);
  t.chat_id = std::move(chat_id);
  return t;
}

// A dispatcher on a private io_context, trusting the receiver's CA.
struct dispatch_fixture {
  explicit dispatch_fixture(const alert_receiver& receiver, alerts_config cfg) {
    dir.write("ca.pem", receiver.ca_pem());
    auto made = projectx::make_client_tls(dir.path() / "ca.pem");
    REQUIRE(made);
    tls = std::shared_ptr<asio::ssl::context>(std::move(*made));
    dispatcher = std::make_unique<alert_dispatcher>(tasks, tls, cfg, "copytrader on test, leader 1001");
    dispatcher->start();
  }
  ~dispatch_fixture() {
    dispatcher->stop();
    io.run_for(2s);
  }
  // Runs the loop until `done` (checked every 10 ms) or the limit.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      io.run_for(10ms);
    }
    return true;
  }

  testing::temp_dir dir;
  asio::io_context io{1};
  background_tasks tasks{io.get_executor()};
  std::shared_ptr<asio::ssl::context> tls;
  std::unique_ptr<alert_dispatcher> dispatcher;
};

alert breaker_alert() {
  return alert{alert_kind::breaker_tripped, "", "circuit breaker tripped", "copytraderctl reset-breaker", 0};
}

} // namespace

TEST_CASE("each format reaches its service's address with a well-formed body", "[alerts]") {
  alert_receiver receiver;
  alerts_config cfg;
  cfg.targets = {target("hook", alert_format::webhook, receiver.url("/hooks/copytrader?key=k1")),
                 target("discord", alert_format::discord, receiver.url("/api/webhooks/42/discord-token")),
                 target("slack", alert_format::slack, receiver.url("/services/T0/B0/slack-token")),
                 target("telegram", alert_format::telegram, "123456:telegram-token", receiver.url("/"), "-1001"),
                 target("ntfy", alert_format::ntfy, "ntfy-topic", receiver.url("/"))};
  dispatch_fixture fx(receiver, cfg);
  fx.dispatcher->raise(alert{alert_kind::guard_action, "small", "account guard flatten_lock", "copytraderctl risk", 0});
  REQUIRE(fx.run_until([&] { return fx.dispatcher->figures().totals.delivered == 5; }));
  std::map<std::string, json::object> by_target;
  for (const auto& r : receiver.requests()) {
    CHECK(r.method == "POST");
    CHECK(r.content_type == "application/json");
    by_target[r.target] = json::parse(r.body).as_object();
  }
  REQUIRE(by_target.size() == 5);
  CHECK(by_target.at("/hooks/copytrader?key=k1").at("kind").as_string() == "guard_action");
  CHECK(by_target.at("/hooks/copytrader?key=k1").at("follower").as_string() == "small");
  CHECK_THAT(std::string(by_target.at("/api/webhooks/42/discord-token").at("content").as_string()),
             Contains("Account guard acted"));
  CHECK_THAT(std::string(by_target.at("/services/T0/B0/slack-token").at("text").as_string()),
             Contains("copytraderctl risk"));
  CHECK(by_target.at("/bot123456:telegram-token/sendMessage").at("chat_id").as_string() == "-1001");
  CHECK(by_target.at("/").at("topic").as_string() == "ntfy-topic");
  CHECK(by_target.at("/").at("priority").as_int64() == 5);
}

TEST_CASE("a flood of one alert reaches the receiver once", "[alerts]") {
  alert_receiver receiver;
  alerts_config cfg;
  cfg.targets = {target("hook", alert_format::webhook, receiver.url("/hook"))};
  dispatch_fixture fx(receiver, cfg);
  for (int i = 0; i < 200; ++i) fx.dispatcher->raise(breaker_alert());
  REQUIRE(fx.run_until([&] { return fx.dispatcher->figures().totals.delivered == 1; }));
  fx.io.run_for(300ms);
  CHECK(receiver.requests().size() == 1);
  CHECK(fx.dispatcher->figures().coalesced == 199);
  CHECK(fx.dispatcher->figures().raised == 200);
}

TEST_CASE("a receiver that answers 500 is retried, then the alert is counted failed", "[alerts]") {
  alert_receiver receiver;
  receiver.set_answer(alert_receiver::answer::server_error);
  alerts_config cfg;
  cfg.max_attempts = 2;
  cfg.targets = {target("hook", alert_format::webhook, receiver.url("/hook"))};
  dispatch_fixture fx(receiver, cfg);
  fx.dispatcher->raise(breaker_alert());
  REQUIRE(fx.run_until([&] { return fx.dispatcher->figures().totals.failed == 1; }));
  const auto figures = fx.dispatcher->figures();
  CHECK(receiver.requests().size() == 2);
  CHECK(figures.totals.retries == 1);
  CHECK(figures.totals.delivered == 0);
  CHECK(figures.targets.at(0).last_error == "HTTP 500");
  CHECK(control::alert_metrics_text(figures).find("copytrader_alerts_failed_total 1\n") != std::string::npos);
}

TEST_CASE("a receiver that refuses (404) is not retried", "[alerts]") {
  alert_receiver receiver;
  receiver.set_answer(alert_receiver::answer::not_found);
  alerts_config cfg;
  cfg.targets = {target("hook", alert_format::webhook, receiver.url("/revoked"))};
  dispatch_fixture fx(receiver, cfg);
  fx.dispatcher->raise(breaker_alert());
  REQUIRE(fx.run_until([&] { return fx.dispatcher->figures().totals.failed == 1; }));
  CHECK(receiver.requests().size() == 1);
  CHECK(fx.dispatcher->figures().totals.retries == 0);
}

TEST_CASE("a receiver that hangs holds up neither the io loop nor another target", "[alerts]") {
  alert_receiver receiver;
  receiver.set_answer(alert_receiver::answer::hang, "/slow");
  alerts_config cfg;
  cfg.timeout = 10s; // longer than the test waits: the slow request is still hanging at the end
  cfg.queue_limit = 3;
  cfg.targets = {target("slow", alert_format::webhook, receiver.url("/slow")),
                 target("fast", alert_format::webhook, receiver.url("/fast"))};
  dispatch_fixture fx(receiver, cfg);
  // Four different alerts: each target's queue takes three and drops the fourth.
  for (int i = 0; i < 4; ++i)
    fx.dispatcher->raise(alert{alert_kind::order_refused, "f" + std::to_string(i), "refused", "", 0});
  REQUIRE(fx.run_until([&] { return fx.dispatcher->figures().targets.at(1).counters.delivered == 3; }, 8s));
  const auto figures = fx.dispatcher->figures();
  std::size_t slow_requests = 0;
  for (const auto& r : receiver.requests()) slow_requests += r.target == "/slow" ? 1U : 0U;
  CHECK(slow_requests == 1); // still hanging, while the other target had all of its alerts
  CHECK(figures.targets.at(0).counters.failed == 0);
  CHECK(figures.targets.at(0).queued == 3);
  CHECK(figures.targets.at(0).counters.dropped == 1);
  CHECK(figures.targets.at(1).counters.dropped == 1);
  CHECK(figures.totals.dropped == 2);
}

TEST_CASE("a hanging attempt is cut at alerts.timeout, retried, then counted failed", "[alerts]") {
  alert_receiver receiver;
  receiver.set_answer(alert_receiver::answer::hang);
  alerts_config cfg;
  cfg.timeout = 300ms;
  cfg.max_attempts = 2;
  cfg.targets = {target("hook", alert_format::webhook, receiver.url("/hook"))};
  dispatch_fixture fx(receiver, cfg);
  fx.dispatcher->raise(breaker_alert());
  REQUIRE(fx.run_until([&] { return fx.dispatcher->figures().totals.failed == 1; }));
  CHECK(receiver.requests().size() == 2);
  CHECK(fx.dispatcher->figures().targets.at(0).last_error == "no response within the request timeout");
}

TEST_CASE("copytraderctl test-alert reaches each target and says which did not take it", "[alerts]") {
  alert_receiver receiver;
  alerts_config cfg;
  cfg.targets = {target("good", alert_format::slack, receiver.url("/good")),
                 target("bad", alert_format::slack, receiver.url("/bad"))};
  dispatch_fixture fx(receiver, cfg);
  std::optional<std::vector<test_delivery>> results;
  asio::co_spawn(fx.io, fx.dispatcher->test(""), [&](std::exception_ptr e, std::vector<test_delivery> r) {
    REQUIRE_FALSE(e);
    results = std::move(r);
  });
  REQUIRE(fx.run_until([&] { return results.has_value(); }));
  REQUIRE(results->size() == 2);
  CHECK(results->at(0).delivered);
  CHECK(results->at(0).detail == "HTTP 200");
  receiver.set_answer(alert_receiver::answer::server_error);
  results.reset();
  asio::co_spawn(fx.io, fx.dispatcher->test("bad"), [&](std::exception_ptr e, std::vector<test_delivery> r) {
    REQUIRE_FALSE(e);
    results = std::move(r);
  });
  REQUIRE(fx.run_until([&] { return results.has_value(); }));
  REQUIRE(results->size() == 1);
  CHECK(results->at(0).target == "bad");
  CHECK_FALSE(results->at(0).delivered);
  CHECK(results->at(0).detail == "HTTP 500");
  CHECK(receiver.requests().back().target == "/bad");
  CHECK_THAT(receiver.requests().back().body, Contains("Test alert"));
}

TEST_CASE("a target's secret never reaches a log line, the status or the metrics", "[alerts][secrets]") {
  testing::log_capture log;
  const auto level = spdlog::get_level();
  spdlog::set_level(spdlog::level::trace); // every line, debug included
  alert_receiver receiver;
  receiver.set_answer(alert_receiver::answer::server_error);
  alerts_config cfg;
  cfg.max_attempts = 2;
  const std::string canary = "SECRET-CANARY-7d1f";
  cfg.targets = {target("hook", alert_format::discord, receiver.url("/api/webhooks/1/" + canary)),
                 target("bot", alert_format::telegram, "123:" + canary, receiver.url("/"), "-1"),
                 target("phone", alert_format::ntfy, canary, receiver.url("/"))};
  {
    dispatch_fixture fx(receiver, cfg);
    fx.dispatcher->raise(breaker_alert());
    REQUIRE(fx.run_until([&] { return fx.dispatcher->figures().totals.failed == 3; }));
    const auto status = json::serialize(control::alert_report(fx.dispatcher->figures()));
    CHECK(status.find(canary) == std::string::npos);
    CHECK(control::alert_metrics_text(fx.dispatcher->figures()).find(canary) == std::string::npos);
    fx.dispatcher->raise(alert{alert_kind::daemon_stopped, "", "stopping", "", 0}); // the last attempt at stop
  }
  CHECK(log.count("alert target hook") >= 1); // the failures were logged...
  CHECK(log.count(canary) == 0);              // ...without the secret
  CHECK(receiver.requests().size() >= 6);     // and the secret did reach the receiver, where it belongs
  spdlog::set_level(level);
}

TEST_CASE("a reload keeps an unchanged target with its figures, replaces a changed one; counters never go down",
          "[alerts]") {
  alert_receiver receiver;
  alerts_config cfg;
  cfg.targets = {target("kept", alert_format::webhook, receiver.url("/kept")),
                 target("changed", alert_format::webhook, receiver.url("/changed"))};
  dispatch_fixture fx(receiver, cfg);
  fx.dispatcher->raise(breaker_alert());
  fx.dispatcher->raise(breaker_alert()); // held: one coalesced
  REQUIRE(fx.run_until([&] { return fx.dispatcher->figures().totals.delivered == 2; }));
  auto next = cfg;
  next.targets[1].min_severity = alert_severity::critical;
  fx.dispatcher->apply(next);
  auto figures = fx.dispatcher->figures();
  CHECK(figures.targets.at(0).counters.delivered == 1); // the same target, its figures kept
  CHECK(figures.targets.at(1).counters.delivered == 0); // a new one
  CHECK(figures.totals.delivered == 2);
  CHECK(figures.coalesced == 1);
  next.repeat_interval = std::chrono::minutes(1); // new timings: every target and the coalescer anew
  fx.dispatcher->apply(next);
  figures = fx.dispatcher->figures();
  CHECK(figures.totals.delivered == 2);
  CHECK(figures.coalesced == 1);
  fx.dispatcher->raise(breaker_alert()); // a new coalescer: sent at once, to both
  REQUIRE(fx.run_until([&] { return fx.dispatcher->figures().totals.delivered == 4; }));
  CHECK(receiver.requests().size() == 4);
}
