#pragma once
// The I/O side of a login's token bucket: a request awaits its grant in its priority lane; nothing is
// dropped. A 429 from the venue cools the login down (Retry-After when given, else 5 s) and is
// counted. A wait of a second or more is logged as `rate limit approaching, waiting N s`.
//
// One timer per budget sleeps until the bucket's next grant time; a waiting request sleeps on its
// own timer until it is granted or the budget is closed, so a wait costs no CPU however long it
// lasts. close() (the daemon is stopping) releases every waiter ungranted: a stop never waits for
// the budget.

#include "safety/token_bucket.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace copytrader {

class request_budget {
public:
  // A slot is counted from the grant, the venue counts from arrival a little later: each slot comes
  // back after the window plus a margin (2%, at least 50 ms) so that the two clocks never disagree.
  static std::chrono::nanoseconds with_margin(std::chrono::nanoseconds window);

  request_budget(boost::asio::any_io_executor executor, std::size_t capacity, std::chrono::nanoseconds window,
                 std::string login);
  request_budget(const request_budget&) = delete;
  request_budget& operator=(const request_budget&) = delete;

  // True once the request may go; false when the budget was closed first (nothing may be sent).
  [[nodiscard]] boost::asio::awaitable<bool> acquire(request_priority priority);
  // For a request that must not wait in the queue (a follower's entry or bracket move: a follower
  // waiting here could not send its exit): a slot now, or false and nothing taken.
  [[nodiscard]] bool try_acquire(request_priority priority);
  // When a request of this lane would find a slot it may take.
  [[nodiscard]] steady_time next_free_for(request_priority priority) {
    return bucket_.next_free_for(priority, std::chrono::steady_clock::now());
  }
  void throttled(std::optional<std::chrono::seconds> retry_after);
  // Runs before any request is granted, while granted_total() is still the count before it (the
  // login's round-trip meter reads the leader's moves then).
  void before_grant(std::function<void()> hook) { before_grant_ = std::move(hook); }
  // The exit reserve (token_bucket): waiters that may now go are granted at once.
  void set_reserve(std::size_t reserve, bool entries_may_use);
  // The daemon is stopping: every waiting request is released ungranted, and so is every later one.
  void close();

  [[nodiscard]] std::size_t available() { return bucket_.available(std::chrono::steady_clock::now()); }
  [[nodiscard]] std::size_t capacity() const noexcept { return bucket_.capacity(); }
  [[nodiscard]] std::uint64_t throttled_count() const noexcept { return bucket_.throttled_count(); }
  [[nodiscard]] std::size_t waiting() const noexcept { return bucket_.waiting(); }
  [[nodiscard]] std::uint64_t granted(request_priority p) const noexcept { return bucket_.granted(p); }
  [[nodiscard]] std::uint64_t granted_total() const noexcept { return bucket_.granted_total(); }
  [[nodiscard]] std::size_t reserve() const noexcept { return bucket_.reserve(); }
  [[nodiscard]] std::uint64_t reserve_grants() const noexcept { return bucket_.reserve_grants(); }
  // Timer wake-ups since start, of the budget's timer and of its waiters: about one per grant that
  // had to wait. A wait that spins shows here as thousands.
  [[nodiscard]] std::uint64_t wakeups() const noexcept { return wakeups_; }
  [[nodiscard]] bool closed() const noexcept { return closed_; }

private:
  struct waiter {
    boost::asio::steady_timer* timer = nullptr;
    bool granted = false;
  };
  // Grants whoever may go now, wakes them, and sleeps the budget's timer until the next grant.
  void pump();
  void arm(steady_time when);

  boost::asio::any_io_executor executor_;
  token_bucket bucket_;
  std::string login_;
  boost::asio::steady_timer next_grant_;
  std::optional<steady_time> armed_for_;
  std::map<token_bucket::ticket, waiter> waiters_;
  std::function<void()> before_grant_;
  std::uint64_t wakeups_ = 0;
  bool closed_ = false;
};

} // namespace copytrader
