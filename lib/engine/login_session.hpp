#pragma once
// Everything one ProjectX login (username) owns: its warm HTTPS pool, session token, request budget
// (the venue limits per login, so followers sharing a login share one bucket) and REST client.

#include "config/config.hpp"
#include "core/background.hpp"
#include "projectx/auth_session.hpp"
#include "projectx/https_client.hpp"
#include "projectx/rest_client.hpp"
#include "projectx/tls_fwd.hpp"
#include "safety/exit_reserve.hpp"
#include "safety/leader_move_log.hpp"
#include "safety/request_budget.hpp"
#include "safety/round_trip_meter.hpp"
#include "safety/sliding_window.hpp"

#include <boost/asio/any_io_executor.hpp>

namespace copytrader::engine {

class login_session {
public:
  login_session(background_tasks& tasks, boost::asio::ssl::context& tls, projectx::https_endpoint endpoint,
                credential login, const rate_limit_config& limit, std::int32_t max_orders_per_minute,
                const leader_move_log& leader_moves);
  login_session(const login_session&) = delete;
  login_session& operator=(const login_session&) = delete;

  // Warms the pool, then keeps it warm and the token fresh, in the background.
  void start();
  void stop();

  [[nodiscard]] const std::string& username() const noexcept { return auth_.username(); }
  projectx::auth_session& auth() noexcept { return auth_; }
  projectx::rest_client& rest() noexcept { return rest_; }
  request_budget& budget() noexcept { return budget_; }
  projectx::https_client& http() noexcept { return http_; }
  // safety.max_orders_per_minute: entries sent under this login in the last minute.
  sliding_window& order_ceiling() noexcept { return order_ceiling_; }
  // What a leader round trip costs this login, and what the window sustains (status, metrics).
  // Read after the engine's leader_move_log caught up (read_leader_moves; before a grant it does).
  round_trip_meter& round_trips() noexcept { return round_trips_; }
  void read_leader_moves() { round_trips_.catch_up(leader_moves_, budget_.granted_total()); }
  // The budget keeps plan.reserve requests of the window for exits (and entries, if allowed).
  void keep_for_exits(const exit_reserve_plan& plan, bool entries_may_use);
  [[nodiscard]] const exit_reserve_plan& exit_reserve() const noexcept { return exit_reserve_; }

private:
  background_tasks& tasks_;
  projectx::https_client http_;
  projectx::auth_session auth_;
  request_budget budget_;
  projectx::rest_client rest_;
  sliding_window order_ceiling_;
  const leader_move_log& leader_moves_;
  round_trip_meter round_trips_;
  exit_reserve_plan exit_reserve_;
};

} // namespace copytrader::engine
