#pragma once
// The copy engine in-process against projectx-sim: a configuration pointing at the simulator, the
// engine on its own io_context, and the simulator's ledger as the ground truth for every check.

#include "config/config_loader.hpp"
#include "engine/copy_engine.hpp"
#include "state/audit_log.hpp"
#include "state/guard_store.hpp"
#include "support/raw_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace copytrader::testing {

inline constexpr std::string_view mes = "CON.F.US.MES.U26";
inline constexpr std::string_view es = "CON.F.US.EP.U26";

struct leg_view {
  std::int64_t id = 0;
  int type = 0;
  int side = 0;
  int size = 0;
  double price = 0;
  std::string tag;
};

// One entry of the `followers:` list, on follower_user / follower.key; `rules` are its further lines.
std::string follower_entry(std::string_view name, int account, std::string_view rules);

// A circuit breaker that trips on the third copy event within 30 s (the `extra` of a fixture).
inline constexpr std::string_view breaker_of_two = "safety:\n  circuit_breaker: {max_orders: 2, window: 30s}\n";

class engine_fixture;
// With breaker_of_two and follower 2001 at ratio 1: two leader entries of 1 copied, the third trips
// the breaker and is not (the follower is left at 2, the leader at 3).
void trip_breaker_on_third_entry(engine_fixture& fx);

// COPYTRADER_TEST_ONE_LOGIN=1: the leader and every follower under one login, follower_user (the
// fault suite's second run, issue 19): the leader's configuration and the default world say so.
bool one_login();
// The leader's login in this run: leader_user, or follower_user under one_login().
std::string_view leader_login();
// COPYTRADER_TEST_ONE_RECORD=1: the simulator's hub writes one record per WebSocket message (switch
// coalesce_records off) where by default it sends what waited as one: the fault suite's second run
// covers the other way.
bool one_record_per_message();

class engine_fixture {
public:
  // `followers` is the YAML list under `followers:` (each entry uses follower_user / follower.key);
  // `extra` adds top-level sections (copy:, safety:).
  explicit engine_fixture(std::string followers, std::string extra = {}, std::vector<std::string> sim_args = {},
                          std::int64_t leader_account = 1001, std::optional<std::string> world = std::nullopt);
  ~engine_fixture();

  // Starts the engine and waits until it copies (leader ready, every follower checked).
  void start(bool wait_until_copying = true);
  void stop();
  // Runs the engine's loop until `done` or the limit; true if done.
  bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = std::chrono::seconds(15));
  void run_for(std::chrono::milliseconds how_long);
  // For a `done` that reads the simulator (a blocking HTTP call): checked every `every`, the engine
  // running freely in between. run_until would check it after every single handler and starve the
  // engine it waits for.
  bool poll_until(const std::function<bool()>& done, std::chrono::milliseconds limit,
                  std::chrono::milliseconds every = std::chrono::milliseconds(100));
  // Writes a new configuration and applies it as a SIGHUP would; the engine's refusal, if any.
  config_errors reload(std::string followers, std::string extra = {});

  boost::json::value act(const std::string& body) const; // POST /act, must succeed
  void control(std::string_view path, const std::string& body) const;
  // The leader buys (size > 0) or sells (size < 0) at market, optionally bracketed and tagged.
  std::int64_t leader_market(int signed_size, std::optional<int> sl_ticks = std::nullopt,
                             std::optional<int> tp_ticks = std::nullopt, const std::string& tag = {},
                             std::string_view contract = mes) const;
  void leader_close(std::string_view contract = mes) const;
  void move_price(double price, std::string_view contract = mes) const;

  [[nodiscard]] int position(std::int64_t account, std::string_view contract = mes) const;
  [[nodiscard]] std::vector<leg_view> legs(std::int64_t account, std::string_view contract = mes) const;
  [[nodiscard]] std::size_t orders(std::int64_t account) const;
  // Every order tag seen at most once among the account's accepted orders.
  [[nodiscard]] bool tags_unique(std::int64_t account) const;
  // An open position has stops and targets covering it exactly (no leg larger than the position,
  // none on the wrong side); flat has no legs.
  [[nodiscard]] bool protected_exactly(std::int64_t account, std::string_view contract = mes) const;
  // Waits for the followers to reach these positions with their legs fitted.
  bool settle(const std::vector<std::pair<std::int64_t, int>>& wanted, std::string_view contract = mes,
              bool check_legs = true, std::chrono::milliseconds limit = std::chrono::seconds(15));
  [[nodiscard]] std::size_t count_log(std::string_view what, std::optional<std::int64_t> account = {}) const;
  // Entries of one user (REST requests, hub upgrades), optionally of one status.
  [[nodiscard]] std::size_t count_user_log(std::string_view what, std::string_view username,
                                           std::optional<unsigned> status = {}) const;

  sim_process sim;
  boost::asio::io_context io;
  boost::asio::thread_pool helper{1};
  std::unique_ptr<audit_log> audit;
  std::unique_ptr<guard_store> guards;
  std::unique_ptr<engine::copy_engine> engine;
  config cfg;
  std::function<void(alerts::alert)> alert_sink; // given to each engine start() makes
  // Where the engines start() makes read the time (null: the real clocks).
  std::unique_ptr<time_source> clocks;

private:
  config load(const std::string& followers, const std::string& extra);
  std::int64_t leader_account_ = 1001;
  bool running_ = false;
  bool finished_ = false;
};

} // namespace copytrader::testing
