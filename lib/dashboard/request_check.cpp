#include "dashboard/request_check.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <array>
#include <string>

namespace copytrader::dashboard {
namespace json = boost::json;

namespace {

constexpr std::string_view flatten_all_words = "FLATTEN ALL";

// Compares without an early exit, so the time taken says nothing about how much of a guess was right.
bool same_secret(std::string_view given, std::string_view token) noexcept {
  unsigned char differ = given.size() == token.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i)
    differ |= static_cast<unsigned char>(given[i] ^ (token.empty() ? 0 : token[i % token.size()]));
  return differ == 0 && !token.empty();
}

verdict refuse(unsigned status, std::string reason) { return {route::refused, status, std::move(reason)}; }

} // namespace

bool names_this_listener(std::string_view host, unsigned short port) noexcept {
  const std::string suffix = ":" + std::to_string(port);
  if (!host.ends_with(suffix)) return false;
  const auto name = host.substr(0, host.size() - suffix.size());
  return name == "127.0.0.1" || name == "localhost" || name == "[::1]";
}

verdict check_request(const request_facts& r, unsigned short port, std::string_view token) {
  if (!names_this_listener(r.host, port))
    return refuse(421,
                  "the Host header does not name this dashboard (use http://127.0.0.1:" + std::to_string(port) + "/)");
  const bool read = r.method == "GET" || r.method == "HEAD";
  if (read) {
    if (r.target == "/" || r.target == "/index.html") return {route::page, 200, {}};
    if (r.target == "/app.js") return {route::script, 200, {}};
    if (r.target == "/app.css") return {route::style, 200, {}};
    if (r.target == "/events") return {route::events, 200, {}};
    if (r.target == "/favicon.ico") return {route::icon, 204, {}}; // a browser asks; there is none
    return refuse(404, "not found");
  }
  if (r.method != "POST") return refuse(405, "only GET, and POST for actions");
  if (r.target != "/api/action") return refuse(404, "not found");
  if (!r.origin) return refuse(403, "an action must come from the dashboard's page (no Origin header)");
  const std::string_view http = "http://";
  if (!r.origin->starts_with(http) || !names_this_listener(r.origin->substr(http.size()), port))
    return refuse(403, "an action must come from the dashboard's page (another Origin)");
  if (!r.content_type.starts_with("application/json")) return refuse(415, "an action is JSON");
  const std::string_view bearer = "Bearer ";
  if (!r.authorization.starts_with(bearer) || !same_secret(r.authorization.substr(bearer.size()), token))
    return refuse(401, "the dashboard token is missing or wrong (copytraderctl dashboard prints the address with it)");
  return {route::action, 200, {}};
}

outcome<control::request> check_action(std::string_view body) {
  boost::system::error_code ec;
  const json::value v = json::parse(body, ec);
  if (ec || !v.is_object()) return failure("an action is a JSON object");
  json::object o = v.as_object();
  std::string confirm;
  if (const auto* c = o.if_contains("confirm")) {
    if (!c->is_string()) return failure("confirm must be text");
    confirm = std::string(c->as_string());
    o.erase("confirm");
  }
  auto request = control::parse_request(json::serialize(o));
  if (!request) return request.error();
  using control::command;
  constexpr std::array offered{command::enable, command::disable, command::flatten, command::reset_breaker,
                               command::unlock};
  if (std::find(offered.begin(), offered.end(), request->what) == offered.end())
    return failure("the dashboard offers enable, disable, flatten, reset-breaker and unlock");
  if (request->what == command::flatten && request->all && confirm != flatten_all_words)
    return failure("flatten all needs the typed confirmation FLATTEN ALL");
  return request;
}

} // namespace copytrader::dashboard
