#include "safety/request_budget.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace copytrader {
namespace asio = boost::asio;

std::chrono::nanoseconds request_budget::with_margin(std::chrono::nanoseconds window) {
  return window + std::max<std::chrono::nanoseconds>(window / 50, std::chrono::milliseconds(50));
}

request_budget::request_budget(asio::any_io_executor executor, std::size_t capacity, std::chrono::nanoseconds window,
                               std::string login)
    : executor_(std::move(executor)), bucket_(capacity, with_margin(window)), login_(std::move(login)) {}

void request_budget::pump() {
  const auto now = std::chrono::steady_clock::now();
  while (auto t = bucket_.grant(now)) {
    granted_[*t] = true;
    if (auto it = waiters_.find(*t); it != waiters_.end()) it->second->cancel();
  }
  // Whoever waits next may now be due earlier or later: let them all look again.
  for (auto& [ticket, timer] : waiters_) {
    if (!granted_.contains(ticket)) timer->cancel();
  }
}

asio::awaitable<void> request_budget::acquire(request_priority priority) {
  const auto ticket = bucket_.enqueue(priority);
  pump();
  if (granted_.erase(ticket) > 0) co_return;

  asio::steady_timer timer(executor_);
  waiters_[ticket] = &timer;
  bool announced = false;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    const auto next = bucket_.next_grant_time(now).value_or(now);
    if (!announced && next - now >= std::chrono::seconds(1)) {
      announced = true;
      spdlog::warn("rate limit approaching, waiting {} s ({} of {} requests in the window used, login {})",
                   std::chrono::duration_cast<std::chrono::seconds>(next - now).count() + 1,
                   bucket_.capacity() - bucket_.available(now), bucket_.capacity(), login_);
    }
    timer.expires_at(next);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    if (granted_.erase(ticket) > 0) break;
    pump();
    if (granted_.erase(ticket) > 0) break;
  }
  waiters_.erase(ticket);
}

void request_budget::throttled(std::optional<std::chrono::seconds> retry_after) {
  const auto cooldown = retry_after.value_or(std::chrono::seconds(5));
  bucket_.cool_down(std::chrono::steady_clock::now(), cooldown);
  spdlog::warn("HTTP 429 for login {}: pausing its requests for {} s", login_, cooldown.count());
  pump();
}

} // namespace copytrader
