#pragma once
// One login's session token: `loginKey` when there is none, `Auth/validate` at half its life to get
// a new one (falling back to `loginKey`), and a fresh login after a 401. One login at a time: callers
// that need a token while a login runs wait for it. A refused login (wrong key, no API subscription)
// is not retried hot: the error is kept and returned until the back-off has passed.

#include "config/config.hpp"
#include "core/failure.hpp"
#include "projectx/https_client.hpp"
#include "signalr/reconnect_backoff.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace copytrader::projectx {

// When to refresh a token issued at `issued` that expires at `expires`: half-way, and never later
// than 60 s before expiry (sans-I/O, for the unit tests).
std::chrono::system_clock::time_point refresh_time(std::chrono::system_clock::time_point issued,
                                                   std::chrono::system_clock::time_point expires);

class auth_session {
public:
  auth_session(https_client& http, credential login);

  // The current token, logging in first when there is none. The reference stays valid until the
  // next co_await on this session.
  boost::asio::awaitable<outcome<std::string_view>> token();
  // A request with `seen` got 401: the next token() logs in again (unless the token changed since).
  void invalidate(std::string_view seen);
  // The token in use now (empty if none); for invalidating it after a GatewayLogout.
  [[nodiscard]] std::string current_token() const { return std::string(token_.reveal()); }
  // Refreshes the token before it expires, until stop().
  boost::asio::awaitable<void> keep_fresh();
  void stop();

  [[nodiscard]] const std::string& username() const noexcept { return login_.username; }
  [[nodiscard]] std::uint64_t logins() const noexcept { return logins_; }
  [[nodiscard]] std::uint64_t refreshes() const noexcept { return refreshes_; }
  [[nodiscard]] const std::optional<std::string>& last_error() const noexcept { return last_error_; }

private:
  boost::asio::awaitable<outcome<void>> log_in();
  boost::asio::awaitable<bool> refresh();
  void adopt(std::string token);

  https_client& http_;
  credential login_;
  secret token_;
  std::chrono::system_clock::time_point issued_{};
  std::chrono::system_clock::time_point expires_{};
  bool logging_in_ = false;
  boost::asio::steady_timer login_done_;
  boost::asio::steady_timer refresh_timer_;
  reconnect_backoff retry_;
  std::chrono::steady_clock::time_point next_attempt_{};
  std::optional<std::string> last_error_;
  std::uint64_t logins_ = 0;
  std::uint64_t refreshes_ = 0;
  bool stopped_ = false;
};

} // namespace copytrader::projectx
