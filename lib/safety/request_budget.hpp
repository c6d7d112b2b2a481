#pragma once
// The I/O side of a login's token bucket: a request awaits its grant in its priority lane; nothing is
// dropped. A 429 from the venue cools the login down (Retry-After when given, else 5 s) and is
// counted. A wait of a second or more is logged as `rate limit approaching, waiting N s`.

#include "safety/token_bucket.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

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

  boost::asio::awaitable<void> acquire(request_priority priority);
  void throttled(std::optional<std::chrono::seconds> retry_after);

  [[nodiscard]] std::size_t available() { return bucket_.available(std::chrono::steady_clock::now()); }
  [[nodiscard]] std::size_t capacity() const noexcept { return bucket_.capacity(); }
  [[nodiscard]] std::uint64_t throttled_count() const noexcept { return bucket_.throttled_count(); }
  [[nodiscard]] std::size_t waiting() const noexcept { return bucket_.waiting(); }
  [[nodiscard]] std::uint64_t granted(request_priority p) const noexcept { return bucket_.granted(p); }

private:
  void pump();

  boost::asio::any_io_executor executor_;
  token_bucket bucket_;
  std::string login_;
  std::map<token_bucket::ticket, boost::asio::steady_timer*> waiters_;
  std::map<token_bucket::ticket, bool> granted_;
};

} // namespace copytrader
