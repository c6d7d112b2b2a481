// Alerts' decisions step by step on a fake clock: coalescing, each target's queue and back-off, the
// hub outage watch; each format's message for every kind; the `alerts` section's errors.

#include "alerts/alert_coalescer.hpp"
#include "alerts/alert_message.hpp"
#include "alerts/delivery_queue.hpp"
#include "alerts/outage_watch.hpp"
#include "support/config_fixture.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::alerts;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;
namespace json = boost::json;

namespace {

const std::chrono::steady_clock::time_point t0{std::chrono::hours(1)};

alert breaker(std::string what = "tripped") {
  return alert{alert_kind::breaker_tripped, "", std::move(what), "copytraderctl reset-breaker", 0};
}

alert_target_config target_of(alert_format format, std::string token) {
  alert_target_config t;
  t.name = "t";
  t.format = format;
  t.token = secret(std::move(token));
  if (format == alert_format::telegram) {
    t.server = "https://api.telegram.org";
    t.chat_id = "-100123";
  }
  if (format == alert_format::ntfy) t.server = "https://ntfy.example:8443/base";
  return t;
}

const alert_origin origin{"copytrader, leader 1001", "2026-12-03T10:00:00Z"};

} // namespace

TEST_CASE("a flood of one alert is one message per repeat interval, then a summary", "[alerts]") {
  alert_coalescer c(15min);
  REQUIRE(c.admit(t0, breaker("first")));
  for (int i = 0; i < 100; ++i) CHECK_FALSE(c.admit(t0 + 1s * i, breaker("again " + std::to_string(i))));
  CHECK(c.coalesced() == 100);
  CHECK(c.due(t0 + 14min).empty());
  REQUIRE(c.next_due() == t0 + 15min);
  auto summary = c.due(t0 + 15min);
  REQUIRE(summary.size() == 1);
  CHECK(summary[0].what == "again 99"); // the latest, standing for the other 99
  CHECK(summary[0].repeats == 99);
  CHECK_FALSE(c.next_due());
  // A quiet interval later, the same alert goes out at once again.
  CHECK(c.due(t0 + 30min).empty());
  auto later = c.admit(t0 + 31min, breaker("later"));
  REQUIRE(later);
  CHECK(later->repeats == 0);
}

TEST_CASE("alerts of another kind or follower are not held back by each other", "[alerts]") {
  alert_coalescer c(15min);
  CHECK(c.admit(t0, alert{alert_kind::order_refused, "a", "x", "", 0}));
  CHECK(c.admit(t0, alert{alert_kind::order_refused, "b", "x", "", 0}));
  CHECK(c.admit(t0, alert{alert_kind::drift_corrected, "a", "x", "", 0}));
  CHECK_FALSE(c.admit(t0 + 1s, alert{alert_kind::order_refused, "a", "y", "", 0}));
  // One held, then the interval passes and a new one arrives before the summary went: it carries the count.
  auto next = c.admit(t0 + 16min, alert{alert_kind::order_refused, "a", "z", "", 0});
  REQUIRE(next);
  CHECK(next->repeats == 1);
  CHECK(c.due(t0 + 17min).empty());
}

TEST_CASE("a test alert is never coalesced", "[alerts]") {
  alert_coalescer c(15min);
  for (int i = 0; i < 3; ++i) CHECK(c.admit(t0, alert{alert_kind::test, "", "t", "", 0}));
  CHECK(c.coalesced() == 0);
}

TEST_CASE("a target's queue retries with a doubling back-off, then counts the alert failed", "[alerts]") {
  delivery_queue q(delivery_policy{10, 3, 2s, 60s});
  REQUIRE(q.push(breaker()));
  REQUIRE(q.ready(t0));
  CHECK(q.finish(t0, attempt_result::retryable) == settled::retrying);
  CHECK_FALSE(q.ready(t0 + 1999ms));
  CHECK(q.wake_at() == t0 + 2s);
  REQUIRE(q.ready(t0 + 2s));
  CHECK(q.finish(t0 + 2s, attempt_result::retryable) == settled::retrying);
  CHECK(q.wake_at() == t0 + 2s + 4s);
  CHECK(q.finish(t0 + 6s, attempt_result::retryable) == settled::failed); // the third attempt was the last
  CHECK(q.size() == 0);
  CHECK(q.counters().failed == 1);
  CHECK(q.counters().retries == 2);
  CHECK(q.counters().delivered == 0);
}

TEST_CASE("a receiver's Retry-After is honoured within the cap; a refusal is not retried", "[alerts]") {
  delivery_queue q(delivery_policy{10, 5, 2s, 60s});
  q.push(breaker("one"));
  q.push(breaker("two"));
  CHECK(q.finish(t0, attempt_result::retryable, 30s) == settled::retrying);
  CHECK(q.wake_at() == t0 + 30s);
  CHECK(q.finish(t0 + 30s, attempt_result::retryable, 3600s) == settled::retrying);
  CHECK(q.wake_at() == t0 + 30s + 60s);
  CHECK(q.finish(t0 + 90s, attempt_result::refused) == settled::failed);
  REQUIRE(q.ready(t0 + 90s));
  CHECK(q.ready(t0 + 90s)->what == "two"); // the next goes at once
  CHECK(q.finish(t0 + 90s, attempt_result::delivered) == settled::delivered);
  CHECK(q.counters().delivered == 1);
  CHECK(q.counters().failed == 1);
}

TEST_CASE("a full queue drops the new alert and counts it", "[alerts]") {
  delivery_queue q(delivery_policy{2, 3, 2s, 60s});
  CHECK(q.push(breaker("1")));
  CHECK(q.push(breaker("2")));
  CHECK_FALSE(q.push(breaker("3")));
  CHECK(q.counters().dropped == 1);
  CHECK(q.size() == 2);
}

TEST_CASE("a hub down past the threshold is told once per outage", "[alerts]") {
  outage_watch w(60s);
  CHECK_FALSE(w.observe(t0, true));
  CHECK_FALSE(w.observe(t0 + 1s, false));
  CHECK_FALSE(w.observe(t0 + 60s, false));
  CHECK(w.observe(t0 + 61s, false));
  CHECK(w.down_for(t0 + 61s) == 60s);
  CHECK_FALSE(w.observe(t0 + 200s, false));
  CHECK_FALSE(w.observe(t0 + 201s, true)); // back: the next outage is told again
  CHECK_FALSE(w.observe(t0 + 202s, false));
  CHECK(w.observe(t0 + 262s, false));
}

TEST_CASE("every kind of alert is one well-formed message in every format", "[alerts]") {
  const std::array formats{alert_format::webhook, alert_format::discord, alert_format::slack, alert_format::telegram,
                           alert_format::ntfy};
  for (const auto format : formats) {
    const auto target = target_of(format, format == alert_format::telegram ? "123456:ABCdef"
                                          : format == alert_format::ntfy   ? "my-topic"
                                                                           : "https://hooks.example/services/T/B/X");
    for (const auto kind : all_alert_kinds) {
      CAPTURE(to_string(format), to_string(kind));
      const alert a{kind, "small", "what \"happened\" \xC3\xA9", "copytraderctl status", 2};
      const auto body = json::parse(alert_body(target, a, origin)).as_object();
      const std::string title(title_of(kind));
      switch (format) {
        case alert_format::webhook:
          CHECK(body.at("kind").as_string() == to_string(kind));
          CHECK(body.at("severity").as_string() == to_string(severity_of(kind)));
          CHECK(body.at("follower").as_string() == "small");
          CHECK(body.at("text").as_string() == "what \"happened\" \xC3\xA9");
          CHECK(body.at("action").as_string() == "copytraderctl status");
          CHECK(body.at("repeats").as_int64() == 2);
          CHECK(body.at("origin").as_string() == "copytrader, leader 1001");
          break;
        case alert_format::discord:
          CHECK_THAT(std::string(body.at("content").as_string()), Contains(title) && Contains("follower small") &&
                                                                      Contains("What to do: copytraderctl status") &&
                                                                      Contains("2 more like it"));
          break;
        case alert_format::slack:
          CHECK_THAT(std::string(body.at("text").as_string()), Contains(title) && Contains("copytraderctl status"));
          break;
        case alert_format::telegram:
          CHECK(body.at("chat_id").as_string() == "-100123");
          CHECK_THAT(std::string(body.at("text").as_string()), Contains(title) && Contains("leader 1001"));
          break;
        case alert_format::ntfy:
          CHECK(body.at("topic").as_string() == "my-topic");
          CHECK_THAT(std::string(body.at("title").as_string()), Contains(title) && Contains("small"));
          CHECK(body.at("priority").as_int64() == (severity_of(kind) == alert_severity::critical  ? 5
                                                   : severity_of(kind) == alert_severity::warning ? 4
                                                                                                  : 3));
          break;
      }
    }
  }
}

TEST_CASE("each format is posted where its service takes it", "[alerts]") {
  auto discord = address_of(target_of(alert_format::discord, "https://discord.example/api/webhooks/1/tok?wait=true"));
  REQUIRE(discord);
  CHECK(discord->host == "discord.example");
  CHECK(discord->port == "443");
  CHECK(discord->path.reveal() == "/api/webhooks/1/tok?wait=true");
  auto telegram = address_of(target_of(alert_format::telegram, "123456:ABCdef"));
  REQUIRE(telegram);
  CHECK(telegram->host == "api.telegram.org");
  CHECK(telegram->path.reveal() == "/bot123456:ABCdef/sendMessage");
  auto ntfy = address_of(target_of(alert_format::ntfy, "my-topic"));
  REQUIRE(ntfy);
  CHECK(ntfy->port == "8443");
  CHECK(ntfy->path.reveal() == "/base");
  auto bad = address_of(target_of(alert_format::webhook, "http://plain.example/secret-path"));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("secret-path") == std::string::npos);
}

TEST_CASE("a message longer than the service takes is cut on a character boundary", "[alerts]") {
  std::string text(1999, 'x');
  text += "\xC3\xA9\xC3\xA9"; // two 2-byte characters across the limit
  const auto clipped = clip_utf8(text, discord_max_text);
  CHECK(clipped.size() == 1999);
  auto target = target_of(alert_format::discord, "https://d.example/x");
  const auto body = json::parse(alert_body(target, alert{alert_kind::test, "", std::string(5000, 'y'), "", 0}, origin));
  CHECK(body.at("content").as_string().size() == discord_max_text);
}

namespace {

std::string with_alerts(std::string_view section) {
  return std::string(testing::minimal_config) + "alerts:\n" + std::string(section);
}

} // namespace

TEST_CASE("the alerts section reads every format's target with its secret from a file", "[alerts][config]") {
  testing::config_fixture fx;
  fx.dir.write("hook.url", "https://hooks.example/services/T00/B00/secret-canary-1\n");
  fx.dir.write("bot.token", "123456:ABCdefsecret\n");
  fx.env["NTFY_TOPIC"] = "copytrader-topic-canary";
  auto cfg = fx.load(with_alerts(R"(  repeat_interval: 5m
  hub_down_after: 30s
  targets:
    - name: chat
      format: slack
      url_file: hook.url
    - name: phone
      format: ntfy
      topic_env: NTFY_TOPIC
      min_severity: warning
    - name: bot
      format: telegram
      bot_token_file: bot.token
      chat_id: "-100123"
)"));
  REQUIRE(cfg);
  REQUIRE(cfg->alerts.targets.size() == 3);
  CHECK(cfg->alerts.repeat_interval == 5min);
  CHECK(cfg->alerts.hub_down_after == 30s);
  CHECK(cfg->alerts.targets[0].token.reveal() == "https://hooks.example/services/T00/B00/secret-canary-1");
  CHECK(cfg->alerts.targets[1].token.reveal() == "copytrader-topic-canary");
  CHECK(cfg->alerts.targets[1].server == "https://ntfy.sh");
  CHECK(cfg->alerts.targets[1].min_severity == alert_severity::warning);
  CHECK(cfg->alerts.targets[2].server == "https://api.telegram.org");
  CHECK(cfg->alerts.targets[2].token_source.starts_with("file "));
}

TEST_CASE("a wrong alerts section names the key and never shows the secret", "[alerts][config]") {
  testing::config_fixture fx;
  const auto errors = fx.errors(with_alerts(R"(  timeout: 0s
  targets:
    - name: chat
      format: discord
      url: http://discord.example/api/webhooks/1/secret-canary-2
    - name: chat
      format: telegram
      bot_token: not-a-token-canary-3
    - name: phone
      format: pager
      url_env: NOPE
    - name: n
      format: ntfy
      topic: "bad topic canary-4"
      chat_id: "1"
)"));
  CHECK_THAT(errors, Contains("alerts.timeout: must be between 100ms and 60s"));
  CHECK_THAT(errors, Contains("alerts.targets[0].url: is not an https:// URL with a host"));
  CHECK_THAT(errors, Contains("alerts.targets[1].name: 'chat' names another target too"));
  CHECK_THAT(errors, Contains("alerts.targets[1].chat_id: is required"));
  CHECK_THAT(errors, Contains("alerts.targets[1].bot_token: is not a bot token"));
  CHECK_THAT(errors, Contains("alerts.targets[2].format: 'pager' is not one of: webhook | discord | slack"));
  CHECK_THAT(errors, Contains("alerts.targets[3].topic: a topic is 1 to 64 letters"));
  CHECK_THAT(errors, Contains("alerts.targets[3].chat_id: unknown key"));
  CHECK(errors.find("canary") == std::string::npos);
}

TEST_CASE("an inline alert secret is refused in a file others can read", "[alerts][config]") {
  testing::config_fixture fx;
  const auto yaml = with_alerts(R"(  targets:
    - name: hook
      format: webhook
      url: https://hooks.example/inline-canary-5
)");
  const auto errors = fx.errors(yaml, 0644);
  CHECK_THAT(errors, Contains("alerts.targets[0].url: an inline webhook URL is refused because"));
  CHECK(errors.find("canary") == std::string::npos);
  CHECK(fx.load(yaml, 0600));
}
