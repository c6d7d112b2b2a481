// faults.md F8: the disk under state.directory full (every pwrite and fsync of the daemon fails,
// through a test-only LD_PRELOAD library) while the leader trades. The audit trail is a record for
// people, written after the send (docs/architecture.md: the venue's tags are the durable record of
// intent), so copying goes on, once per fill; each failed write is an error line; when space returns
// the trail is written again.

#include "support/audit_db.hpp"
#include "support/daemon_harness.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace copytrader::testing;
using Catch::Matchers::Contains;

TEST_CASE("F8: the state disk full while the leader trades; copies go once, each failed write said, recovered after",
          "[crash][F8]") {
  temp_dir flags;
  const auto full = flags.path() / "disk-full";
  daemon_setup setup;
  setup.env = {{"LD_PRELOAD", DISK_FULL_SHIM_PATH},
               {"COPYTRADER_TEST_DISK_FULL", full.string()},
               {"ASAN_OPTIONS", "verify_asan_link_order=0:detect_leaks=0"}};
  running_daemon d(setup);
  INFO(read_file(d.log));
  d.leader_market(2);
  REQUIRE(eventually([&] { return d.position(2001) == 1 && d.position(2002) == 2; }));
  const auto db = d.dir.path() / "state/audit.db";
  REQUIRE(eventually([&] { return audited(db, "SELECT count(*) FROM audit WHERE kind = 'place'") == 2; }));
  const int rows_before = audited(db, "SELECT count(*) FROM audit");

  flags.write("disk-full", "");
  d.leader_market(2);
  CHECK(eventually([&] { return d.position(2001) == 2 && d.position(2002) == 4; }));
  CHECK(eventually([&] { return read_file(d.log).find("audit log:") != std::string::npos; }));
  CHECK_THAT(read_file(d.log), Contains("error audit log: database or disk is full"));
  CHECK(audited(db, "SELECT count(*) FROM audit WHERE kind = 'place'") == 2); // nothing written meanwhile

  std::filesystem::remove(full);
  d.leader_market(-4);
  CHECK(eventually([&] { return d.position(2001) == 0 && d.position(2002) == 0; }));
  // Space is back: the trail is written again (the closes at least).
  CHECK(eventually([&] { return audited(db, "SELECT count(*) FROM audit WHERE kind = 'close'") == 2; }));
  CHECK(audited(db, "SELECT count(*) FROM audit") > rows_before);
  std::this_thread::sleep_for(1s);
  CHECK(d.position(2001) == 0);
  CHECK(d.position(2002) == 0);
  CHECK(d.ctl("status").code == 0);
}
