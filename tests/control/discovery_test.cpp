// Going live without guessing ids: copytraderd --accounts and --contracts log in with the keys the
// configuration names and print what each login sees, against the simulator. An account_id not yet
// known (the line left out) does not stop them; it still stops --check-config.

#include "support/daemon_harness.hpp"

#include <catch2/catch.hpp>

using namespace copytrader::testing;
using Catch::Matchers::Contains;

namespace {

ctl_result run_copytraderd(const std::string& args) {
  return run_command(fmt::format("{} {} 2>&1 </dev/null", COPYTRADERD_PATH, args));
}

} // namespace

TEST_CASE("copytraderd --accounts and --contracts show the ids to put in the file", "[ctl][discovery]") {
  daemon_setup setup;
  running_daemon d(setup);
  // A file written before the ids are known: follower "big" has no account_id yet.
  const auto draft =
      d.dir.write("draft.yaml", replace_in(read_file(d.dir.path() / "copytrader.yaml"), "    account_id: 2002\n", ""));
  CHECK(run_copytraderd("--check-config --config " + draft.string()).code == 78);

  const auto accounts = run_copytraderd("--config " + draft.string() + " --accounts");
  INFO(accounts.out);
  CHECK(accounts.code == 0);
  CHECK_THAT(accounts.out, Contains("LOGIN") && Contains("CAN_TRADE") && Contains("IN THIS FILE"));
  CHECK_THAT(accounts.out, Contains("leader_user") && Contains("PRAC-V2-1001"));
  CHECK_THAT(accounts.out, Contains("follower small"));
  // Every account of the follower login, used by the file or not, each listed once.
  for (const char* id : {"1001", "2001", "2002", "2003"}) {
    const std::string row = std::string("PRAC-V2-") + id;
    CHECK(accounts.out.find(row) != std::string::npos);
    CHECK(accounts.out.find(row) == accounts.out.rfind(row));
  }
  CHECK(accounts.out.find("follower-key") == std::string::npos); // no key in the output
  CHECK(accounts.out.find("leader-key") == std::string::npos);

  const auto contracts = run_copytraderd("--config " + draft.string() + " --contracts MES");
  INFO(contracts.out);
  CHECK(contracts.code == 0);
  CHECK_THAT(contracts.out, Contains("CON.F.US.MES.U26") && Contains("MESU6") && Contains("0.25") && Contains("1.25") &&
                                Contains(" 5 "));
  CHECK_THAT(contracts.out, !Contains("CON.F.US.MES.M26"));                   // expired: not offered
  CHECK_THAT(contracts.out, Contains("SYMBOL") && Contains("MESU6    MES ")); // what a map by symbol takes

  // A wrong key: said, exit 1, and the key is not printed.
  const auto wrong = d.dir.write("wrong.key", "not-the-key\n");
  const auto bad =
      d.dir.write("bad.yaml", replace_in(read_file(draft), "api_key_file: leader.key", "api_key_file: wrong.key"));
  const auto refused = run_copytraderd("--config " + bad.string() + " --accounts");
  INFO(refused.out);
  CHECK(refused.code == 1);
  CHECK_THAT(refused.out, Contains("listing the accounts of leader_user"));
  CHECK(refused.out.find("not-the-key") == std::string::npos);
}
