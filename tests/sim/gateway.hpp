#pragma once
// The simulator's REST gateway without I/O: a request (path, bearer, body, time) in, a reply out.
// Envelopes on every answer, business errors as HTTP 200 with the endpoint's own codes, 400 for a
// body that does not bind, 401 for a missing, unknown or expired bearer, 429 past the rate limit.
// Faults armed through the control API change the next N answers of an endpoint.

#include "safety/sliding_window.hpp"
#include "sim/ledger.hpp"

#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <string>

namespace copytrader::sim {

enum class rate_scope { user, token, global };

struct gateway_settings {
  std::chrono::milliseconds token_lifetime = std::chrono::hours(24);
  std::size_t rate_limit = 200;
  std::chrono::milliseconds rate_window = std::chrono::seconds(60);
  rate_scope scope = rate_scope::user;
  std::optional<int> retry_after_seconds; // sent with 429 when set
};

enum class fault_kind {
  status,         // answer this HTTP status without processing
  business_error, // HTTP 200, success:false with error_code, without processing
  drop_response,  // process, then close the connection without answering
  truncate,       // process, then send half the body
  delay,          // process, then answer after delay_ms
  reset,          // close the connection without processing
  body,           // HTTP 200 with `body` as given, processed first when `process` is set
};

struct rest_fault {
  std::string path; // "/api/Order/place", or "*" for every endpoint
  fault_kind kind = fault_kind::status;
  unsigned status = 500;
  int error_code = 0;
  std::optional<std::string> message;
  int delay_ms = 0;
  int count = 1;
  std::optional<std::int64_t> account; // only requests naming this accountId
  std::optional<std::string> username; // only requests of this user (the login's userName, or the bearer's)
  std::string body;                    // for kind body
  bool process = false;                // for kind body
};

enum class disposition { respond, close_without_response, truncate_body };

struct http_reply {
  unsigned status = 200;
  std::string body;
  std::optional<int> retry_after;
  disposition how = disposition::respond;
  std::chrono::milliseconds delay{0};
};

struct session_token {
  std::string username;
  steady_time expires;
};

// A REST body parsed once: the request log and the handler read the same value (issue 15, item 4).
struct rest_body {
  boost::json::value value;
  bool valid = true; // false: not JSON
  static rest_body parse(std::string_view raw);
};

class gateway {
public:
  gateway(ledger& l, gateway_settings settings, std::uint64_t seed);

  http_reply handle(std::string_view method, std::string_view path, std::string_view authorization,
                    const rest_body& request, steady_time now);

  // For the hub: whose token is this, if it is valid now.
  [[nodiscard]] std::optional<std::string> user_of(std::string_view token, steady_time now) const;
  // Fault hooks.
  void arm(rest_fault f) { faults_.push_back(std::move(f)); }
  void clear_faults() { faults_.clear(); }
  void expire_tokens(std::string_view username); // every token of the user stops working now
  gateway_settings& settings() { return settings_; }
  [[nodiscard]] std::uint64_t throttled() const noexcept { return throttled_; }

private:
  http_reply route(std::string_view path, const std::string& username, const std::string& token,
                   const boost::json::object& body, steady_time now);
  http_reply login(const boost::json::object& body, steady_time now);
  http_reply too_many_requests();
  std::optional<rest_fault> take_fault(std::string_view path, std::optional<std::int64_t> account,
                                       const std::optional<std::string>& username);
  bool over_limit(const std::string& key, steady_time now);
  std::string new_token(std::string_view username);

  ledger& ledger_;
  gateway_settings settings_;
  std::mt19937_64 rng_;
  std::map<std::string, session_token, std::less<>> tokens_;
  std::map<std::string, sliding_window, std::less<>> windows_;
  std::deque<rest_fault> faults_;
  std::uint64_t throttled_ = 0;
};

} // namespace copytrader::sim
