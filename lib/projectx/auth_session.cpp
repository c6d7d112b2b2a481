#include "projectx/auth_session.hpp"

#include "projectx/decode.hpp"
#include "projectx/requests.hpp"
#include "projectx/token_expiry.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace copytrader::projectx {
namespace asio = boost::asio;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
constexpr auto assumed_lifetime = std::chrono::hours(24);

std::chrono::system_clock::time_point refresh_time(std::chrono::system_clock::time_point issued,
                                                   std::chrono::system_clock::time_point expires) {
  const auto halfway = issued + (expires - issued) / 2;
  const auto latest = expires - std::chrono::seconds(60);
  return halfway < latest || latest <= issued ? halfway : latest;
}

auth_session::auth_session(https_client& http, credential login)
    : http_(http), login_(std::move(login)), login_done_(http.get_executor()), refresh_timer_(http.get_executor()) {}

void auth_session::adopt(std::string token) {
  issued_ = std::chrono::system_clock::now();
  expires_ = jwt_expiry(token).value_or(issued_ + assumed_lifetime);
  token_ = secret(std::move(token));
  refresh_timer_.cancel(); // reschedule
}

void auth_session::invalidate(std::string_view seen) {
  if (!token_.empty() && token_.reveal() == seen) token_ = secret();
}

void auth_session::stop() {
  stopped_ = true;
  refresh_timer_.cancel();
  login_done_.cancel();
}

asio::awaitable<outcome<void>> auth_session::log_in() {
  if (std::chrono::steady_clock::now() < next_attempt_ && last_error_) {
    co_return failure{*last_error_}; // a refused login is not retried hot
  }
  const rest_request request = login_key(login_.username, login_.api_key);
  const http_result r = co_await http_.post(request.path, request.body, "");
  std::string problem;
  if (r.stage != transport_stage::completed) {
    problem = "cannot reach the gateway: " + r.error;
  } else if (r.status != 200) {
    problem = fmt::format("login answered HTTP {}", r.status);
  } else if (auto decoded = decode_login(r.body); !decoded) {
    problem = "unreadable login response: " + decoded.error().message;
  } else if (!decoded->status.ok()) {
    problem = fmt::format("login refused: {} ({}){}{}", login_error_name(decoded->status.error_code),
                          decoded->status.error_code, decoded->status.error_message ? ": " : "",
                          decoded->status.error_message.value_or(""));
  } else {
    adopt(std::string(decoded->payload->reveal()));
    ++logins_;
    last_error_.reset();
    retry_.reset();
    co_return outcome<void>{};
  }
  last_error_ = "login " + login_.username + ": " + problem;
  next_attempt_ = std::chrono::steady_clock::now() + std::max(retry_.next_delay(), std::chrono::milliseconds(1000));
  co_return failure{*last_error_};
}

asio::awaitable<outcome<std::string_view>> auth_session::token() {
  for (;;) {
    if (!token_.empty()) co_return token_.reveal();
    if (stopped_) co_return failure{"session stopped"};
    if (logging_in_) {
      co_await login_done_.async_wait(tuple_awaitable); // woken when the login in progress ends
      if (token_.empty() && last_error_) co_return failure{*last_error_};
      continue;
    }
    logging_in_ = true;
    login_done_.expires_at(asio::steady_timer::time_point::max());
    auto result = co_await log_in();
    logging_in_ = false;
    login_done_.cancel();
    if (!result) co_return result.error();
  }
}

asio::awaitable<bool> auth_session::refresh() {
  const std::string current(token_.reveal());
  const rest_request request = validate_session();
  const http_result r = co_await http_.post(request.path, request.body, current);
  if (r.stage == transport_stage::completed && r.status == 200) {
    if (auto decoded = decode_validate(r.body); decoded && decoded->status.ok() && decoded->payload) {
      adopt(std::string(decoded->payload->reveal()));
      ++refreshes_;
      co_return true;
    }
  }
  spdlog::warn("token refresh for {} failed; logging in again", login_.username);
  invalidate(current);
  co_return static_cast<bool>(co_await token());
}

asio::awaitable<void> auth_session::keep_fresh() {
  while (!stopped_) {
    if (token_.empty()) {
      const bool signed_in = static_cast<bool>(co_await token());
      // A stop during the login has already cancelled the timer: waiting on it now would hold the
      // daemon's exit until the next refresh (issue 18).
      if (stopped_) break;
      if (!signed_in) {
        refresh_timer_.expires_at(next_attempt_);
        co_await refresh_timer_.async_wait(tuple_awaitable);
        continue;
      }
    }
    const auto wait = refresh_time(issued_, expires_) - std::chrono::system_clock::now();
    refresh_timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(wait));
    auto [ec] = co_await refresh_timer_.async_wait(tuple_awaitable);
    if (stopped_) break;
    if (ec) continue; // a new token was adopted: reschedule
    co_await refresh();
  }
}

} // namespace copytrader::projectx
