#pragma once
// Removes credentials from text on its way to any log sink: `access_token=` query parameters (the hub
// URL carries the session token), `Bearer` authorization values, and the JSON fields apiKey, token and
// newToken. The sinks call it on every line, so a call site that forgets cannot leak.

#include <string>
#include <string_view>

namespace copytrader {

std::string redact(std::string_view text);

} // namespace copytrader
