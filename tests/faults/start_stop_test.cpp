// A stop during start-up (issue 18): `systemctl stop` can arrive while the daemon logs in, checks the
// accounts or reads the positions. Whatever the moment, it stops the start, sends nothing more and
// exits promptly; the next start does what the stopped one did not, once.

#include "support/daemon_harness.hpp"

#include <catch2/catch.hpp>

#include <csignal>

using namespace copytrader::testing;
using Catch::Matchers::Contains;

namespace {

// The shutdown grace is 10 s; an in-flight request ends within the harness's request_timeout (2 s).
// A start that went on working after the signal holds the exit until the grace runs out.
constexpr auto prompt_exit = 4s;

// The leader holds 2 before the daemon starts and on_start is `full`: a start that runs to its end
// opens both followers (small 1, big 2) at once, so any order after the signal would show in the ledger.
daemon_setup leader_long_at_start() {
  daemon_setup setup;
  setup.on_start = "full";
  setup.wait_until_copying = false;
  setup.before_start = [](const sim_process& sim) {
    auto r = sim.control(
        "POST", "/act", R"({"account":1001,"op":"place","contract_id":"CON.F.US.MES.U26","side":0,"size":2,"type":2})");
    REQUIRE(r.status == 200);
    REQUIRE(sim.position(1001, mes) == 2);
  };
  return setup;
}

std::size_t orders_of(const running_daemon& d, std::int64_t account) {
  return d.sim.ledger(account).at("orders").as_array().size();
}

// Waits for the daemon to take the signal, then for its exit; returns how long the exit took after it.
std::chrono::milliseconds exit_after_signal(running_daemon& d) {
  REQUIRE(eventually([&] { return read_file(d.log).find("received SIGTERM, stopping") != std::string::npos; }));
  const auto seen = std::chrono::steady_clock::now();
  const auto code = d.daemon->wait_exit(deadline);
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - seen);
  INFO(read_file(d.log));
  REQUIRE(code == 0);
  d.daemon.reset();
  return took;
}

} // namespace

TEST_CASE(
    "a SIGTERM at any step of the start stops it: nothing is sent, the exit is prompt, the next start "
    "copies once",
    "[crash][start_stop]") {
  const std::string point =
      GENERATE("engine_start", "leader_preflight", "leader_reconcile", "follower_preflight", "follower_reconcile");
  auto setup = leader_long_at_start();
  setup.env["COPYTRADER_STOP_AT"] = point;
  running_daemon d(setup);
  const auto took = exit_after_signal(d);
  const std::string log = read_file(d.log);
  INFO("stopped at " << point << "; exit " << took.count() << " ms after the signal\n" << log);
  CHECK(took < prompt_exit);
  CHECK_THAT(log, Contains("copytraderd stopped"));
  CHECK(log.find("copying: ") == std::string::npos);
  CHECK(orders_of(d, 2001) == 0);
  CHECK(orders_of(d, 2002) == 0);

  d.start(); // no stop point: the start runs to its end and opens what on_start: full asks, once
  CHECK(eventually([&] { return d.position(2001) == 1 && d.position(2002) == 2; }));
  std::this_thread::sleep_for(1s); // and nothing more is sent
  CHECK(d.position(2001) == 1);
  CHECK(d.position(2002) == 2);
  CHECK(d.tags_unique(2001));
  CHECK(d.tags_unique(2002));
}

TEST_CASE("a SIGTERM just after READY=1 (systemctl stop right after start) exits promptly and never begins copying",
          "[crash][start_stop]") {
  const int delay_ms = GENERATE(0, 30, 100);
  temp_dir systemd;
  notify_socket notify(systemd.path() / "notify.sock");
  auto setup = leader_long_at_start();
  setup.env["NOTIFY_SOCKET"] = notify.path().string();
  running_daemon d(setup);
  REQUIRE(notify.wait_for("READY=1", deadline));
  std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  d.daemon->signal(SIGTERM);
  const auto took = exit_after_signal(d);
  const std::string log = read_file(d.log);
  INFO(delay_ms << " ms after READY=1; exit " << took.count() << " ms after the signal\n" << log);
  CHECK(took < prompt_exit);
  const auto stop = log.find("received SIGTERM, stopping");
  CHECK(log.find("copying: ", stop) == std::string::npos);
}
