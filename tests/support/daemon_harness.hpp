#pragma once
// copytraderd and projectx-sim as real processes on loopback, and copytraderctl run against them:
// the harness of the ctl tests and of the crash tests. Header-only (test support).

#include "support/process.hpp"
#include "support/raw_client.hpp"

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <functional>
#include <map>
#include <thread>

namespace copytrader::testing {
using namespace std::chrono_literals;
namespace json = boost::json;

inline constexpr auto deadline = std::chrono::seconds(20);
inline constexpr std::string_view mes = "CON.F.US.MES.U26";

inline unsigned short free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t length = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &length);
  ::close(fd);
  return ntohs(a.sin_port);
}

inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds within = deadline) {
  const auto until = std::chrono::steady_clock::now() + within;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return condition();
}

struct ctl_result {
  int code = -1;
  std::string out;
};

struct daemon_setup {
  std::string leader_key = "leader-key";
  std::string follower_key = "follower-key";
  std::string extra_followers; // YAML entries appended to the followers list
  std::string level = "info";
  std::string on_start = "close_only";
  std::map<std::string, std::string> env;               // of the first start
  std::map<std::string, std::string> extra_files;       // written next to the configuration before the start
  std::string api_extra;                                // YAML lines added to the api section
  std::string extra;                                    // top-level YAML sections appended to the file
  std::string control_extra;                            // YAML lines added to the control section
  std::string extra_ca;                                 // PEM trusted besides the simulator's CA (api.ca_file)
  std::vector<std::string> sim_args;                    // projectx-sim options
  std::map<std::string, std::string> sim_env;           // of projectx-sim
  std::function<void(const sim_process&)> before_start; // runs once the simulator is up, before the daemon starts
  bool wait_until_copying = true;                       // false: the constructor only launches the daemon
};

inline std::string sim_world(const daemon_setup& s) {
  return fmt::format(R"({{"users":[{{"username":"leader_user","api_key":"{}"}},
    {{"username":"follower_user","api_key":"{}"}}],
   "accounts":[{{"id":1001,"username":"leader_user"}},{{"id":2001,"username":"follower_user"}},
    {{"id":2002,"username":"follower_user"}},{{"id":2003,"username":"follower_user","position_brackets":true}}]}})",
                     s.leader_key, s.follower_key);
}

// small: contract_id set, so a manual signal needs no contract; big: maps the leader's contract.
inline std::string daemon_config(unsigned short gateway, unsigned short metrics, const daemon_setup& s) {
  return fmt::format(R"(api:
  base_url: https://127.0.0.1:{0}
  user_hub_url: wss://127.0.0.1:{0}/hubs/user
  ca_file: sim-ca.pem
  request_timeout: 2s
{5}leader:
  username: leader_user
  api_key_file: leader.key
  account_id: 1001
followers:
  - name: small
    username: follower_user
    api_key_file: follower.key
    account_id: 2001
    contract_id: CON.F.US.MES.U26
    size_ratio: 0.5
  - name: big
    username: follower_user
    api_key_file: follower.key
    account_id: 2002
    bracket: fixed
    sl_ticks: 12
    tp_ticks: 20
{2}copy:
  reconcile_interval: 2s
  on_start: {4}
safety:
  circuit_breaker: {{max_orders: 20, window: 1s}}
state:
  directory: state
control:
  socket: control.sock
  metrics_listen: 127.0.0.1:{1}
{7}logging:
  sink: stderr
  level: {3}
{6})",
                     gateway, metrics, s.extra_followers, s.level, s.on_start, s.api_extra, s.extra, s.control_extra);
}

// Runs a shell command; its exit code and what it printed (stdout and stderr, as the command routes them).
inline ctl_result run_command(const std::string& command) {
  ctl_result r;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char chunk[4096];
  std::size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0) r.out.append(chunk, n);
  const int status = ::pclose(pipe);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

struct running_daemon {
  daemon_setup setup;
  sim_process sim;
  temp_dir dir;
  unsigned short metrics_port = free_port();
  std::filesystem::path socket = dir.path() / "control.sock";
  std::filesystem::path log = dir.path() / "copytraderd.log";
  std::unique_ptr<child_process> daemon;

  explicit running_daemon(daemon_setup s = {})
      : setup(std::move(s)), sim(setup.sim_args, sim_world(setup), setup.sim_env) {
    dir.write("sim-ca.pem", sim.ca_pem + setup.extra_ca, 0644);
    dir.write("leader.key", setup.leader_key + "\n");
    dir.write("follower.key", setup.follower_key + "\n");
    for (const auto& [name, text] : setup.extra_files) dir.write(name, text);
    dir.write("copytrader.yaml", daemon_config(sim.port, metrics_port, setup));
    std::filesystem::create_directories(dir.path() / "state");
    if (setup.before_start) setup.before_start(sim);
    if (setup.wait_until_copying)
      start(setup.env);
    else
      launch(setup.env);
  }

  // Starts copytraderd (again, after a crash: same configuration and state); its output is appended to `log`.
  void launch(const std::map<std::string, std::string>& env = {}) {
    daemon = std::make_unique<child_process>(
        COPYTRADERD_PATH, std::vector<std::string>{"--config", (dir.path() / "copytrader.yaml").string()}, env, log);
  }

  // launch(), then waits until it copies.
  void start(const std::map<std::string, std::string>& env = {}) {
    const std::size_t from = std::filesystem::exists(log) ? read_file(log).size() : 0;
    launch(env);
    const bool copying = eventually([&] { return read_file(log).find("copying: copying", from) != std::string::npos; });
    if (!copying) FAIL("copytraderd did not start copying:\n" << read_file(log));
    // Followers are subscribed after their preflight: wait until both answer in status.
    REQUIRE(eventually([&] { return ctl("status").out.find("big") != std::string::npos; }));
  }

  ~running_daemon() {
    if (daemon) {
      daemon->signal(SIGTERM);
      daemon->wait_exit(deadline);
    }
  }

  // copytraderctl with the arguments (shell words), optionally behind a prefix such as setpriv.
  ctl_result ctl(const std::string& args, const std::string& prefix = "", const std::string& socket_path = "") const {
    return run_command(fmt::format("{} env COPYTRADER_SOCKET={} {} {} 2>&1 </dev/null", prefix,
                                   socket_path.empty() ? socket.string() : socket_path, COPYTRADERCTL_PATH, args));
  }

  json::object ctl_json(const std::string& args) const {
    const auto r = ctl(args + " --json");
    INFO(r.out);
    REQUIRE(r.code == 0);
    return json::parse(r.out).as_object();
  }

  [[nodiscard]] int position(std::int64_t account) const { return sim.position(account, mes); }

  // The leader buys (size > 0) or sells at market, unbracketed.
  void leader_market(int size) const {
    auto r = sim.control("POST", "/act",
                         fmt::format(R"({{"account":1001,"op":"place","contract_id":"CON.F.US.MES.U26","side":{},)"
                                     R"("size":{},"type":2}})",
                                     size > 0 ? 0 : 1, std::abs(size)));
    REQUIRE(r.status == 200);
  }

  // No customTag among the account's accepted orders twice.
  [[nodiscard]] bool tags_unique(std::int64_t account) const {
    std::map<std::string, int> seen;
    const auto ledger = sim.ledger(account);
    for (const auto& v : ledger.at("orders").as_array()) {
      const auto* tag = v.as_object().if_contains("customTag");
      if (v.at("status").to_number<int>() != 5 && tag != nullptr && tag->is_string() &&
          ++seen[std::string(tag->as_string())] > 1)
        return false;
    }
    return true;
  }
};

// Sends raw bytes on the control socket; returns what came back until `lines` lines arrived.
inline std::string raw_exchange(const std::filesystem::path& path, const std::string& bytes, int lines) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  REQUIRE(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
  std::string out;
  char chunk[4096];
  while (std::count(out.begin(), out.end(), '\n') < lines) {
    const auto n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) break;
    out.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

inline std::string replace_in(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// One HTTP request as raw bytes (every header the caller's), the answer back: until the server closes,
// or `wait` has passed (a live feed never closes by itself).
inline std::string http_exchange(unsigned short port, const std::string& request,
                                 std::chrono::seconds wait = std::chrono::seconds(20)) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  timeval timeout{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string out;
  char chunk[4096];
  const auto until = std::chrono::steady_clock::now() + wait;
  while (std::chrono::steady_clock::now() < until) {
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) break;
    if (n > 0) out.append(chunk, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

inline std::string http_get(unsigned short port, const std::string& target) {
  return http_exchange(port, "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
}

} // namespace copytrader::testing
