// Time faults (faults.md H): copytraderd under libfaketime, its wall clock away from the venue's,
// its monotonic clock untouched. Copies must still go, and an unknown outcome must still be found by
// its tag (a search window computed from a wrong clock would miss it and send the order again).

#include "support/daemon_harness.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace copytrader::testing;

namespace {

constexpr const char* libfaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

std::map<std::string, std::string> skewed_clock(const std::string& offset) {
  return {{"LD_PRELOAD", libfaketime},
          {"FAKETIME", offset},
          {"FAKETIME_DONT_FAKE_MONOTONIC", "1"},
          {"ASAN_OPTIONS", "verify_asan_link_order=0:detect_leaks=0"}};
}

void copies_with_clock(const std::string& offset) {
  if (!std::filesystem::exists(libfaketime)) {
    WARN("libfaketime is not installed; skipped");
    return;
  }
  daemon_setup setup;
  setup.env = skewed_clock(offset);
  running_daemon d(setup);
  d.leader_market(2);
  INFO(read_file(d.log));
  CHECK(eventually([&] { return d.position(2001) == 1 && d.position(2002) == 2; }));
  // The next place is processed but its answer is lost: the search by tag must find it.
  d.sim.control("POST", "/fault/rest", R"({"path":"/api/Order/place","kind":"drop_response","count":1})");
  d.leader_market(2);
  CHECK(eventually([&] { return d.position(2001) == 2 && d.position(2002) == 4; }));
  std::this_thread::sleep_for(1s);
  CHECK(d.position(2001) == 2);
  CHECK(d.position(2002) == 4);
  CHECK(d.tags_unique(2001));
  CHECK(d.tags_unique(2002));
}

} // namespace

TEST_CASE("H3: the daemon's wall clock 10 minutes ahead of the venue; copies go, tags are found", "[clock][H3]") {
  copies_with_clock("+10m");
}

TEST_CASE("H3: the daemon's wall clock 10 minutes behind the venue; copies go, tags are found", "[clock][H3]") {
  copies_with_clock("-10m");
}

namespace {

std::size_t count_requests(const running_daemon& d, std::string_view what, std::string_view username) {
  std::size_t n = 0;
  const auto log = d.sim.control("GET", "/log").json();
  for (const auto& e : log.at("entries").as_array()) {
    const auto* who = e.as_object().if_contains("username");
    if (e.at("what").as_string() != what || who == nullptr || who->as_string() != username) continue;
    ++n;
  }
  return n;
}

// The daemon's wall clock jumps by `jump` while it runs (libfaketime re-reads the offset from a file);
// its monotonic clock does not. Copies before and after go once; no burst of requests, no new login.
void copies_across_a_jump(const std::string& jump) {
  if (!std::filesystem::exists(libfaketime)) {
    WARN("libfaketime is not installed; skipped");
    return;
  }
  daemon_setup setup;
  temp_dir clock;
  const auto offset_file = clock.write("offset", "+0\n");
  setup.env = {{"LD_PRELOAD", libfaketime},
               {"FAKETIME_TIMESTAMP_FILE", offset_file.string()},
               {"FAKETIME_CACHE_DURATION", "1"},
               {"FAKETIME_DONT_FAKE_MONOTONIC", "1"},
               {"ASAN_OPTIONS", "verify_asan_link_order=0:detect_leaks=0"}};
  running_daemon d(setup);
  d.leader_market(2);
  INFO(read_file(d.log));
  REQUIRE(eventually([&] { return d.position(2001) == 1 && d.position(2002) == 2; }));
  const auto logins = count_requests(d, "/api/Auth/loginKey", "follower_user");
  const auto validations = count_requests(d, "/api/Auth/validate", "follower_user");
  const auto places = count_requests(d, "/api/Order/place", "follower_user");

  clock.write("offset", jump + "\n");
  std::this_thread::sleep_for(3s); // past the cache, and past a reconciliation round
  d.leader_market(2);
  CHECK(eventually([&] { return d.position(2001) == 2 && d.position(2002) == 4; }));
  d.sim.control("POST", "/fault/rest", R"({"path":"/api/Order/place","kind":"drop_response","count":1})");
  d.leader_market(-4); // an unknown outcome after the jump: the tag search window must still hold it
  CHECK(eventually([&] { return d.position(2001) == 0 && d.position(2002) == 0; }));
  std::this_thread::sleep_for(1s);
  CHECK(d.position(2001) == 0);
  CHECK(d.position(2002) == 0);
  CHECK(d.tags_unique(2001));
  CHECK(d.tags_unique(2002));
  // Timers and budgets run on CLOCK_MONOTONIC: no refresh storm, no burst of orders.
  CHECK(count_requests(d, "/api/Auth/loginKey", "follower_user") == logins);
  CHECK(count_requests(d, "/api/Auth/validate", "follower_user") <= validations + 1);
  CHECK(count_requests(d, "/api/Order/place", "follower_user") <= places + 4);
}

} // namespace

TEST_CASE("H1: the daemon's wall clock jumps an hour ahead while it runs; nothing bursts, copies go once",
          "[clock][H1]") {
  copies_across_a_jump("+1h");
}

TEST_CASE("H2: the daemon's wall clock steps 10 minutes back while it runs; no duplicate copy", "[clock][H2]") {
  copies_across_a_jump("-10m");
}

TEST_CASE("H5: the daemon paused (SIGSTOP) past hub_timeout while the leader fills; on resume copied once",
          "[clock][H5]") {
  daemon_setup setup;
  setup.api_extra = "  hub_timeout: 2s\n";
  setup.sim_args = {"--ping-interval", "500ms"};
  running_daemon d(setup);
  INFO(read_file(d.log));
  d.daemon->signal(SIGSTOP);
  d.leader_market(2);
  std::this_thread::sleep_for(4s); // twice hub_timeout: on resume the timers are due and the frames buffered
  d.daemon->signal(SIGCONT);
  CHECK(eventually([&] { return d.position(2001) == 1 && d.position(2002) == 2; }));
  std::this_thread::sleep_for(1s);
  CHECK(d.position(2001) == 1);
  CHECK(d.position(2002) == 2);
  CHECK(d.tags_unique(2001));
  CHECK(d.tags_unique(2002));
  CHECK(d.ctl("status").code == 0); // alive, answering
}
