// copytraderd's footprint with N followers (default 10): the time from exec to READY=1 and to
// "copying" (leader and followers checked, positions read), resident memory once idle, and CPU used
// while idle over a window (default 60 s). The daemon runs as the real process, with the simulator
// beside it; figures are read from /proc and printed as a table and as JSON.
//
//   footprint [FOLLOWERS] [IDLE_SECONDS] [JSON_FILE]

#include "support/process.hpp"
#include "support/raw_client.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

using namespace copytrader::testing;
using namespace std::chrono_literals;

namespace {

long rss_kib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

// utime + stime, in seconds.
double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip; // state .. cmajflt
  long utime = 0;
  long stime = 0;
  fields >> utime >> stime;
  return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

} // namespace

int main(int argc, char** argv) {
  const int followers = argc > 1 ? std::atoi(argv[1]) : 10;
  const int idle_seconds = argc > 2 ? std::atoi(argv[2]) : 60;
  const std::string json_file = argc > 3 ? argv[3] : "";

  std::string world = R"({"users":[{"username":"leader_user","api_key":"leader-key"},
    {"username":"follower_user","api_key":"follower-key"}],"accounts":[{"id":1001,"username":"leader_user"})";
  for (int i = 0; i < followers; ++i) world += fmt::format(R"(,{{"id":{},"username":"follower_user"}})", 2001 + i);
  world += "]}";
  sim_process sim({}, world);

  temp_dir dir;
  dir.write("ca.pem", sim.ca_pem, 0644);
  dir.write("leader.key", "leader-key\n");
  dir.write("follower.key", "follower-key\n");
  std::string entries;
  for (int i = 0; i < followers; ++i)
    entries += fmt::format(
        "  - name: f{}\n    username: follower_user\n    api_key_file: follower.key\n"
        "    account_id: {}\n    size_ratio: 1.0\n",
        i, 2001 + i);
  dir.write("copytrader.yaml", fmt::format(R"(api:
  base_url: https://127.0.0.1:{0}
  user_hub_url: wss://127.0.0.1:{0}/hubs/user
  ca_file: ca.pem
leader:
  username: leader_user
  api_key_file: leader.key
  account_id: 1001
followers:
{1}state:
  directory: state
control:
  socket: control.sock
logging:
  sink: stderr
)",
                                           sim.port, entries));
  std::filesystem::create_directories(dir.path() / "state");

  notify_socket notify(dir.path() / "notify.sock");
  const auto log = dir.path() / "copytraderd.log";
  const auto started = std::chrono::steady_clock::now();
  child_process daemon(COPYTRADERD_PATH, {"--config", (dir.path() / "copytrader.yaml").string()},
                       {{"NOTIFY_SOCKET", notify.path().string()}}, log);
  if (!notify.wait_for("READY=1", 30s)) {
    std::cerr << "copytraderd never said READY=1:\n" << read_file(log);
    return 1;
  }
  const auto ready = std::chrono::steady_clock::now();
  while (read_file(log).find("copying: copying") == std::string::npos) {
    if (std::chrono::steady_clock::now() - started > 60s || !daemon.running()) {
      std::cerr << "copytraderd did not start copying:\n" << read_file(log);
      return 1;
    }
    std::this_thread::sleep_for(1ms);
  }
  const auto copying = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(5s); // the follower hubs' subscriptions, the pools warmed
  const long rss_start = rss_kib(daemon.pid());
  const double cpu_before = cpu_seconds(daemon.pid());
  std::this_thread::sleep_for(std::chrono::seconds(idle_seconds));
  const double cpu_idle = cpu_seconds(daemon.pid()) - cpu_before;
  const long rss_end = rss_kib(daemon.pid());
  daemon.signal(SIGTERM);
  daemon.wait_exit(15s);

  auto ms = [](auto d) { return std::chrono::duration<double, std::milli>(d).count(); };
  const double cpu_percent = 100.0 * cpu_idle / idle_seconds;
  std::cout << fmt::format("footprint, {} followers (release build)\n", followers)
            << fmt::format("  exec -> READY=1            {:8.1f} ms\n", ms(ready - started))
            << fmt::format("  exec -> copying            {:8.1f} ms  (leader and followers checked and read)\n",
                           ms(copying - started))
            << fmt::format("  idle RSS                   {:8} KiB after 5 s, {} KiB after {} s more\n", rss_start,
                           rss_end, idle_seconds)
            << fmt::format("  idle CPU over {:3} s        {:8.3f} s   ({:.3f}% of one core)\n", idle_seconds, cpu_idle,
                           cpu_percent);
  if (!json_file.empty()) {
    std::ofstream(json_file) << fmt::format(
        R"({{"followers":{},"ready_ms":{:.1f},"copying_ms":{:.1f},"rss_kib":{},"rss_kib_after_idle":{},)"
        R"("idle_seconds":{},"idle_cpu_seconds":{:.3f},"idle_cpu_percent":{:.4f}}})"
        "\n",
        followers, ms(ready - started), ms(copying - started), rss_start, rss_end, idle_seconds, cpu_idle, cpu_percent);
  }
  return 0;
}
