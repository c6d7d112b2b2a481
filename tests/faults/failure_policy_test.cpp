// The failure policy against the real daemon (docs/architecture.md, "When background work fails"):
// the engine's own task throws (a test-build fail point); copytraderd logs it at critical, writes it
// to the audit trail, flushes the trail and exits non-zero, so that systemd restarts it.

#include "support/audit_db.hpp"
#include "support/daemon_harness.hpp"

#include <catch2/catch.hpp>

#include <csignal>

using namespace copytrader::testing;
using Catch::Matchers::Contains;

TEST_CASE("the engine's own task fails: exit non-zero, the failure audited and the trail flushed", "[crash][policy]") {
  temp_dir flags;
  const auto armed = flags.path() / "fail-now";
  daemon_setup setup;
  setup.env["COPYTRADER_FAIL_AT"] = "engine_tick";
  setup.env["COPYTRADER_FAIL_FLAG"] = armed.string(); // fails only once the test says so
  running_daemon d(setup);
  auto r = d.sim.control(
      "POST", "/act", R"({"account":1001,"op":"place","contract_id":"CON.F.US.MES.U26","side":0,"size":2,"type":2})");
  REQUIRE(r.status == 200);
  REQUIRE(eventually([&] { return d.sim.position(2001, mes) == 1 && d.sim.position(2002, mes) == 2; }, 20s));
  flags.write("fail-now", "");
  const auto code = d.daemon->wait_exit(20s);
  const std::string log = read_file(d.log);
  INFO(log);
  REQUIRE(code.has_value());
  CHECK(*code == 1); // exit_failure: Restart=on-failure restarts it; a signal or 0 would not say why
  CHECK_THAT(log, Contains("background task engine failed: injected failure at engine_tick"));
  CHECK_THAT(log, Contains("copytraderd stopped by a failure it cannot recover from"));
  const auto db = d.dir.path() / "state/audit.db";
  CHECK(audited(db, "SELECT count(*) FROM audit WHERE kind = 'fatal'") == 1);
  CHECK(audited(db, "SELECT count(*) FROM audit WHERE kind = 'place'") == 2);
  d.daemon.reset();
}

TEST_CASE("a control connection's task fails: logged and counted, the daemon keeps serving", "[crash][policy]") {
  daemon_setup setup;
  setup.env["COPYTRADER_FAIL_AT"] = "control_connection"; // the first connection's task throws
  running_daemon d(setup);                                // its start asks status until answered
  CHECK(d.ctl("status").code == 0);
  const std::string log = read_file(d.log);
  INFO(log);
  CHECK_THAT(log, Contains("background task control connection failed: injected failure at control_connection"));
  d.daemon->signal(SIGTERM);
  const auto code = d.daemon->wait_exit(20s);
  REQUIRE(code.has_value());
  CHECK(*code == 0); // a connection is not the daemon: nothing fatal
  d.daemon.reset();
}
