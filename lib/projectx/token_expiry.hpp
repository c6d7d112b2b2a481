#pragma once
// When a session token expires. ProjectX tokens are JWTs; their `exp` claim (seconds since the epoch)
// is read without verifying the signature: it only schedules the refresh, it grants nothing. A token
// whose claim cannot be read is assumed to live the documented 24 hours.

#include <chrono>
#include <optional>
#include <string_view>

namespace copytrader::projectx {

std::optional<std::chrono::system_clock::time_point> jwt_expiry(std::string_view token);

// Base64url without padding, as JWTs use it (also for the simulator to make tokens).
std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

} // namespace copytrader::projectx
