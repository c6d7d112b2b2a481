// `make demo`: projectx-sim and copytraderd as real processes with etc/copytrader.demo.yaml. The
// leader is driven through bracketed entries, stop drags, scale-ins, partial exits, reversals and
// flats; each step waits for every follower to reach its target and prints it, with the daemon's own
// copy lines. The summary reads the copy latency from the simulator's monotonic timestamps (the
// leader's trade frame written -> the follower's Order/place received) and exits 0 only if every
// follower ends at its target, with no leftover legs and no tag accepted twice.

#include "support/percentile.hpp"
#include "support/process.hpp"
#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <thread>

namespace json = boost::json;
using namespace copytrader::testing;
using namespace std::chrono_literals;

namespace {

constexpr std::string_view mes = "CON.F.US.MES.U26";
constexpr std::string_view es = "CON.F.US.EP.U26";
constexpr unsigned short gateway_port = 28443;

struct follower_spec {
  std::string name;
  std::int64_t account;
  double ratio;
  std::string_view contract;
};

const std::vector<follower_spec> followers{{"full", 2001, 1.0, mes}, {"half", 2002, 0.5, mes}, {"es", 2003, 0.2, es}};

// design.md section 3, written out again here so the demo checks the daemon rather than itself.
int target_of(int leader, double ratio) {
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

class demo {
public:
  demo(std::string sim_path, std::string daemon_path, std::filesystem::path config)
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
  void step(int n, const std::string& what, const std::function<void()>& action);
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
  std::size_t shown_bytes_ = 0;
  int out_of_sync_steps_ = 0;
  double price_ = 6500.0;
};

int demo::position(std::int64_t account, std::string_view contract) const {
  const auto ledger = control("GET", "/ledger?account=" + std::to_string(account));
  for (const auto& p : ledger.at("positions").as_array()) {
    if (p.at("contractId").as_string() != contract) continue;
    const int size = p.at("size").to_number<int>();
    return p.at("type").to_number<int>() == 1 ? size : -size;
  }
  return 0;
}

std::vector<json::object> demo::working(std::int64_t account) const {
  std::vector<json::object> out;
  const auto ledger = control("GET", "/ledger?account=" + std::to_string(account));
  for (const auto& o : ledger.at("orders").as_array()) {
    if (o.at("status").to_number<int>() == 1 && o.at("type").to_number<int>() != 2) out.push_back(o.as_object());
  }
  return out;
}

std::optional<std::int64_t> demo::leader_stop() const {
  for (const auto& o : working(1001)) {
    if (o.at("type").to_number<int>() == 4) return o.at("id").to_number<std::int64_t>();
  }
  return std::nullopt;
}

bool demo::wait_for_targets(int leader, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    bool all = true;
    for (const auto& f : followers) all = all && position(f.account, f.contract) == target_of(leader, f.ratio);
    if (all) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

void demo::show_daemon_lines() {
  const std::string text = read_file(dir_.path() / "copytraderd.log");
  std::size_t start = shown_bytes_;
  while (true) {
    const auto end = text.find('\n', start);
    if (end == std::string::npos) break;
    const std::string line = text.substr(start, end - start);
    if (line.find("follower ") != std::string::npos || line.find(" error ") != std::string::npos ||
        line.find(" warn ") != std::string::npos) {
      std::cout << "      | " << line.substr(std::min<std::size_t>(line.size(), 25)) << "\n";
    }
    start = end + 1;
  }
  shown_bytes_ = start;
}

void demo::start() {
  dir_.write("world.json", R"({"users":[{"username":"leader_user","api_key":"demo-leader-key"},
    {"username":"follower_user","api_key":"demo-follower-key"}],
   "accounts":[{"id":1001,"username":"leader_user","name":"LEADER-1001"},
    {"id":2001,"username":"follower_user","name":"FULL-2001"},
    {"id":2002,"username":"follower_user","name":"HALF-2002"},
    {"id":2003,"username":"follower_user","name":"ES-2003"},
    {"id":2004,"username":"follower_user","name":"GUARDED-2004"}]})");
  dir_.write("leader.key", "demo-leader-key\n", 0600);
  dir_.write("follower.key", "demo-follower-key\n", 0600);
  dir_.write("copytrader.yaml", read_file(config_), 0600);
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

  daemon_ = std::make_unique<child_process>(
      daemon_path_, std::vector<std::string>{"--config", (dir_.path() / "copytrader.yaml").string()},
      std::map<std::string, std::string>{}, dir_.path() / "copytraderd.log");
  if (!wait_for_text(dir_.path() / "copytraderd.log", "copying: copying", 30s))
    throw std::runtime_error("copytraderd did not start copying:\n" + read_file(dir_.path() / "copytraderd.log"));
  std::this_thread::sleep_for(300ms); // the follower hub's subscriptions
  std::cout << "projectx-sim on 127.0.0.1:" << gateway_port << ", copytraderd copying (files in "
            << dir_.path().string() << ")\n\n";
  show_daemon_lines();
}

void demo::step(int n, const std::string& what, const std::function<void()>& action) {
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
}

int demo::run(int trades) {
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
         }},
    };
    for (const auto& [what, action] : script) {
      if (n >= trades) break;
      step(++n, what, action);
    }
  }
  if (position(1001, mes) != 0)
    step(++n, "flat (end of the demo)",
         [&] { act(fmt::format(R"({{"account":1001,"op":"close","contract_id":"{}"}})", mes)); });
  std::this_thread::sleep_for(1s);
  show_daemon_lines();
  const bool guard_ok = guard_act();
  const summary result = summarize();
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
                           guard_ok ? "locked on its daily loss limit, flattened, unlocked by the operator"
                                    : "DID NOT lock and unlock as expected");
  const bool ok = result.in_sync && out_of_sync_steps_ == 0 && guard_ok && code && *code == 0;
  std::cout << (ok ? "IN SYNC: every follower matched its target after every step; no leftover legs, no tag twice\n"
                   : "NOT IN SYNC:" + result.problems +
                         (out_of_sync_steps_ > 0 ? " steps out of sync: " + std::to_string(out_of_sync_steps_)
                                                 : std::string()) +
                         "\n");
  return ok ? 0 : 1;
}

bool demo::wait_for_position(std::int64_t account, int wanted, std::chrono::milliseconds limit) const {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (position(account, mes) == wanted) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// copytraderctl next to copytraderd, on the demo's control socket: what the operator would type.
std::string demo::ctl(const std::string& args) const {
  const auto ctl_path = std::filesystem::path(daemon_path_).parent_path() / "copytraderctl";
  const std::string command = fmt::format("env COPYTRADER_SOCKET={} {} {} 2>&1 </dev/null",
                                          (dir_.path() / "control.sock").string(), ctl_path.string(), args);
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char chunk[4096];
    std::size_t n = 0;
    while ((n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0) out.append(chunk, n);
    ::pclose(pipe);
  }
  return out;
}

bool demo::guard_act() {
  constexpr std::int64_t guarded = 2004;
  auto print = [](const std::string& what, const std::string& text) {
    std::cout << what << "\n";
    std::size_t at = 0;
    for (auto end = text.find('\n'); end != std::string::npos; at = end + 1, end = text.find('\n', at))
      std::cout << "      $ " << text.substr(at, end - at) << "\n";
  };
  std::cout << "\n== the account guard: follower guarded has a 150 USD daily loss limit ==\n";
  act(fmt::format(
      R"({{"account":1001,"op":"place","contract_id":"{}","side":0,"size":2,"type":2,"sl_ticks":-16,"tp_ticks":24}})",
      mes));
  bool ok = wait_for_position(guarded, 2, 10s);
  std::this_thread::sleep_for(500ms);
  print("leader buys 2; guarded copies 2. copytraderctl risk guarded:", ctl("risk guarded"));
  // The trader lost 200 elsewhere on this account today: the day's loss at the stops passes 150.
  const double balance = control("GET", "/ledger?account=2004").at("balance").to_number<double>();
  control("POST", "/account", fmt::format(R"({{"account":{},"balance":{}}})", guarded, balance - 200));
  ok = wait_for_position(guarded, 0, 10s) && ok;
  std::this_thread::sleep_for(300ms);
  show_daemon_lines();
  const std::string locked = ctl("risk guarded");
  print("a 200 USD loss elsewhere: guarded is flattened and locked until the next trading day:", locked);
  ok = ok && locked.find("locked (G2 daily loss)") != std::string::npos;
  control("POST", "/account", fmt::format(R"({{"account":{},"balance":{}}})", guarded, balance));
  std::this_thread::sleep_for(300ms);
  const std::string unlocked = ctl("unlock guarded");
  print("the operator made it whole and unlocks it (copytraderctl unlock guarded):", unlocked);
  ok = ok && unlocked.find("guard active") != std::string::npos;
  act(fmt::format(R"({{"account":1001,"op":"close","contract_id":"{}"}})", mes));
  ok = wait_for_position(guarded, 0, 10s) && ok;
  std::this_thread::sleep_for(500ms);
  show_daemon_lines();
  return ok;
}

summary demo::summarize() const {
  summary out;
  const auto log = control("GET", "/log");
  std::map<std::int64_t, std::int64_t> trade_frame_ns;
  std::map<std::int64_t, std::set<std::string>> tags;
  for (const auto& v : log.at("entries").as_array()) {
    const auto& e = v.as_object();
    const auto* account = e.if_contains("account");
    const std::int64_t who = account != nullptr ? account->to_number<std::int64_t>() : 0;
    const std::string what(e.at("what").as_string());
    const auto t_ns = e.at("t_ns").to_number<std::int64_t>();
    if (e.at("kind").as_string() == "hub" &&
        what == "GatewayUserTrade") { // trade ids are unique: the leader's fills name the copies
      const auto* id = e.if_contains("trade_id");
      if (id != nullptr) trade_frame_ns.try_emplace(id->to_number<std::int64_t>(), t_ns);
    } else if (e.at("kind").as_string() == "rest" && who >= 2001 && who <= 2003 &&
               (what == "/api/Order/place" || what == "/api/Position/closeContract")) {
      ++out.copies;
      const auto* tag = e.if_contains("tag");
      if (tag == nullptr || !tag->is_string()) continue;
      const std::string text(tag->as_string());
      // ct-<leader trade id>-<account>: the copy of that leader fill.
      if (text.rfind("ct-", 0) != 0) continue;
      const auto dash = text.find('-', 3);
      const std::string event = text.substr(3, dash - 3);
      if (event.empty() || !std::isdigit(static_cast<unsigned char>(event[0]))) continue;
      auto frame = trade_frame_ns.find(std::stoll(event));
      if (frame != trade_frame_ns.end()) out.latency_us.push_back(static_cast<double>(t_ns - frame->second) / 1000.0);
    }
  }
  const std::string daemon_log = read_file(dir_.path() / "copytraderd.log");
  // The guard's lock is the demo's own act, not a failure.
  for (std::size_t at = daemon_log.find(" error "); at != std::string::npos; at = daemon_log.find(" error ", at + 1)) {
    const auto end = daemon_log.find('\n', at);
    if (daemon_log.substr(at, end - at).find("account guard") == std::string::npos) ++out.failures;
  }
  // Every copy line carries its journald fields (journalctl -u copytraderd FOLLOWER=full works).
  for (std::size_t at = daemon_log.find(" us after the leader's event"); at != std::string::npos;
       at = daemon_log.find(" us after the leader's event", at + 1)) {
    const std::string line = daemon_log.substr(at, daemon_log.find('\n', at) - at);
    if (line.find(" FOLLOWER=") == std::string::npos || line.find(" TAG=") == std::string::npos ||
        line.find(" LEADER_TRADE_ID=") == std::string::npos || line.find(" LATENCY_US=") == std::string::npos) {
      out.in_sync = false;
      out.problems += " a copy line without its FOLLOWER/TAG/LEADER_TRADE_ID/LATENCY_US fields;";
      break;
    }
  }
  for (const auto& f : followers) {
    const int have = position(f.account, f.contract);
    if (have != 0) {
      out.in_sync = false;
      out.problems += fmt::format(" {} holds {} after the leader went flat;", f.name, have);
    }
    const auto legs = working(f.account);
    if (!legs.empty()) {
      out.in_sync = false;
      out.problems += fmt::format(" {} has {} leftover working orders;", f.name, legs.size());
    }
    std::map<std::string, int> seen;
    const auto ledger = control("GET", "/ledger?account=" + std::to_string(f.account));
    for (const auto& o : ledger.at("orders").as_array()) {
      const auto* tag = o.as_object().if_contains("customTag");
      if (tag == nullptr || !tag->is_string() || o.at("status").to_number<int>() == 5) continue;
      if (++seen[std::string(tag->as_string())] == 2) {
        out.in_sync = false;
        out.problems += fmt::format(" {} accepted tag {} twice;", f.name, std::string(tag->as_string()));
      }
    }
  }
  return out;
}

} // namespace

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
    demo d(sim_path, daemon_path, std::filesystem::absolute(config));
    return d.run(trades);
  } catch (const std::exception& e) {
    std::cerr << "demo failed: " << e.what() << "\n";
    return 1;
  }
}
