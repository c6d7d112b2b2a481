#pragma once
// Why a REST read failed, as a domain error code (as Boost.MySQL's http_server_cpp20 error.hpp
// does): the message says it to a person, the code is what code decides on. A mutation's outcome
// is a place_outcome (mutation_outcome.hpp), never one of these.

#include <boost/system/error_code.hpp>

#include <type_traits>

namespace copytrader::projectx {

enum class rest_error {
  stopping = 1,     // the login's budget is closed: the daemon is stopping, nothing was sent
  no_session,       // no token: the login was refused or the gateway cannot be reached for it
  transport,        // no complete HTTP response (connect, TLS, timeout, reset)
  unauthorized,     // HTTP 401 twice, with a fresh login in between
  throttled,        // HTTP 429
  http_status,      // another HTTP status than 200
  malformed,        // a 200 whose body is not what the endpoint returns
  refused_by_venue, // the envelope's errorCode says the venue refused the request
  not_found,        // the venue does not know the thing asked for (a contract id)
};

[[nodiscard]] const boost::system::error_category& rest_category() noexcept;

[[nodiscard]] inline boost::system::error_code make_error_code(rest_error e) noexcept {
  return {static_cast<int>(e), rest_category()};
}

} // namespace copytrader::projectx

template <>
struct boost::system::is_error_code_enum<copytrader::projectx::rest_error> : std::true_type {};
