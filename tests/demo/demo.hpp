#pragma once
// `make demo`'s driver: projectx-sim and copytraderd as real processes with etc/copytrader.demo.yaml. The
// leader is driven through bracketed entries, stop drags, scale-ins, partial exits, reversals and
// flats; each step waits for every follower to reach its target and prints it, with the daemon's own
// copy lines. The summary reads the copy latency from the simulator's monotonic timestamps (the
// leader's trade frame written -> the follower's Order/place received) and exits 0 only if every
// follower ends at its target, with no leftover legs and no tag accepted twice. After each stop drag
// it also checks every follower's legs against the leader's distances (mirror) or its fixed ticks,
// and it shows the daemon's alerts arriving at a local webhook. Before each step the leader waits
// while a follower login is near its request budget (demo_pace.hpp), as no real trader outruns it.

#include "demo/demo_legs.hpp"
#include "demo/demo_pace.hpp"
#include "support/alert_receiver.hpp"
#include "support/control_call.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cmath>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace copytrader::demo {
namespace json = boost::json;
using namespace copytrader::testing;
using namespace std::chrono_literals;

inline constexpr std::string_view mes = "CON.F.US.MES.U26";
inline constexpr std::string_view es = "CON.F.US.EP.U26";
inline constexpr unsigned short gateway_port = 28443;
inline constexpr unsigned short default_dashboard_port = 28470; // DEMO_DASHBOARD_PORT chooses another

inline constexpr double tick = 0.25; // MES and ES alike

struct follower_spec {
  std::string name;
  std::int64_t account;
  double ratio;
  std::string_view contract;
  std::optional<leg_distances> fixed; // bracket: fixed, long; mirror otherwise
};

inline const std::vector<follower_spec> followers{{"full", 2001, 1.0, mes, std::nullopt},
                                                  {"half", 2002, 0.5, mes, std::nullopt},
                                                  {"es", 2003, 0.2, es, leg_distances{-12, 20}}};

// design.md section 3, written out again here so the demo checks the daemon rather than itself.
inline int target_of(int leader, double ratio) {
  if (leader == 0) return 0;
  const int size = std::max(1, static_cast<int>(std::floor(std::abs(leader) * ratio + 1e-9)));
  return leader > 0 ? size : -size;
}

struct summary {
  std::size_t copies = 0;
  std::size_t failures = 0;
  std::vector<double> latency_us;
  bool in_sync = true;
  std::string problems;
};

class demo_driver {
public:
  demo_driver(std::string sim_path, std::string daemon_path, std::filesystem::path config)
      : sim_path_(std::move(sim_path)), daemon_path_(std::move(daemon_path)), config_(std::move(config)) {}

  int run(int trades);

private:
  json::value control(std::string_view method, const std::string& target, const std::string& body = {}) const {
    auto r = control_call(control_port_, method, target, body);
    if (r.status != 200)
      throw std::runtime_error(target + " " + body + " -> " + std::to_string(r.status) + " " + r.body);
    return r.json();
  }
  json::value act(const std::string& body) const { return control("POST", "/act", body); }
  int position(std::int64_t account, std::string_view contract) const;
  std::vector<json::object> working(std::int64_t account) const;
  bool wait_for_targets(int leader, std::chrono::milliseconds limit);
  void show_daemon_lines();
  void start();
  // Before a step: the leader waits while a follower login is near its request budget (demo_pace.hpp).
  void pace_for_budget();
  static unsigned short dashboard_port();
  static void wait_for_interrupt(); // DEMO_KEEP: until Ctrl-C or SIGTERM
  void step(int n, const std::string& what, const std::function<void()>& action, bool check_legs = false);
  // After a drag: each follower's legs where the leader's distances (or its fixed ticks) put them.
  void show_legs();
  // The leader's legs left working after its close (the venue leaves them), cancelled as a careful bot does.
  void cancel_leader_leftovers();
  // Alerts the local webhook received since the last call, printed; how many of `kind` among them.
  int show_alerts(std::string_view kind = {});
  std::optional<std::int64_t> leader_stop() const;
  summary summarize() const;
  // The account guard: the guarded follower locked by a daily loss, then unlocked by the operator.
  bool guard_act();
  bool wait_for_position(std::int64_t account, int wanted, std::chrono::milliseconds limit) const;
  std::string ctl(const std::string& args) const;

  std::string sim_path_;
  std::string daemon_path_;
  std::filesystem::path config_;
  temp_dir dir_;
  std::unique_ptr<child_process> sim_;
  std::unique_ptr<child_process> daemon_;
  unsigned short control_port_ = 0;
  std::string dashboard_token_;
  std::size_t shown_bytes_ = 0;
  rate_limit_config budget_;                              // the demo configuration's safety.rate_limit
  std::map<std::string, std::size_t> followers_of_login_; // from the demo configuration
  std::map<std::string, std::deque<std::int64_t>> sends_; // each follower login's requests, oldest first
  std::size_t log_read_ = 0;                              // the simulator's /log read up to here
  int out_of_sync_steps_ = 0;
  int legs_out_of_place_ = 0;
  int legs_checked_ = 0;
  double price_ = 6500.0;
  copytrader::testing::alert_receiver alerts_; // the trader's webhook, on loopback
  std::size_t alerts_shown_ = 0;
};

} // namespace copytrader::demo
