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

void leader_market(const running_daemon& d, int size) {
  auto r = d.sim.control("POST", "/act",
                         fmt::format(R"({{"account":1001,"op":"place","contract_id":"CON.F.US.MES.U26","side":{},)"
                                     R"("size":{},"type":2}})",
                                     size > 0 ? 0 : 1, std::abs(size)));
  REQUIRE(r.status == 200);
}

bool tags_unique(const running_daemon& d, std::int64_t account) {
  std::map<std::string, int> seen;
  const auto ledger = d.sim.ledger(account);
  for (const auto& v : ledger.at("orders").as_array()) {
    const auto* tag = v.as_object().if_contains("customTag");
    if (v.at("status").to_number<int>() != 5 && tag != nullptr && tag->is_string() &&
        ++seen[std::string(tag->as_string())] > 1)
      return false;
  }
  return true;
}

void copies_with_clock(const std::string& offset) {
  if (!std::filesystem::exists(libfaketime)) {
    WARN("libfaketime is not installed; skipped");
    return;
  }
  daemon_setup setup;
  setup.env = skewed_clock(offset);
  running_daemon d(setup);
  leader_market(d, 2);
  INFO(read_file(d.log));
  CHECK(eventually([&] { return d.position(2001) == 1 && d.position(2002) == 2; }));
  // The next place is processed but its answer is lost: the search by tag must find it.
  d.sim.control("POST", "/fault/rest", R"({"path":"/api/Order/place","kind":"drop_response","count":1})");
  leader_market(d, 2);
  CHECK(eventually([&] { return d.position(2001) == 2 && d.position(2002) == 4; }));
  std::this_thread::sleep_for(1s);
  CHECK(d.position(2001) == 2);
  CHECK(d.position(2002) == 4);
  CHECK(tags_unique(d, 2001));
  CHECK(tags_unique(d, 2002));
}

} // namespace

TEST_CASE("H3: the daemon's wall clock 10 minutes ahead of the venue; copies go, tags are found", "[clock][H3]") {
  copies_with_clock("+10m");
}

TEST_CASE("H3: the daemon's wall clock 10 minutes behind the venue; copies go, tags are found", "[clock][H3]") {
  copies_with_clock("-10m");
}
