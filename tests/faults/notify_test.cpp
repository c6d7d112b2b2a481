// A stalled systemd: the notify socket's reader stops reading (a busy or frozen PID 1). The kernel
// queue fills within a second of watchdog pings; the daemon must go on copying and answering.

#include "support/daemon_harness.hpp"

#include <catch2/catch.hpp>

#include <csignal>

using namespace copytrader::testing;
using Catch::Matchers::Contains;

TEST_CASE("a notify socket nobody reads never blocks the io thread", "[crash][notify]") {
  temp_dir systemd;
  notify_socket stalled(systemd.path() / "notify.sock"); // bound, and never read
  daemon_setup setup;
  setup.env["NOTIFY_SOCKET"] = stalled.path().string();
  setup.env["WATCHDOG_USEC"] = "100000"; // a ping every 50 ms: the queue is full within a second
  running_daemon d(setup);
  std::this_thread::sleep_for(1500ms);
  auto r = d.sim.control(
      "POST", "/act", R"({"account":1001,"op":"place","contract_id":"CON.F.US.MES.U26","side":0,"size":2,"type":2})");
  REQUIRE(r.status == 200);
  CHECK(eventually([&] { return d.sim.position(2001, mes) == 1 && d.sim.position(2002, mes) == 2; }, 20s));
  const auto status = d.ctl("status");
  CHECK(status.code == 0);
  CHECK_THAT(status.out, Contains("big"));
  CHECK_THAT(read_file(d.log), Contains("systemd notification not sent"));
  d.daemon->signal(SIGTERM);
  CHECK(d.daemon->wait_exit(20s) == 0);
  d.daemon.reset();
}
