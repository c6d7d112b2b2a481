#pragma once
// A deadline over the operations on one socket: when it passes, the socket is closed, so whatever is
// pending on it (the connect, the TLS handshake, an HTTP exchange, a WebSocket upgrade) completes
// with an error and the connection is dropped. It stands in for Beast's timed stream
// (beast::tcp_stream), whose timer machinery is instantiated again under every TLS, HTTP and
// WebSocket operation and cost the units that use them a third or more of their compile time
// (docs/performance.md, "make demo from a clean build"). One deadline per connection, armed once per
// exchange; disarm it before the socket goes.

#include "core/duration.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstdint>
#include <memory>

namespace copytrader::projectx {

class socket_deadline {
public:
  explicit socket_deadline(const boost::asio::any_io_executor& executor);
  ~socket_deadline();
  socket_deadline(const socket_deadline&) = delete;
  socket_deadline& operator=(const socket_deadline&) = delete;

  // From now, `socket` is closed when `limit` has passed, unless the deadline is disarmed or armed
  // again first.
  void arm(boost::asio::ip::tcp::socket& socket, duration limit);
  void disarm() noexcept;
  // Whether the latest arming ended by closing the socket.
  [[nodiscard]] bool expired() const noexcept;

private:
  // The expiry's view, shared with its pending wait: an expiry that was already queued when the
  // deadline was disarmed or armed again finds the generation moved on and closes nothing.
  struct state {
    boost::asio::ip::tcp::socket* socket = nullptr;
    std::uint64_t generation = 0;
    bool expired = false;
  };
  std::shared_ptr<state> state_;
  boost::asio::steady_timer timer_;
};

} // namespace copytrader::projectx
