// `make demo`: what the demo reads and prints: positions and legs from the simulator's ledger, the
// daemon's lines, the alerts at the local webhook, the account guard's act, and the summary's checks.

#include "demo/demo.hpp"
#include "support/control_call.hpp"

#include <fmt/format.h>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <map>
#include <set>
#include <thread>

namespace copytrader::demo {

int demo_driver::position(std::int64_t account, std::string_view contract) const {
  const auto ledger = control("GET", "/ledger?account=" + std::to_string(account));
  for (const auto& p : ledger.at("positions").as_array()) {
    if (p.at("contractId").as_string() != contract) continue;
    const int size = p.at("size").to_number<int>();
    return p.at("type").to_number<int>() == 1 ? size : -size;
  }
  return 0;
}

std::vector<json::object> demo_driver::working(std::int64_t account) const {
  std::vector<json::object> out;
  const auto ledger = control("GET", "/ledger?account=" + std::to_string(account));
  for (const auto& o : ledger.at("orders").as_array()) {
    if (o.at("status").to_number<int>() == 1 && o.at("type").to_number<int>() != 2) out.push_back(o.as_object());
  }
  return out;
}

std::optional<std::int64_t> demo_driver::leader_stop() const {
  for (const auto& o : working(1001)) {
    if (o.at("type").to_number<int>() == 4) return o.at("id").to_number<std::int64_t>();
  }
  return std::nullopt;
}

bool demo_driver::wait_for_targets(int leader, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    bool all = true;
    for (const auto& f : followers) all = all && position(f.account, f.contract) == target_of(leader, f.ratio);
    if (all) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

void demo_driver::show_daemon_lines() {
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

int demo_driver::show_alerts(std::string_view kind) {
  const auto received = alerts_.requests();
  int matching = 0;
  for (; alerts_shown_ < received.size(); ++alerts_shown_) {
    const auto body = json::parse(received[alerts_shown_].body).as_object();
    const std::string follower(body.at("follower").as_string());
    std::cout << fmt::format("      ! alert at the local webhook: [{}] {}{}: {}\n",
                             std::string(body.at("severity").as_string()), std::string(body.at("title").as_string()),
                             follower.empty() ? "" : " (" + follower + ")", std::string(body.at("text").as_string()));
    if (body.at("kind").as_string() == kind) ++matching;
  }
  return matching;
}

void demo_driver::cancel_leader_leftovers() {
  for (const auto& leg : working(1001))
    act(fmt::format(R"({{"account":1001,"op":"cancel","order_id":{}}})", leg.at("id").to_number<std::int64_t>()));
}

namespace {
constexpr long dragged_stop_ticks = -12;
} // namespace

void demo_driver::show_legs() {
  ++legs_checked_;
  std::string line;
  bool placed = false;
  // The followers' moves follow the leader's modify event: give them a moment.
  for (const auto deadline = std::chrono::steady_clock::now() + 3s; !placed;) {
    const auto leader = distances_of(control("GET", "/ledger?account=1001"), mes, tick);
    line = "leader " + to_string(leader);
    // The drag moved the current position's stop: 16 ticks under the fill, 4 up.
    placed = leader.stop == dragged_stop_ticks;
    for (const auto& f : followers) {
      const auto have = distances_of(control("GET", "/ledger?account=" + std::to_string(f.account)), f.contract, tick);
      const bool here = have == f.fixed.value_or(leader);
      line += fmt::format(" | {} {}{}", f.name, to_string(have), here ? "" : "(!)");
      placed = placed && here;
    }
    if (placed || std::chrono::steady_clock::now() >= deadline) break;
    std::this_thread::sleep_for(100ms);
  }
  std::cout << "      legs: " << line << (placed ? "  (mirrored; es at its fixed 12/20)" : "   LEGS OUT OF PLACE")
            << "\n";
  if (!placed) ++legs_out_of_place_;
}

bool demo_driver::wait_for_position(std::int64_t account, int wanted, std::chrono::milliseconds limit) const {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (position(account, mes) == wanted) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// copytraderctl next to copytraderd, on the demo's control socket: what the operator would type.
std::string demo_driver::ctl(const std::string& args) const {
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

bool demo_driver::guard_act() {
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
  alerts_.wait_for(alerts_shown_ + 1, 5s);
  ok = show_alerts("guard_action") >= 1 && ok; // the trader hears of it at once
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

summary demo_driver::summarize() const {
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
    if (e.at("kind").as_string() == "hub") {
      // Trade ids are unique: the leader's fills name the copies. Every frame of a fill carries its
      // trade id, and the first one written is when the fill became visible.
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

} // namespace copytrader::demo
