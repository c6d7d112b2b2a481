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
    : executor_(std::move(executor)),
      bucket_(capacity, with_margin(window)),
      login_(std::move(login)),
      next_grant_(executor_) {}

void request_budget::pump() {
  if (closed_) return;
  if (before_grant_) before_grant_();
  const auto now = std::chrono::steady_clock::now();
  while (auto t = bucket_.grant(now)) {
    if (auto it = waiters_.find(*t); it != waiters_.end()) {
      it->second.granted = true;
      it->second.timer->cancel();
    }
  }
  if (auto next = bucket_.next_grant_time(now)) arm(*next);
}

void request_budget::arm(steady_time when) {
  if (armed_for_ && *armed_for_ <= when) return; // already due to look at that time or sooner
  armed_for_ = when;
  next_grant_.expires_at(when);
  next_grant_.async_wait([this](boost::system::error_code ec) {
    // Aborted: re-armed for another time, closed, or the budget is gone (do not touch it then).
    if (ec) return;
    ++wakeups_;
    armed_for_.reset();
    pump();
  });
}

asio::awaitable<bool> request_budget::acquire(request_priority priority) {
  if (closed_) co_return false;
  const auto ticket = bucket_.enqueue(priority);
  asio::steady_timer timer(executor_, steady_time::max());
  waiters_.emplace(ticket, waiter{&timer, false});
  // Whatever happens to this coroutine (granted, closed, or destroyed while waiting), the ticket and
  // the pointer to this frame's timer leave the budget with it.
  struct leave_guard {
    request_budget& budget;
    token_bucket::ticket ticket;
    ~leave_guard() {
      if (auto it = budget.waiters_.find(ticket); it != budget.waiters_.end()) {
        if (!it->second.granted) budget.bucket_.cancel(ticket);
        budget.waiters_.erase(it);
      }
    }
  } leave{*this, ticket};

  pump();
  if (waiters_.at(ticket).granted) co_return true;

  const auto now = std::chrono::steady_clock::now();
  const auto next = bucket_.next_grant_time(now).value_or(now);
  if (next - now >= std::chrono::seconds(1)) {
    spdlog::warn(
        "rate limit approaching, waiting {} s ({} of {} requests in the window used, {} kept for exits, "
        "login {})",
        std::chrono::duration_cast<std::chrono::seconds>(next - now).count() + 1,
        bucket_.capacity() - bucket_.available(now), bucket_.capacity(), bucket_.reserve(), login_);
  }
  // Woken only by a grant or by close(); a wake-up with neither is a bug, not a reason to spin.
  while (!waiters_.at(ticket).granted && !closed_) {
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    ++wakeups_;
  }
  co_return waiters_.at(ticket).granted;
}

bool request_budget::try_acquire(request_priority priority) {
  if (closed_) return false;
  if (before_grant_) before_grant_();
  return bucket_.take_now(priority, std::chrono::steady_clock::now());
}

void request_budget::throttled(std::optional<std::chrono::seconds> retry_after) {
  const auto cooldown = retry_after.value_or(std::chrono::seconds(5));
  bucket_.cool_down(std::chrono::steady_clock::now(), cooldown);
  spdlog::warn("HTTP 429 for login {}: pausing its requests for {} s", login_, cooldown.count());
  // The cool-down may push the next grant later than the timer is armed for: it wakes, grants
  // nothing and sleeps again until then.
  pump();
}

void request_budget::set_reserve(std::size_t reserve, bool entries_may_use) {
  bucket_.set_reserve(reserve, entries_may_use);
  // A smaller reserve may let a waiter go now; a larger one may push the next grant later, which the
  // armed timer finds when it wakes.
  pump();
}

void request_budget::close() {
  if (closed_) return;
  closed_ = true;
  next_grant_.cancel();
  armed_for_.reset();
  for (auto& [ticket, w] : waiters_) {
    if (!w.granted) w.timer->cancel();
  }
}

} // namespace copytrader
