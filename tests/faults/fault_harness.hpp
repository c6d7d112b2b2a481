#pragma once
// The fault-scenario suite's harness (faults.md section 2): the engine in-process against
// projectx-sim, faults injected through the simulator's control API, and after every scenario the
// invariants checked from the simulator's ledger and request log and from the engine's own log:
//   I1 no loss        every follower at its target (the sizing rule of the leader's final position)
//   I2 no duplicate   one accepted order per tag, no follower beyond or opposite its target
//   I3 protected      every open bracketed follower position covered exactly by its stop and target
//   I4 budget         REST requests per login within safety.rate_limit in every 60 s window, and no
//                     tag placed again without a search for it in between
//   I5 clear error    the fault reported at warning or above, and no key or token in any line
//   I6 liveness       copying again, every hub connected, within the deadline
// Totals (faults injected, copies lost, duplicated) are printed when the run ends.

#include "integration/engine_fixture.hpp"

#include "support/log_capture.hpp"

#include <cstdint>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace copytrader::testing {

struct fault_totals {
  std::uint64_t faults = 0;
  std::uint64_t lost = 0;
  std::uint64_t duplicated = 0;
  std::uint64_t unprotected = 0;
  std::uint64_t budget_violations = 0;
};
fault_totals& totals();

struct follower_spec {
  std::string name;
  std::int64_t account = 0;
  std::string rules; // YAML lines under the entry
  bool bracketed = true;
  std::string login = "follower_user"; // its key file is the login's name before _user, plus .key
};

// one (2001): ratio 1.0, fixed 16/24; half (2002): ratio 0.5, mirror.
std::vector<follower_spec> standard_followers();
// one (2001) alone.
std::vector<follower_spec> one_follower();

inline constexpr const char* quick_reconcile = "copy:\n  reconcile_interval: 1s\n";

class fault_harness {
public:
  explicit fault_harness(std::vector<follower_spec> followers = standard_followers(), std::string extra = {},
                         std::vector<std::string> sim_args = {}, std::optional<std::string> world = std::nullopt);

  // A fault through the simulator's control API (counted in the totals).
  void inject(std::string_view path, const std::string& body);
  // What the follower should hold now: the sizing rule of the leader's position.
  [[nodiscard]] int target(const follower_spec& f) const;
  // Waits for every follower to reach its target (legs fitted), then checks I1-I6; `reported`
  // is a phrase the fault must have been logged with (empty: the fault is silent by design).
  // `skipped`: followers that explicitly sit the episode out (logged with a reason): they must hold
  // nothing, whatever the leader holds.
  // `refused_logins`: logins the venue refuses throughout (faults.md C4): their hubs are not expected up.
  void check(const std::string& reported, std::chrono::milliseconds settle_within = std::chrono::seconds(20),
             const std::vector<std::int64_t>& skipped = {}, const std::vector<std::string>& refused_logins = {});

  // The leader buys (size > 0) or sells at market with a 16-tick stop and a 24-tick target.
  void open_bracketed(int size) { fx.leader_market(size, size > 0 ? -16 : 16, size > 0 ? 24 : -24); }

  log_capture log; // before the fixture: its engine logs from the start
  engine_fixture fx;
  std::vector<follower_spec> followers;
};

} // namespace copytrader::testing
