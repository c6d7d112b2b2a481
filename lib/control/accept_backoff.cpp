#include "control/accept_backoff.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace copytrader::control {

boost::asio::awaitable<void> wait_after_failed_accept(accept_backoff& backoff, boost::asio::steady_timer& pause,
                                                      std::string_view listener, boost::system::error_code error) {
  const auto delay = backoff.failed();
  if (backoff.first_of_streak())
    spdlog::error("{}: accept failed: {}; retrying every {} ms at most until it works", listener, error.message(),
                  accept_backoff::longest.count());
  pause.expires_after(delay);
  co_await pause.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

} // namespace copytrader::control
