#pragma once
// Keep-alive HTTPS to one gateway host for one login: a small pool of connections, opened and
// TLS-handshaken ahead of time so that a copy never pays a handshake, reopened in the background
// when they have idled long enough for the server to drop them. Every request has a deadline and
// a bounded response; the result says how far the request got (projectx::transport_stage), which
// is what the outcome classification of a mutation needs.

#include "core/duration.hpp"
#include "projectx/mutation_outcome.hpp"
#include "projectx/tls_fwd.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace copytrader::projectx {

struct https_endpoint {
  std::string host;
  std::string port = "443";
  duration request_timeout = std::chrono::seconds(5);
  std::size_t pool_size = 2;
  std::size_t max_response_bytes = std::size_t{8} * 1024 * 1024;
  duration idle_refresh = std::chrono::seconds(30); // reopen a connection idle for this long before use
};

struct http_result {
  transport_stage stage = transport_stage::completed;
  unsigned status = 0;
  std::string body;
  std::optional<int> retry_after;
  std::string error;                               // for transport failures; never contains the request
  std::chrono::steady_clock::time_point written{}; // when the request's write started (it then went out whole)

  [[nodiscard]] http_exchange exchange() const { return http_exchange{stage, status, body, error}; }
};

class https_client {
public:
  https_client(boost::asio::any_io_executor executor, boost::asio::ssl::context& tls, https_endpoint endpoint);
  ~https_client();
  https_client(const https_client&) = delete;
  https_client& operator=(const https_client&) = delete;

  // Opens and handshakes the pool's connections; failures are left for the first request to retry.
  boost::asio::awaitable<void> warm_up();
  // Reopens, in the background, connections that idled past idle_refresh or broke, until close().
  boost::asio::awaitable<void> keep_warm();
  // POST with a JSON body; `bearer` empty for login.
  boost::asio::awaitable<http_result> post(std::string_view path, std::string_view body, std::string_view bearer);
  void close();

  [[nodiscard]] const https_endpoint& endpoint() const noexcept { return endpoint_; }
  [[nodiscard]] const boost::asio::any_io_executor& get_executor() const noexcept { return executor_; }
  [[nodiscard]] std::size_t open_connections() const noexcept;
  [[nodiscard]] std::size_t pool_size() const noexcept { return pool_.size(); }
  [[nodiscard]] std::uint64_t handshakes() const noexcept { return handshakes_; }
  // Of which the ones a request waited for (its connection was not open): what warming avoids.
  [[nodiscard]] std::uint64_t request_handshakes() const noexcept { return request_handshakes_; }
  // Requests that found every connection busy and waited for another's answer: what sizing the pool avoids.
  [[nodiscard]] std::uint64_t pool_waits() const noexcept { return pool_waits_; }

private:
  struct connection; // a TLS stream and its deadline: only https_client.cpp sees the stream types
  // The server closed it while it idled (or sent what only precedes a close): a request written to
  // it could not be told apart from one lost after sending, so it is reopened first.
  static bool closed_by_peer(connection& c);

  boost::asio::awaitable<connection*> acquire();
  void release(connection* c);
  boost::asio::awaitable<std::optional<std::string>> open(connection& c); // the error, if any
  void reset(connection& c);

  boost::asio::any_io_executor executor_;
  boost::asio::ssl::context& tls_;
  https_endpoint endpoint_;
  std::vector<std::unique_ptr<connection>> pool_;
  boost::asio::steady_timer released_; // wakes requests waiting for a free connection
  boost::asio::steady_timer warm_timer_;
  std::uint64_t handshakes_ = 0;
  std::uint64_t request_handshakes_ = 0;
  std::uint64_t pool_waits_ = 0;
  bool closed_ = false;
};

} // namespace copytrader::projectx
