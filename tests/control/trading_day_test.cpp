// The account guard's trading day in the running daemon. copytraderd and projectx-sim run under
// libfaketime on one shared clock (an offset in a file both re-read), their monotonic clocks
// untouched. A daily-loss lock taken on Friday 12 March 2027, in CST (UTC-6), lasts until Sunday's
// 17:00 Chicago open, which falls after that morning's DST change: 17:00 CDT, 22:00 UTC. A fixed
// CST offset would say 23:00 UTC and keep the follower out of the week's first hour. The daemon is
// down over the weekend, starts again half a minute before the open, keeps the lock, and lets go of
// it at the open by itself.

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
    const auto offset = duration_cast<seconds>(instant - system_clock::now()).count();
    dir_.write("offset", fmt::format("{:+d}\n", offset));
  }
  [[nodiscard]] std::map<std::string, std::string> env() const {
    return {{"LD_PRELOAD", libfaketime},
            {"FAKETIME_TIMESTAMP_FILE", (dir_.path() / "offset").string()},
            {"FAKETIME_CACHE_DURATION", "1"},
            {"FAKETIME_DONT_FAKE_MONOTONIC", "1"},
            {"ASAN_OPTIONS", "verify_asan_link_order=0:detect_leaks=0"}};
  }

private:
  temp_dir dir_;
};

constexpr auto friday_1300_cst = sys_days{year{2027} / March / 12} + 19h;
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
  setup.extra_followers = "  - name: guarded\n    username: follower_user\n    api_key_file: follower.key\n"
                          "    account_id: 2003\n    bracket: fixed\n"
                          "    risk: {daily_loss_limit_usd: 100}\n";
  running_daemon d(setup);
  const auto risk_says = [&](std::string_view what) { return d.ctl("risk guarded").out.find(what) != std::string::npos; };
  REQUIRE(eventually([&] { return risk_says("balance 50000.00"); }));
  CHECK(d.ctl_json("risk guarded").at("followers").as_array().at(0).as_object().at("trading_day").as_string() == "2027-03-12");

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
