#include "service/daemon_service.hpp"

#include "alerts/alert_dispatcher.hpp"
#include "config/config_loader.hpp"
#include "control/control_server.hpp"
#include "control/metrics_server.hpp"
#include "control/metrics_text.hpp"
#include "core/crash_point.hpp"
#include "dashboard/dashboard_server.hpp"
#include "engine/copy_engine.hpp"
#include "logging/log.hpp"
#include "projectx/tls_context.hpp"
#include "service/control_commands.hpp"
#include "state/guard_store.hpp"
#include "state/instance_lock.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <grp.h>
#include <unistd.h>

#include <csignal>
#include <ctime>
#include <memory>

namespace copytrader {
namespace asio = boost::asio;

namespace {

constexpr auto as_tuple_awaitable = asio::as_tuple(asio::use_awaitable);

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

// A plain function rather than a capturing lambda: GCC 12 mishandles lambda captures in coroutines.
asio::awaitable<config_result<config>> load_config_on_helper(std::filesystem::path file) {
  co_return load_config(file);
}

void log_errors(const config_errors& errors) {
  for (const auto& item : errors.items) spdlog::error("{}", item.to_string());
}

// Alerts are posted with the trust the API's connections have (the system store and api.ca_file).
std::shared_ptr<asio::ssl::context> alert_tls(const config& cfg) {
  auto tls = projectx::make_client_tls(cfg.api.ca_file);
  if (!tls) throw std::runtime_error("alerts: " + tls.error().message);
  return std::shared_ptr<asio::ssl::context>(std::move(*tls));
}

// Names the sender in each alert, for a trader who runs a copier on more than one machine.
std::string alert_origin_name(const config& cfg) {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return fmt::format("copytrader on {}, leader {}", host[0] != '\0' ? host : "?", cfg.leader.account);
}

class daemon_service {
public:
  daemon_service(asio::io_context& io, asio::thread_pool& helper, notifier& notify, const daemon_options& options,
                 config initial, audit_log* audit, guard_store* guards)
      : helper_(helper),
        notify_(notify),
        options_(options),
        config_(std::make_shared<const config>(std::move(initial))),
        signals_(io, SIGHUP, SIGTERM, SIGINT),
        watchdog_timer_(io),
        status_timer_(io),
        engine_(io.get_executor(), *config_, audit, guards),
        alerts_(engine_.tasks(), alert_tls(*config_), config_->alerts, alert_origin_name(*config_)),
        audit_(audit),
        hooks_{engine_, [this] { return reload("copytraderctl reload"); }, [this] { return last_reload_; }, &alerts_,
               [this] { return dashboard_ ? std::optional(dashboard_->address_with_token()) : std::nullopt; }} {
    engine_.set_alert_sink([this](alerts::alert a) { alerts_.raise(std::move(a)); });
    // The failure policy's last step (core/background.hpp): the work the daemon cannot do without
    // failed, so it stops, the audit trail says why, and the exit code makes systemd restart it.
    engine_.tasks().on_fatal([this](const std::string& task, const std::string& what) {
      if (!fatal_.empty()) return;
      fatal_ = task + ": " + what;
      if (audit_ != nullptr) audit_->record("fatal", "", "", fatal_);
      alerts_.raise(alerts::alert{alerts::alert_kind::daemon_stopped, "",
                                  "stopped by a failure it cannot recover from (" + fatal_ + "); systemd restarts it",
                                  "journalctl -u copytraderd -e", 0});
      stop();
    });
  }

  // Why the daemon stopped itself (a fatal background failure); empty after a normal stop.
  [[nodiscard]] const std::string& fatal_failure() const noexcept { return fatal_; }

  // The control socket and the metrics listener; before the loop runs (the group lookup may block).
  outcome<bool> open_endpoints() {
    control::access_policy policy;
    policy.own_uid = ::geteuid();
    if (!config_->control.group.empty()) {
      const group* g = ::getgrnam(config_->control.group.c_str());
      if (g == nullptr) return failure("control.group: no group is named '" + config_->control.group + "'");
      policy.group = g->gr_gid;
    }
    auto control =
        control::control_server::open(engine_.tasks(), config_->control.socket, policy,
                                      [this](control::request r) { return answer_control(std::move(r), hooks_); });
    if (!control) return control.error();
    control_ = std::move(*control);
    if (!config_->control.metrics_listen.empty()) {
      auto metrics = control::metrics_server::open(engine_.tasks(), config_->control.metrics_listen, [this] {
        return control::metrics_text(engine_) + control::alert_metrics_text(alerts_.figures());
      });
      if (!metrics) return metrics.error();
      metrics_ = std::move(*metrics);
      spdlog::info("metrics on http://{}/metrics", config_->control.metrics_listen);
    }
    if (!config_->control.dashboard_listen.empty()) {
      secret token = config_->control.dashboard_token;
      if (token.empty()) token = dashboard::dashboard_server::fresh_token();
      auto dashboard = dashboard::dashboard_server::open(
          engine_.tasks(), config_->control.dashboard_listen, std::move(token),
          dashboard::dashboard_hooks{[this] { return dashboard_snapshot(hooks_); },
                                     [this](control::request r) { return answer_control(std::move(r), hooks_); }});
      if (!dashboard) return dashboard.error();
      dashboard_ = std::move(*dashboard);
      engine_.keep_recent_copies();
      spdlog::info(
          "dashboard on http://{}/ (copytraderctl dashboard prints the address with its token; token: {})",
          config_->control.dashboard_listen,
          config_->control.dashboard_token.empty() ? "made for this run" : config_->control.dashboard_token_source);
    }
    return true;
  }

  asio::awaitable<void> run() {
    if (auto interval = systemd_watchdog_interval()) {
      engine_.tasks().spawn("watchdog", watchdog_loop(*interval / 2), task_policy::fatal);
      spdlog::debug("systemd watchdog: pinging every {} ms",
                    std::chrono::duration_cast<std::chrono::milliseconds>(*interval / 2).count());
    }
    spdlog::info("copytraderd started: {}", status_line(*config_, last_reload_));
    notify_.ready(status_line(*config_, last_reload_));
    alerts_.start();
    alerts_.raise(alerts::alert{alerts::alert_kind::daemon_started, "",
                                "started: " + status_line(*config_, last_reload_), "copytraderctl status", 0});
    engine_.tasks().spawn("engine", engine_.run(), task_policy::fatal);
    engine_.tasks().spawn("status", status_loop(), task_policy::fatal);
    if (control_) engine_.tasks().spawn("control socket", control_->run(), task_policy::fatal);
    if (metrics_) engine_.tasks().spawn("metrics listener", metrics_->run(), task_policy::fatal);
    if (dashboard_) engine_.tasks().spawn("dashboard listener", dashboard_->run(), task_policy::fatal);

    for (;;) {
      auto [ec, signal_number] = co_await signals_.async_wait(as_tuple_awaitable);
      if (ec) break;
      if (signal_number == SIGHUP) {
        co_await reload("SIGHUP");
        continue;
      }
      spdlog::info("received {}, stopping", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
      alerts_.raise(alerts::alert{alerts::alert_kind::daemon_stopped, "",
                                  fmt::format("stopped by {}: nothing is copied until it runs again",
                                              signal_number == SIGTERM ? "SIGTERM (systemctl stop)" : "SIGINT"),
                                  "systemctl start copytraderd, if the stop was not meant", 0});
      stop();
      break;
    }
  }

private:
  asio::awaitable<void> watchdog_loop(std::chrono::microseconds period) {
    while (!stopping_) {
      watchdog_timer_.expires_after(period);
      auto [ec] = co_await watchdog_timer_.async_wait(as_tuple_awaitable);
      if (ec || stopping_) break;
      notify_.watchdog();
    }
  }

  // STATUS= kept current: what systemctl status shows.
  asio::awaitable<void> status_loop() {
    std::string shown;
    while (!stopping_) {
      status_timer_.expires_after(std::chrono::seconds(2));
      auto [ec] = co_await status_timer_.async_wait(as_tuple_awaitable);
      if (ec || stopping_) break;
      std::string line = engine_.status_line() + "; " + status_line(*config_, last_reload_);
      if (line != shown) notify_.status(line);
      shown = std::move(line);
    }
  }

  // SIGHUP and copytraderctl reload; one at a time.
  asio::awaitable<reload_record> reload(std::string origin) {
    if (reloading_) {
      reload_record busy;
      busy.attempted = true;
      busy.ok = false;
      busy.when = utc_now();
      busy.message = "a reload is already under way";
      co_return busy;
    }
    reloading_ = true;
    notify_.reloading();
    spdlog::info("{}: reloading {}", origin, options_.config_file.string());

    // Reading the file and the key files touches the disk: do it on the helper thread.
    auto loaded = co_await asio::co_spawn(helper_, load_config_on_helper(options_.config_file), asio::use_awaitable);

    last_reload_.attempted = true;
    last_reload_.when = utc_now();
    config_errors errors = loaded ? reload_conflicts(*config_, *loaded) : loaded.error();
    if (errors.items.empty()) errors = engine_.reload_conflicts(*loaded);
    if (errors.items.empty()) {
      crash_point("reload"); // F6: read and checked, not applied
      config next = std::move(*loaded);
      apply_overrides(next, options_.overrides);
      config_ = std::make_shared<const config>(std::move(next));
      set_log_level(config_->logging.level);
      engine_.apply(*config_);
      alerts_.apply(config_->alerts);
      last_reload_.ok = true;
      last_reload_.message.clear();
      spdlog::info("configuration reloaded: {}", status_line(*config_, last_reload_));
    } else {
      last_reload_.ok = false;
      last_reload_.message = errors.to_string();
      spdlog::error("reload refused, still running on the previous configuration:");
      log_errors(errors);
      alerts_.raise(alerts::alert{alerts::alert_kind::reload_refused, "",
                                  "the reload (" + origin +
                                      ") was refused; still running on the previous "
                                      "configuration:\n" +
                                      last_reload_.message,
                                  "copytraderd --check-config --config " + options_.config_file.string() +
                                      ", fix what it says, then copytraderctl reload",
                                  0});
    }
    notify_.ready(status_line(*config_, last_reload_));
    reloading_ = false;
    co_return last_reload_;
  }

  void stop() {
    stopping_ = true;
    notify_.stopping();
    watchdog_timer_.cancel();
    status_timer_.cancel();
    signals_.cancel();
    engine_.stop();
    alerts_.stop(); // what is queued (the stop's own alert) gets its last attempt within alerts.timeout
    if (control_) control_->stop();
    if (metrics_) metrics_->stop();
    if (dashboard_) dashboard_->stop();
  }

  asio::thread_pool& helper_;
  notifier& notify_;
  const daemon_options& options_;
  std::shared_ptr<const config> config_;
  asio::signal_set signals_;
  asio::steady_timer watchdog_timer_;
  asio::steady_timer status_timer_;
  engine::copy_engine engine_;
  alerts::alert_dispatcher alerts_;
  audit_log* audit_;
  std::string fatal_;
  reload_record last_reload_;
  control_hooks hooks_;
  std::unique_ptr<control::control_server> control_;
  std::unique_ptr<control::metrics_server> metrics_;
  std::unique_ptr<dashboard::dashboard_server> dashboard_;
  bool stopping_ = false;
  bool reloading_ = false;
};

} // namespace

std::string status_line(const config& cfg, const reload_record& last_reload) {
  std::size_t enabled = 0;
  for (const auto& f : cfg.followers) enabled += f.enabled ? 1 : 0;
  std::string line = "leader " + std::to_string(cfg.leader.account) + ", " + std::to_string(cfg.followers.size()) +
                     " follower" + (cfg.followers.size() == 1 ? "" : "s") + " (" + std::to_string(enabled) +
                     " enabled)";
  if (cfg.copy.dry_run) line += ", dry run";
  if (last_reload.attempted) {
    line += last_reload.ok ? ", last reload ok at " + last_reload.when
                           : ", last reload REFUSED at " + last_reload.when + " (see the journal)";
  }
  return line;
}

int run_daemon(const daemon_options& options, notifier& notify) {
  auto loaded = load_config(options.config_file);
  if (!loaded) {
    spdlog::error("cannot start: the configuration is invalid");
    log_errors(loaded.error());
    return exit_config;
  }
  config cfg = std::move(*loaded);
  apply_overrides(cfg, options.overrides);
  setup_logging(cfg.logging, "copytraderd");

  auto lock = instance_lock::acquire(cfg.state.directory);
  if (!lock) {
    spdlog::error("cannot start: {}", lock.error().message);
    return exit_failure;
  }

  asio::io_context io(1);
  asio::thread_pool helper(1);
  auto audit = audit_log::open(cfg.state.directory, helper);
  if (!audit) {
    spdlog::error("cannot start: {}", audit.error().message);
    return exit_failure;
  }
  auto guards = guard_store::open(cfg.state.directory, helper);
  if (!guards) {
    spdlog::error("cannot start: {}", guards.error().message);
    audit->reset();
    helper.join();
    return exit_failure;
  }
  std::unique_ptr<daemon_service> service;
  try {
    service =
        std::make_unique<daemon_service>(io, helper, notify, options, std::move(cfg), audit->get(), guards->get());
  } catch (const std::exception& e) {
    spdlog::error("cannot start: {}", e.what());
    return exit_failure;
  }
  if (auto opened = service->open_endpoints(); !opened) {
    spdlog::error("cannot start: {}", opened.error().message);
    service.reset();
    guards->reset();
    audit->reset();
    helper.join();
    return exit_failure;
  }

  bool finished = false;
  std::exception_ptr failure;
  asio::co_spawn(io, service->run(), [&](std::exception_ptr e) {
    finished = true;
    failure = std::move(e);
  });
  while (!finished && io.run_one() > 0) {
  }
  // Cancelled work gets a bounded time to wind down; then the loop is abandoned.
  const auto deadline = std::chrono::steady_clock::now() + options.shutdown_grace;
  while (!io.stopped() && io.run_one_until(deadline) > 0) {
  }
  const std::string fatal = service->fatal_failure();
  service.reset();
  guards->reset(); // writes what is queued, on the helper thread, before it is joined
  audit->reset();
  helper.join();

  if (!fatal.empty()) {
    spdlog::critical(
        "copytraderd stopped by a failure it cannot recover from ({}); exiting non-zero so that "
        "systemd restarts it",
        fatal);
    return exit_failure;
  }
  if (failure) {
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      spdlog::critical("stopped by an unexpected error: {}", e.what());
    }
    return exit_failure;
  }
  spdlog::info("copytraderd stopped");
  return exit_ok;
}

} // namespace copytrader
