#include "engine/login_session.hpp"

namespace copytrader::engine {
namespace asio = boost::asio;

login_session::login_session(background_tasks& tasks, asio::ssl::context& tls, projectx::https_endpoint endpoint,
                             credential login, const rate_limit_config& limit, std::int32_t max_orders_per_minute,
                             const leader_move_log& leader_moves)
    : tasks_(tasks),
      http_(tasks.executor(), tls, std::move(endpoint)),
      auth_(http_, std::move(login)),
      budget_(tasks.executor(), static_cast<std::size_t>(limit.max_requests), limit.window, auth_.username()),
      rest_(http_, auth_, &budget_),
      order_ceiling_(static_cast<std::size_t>(max_orders_per_minute), std::chrono::minutes(1)),
      leader_moves_(leader_moves),
      round_trips_(leader_moves.last()) {
  budget_.before_grant([this] { read_leader_moves(); });
}

void login_session::start() {
  // Warming once may fail and is done again by keep_warm; the two loops keep the login usable.
  tasks_.spawn("warm-up of " + username(), http_.warm_up());
  tasks_.spawn("connections of " + username(), http_.keep_warm(), task_policy::fatal);
  tasks_.spawn("token of " + username(), auth_.keep_fresh(), task_policy::fatal);
}

void login_session::keep_for_exits(const exit_reserve_plan& plan, bool entries_may_use) {
  exit_reserve_ = plan;
  budget_.set_reserve(plan.reserve, entries_may_use);
}

void login_session::stop() {
  budget_.close(); // a request waiting for its turn is released unsent: a stop never waits for the budget
  auth_.stop();
  http_.close();
}

} // namespace copytrader::engine
