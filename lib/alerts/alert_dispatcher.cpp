#include "alerts/alert_dispatcher.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/spdlog.h>
#include <algorithm>
#include <ctime>

namespace copytrader::alerts {
namespace asio = boost::asio;
using steady_clock = std::chrono::steady_clock;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t max_alert_response_bytes = std::size_t{64} * 1024;

attempt_result classify(const projectx::http_result& r) {
  if (r.stage != projectx::transport_stage::completed) return attempt_result::retryable;
  if (r.status >= 200 && r.status < 300) return attempt_result::delivered;
  if (r.status == 408 || r.status == 429 || r.status >= 500) return attempt_result::retryable;
  return attempt_result::refused;
}

std::string describe(const projectx::http_result& r) {
  if (r.stage != projectx::transport_stage::completed) return r.error.empty() ? "no answer" : r.error;
  return "HTTP " + std::to_string(r.status);
}

bool same_target(const alert_target_config& a, const alert_target_config& b) {
  return a.name == b.name && a.format == b.format && a.token == b.token && a.server == b.server &&
         a.chat_id == b.chat_id && a.min_severity == b.min_severity;
}

} // namespace

struct alert_dispatcher::target {
  target(const asio::any_io_executor& ex, alert_target_config c, delivery_policy policy)
      : config(std::move(c)), queue(policy), wake(ex) {}

  alert_target_config config;
  std::optional<alert_address> address; // unset: the target cannot be reached (said at start)
  std::unique_ptr<projectx::https_client> client;
  delivery_queue queue;
  asio::steady_timer wake;
  std::string last_error;
  bool ended = false;
};

alert_dispatcher::alert_dispatcher(background_tasks& tasks, std::shared_ptr<asio::ssl::context> tls,
                                   const alerts_config& cfg, std::string origin)
    : tasks_(tasks),
      tls_(std::move(tls)),
      config_(cfg),
      origin_(std::move(origin)),
      coalescer_(cfg.repeat_interval),
      coalesce_timer_(tasks.executor()) {
  for (const auto& t : cfg.targets) targets_.push_back(make_target(t));
}

alert_dispatcher::~alert_dispatcher() {
  *alive_ = false; // a loop that resumes after this touches nothing of the dispatcher
  for (auto& t : targets_) end_target(*t);
}

std::shared_ptr<alert_dispatcher::target> alert_dispatcher::make_target(const alert_target_config& cfg) {
  delivery_policy policy;
  policy.limit = static_cast<std::size_t>(config_.queue_limit);
  policy.max_attempts = config_.max_attempts;
  auto t = std::make_shared<target>(tasks_.executor(), cfg, policy);
  if (auto address = address_of(cfg)) {
    t->address = std::move(*address);
    projectx::https_endpoint endpoint;
    endpoint.host = t->address->host;
    endpoint.port = t->address->port;
    endpoint.request_timeout = config_.timeout;
    endpoint.pool_size = 1;
    endpoint.max_response_bytes = max_alert_response_bytes;
    t->client = std::make_unique<projectx::https_client>(tasks_.executor(), *tls_, endpoint);
  } else {
    t->last_error = address.error().message;
    spdlog::error("alert target {}: {}; its alerts are dropped", cfg.name, address.error().message);
  }
  return t;
}

void alert_dispatcher::start() {
  if (started_) return;
  started_ = true;
  for (const auto& t : targets_) start_sender(t);
  tasks_.spawn("alert coalescer", coalesce_loop());
}

void alert_dispatcher::start_sender(const std::shared_ptr<target>& t) {
  if (t->client) tasks_.spawn("alert target " + t->config.name, send_loop(t));
}

void alert_dispatcher::end_target(target& t) {
  t.ended = true;
  t.wake.cancel();
  if (t.client) t.client->close();
}

alert_origin alert_dispatcher::origin_now() const {
  return alert_origin{origin_, fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(std::time(nullptr)))};
}

void alert_dispatcher::raise(alert a) {
  ++raised_;
  const auto now = steady_clock::now();
  auto admitted = coalescer_.admit(now, std::move(a));
  if (!admitted) {
    coalesce_timer_.cancel(); // a held alert may make the next summary due sooner
    return;
  }
  spdlog::info("alert {}{}{}: {}", to_string(admitted->kind), admitted->follower.empty() ? "" : " for ",
               admitted->follower, admitted->what);
  for (auto& t : targets_) {
    if (t->ended || severity_of(admitted->kind) < t->config.min_severity) continue;
    if (!t->client) continue; // its address was refused at start, and said so
    if (!t->queue.push(*admitted)) {
      spdlog::warn("alert target {}: {} alerts queued already; this one is dropped", t->config.name, t->queue.size());
      continue;
    }
    t->wake.cancel();
  }
}

asio::awaitable<void> alert_dispatcher::coalesce_loop() {
  const auto alive = alive_;
  while (!stopping_) {
    const auto next = coalescer_.next_due();
    coalesce_timer_.expires_at(next ? *next : steady_clock::now() + std::chrono::hours(24));
    co_await coalesce_timer_.async_wait(tuple_awaitable);
    if (!*alive || stopping_) break;
    for (auto& summary : coalescer_.due(steady_clock::now())) {
      for (auto& t : targets_) {
        if (t->ended || !t->client || severity_of(summary.kind) < t->config.min_severity) continue;
        if (t->queue.push(summary)) t->wake.cancel();
      }
    }
  }
}

asio::awaitable<void> alert_dispatcher::send_loop(std::shared_ptr<target> t) {
  // `t` is the loop's own; the dispatcher is looked at only while `alive` (it ends the target first).
  std::optional<steady_clock::time_point> last_call; // once the daemon stops: no attempt starts after it
  while (!t->ended) {
    const auto now = steady_clock::now();
    if (stopping_) {
      if (!last_call) last_call = now + config_.timeout;
      if (t->queue.size() == 0 || now >= *last_call) break;
    }
    // Stopping, the back-off is not waited out: each queued alert gets its one last attempt.
    if (const alert* head = t->queue.ready(stopping_ ? steady_clock::time_point::max() : now)) {
      const std::string body = alert_body(t->config, *head, origin_now());
      const auto result = co_await t->client->post(t->address->path.reveal(), body, {});
      if (t->ended) break;
      auto verdict = classify(result);
      if (stopping_ && verdict == attempt_result::retryable) verdict = attempt_result::refused; // no time left
      std::optional<duration> retry_after;
      if (result.retry_after) retry_after = std::chrono::seconds(*result.retry_after);
      const auto outcome = t->queue.finish(steady_clock::now(), verdict, retry_after);
      if (outcome == settled::delivered) continue;
      t->last_error = describe(result);
      if (outcome == settled::failed)
        spdlog::error("alert target {}: an alert could not be delivered ({}); counted as failed", t->config.name,
                      t->last_error);
      else
        spdlog::warn("alert target {}: delivery failed ({}); trying again", t->config.name, t->last_error);
      continue;
    }
    const auto wake = t->queue.wake_at();
    t->wake.expires_at(wake ? *wake : now + std::chrono::hours(24));
    co_await t->wake.async_wait(tuple_awaitable);
  }
  if (t->client) t->client->close();
}

void alert_dispatcher::apply(const alerts_config& cfg) {
  const bool timings_same = cfg.repeat_interval == config_.repeat_interval && cfg.timeout == config_.timeout &&
                            cfg.max_attempts == config_.max_attempts && cfg.queue_limit == config_.queue_limit;
  std::vector<std::shared_ptr<target>> kept;
  std::vector<std::shared_ptr<target>> old = std::move(targets_);
  config_ = cfg;
  if (!timings_same) {
    coalesced_before_ += coalescer_.coalesced(); // a counter never goes down
    coalescer_ = alert_coalescer(cfg.repeat_interval);
    coalesce_timer_.cancel();
  }
  for (const auto& wanted : cfg.targets) {
    auto it = std::find_if(old.begin(), old.end(), [&](const auto& t) { return t && same_target(t->config, wanted); });
    if (timings_same && it != old.end()) {
      kept.push_back(std::move(*it));
      continue;
    }
    kept.push_back(make_target(wanted));
    if (started_) start_sender(kept.back());
  }
  for (auto& t : old) {
    if (!t) continue;
    retired_.delivered += t->queue.counters().delivered;
    retired_.failed += t->queue.counters().failed;
    retired_.retries += t->queue.counters().retries;
    retired_.dropped += t->queue.counters().dropped + t->queue.size(); // what was still queued
    end_target(*t);
  }
  targets_ = std::move(kept);
}

void alert_dispatcher::stop() {
  // Each sender makes its last attempts within alerts.timeout (each attempt is bounded by it too).
  stopping_ = true;
  coalesce_timer_.cancel();
  for (auto& t : targets_) t->wake.cancel();
}

asio::awaitable<std::vector<test_delivery>> alert_dispatcher::test(std::string name) {
  std::vector<std::shared_ptr<target>> chosen;
  for (const auto& t : targets_)
    if (name.empty() || t->config.name == name) chosen.push_back(t);
  std::vector<test_delivery> out;
  alert a{alert_kind::test, "", "This is a test alert from copytraderctl test-alert: alerts reach this target.", "", 0};
  for (const auto& t : chosen) {
    test_delivery d{t->config.name, false, t->last_error};
    if (!t->address) {
      out.push_back(std::move(d));
      continue;
    }
    // A client of its own: the target's may be busy with a receiver that hangs.
    projectx::https_client client(tasks_.executor(), *tls_, t->client->endpoint());
    const auto result = co_await client.post(t->address->path.reveal(), alert_body(t->config, a, origin_now()), {});
    client.close();
    d.delivered = classify(result) == attempt_result::delivered;
    d.detail = describe(result);
    spdlog::info("alert target {}: test alert {} ({})", t->config.name, d.delivered ? "delivered" : "failed", d.detail);
    out.push_back(std::move(d));
  }
  co_return out;
}

alert_figures alert_dispatcher::figures() const {
  alert_figures f;
  f.raised = raised_;
  f.coalesced = coalesced_before_ + coalescer_.coalesced();
  f.totals = retired_;
  for (const auto& t : targets_) {
    const auto& c = t->queue.counters();
    f.totals.delivered += c.delivered;
    f.totals.failed += c.failed;
    f.totals.dropped += c.dropped;
    f.totals.retries += c.retries;
    f.targets.push_back(target_figures{t->config.name, t->config.format, c, t->queue.size(), t->last_error});
  }
  return f;
}

bool alert_dispatcher::has_target(const std::string& name) const {
  return std::any_of(targets_.begin(), targets_.end(), [&](const auto& t) { return t->config.name == name; });
}

} // namespace copytrader::alerts
