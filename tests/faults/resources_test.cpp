// faults.md I3: copytraderd out of file descriptors (its RLIMIT_NOFILE lowered while it runs, then
// control connections opened until accept fails). The failure is said once, the loop does not spin
// on a connection it cannot take, and once descriptors are back everything works and copies go once.

#include "support/daemon_harness.hpp"

#include <sys/resource.h>
#include <catch2/catch.hpp>

#include <filesystem>

using namespace copytrader::testing;

namespace {

std::size_t open_descriptors(pid_t pid) {
  const auto dir = std::filesystem::path("/proc") / std::to_string(pid) / "fd";
  return static_cast<std::size_t>(
      std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator{}));
}

int connect_control(const std::filesystem::path& path) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "%s", path.c_str());
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0); // queued by the kernel either way
  return fd;
}

std::size_t count_of(const std::string& text, std::string_view what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

} // namespace

TEST_CASE("I3: the daemon out of descriptors; said once, no spinning accept, recovers and copies once",
          "[resources][I3]") {
  running_daemon d;
  INFO(read_file(d.log));
  const pid_t pid = d.daemon->pid();
  rlimit before{};
  REQUIRE(::prlimit(pid, RLIMIT_NOFILE, nullptr, &before) == 0);
  // Two descriptors to spare, then more control connections than that.
  const rlimit tight{open_descriptors(pid) + 2, before.rlim_max};
  REQUIRE(::prlimit(pid, RLIMIT_NOFILE, &tight, nullptr) == 0);
  std::vector<int> clients;
  for (int i = 0; i < 6; ++i) clients.push_back(connect_control(d.socket));
  REQUIRE(eventually([&] { return read_file(d.log).find("Too many open files") != std::string::npos; }));
  std::this_thread::sleep_for(2s);
  const std::string during = read_file(d.log);
  CHECK(count_of(during, "control socket: accept failed") == 1); // one line per streak, not one per retry

  REQUIRE(::prlimit(pid, RLIMIT_NOFILE, &before, nullptr) == 0);
  for (int fd : clients) ::close(fd);
  CHECK(eventually([&] { return read_file(d.log).find("control socket: accepting again") != std::string::npos; }));
  CHECK(d.ctl("status").code == 0);
  d.leader_market(2);
  CHECK(eventually([&] { return d.position(2001) == 1 && d.position(2002) == 2; }));
  std::this_thread::sleep_for(1s);
  CHECK(d.position(2001) == 1);
  CHECK(d.position(2002) == 2);
}
