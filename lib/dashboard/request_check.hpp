#pragma once
// What the dashboard's listener does with a request, decided before any of it is acted on (pure).
// The page and its live feed are read-only; an action changes what the daemon does with real money,
// so it must come from the page itself (Origin), name this listener (Host: no DNS rebinding), be
// JSON (a cross-site form cannot send it without a preflight we never grant), and carry the token in
// a header (never a cookie, so no other site's request can carry it).

#include "control/control_request.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace copytrader::dashboard {

enum class route { page, script, style, icon, events, action, refused };

struct request_facts {
  std::string_view method;
  std::string_view target;
  std::string_view host;                  // the Host header
  std::optional<std::string_view> origin; // the Origin header, when sent
  std::string_view authorization;         // the Authorization header
  std::string_view content_type;
};

struct verdict {
  route where = route::refused;
  unsigned status = 200; // the HTTP status when refused
  std::string reason;    // said to the client and logged; never holds the token
};

// The Host names this listener: 127.0.0.1, localhost or [::1], with its port.
[[nodiscard]] bool names_this_listener(std::string_view host, unsigned short port) noexcept;

[[nodiscard]] verdict check_request(const request_facts& request, unsigned short port, std::string_view token);

// An action's body is a control request (control_request.hpp, the one request format) limited to what
// the page offers: enable, disable, flatten (a name, or all with "confirm": "FLATTEN ALL", the words
// the trader typed), reset-breaker, unlock.
[[nodiscard]] outcome<control::request> check_action(std::string_view body);

} // namespace copytrader::dashboard
