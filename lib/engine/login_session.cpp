#include "engine/login_session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

namespace copytrader::engine {
namespace asio = boost::asio;

login_session::login_session(asio::any_io_executor executor, asio::ssl::context& tls, projectx::https_endpoint endpoint,
                             credential login, const rate_limit_config& limit, std::int32_t max_orders_per_minute)
    : http_(executor, tls, std::move(endpoint)),
      auth_(http_, std::move(login)),
      budget_(std::move(executor), static_cast<std::size_t>(limit.max_requests), limit.window, auth_.username()),
      rest_(http_, auth_, &budget_),
      order_ceiling_(static_cast<std::size_t>(max_orders_per_minute), std::chrono::minutes(1)) {}

void login_session::start() {
  asio::co_spawn(http_.get_executor(), http_.warm_up(), asio::detached);
  asio::co_spawn(http_.get_executor(), http_.keep_warm(), asio::detached);
  asio::co_spawn(http_.get_executor(), auth_.keep_fresh(), asio::detached);
}

void login_session::stop() {
  auth_.stop();
  http_.close();
}

} // namespace copytrader::engine
