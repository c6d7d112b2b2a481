#include "service/control_commands.hpp"

#include "control/guard_report.hpp"
#include "control/reports.hpp"
#include "logging/log.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>

#include <ctime>

namespace copytrader {
namespace asio = boost::asio;
namespace json = boost::json;
using control::command;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
constexpr auto flatten_poll = std::chrono::milliseconds(100);

// UTC with milliseconds, which a browser's Date reads.
std::string iso_time(std::chrono::system_clock::time_point t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  const auto seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                     utc.tm_hour, utc.tm_min, utc.tm_sec, ms % 1000);
}

std::string ok(const json::object& result) { return control::ok_response(json::serialize(result)); }

json::object reload_json(const reload_record& r) {
  return json::object{{"attempted", r.attempted}, {"ok", r.ok}, {"when", r.when}, {"message", r.message}};
}

const engine::follower_session* find_follower(engine::copy_engine& engine, const std::string& name) {
  for (const auto* f : engine.followers()) {
    if (f->rules().name == name && !f->retired()) return f;
  }
  for (const auto* f : engine.followers()) {
    if (f->rules().name == name) return f;
  }
  return nullptr;
}

std::string holdings(const engine::follower_session& f) {
  std::string out;
  for (const auto& [contract, plan] : f.plans()) {
    if (f.book().expected(contract) != 0)
      out += fmt::format("{}{} on {}", out.empty() ? "" : ", ", f.book().expected(contract), contract);
  }
  return out.empty() ? "working legs" : out;
}

asio::awaitable<std::string> flatten(const control::request& request, control_hooks& hooks) {
  auto started = hooks.engine.flatten(request.all ? std::string() : request.name);
  if (!started) co_return control::error_response(started.error().message);
  // Answer when the followers are flat (or say which are not), so that "done" means done.
  asio::steady_timer timer(co_await asio::this_coro::executor);
  const auto deadline = std::chrono::steady_clock::now() + hooks.flatten_wait;
  std::vector<std::string> open;
  for (;;) {
    open.clear();
    for (const auto& name : started->flattening) {
      const auto* f = find_follower(hooks.engine, name);
      if (f != nullptr && (f->flattening() || !f->holds_nothing() || !f->idle() || f->checking() || f->reading()))
        open.push_back(name);
    }
    if (open.empty() || std::chrono::steady_clock::now() >= deadline) break;
    timer.expires_after(flatten_poll);
    co_await timer.async_wait(tuple_awaitable);
  }
  if (!open.empty()) {
    std::string message = "not flat after " + std::to_string(hooks.flatten_wait.count() / 1000) + " s:";
    for (const auto& name : open) {
      const auto* f = find_follower(hooks.engine, name);
      message += fmt::format(" {} still holds {}{};", name, f ? holdings(*f) : "?",
                             f && !f->figures().last_error.empty() ? " (" + f->figures().last_error + ")" : "");
    }
    message += " the daemon keeps trying; see journalctl -u copytraderd FOLLOWER=<name>";
    co_return control::error_response(message);
  }
  json::array flat;
  json::array skipped;
  for (const auto& s : started->skipped) skipped.push_back(json::string(s));
  for (const auto& name : started->flattening) {
    // Read for the flatten and found unusable: nothing could be sent, so it is not "flat".
    const auto* f = find_follower(hooks.engine, name);
    if (f != nullptr && f->disabled_reason())
      skipped.push_back(json::string(name + ": " + *f->disabled_reason()));
    else
      flat.push_back(json::string(name));
  }
  co_return ok(json::object{{"flat", std::move(flat)}, {"skipped", std::move(skipped)}});
}

std::string copy_signal(const control::copy_signal& s, control_hooks& hooks) {
  engine::manual_signal signal;
  signal.long_side = s.long_side;
  signal.size = s.size;
  signal.sl_ticks = s.sl_ticks;
  signal.tp_ticks = s.tp_ticks;
  signal.strategy = s.strategy;
  signal.contract = s.contract;
  signal.dry_run = s.dry_run;
  auto plan = hooks.engine.copy_signal(signal);
  if (!plan) return control::error_response(plan.error().message);
  json::array followers;
  for (const auto& p : *plan) {
    followers.push_back(
        json::object{{"name", p.follower}, {"contract", p.contract}, {"from", p.from}, {"to", p.to}, {"note", p.note}});
  }
  return ok(json::object{{"dry_run", s.dry_run}, {"followers", std::move(followers)}});
}

// Answers once every target chosen has answered or timed out; refused when any did not take it.
asio::awaitable<std::string> test_alert(const control::request& request, control_hooks& hooks) {
  if (hooks.alerts == nullptr || hooks.alerts->figures().targets.empty())
    co_return control::error_response("no alert targets are configured (alerts.targets; see docs/operations.md)");
  if (!request.name.empty() && !hooks.alerts->has_target(request.name))
    co_return control::error_response("no alert target is named '" + request.name + "'");
  const auto results = co_await hooks.alerts->test(request.name);
  json::array targets;
  std::string failed;
  for (const auto& r : results) {
    targets.push_back(json::object{{"name", r.target}, {"delivered", r.delivered}, {"detail", r.detail}});
    if (!r.delivered) failed += fmt::format("{}{}: {}", failed.empty() ? "" : "; ", r.target, r.detail);
  }
  if (!failed.empty()) co_return control::error_response("the test alert was not delivered to " + failed);
  co_return ok(json::object{{"targets", std::move(targets)}});
}

} // namespace

json::object status_json(control_hooks& hooks) {
  auto report = control::status_report(hooks.engine);
  report["reload"] = reload_json(hooks.last_reload());
  if (hooks.alerts != nullptr) report["alerts"] = control::alert_report(hooks.alerts->figures());
  return report;
}

std::string dashboard_snapshot(control_hooks& hooks) {
  const auto& ctx = hooks.engine.context();
  auto& cached = hooks.feed_copies;
  if (cached.noted != ctx.copies_noted) {
    json::array copies;
    for (const auto& c : ctx.recent_copies) {
      copies.push_back(json::object{{"at", iso_time(c.at)},
                                    {"follower", c.follower},
                                    {"action", c.action},
                                    {"contract", c.contract},
                                    {"size", c.size},
                                    {"latency_us", c.latency_us},
                                    {"timed", c.timed},
                                    {"event", c.event}});
    }
    cached.json = json::serialize(copies);
    cached.noted = ctx.copies_noted;
  }
  json::array problems;
  for (const auto& p : recent_problems())
    problems.push_back(json::object{{"at", iso_time(p.at)}, {"level", p.level}, {"text", p.text}});
  // One JSON object, {"status", "stats", "copies", "problems"}, as json::serialize writes it.
  std::string out = R"({"status":)";
  out += json::serialize(status_json(hooks));
  out += R"(,"stats":)";
  out += json::serialize(control::stats_report(hooks.engine));
  out += R"(,"copies":)";
  out += cached.json;
  out += R"(,"problems":)";
  out += json::serialize(problems);
  out += '}';
  return out;
}

asio::awaitable<std::string> answer_control(control::request request, control_hooks& hooks) {
  switch (request.what) {
    case command::status: co_return ok(status_json(hooks));
    case command::dashboard: {
      const auto address = hooks.dashboard_address ? hooks.dashboard_address() : std::nullopt;
      if (!address) co_return control::error_response("the dashboard is off: set control.dashboard_listen and restart");
      co_return ok(json::object{{"address", *address}});
    }
    case command::stats: co_return ok(control::stats_report(hooks.engine));
    case command::reset_breaker: {
      const bool was_tripped = hooks.engine.context().breaker.tripped();
      hooks.engine.reset_breaker();
      co_return ok(json::object{{"was_tripped", was_tripped}, {"trips", hooks.engine.context().breaker.trips()}});
    }
    case command::enable:
    case command::disable: {
      const bool enable = request.what == command::enable;
      if (!hooks.engine.set_enabled(request.name, enable, request.catch_up))
        co_return control::error_response("no follower is named '" + request.name + "'");
      if (enable) hooks.engine.recheck_disabled(); // an unusable follower gets its preflight again
      const auto* f = find_follower(hooks.engine, request.name);
      json::object result{{"name", request.name}, {"state", f ? control::follower_state(*f) : "?"}};
      if (f && f->disabled_reason()) result["reason"] = *f->disabled_reason();
      co_return ok(result);
    }
    case command::flatten: co_return co_await flatten(request, hooks);
    case command::reload: {
      const auto record = co_await hooks.reload();
      if (!record.ok) co_return control::error_response("reload refused: " + record.message);
      co_return ok(reload_json(record));
    }
    case command::copy: co_return copy_signal(*request.signal, hooks);
    case command::risk: {
      auto report = control::risk_report(hooks.engine, request.name);
      if (!report) co_return control::error_response("no follower is named '" + request.name + "'");
      co_return ok(*report);
    }
    case command::test_alert: co_return co_await test_alert(request, hooks);
    case command::unlock: {
      if (!hooks.engine.unlock_guard(request.name))
        co_return control::error_response("no follower is named '" + request.name + "'");
      const auto* f = find_follower(hooks.engine, request.name);
      co_return ok(f ? control::guard_report(*f, hooks.engine.context()) : json::object{{"name", request.name}});
    }
  }
  co_return control::error_response("unknown command");
}

} // namespace copytrader
