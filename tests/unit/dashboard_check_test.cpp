#include "dashboard/request_check.hpp"

#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::dashboard;
using Catch::Matchers::Contains;

namespace {

constexpr unsigned short port = 8470;
constexpr std::string_view token = "0123456789abcdef0123456789abcdef";

request_facts action_from_page() {
  request_facts r;
  r.method = "POST";
  r.target = "/api/action";
  r.host = "127.0.0.1:8470";
  r.origin = "http://127.0.0.1:8470";
  r.authorization = "Bearer 0123456789abcdef0123456789abcdef";
  r.content_type = "application/json";
  return r;
}

} // namespace

TEST_CASE("dashboard requests: the page and its feed by GET, on this listener's name only", "[dashboard]") {
  request_facts r;
  r.method = "GET";
  r.host = "localhost:8470";
  for (auto [target, where] : {std::pair{"/", route::page}, std::pair{"/index.html", route::page},
                               std::pair{"/app.js", route::script}, std::pair{"/app.css", route::style},
                               std::pair{"/events", route::events}, std::pair{"/favicon.ico", route::icon}}) {
    r.target = target;
    CHECK(check_request(r, port, token).where == where);
  }
  r.target = "/etc/passwd";
  CHECK(check_request(r, port, token).status == 404);
  r.target = "/";
  for (const char* host : {"evil.example:8470", "127.0.0.1:8471", "127.0.0.1", "10.0.0.1:8470", ""}) {
    r.host = host;
    CHECK(check_request(r, port, token).status == 421);
  }
  r.host = "[::1]:8470";
  CHECK(check_request(r, port, token).where == route::page);
  r.method = "DELETE";
  CHECK(check_request(r, port, token).status == 405);
}

TEST_CASE("dashboard requests: an action needs the page's origin, JSON and the token", "[dashboard]") {
  CHECK(check_request(action_from_page(), port, token).where == route::action);
  auto r = action_from_page();
  r.origin.reset();
  CHECK(check_request(r, port, token).status == 403);
  for (const char* origin : {"http://evil.example", "https://127.0.0.1:8470", "http://127.0.0.1:8471", "null"}) {
    r = action_from_page();
    r.origin = origin;
    CHECK(check_request(r, port, token).status == 403);
  }
  r = action_from_page();
  r.content_type = "application/x-www-form-urlencoded"; // what a cross-site form can send
  CHECK(check_request(r, port, token).status == 415);
  for (const char* auth : {"", "Bearer ", "Bearer 0123456789abcdef0123456789abcdeX", "Bearer 0123456789abcdef",
                           "Basic 0123456789abcdef0123456789abcdef", "Bearer 0123456789abcdef0123456789abcdef0"}) {
    r = action_from_page();
    r.authorization = auth;
    const auto v = check_request(r, port, token);
    CHECK(v.status == 401);
    CHECK(v.reason.find(token) == std::string::npos);
  }
  r = action_from_page();
  CHECK(check_request(r, port, "").status == 401); // no token configured: nothing passes
  r.target = "/api/other";
  CHECK(check_request(r, port, token).status == 404);
}

TEST_CASE("dashboard actions: the control request format, limited to what the page offers", "[dashboard]") {
  auto flatten = check_action(R"({"command":"flatten","name":"big"})");
  REQUIRE(flatten.has_value());
  CHECK(flatten->what == control::command::flatten);
  CHECK(flatten->name == "big");
  CHECK(check_action(R"({"command":"enable","name":"big"})").has_value());
  CHECK(check_action(R"({"command":"disable","name":"big"})").has_value());
  CHECK(check_action(R"({"command":"unlock","name":"big"})").has_value());
  CHECK(check_action(R"({"command":"reset-breaker"})").has_value());
  auto all = check_action(R"({"command":"flatten","all":true,"confirm":"FLATTEN ALL"})");
  REQUIRE(all.has_value());
  CHECK(all->all);
  CHECK_THAT(check_action(R"({"command":"flatten","all":true})").error().message, Contains("FLATTEN ALL"));
  CHECK_THAT(check_action(R"({"command":"flatten","all":true,"confirm":"flatten all"})").error().message,
             Contains("FLATTEN ALL"));
  for (const char* refused : {R"({"command":"reload"})", R"({"command":"copy","side":"long","size":1})",
                              R"({"command":"dashboard"})", R"({"command":"status"})"})
    CHECK_THAT(check_action(refused).error().message, Contains("the dashboard offers"));
  CHECK_FALSE(check_action("not json").has_value());
  CHECK_FALSE(check_action(R"({"command":"flatten","name":"a b"})").has_value());
  CHECK_FALSE(check_action(R"({"command":"flatten","name":"big","confirm":3})").has_value());
}
