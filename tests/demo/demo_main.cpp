// `make demo`: the leader's script, step by step, and the summary (demo.hpp says what it shows).

#include "config/config_loader.hpp"
#include "demo/demo.hpp"
#include "support/control_call.hpp"
#include "support/percentile.hpp"

#include <fmt/format.h>
#include <boost/json/parse.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <random>
#include <thread>

namespace copytrader::demo {

void demo_driver::start() {
  dir_.write("world.json", R"({"users":[{"username":"leader_user","api_key":"demo-leader-key"},
    {"username":"follower_user","api_key":"demo-follower-key"},
    {"username":"firm2_user","api_key":"demo-firm2-key"}],
   "accounts":[{"id":1001,"username":"leader_user","name":"LEADER-1001"},
    {"id":2001,"username":"follower_user","name":"FULL-2001"},
    {"id":2002,"username":"follower_user","name":"HALF-2002"},
    {"id":2003,"username":"firm2_user","name":"ES-2003"},
    {"id":2004,"username":"firm2_user","name":"GUARDED-2004"}]})");
  dir_.write("leader.key", "demo-leader-key\n", 0600);
  dir_.write("follower.key", "demo-follower-key\n", 0600);
  dir_.write("firm2.key", "demo-firm2-key\n", 0600);
  // The daemon's alerts go to the demo's own webhook receiver (docs/operations.md, "Alerts").
  dir_.write("alert-webhook.url", alerts_.url("/copytrader-demo") + "\n", 0600);
  // The dashboard (docs/operations.md, "Dashboard"), with a token made for this run.
  std::random_device random;
  for (int i = 0; i < 4; ++i) dashboard_token_ += fmt::format("{:08x}", random());
  dir_.write("dashboard.token", dashboard_token_ + "\n", 0600);
  std::string base = read_file(config_);
  const std::string socket_line = "  socket: control.sock\n";
  if (const auto at = base.find(socket_line); at != std::string::npos)
    base.insert(at + socket_line.size(), fmt::format("  dashboard_listen: 127.0.0.1:{}\n  dashboard_token_file: "
                                                     "dashboard.token\n",
                                                     dashboard_port()));
  dir_.write("copytrader.yaml",
             base +
                 "alerts:\n  targets:\n    - name: demo-webhook\n      format: webhook\n      url_file: "
                 "alert-webhook.url\n",
             0600);
  std::filesystem::create_directories(dir_.path() / "state");

  const auto ports = dir_.path() / "ports.json";
  sim_ = std::make_unique<child_process>(
      sim_path_,
      std::vector<std::string>{"--world", (dir_.path() / "world.json").string(), "--ca-out",
                               (dir_.path() / "sim-ca.pem").string(), "--ports-out", ports.string(), "--port",
                               std::to_string(gateway_port)},
      std::map<std::string, std::string>{}, dir_.path() / "projectx-sim.log");
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (!std::filesystem::exists(ports)) {
    if (std::chrono::steady_clock::now() > deadline || !sim_->running())
      throw std::runtime_error("projectx-sim did not start: " + read_file(dir_.path() / "projectx-sim.log"));
    std::this_thread::sleep_for(10ms);
  }
  control_port_ = static_cast<unsigned short>(json::parse(read_file(ports)).at("control_port").as_int64());
  dir_.write("sim-ca.pem", read_file(dir_.path() / "sim-ca.pem") + alerts_.ca_pem(), 0644); // trust both

  auto loaded = load_config(dir_.path() / "copytrader.yaml");
  if (!loaded) throw std::runtime_error("the demo configuration does not load: " + loaded.error().to_string());
  budget_ = loaded->safety.rate_limit;
  for (const auto& f : loaded->followers) ++followers_of_login_[f.login.username];
  daemon_ = std::make_unique<child_process>(
      daemon_path_, std::vector<std::string>{"--config", (dir_.path() / "copytrader.yaml").string()},
      std::map<std::string, std::string>{}, dir_.path() / "copytraderd.log");
  if (!wait_for_text(dir_.path() / "copytraderd.log", "copying: copying", 30s))
    throw std::runtime_error("copytraderd did not start copying:\n" + read_file(dir_.path() / "copytraderd.log"));
  std::this_thread::sleep_for(300ms); // the follower hub's subscriptions
  std::cout << "projectx-sim on 127.0.0.1:" << gateway_port << ", copytraderd copying (files in "
            << dir_.path().string() << ")\n";
  std::cout << fmt::format(
      "dashboard: http://127.0.0.1:{}/#token={} (open it to watch; DEMO_KEEP=1 keeps it after the "
      "summary)\n\n",
      dashboard_port(), dashboard_token_);
  show_daemon_lines();
  alerts_.wait_for(1, 5s);
  show_alerts();
}

void demo_driver::pace_for_budget() {
  const auto log = control("GET", "/log?since=" + std::to_string(log_read_));
  log_read_ = static_cast<std::size_t>(log.at("next").to_number<std::uint64_t>());
  for (const auto& entry : log.at("entries").as_array()) {
    const auto& e = entry.as_object();
    const auto* user = e.if_contains("username");
    if (e.at("kind") != "rest" || user == nullptr) continue;
    const std::string login(user->as_string());
    if (followers_of_login_.contains(login)) sends_[login].push_back(e.at("t_ns").to_number<std::int64_t>());
  }
  const auto now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          std::chrono::steady_clock::now().time_since_epoch()) // CLOCK_MONOTONIC, as the log's
                          .count();
  for (auto& [login, sends] : sends_) {
    const auto pause = budget_pause(sends, now_ns, followers_of_login_.at(login), budget_);
    if (pause <= 0ns) continue;
    if (pause >= 100ms)
      std::cout << fmt::format(
                       "      (the leader waits {:.1f} s: login {} sent {} requests in the last {} s, and "
                       "copytraderd keeps it within {} and holds entries near the end; nobody trades "
                       "this fast)\n",
                       std::chrono::duration<double>(pause).count(), login, sends.size(),
                       std::chrono::duration_cast<std::chrono::seconds>(budget_.window).count(), budget_.max_requests)
                << std::flush;
    std::this_thread::sleep_for(pause);
  }
}

void demo_driver::step(int n, const std::string& what, const std::function<void()>& action, bool check_legs) {
  pace_for_budget();
  action();
  const int leader = position(1001, mes);
  const bool ok = wait_for_targets(leader, 10s);
  std::this_thread::sleep_for(350ms); // legs resized or moved after the fill
  std::string line = fmt::format("#{:<3} {:<34} leader {:+d} MES |", n, what, leader);
  for (const auto& f : followers) {
    const int have = position(f.account, f.contract);
    line += fmt::format(" {} {:+d} {}{}", f.name, have, f.contract == es ? "ES" : "MES",
                        have == target_of(leader, f.ratio) ? "" : "(!)");
  }
  std::cout << line << (ok ? "" : "   OUT OF SYNC") << "\n";
  if (!ok) ++out_of_sync_steps_;
  show_daemon_lines();
  if (check_legs) show_legs();
}

int demo_driver::run(int trades) {
  start();
  int n = 0;
  int cycle = 0;
  auto place = [this](int signed_size, bool bracket, const std::string& tag) {
    std::string body = fmt::format(R"({{"account":1001,"op":"place","contract_id":"{}","side":{},"size":{},"type":2)",
                                   mes, signed_size > 0 ? 0 : 1, std::abs(signed_size));
    if (bracket) body += signed_size > 0 ? R"(,"sl_ticks":-16,"tp_ticks":24)" : R"(,"sl_ticks":16,"tp_ticks":-24)";
    body += R"(,"custom_tag":")" + tag + "\"}";
    act(body);
  };
  auto move = [this](double ticks) {
    price_ += ticks * 0.25;
    control("POST", "/price", fmt::format(R"({{"contract_id":"{}","price":{}}})", mes, price_));
  };
  while (n < trades) {
    ++cycle;
    const std::string tag = "demo" + std::to_string(cycle);
    const std::vector<std::pair<std::string, std::function<void()>>> script{
        {"bracketed entry: buy 2", [&] { place(2, true, tag + "-a"); }},
        {"stop dragged up 4 ticks",
         [&] {
           move(2);
           if (auto stop = leader_stop()) {
             const auto order = control("GET", "/ledger?account=1001");
             double at = 0;
             for (const auto& o : order.at("orders").as_array())
               if (o.at("id").to_number<std::int64_t>() == *stop) at = o.at("stopPrice").to_number<double>();
             act(fmt::format(R"({{"account":1001,"op":"modify","order_id":{},"stop_price":{}}})", *stop, at + 1.0));
           }
         }},
        {"scale-in: buy 3 more", [&] { place(3, true, tag + "-b"); }},
        {"partial exit: sell 2",
         [&] {
           move(-1);
           act(fmt::format(R"({{"account":1001,"op":"partial_close","contract_id":"{}","size":2}})", mes));
         }},
        {"reversal: sell 6 (long 3 -> short 3)", [&] { place(-6, false, tag + "-c"); }},
        {"flat",
         [&] {
           move(1);
           act(fmt::format(R"({{"account":1001,"op":"close","contract_id":"{}"}})", mes));
           cancel_leader_leftovers();
         }},
    };
    for (const auto& [what, action] : script) {
      if (n >= trades) break;
      step(++n, what, action, what.starts_with("stop dragged"));
    }
  }
  if (position(1001, mes) != 0)
    step(++n, "flat (end of the demo)", [&] {
      act(fmt::format(R"({{"account":1001,"op":"close","contract_id":"{}"}})", mes));
      cancel_leader_leftovers();
    });
  std::this_thread::sleep_for(1s);
  show_daemon_lines();
  const bool guard_ok = guard_act();
  const summary result = summarize();
  if (std::getenv("DEMO_KEEP") != nullptr) {
    std::cout << fmt::format("\nDEMO_KEEP: the dashboard stays at http://127.0.0.1:{}/#token={} until Ctrl-C\n",
                             dashboard_port(), dashboard_token_)
              << std::flush;
    wait_for_interrupt();
  }
  daemon_->signal(SIGTERM);
  const auto code = daemon_->wait_exit(15s);

  std::cout << "\n== summary ==\n";
  std::cout << fmt::format("leader trades driven     {}\n", n);
  std::cout << fmt::format("follower orders          {} (entries, exits and closes; legs not counted)\n",
                           result.copies);
  std::cout << fmt::format("failures logged          {}\n", result.failures);
  std::cout << fmt::format("copy latency             p50 {:.0f} us, p99 {:.0f} us, max {:.0f} us over {} copies\n",
                           percentile(result.latency_us, 0.50), percentile(result.latency_us, 0.99),
                           percentile(result.latency_us, 1.0), result.latency_us.size());
  std::cout << "                         (the leader's trade frame written -> the follower's Order/place received,\n"
               "                          both read from projectx-sim's monotonic clock)\n";
  std::cout << fmt::format("daemon exit              {}\n", code ? std::to_string(*code) : "did not stop");
  std::cout << fmt::format("account guard            {}\n",
                           guard_ok ? "locked on its daily loss limit, flattened, unlocked by the operator, "
                                      "and the trader alerted"
                                    : "DID NOT lock, alert and unlock as expected");
  std::cout << fmt::format("legs after each drag     {} of {} checks where the leader's distances put them\n",
                           legs_checked_ - legs_out_of_place_, legs_checked_);
  alerts_.wait_for(alerts_shown_ + 1, 5s); // the stop's own alert
  show_alerts();
  std::cout << fmt::format("alerts                   {} received at the local webhook (start, guard, stop)\n",
                           alerts_.requests().size());
  const bool ok =
      result.in_sync && out_of_sync_steps_ == 0 && legs_out_of_place_ == 0 && guard_ok && code && *code == 0;
  std::cout << (ok ? "IN SYNC: every follower matched its target after every step and the leader's legs after every "
                     "drag; no leftover legs, no tag twice\n"
                   : "NOT IN SYNC:" + result.problems +
                         (out_of_sync_steps_ > 0 ? " steps out of sync: " + std::to_string(out_of_sync_steps_)
                                                 : std::string()) +
                         (legs_out_of_place_ > 0
                              ? " drags with legs out of place: " + std::to_string(legs_out_of_place_)
                              : std::string()) +
                         "\n");
  return ok ? 0 : 1;
}

unsigned short demo_driver::dashboard_port() {
  const char* chosen = std::getenv("DEMO_DASHBOARD_PORT");
  return chosen != nullptr ? static_cast<unsigned short>(std::atoi(chosen)) : default_dashboard_port;
}

namespace {
volatile std::sig_atomic_t interrupted = 0;
void on_interrupt(int) { interrupted = 1; }
} // namespace

void demo_driver::wait_for_interrupt() {
  std::signal(SIGINT, on_interrupt);
  std::signal(SIGTERM, on_interrupt);
  while (interrupted == 0) std::this_thread::sleep_for(200ms);
}

} // namespace copytrader::demo

int main(int argc, char** argv) {
  std::string sim_path;
  std::string daemon_path;
  std::filesystem::path config = "etc/copytrader.demo.yaml";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--sim")
      sim_path = argv[i + 1];
    else if (flag == "--daemon")
      daemon_path = argv[i + 1];
    else if (flag == "--config")
      config = argv[i + 1];
  }
  if (sim_path.empty() || daemon_path.empty()) {
    std::cerr << "usage: copytrader-demo --sim PATH --daemon PATH [--config etc/copytrader.demo.yaml]\n";
    return 64;
  }
  int trades = 24;
  if (const char* env = std::getenv("DEMO_TRADES")) trades = std::max(1, std::atoi(env));
  std::signal(SIGPIPE, SIG_IGN);
  try {
    copytrader::demo::demo_driver d(sim_path, daemon_path, std::filesystem::absolute(config));
    return d.run(trades);
  } catch (const std::exception& e) {
    std::cerr << "demo failed: " << e.what() << "\n";
    return 1;
  }
}
