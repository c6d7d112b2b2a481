// The account guard's trading day in the running daemon (the session hours too, G5). copytraderd and projectx-sim run
// under libfaketime on one shared clock (an offset in a file both re-read), their monotonic clocks untouched. A
// daily-loss lock taken on Friday 12 March 2027, in CST (UTC-6), lasts until Sunday's 17:00 Chicago open, which falls
// after that morning's DST change: 17:00 CDT, 22:00 UTC. A fixed CST offset would say 23:00 UTC and keep the follower
// out of the week's first hour. The daemon is down over the weekend, starts again half a minute before the open, keeps
// the lock, and lets go of it at the open by itself.

#include "support/daemon_harness.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>

using namespace copytrader::testing;
using Catch::Matchers::Contains;
using namespace std::chrono;

namespace {

constexpr const char* libfaketime = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

class shared_fake_clock {
public:
  // From now on both processes read `instant`, and the clock runs on at its real speed.
  void set(system_clock::time_point instant) {
    offset_ = duration_cast<seconds>(instant - system_clock::now());
    dir_.write("offset", fmt::format("{:+d}\n", offset_.count()));
  }
  // Sleeps (really) until the shared clock reads `instant`.
  void wait_until(system_clock::time_point instant) const { std::this_thread::sleep_until(instant - offset_); }
  [[nodiscard]] std::map<std::string, std::string> env() const {
    return {{"LD_PRELOAD", libfaketime},
            {"FAKETIME_TIMESTAMP_FILE", (dir_.path() / "offset").string()},
            {"FAKETIME_CACHE_DURATION", "1"},
            {"FAKETIME_DONT_FAKE_MONOTONIC", "1"},
            {"ASAN_OPTIONS", "verify_asan_link_order=0:detect_leaks=0"}};
  }

private:
  temp_dir dir_;
  seconds offset_{0};
};

constexpr auto friday_1300_cst = sys_days{year{2027} / March / 12} + 19h;
constexpr auto friday_1504_35_cst = sys_days{year{2027} / March / 12} + 21h + 4min + 35s;
constexpr auto friday_1505_01_cst = sys_days{year{2027} / March / 12} + 21h + 5min + 1s;
constexpr auto friday_1506_01_cst = sys_days{year{2027} / March / 12} + 21h + 6min + 1s;

std::string guarded_follower(std::string_view risk) {
  return fmt::format(
      "  - name: guarded\n    username: follower_user\n    api_key_file: follower.key\n"
      "    account_id: 2003\n    bracket: fixed\n    risk: {}\n",
      risk);
}
constexpr auto sunday_1659_30_cdt = sys_days{year{2027} / March / 14} + 21h + 59min + 30s;

} // namespace

TEST_CASE("guard: a daily-loss lock from Friday ends at Sunday's 17:00 Chicago open, after the DST change",
          "[ctl][guard][calendar]") {
  REQUIRE(std::filesystem::exists(libfaketime)); // scripts/install-deps.sh installs it
  shared_fake_clock clock;
  clock.set(friday_1300_cst);
  daemon_setup setup;
  setup.env = clock.env();
  setup.sim_env = clock.env();
  setup.extra_followers = guarded_follower("{daily_loss_limit_usd: 100}");
  running_daemon d(setup);
  const auto risk_says = [&](std::string_view what) {
    return d.ctl("risk guarded").out.find(what) != std::string::npos;
  };
  REQUIRE(eventually([&] { return risk_says("balance 50000.00"); }));
  CHECK(d.ctl_json("risk guarded").at("followers").as_array().at(0).as_object().at("trading_day").as_string() ==
        "2027-03-12");

  // The day's loss passes the limit: locked until the next trading day's open, Sunday 17:00 CDT.
  REQUIRE(d.sim.control("POST", "/account", R"({"account":2003,"balance":49850})").status == 200);
  const bool locked = eventually([&] { return risk_says("locked (G2 daily loss) until 2027-03-14 17:00 CDT"); });
  INFO(d.ctl("risk guarded").out << read_file(d.log));
  REQUIRE(locked);

  // Down over the weekend; back half a minute before the open, in CDT now.
  d.daemon->signal(SIGTERM);
  REQUIRE(d.daemon->wait_exit(deadline).has_value());
  clock.set(sunday_1659_30_cdt);
  std::this_thread::sleep_for(1500ms); // past the simulator's cache of the offset
  d.start(clock.env());
  CHECK(risk_says("locked (G2 daily loss) until 2027-03-14 17:00 CDT"));
  CHECK_THAT(read_file(d.log), Contains("account guard restored locked (G2 daily loss)"));

  // At the open the lock ends by itself, and the new day (Monday's) starts from today's balance.
  const bool unlocked = eventually([&] { return risk_says("state:  active"); }, 60s);
  INFO(d.ctl("risk guarded").out << read_file(d.log));
  REQUIRE(unlocked);
  CHECK_THAT(read_file(d.log), Contains("account guard locked (G2 daily loss) ended: trading day 2027-03-15 began"));
  const auto report = d.ctl_json("risk guarded").at("followers").as_array().at(0).as_object();
  CHECK(report.at("trading_day").as_string() == "2027-03-15");
  CHECK(report.at("day_start_balance").to_number<double>() == 49850);
  d.leader_market(2);
  CHECK(eventually([&] { return d.sim.position(2003, mes) == 2; }));
}

TEST_CASE("guard G5: the running daemon copies until last_entry, holds an entry after it, is flat at flatten_at",
          "[ctl][guard][calendar]") {
  REQUIRE(std::filesystem::exists(libfaketime));
  shared_fake_clock clock;
  clock.set(friday_1504_35_cst);
  daemon_setup setup;
  setup.env = clock.env();
  setup.sim_env = clock.env();
  setup.extra_followers =
      guarded_follower(R"({daily_loss_limit_usd: 1000, session: {last_entry: "15:05", flatten_at: "15:06"}})");
  running_daemon d(setup);
  const auto guarded_at = [&](int size) { return eventually([&] { return d.sim.position(2003, mes) == size; }); };
  d.leader_market(1);
  REQUIRE(guarded_at(1)); // before 15:05 CST: copied

  clock.wait_until(friday_1505_01_cst);
  d.leader_market(1); // an add after last_entry: held; the unguarded followers take theirs
  REQUIRE(eventually([&] { return d.position(2002) == 2; }));
  std::this_thread::sleep_for(1s);
  CHECK(d.sim.position(2003, mes) == 1);
  CHECK_THAT(read_file(d.log), Contains("account guard held the entry on CON.F.US.MES.U26 at 1 of the leader's 2 "
                                        "(G5 session: outside the trading day's entry hours)"));

  clock.wait_until(friday_1506_01_cst);
  const bool flat = guarded_at(0); // the leader still holds 2
  INFO(read_file(d.log));
  CHECK(flat);
  CHECK_THAT(read_file(d.log), Contains("account guard flatten: G5 session: past the session's flatten time"));
  CHECK(d.position(2002) == 2);
  d.leader_market(-2);
  CHECK(eventually([&] { return d.position(2002) == 0; }));
}
