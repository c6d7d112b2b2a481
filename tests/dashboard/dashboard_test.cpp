// The dashboard served by copytraderd as a process (issue 17): its security at the HTTP level, the
// live feed, an action carried out; then the page in a real browser (browser_check.py, headless
// chromium through chromium-driver), which is what a trader sees.

#include "support/daemon_harness.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace copytrader::testing;
using Catch::Matchers::Contains;

namespace {

constexpr std::string_view token = "dashboard-canary-token-5f1e0c";

struct dashboard_daemon {
  unsigned short port = free_port();
  running_daemon d;

  static daemon_setup setup(unsigned short port) {
    daemon_setup s;
    s.extra_files["dashboard.token"] = std::string(token) + "\n";
    s.control_extra = fmt::format("  dashboard_listen: 127.0.0.1:{}\n  dashboard_token_file: dashboard.token\n", port);
    return s;
  }
  dashboard_daemon() : d(setup(port)) {}
};

std::string action(unsigned short port, const std::string& body, const std::string& headers) {
  return http_exchange(
      port, fmt::format("POST /api/action HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{}Content-Length: {}\r\n\r\n{}", port,
                        headers, body.size(), body));
}

std::string good_headers(unsigned short port) {
  return fmt::format("Origin: http://127.0.0.1:{}\r\nContent-Type: application/json\r\nAuthorization: Bearer {}\r\n",
                     port, token);
}

} // namespace

TEST_CASE("dashboard: page and feed, hardened; an action needs the token, the page's origin and its host",
          "[dashboard]") {
  dashboard_daemon fx;
  const auto port = fx.port;
  const auto page = http_exchange(port, fmt::format("GET / HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", port));
  CHECK_THAT(page, Contains("HTTP/1.1 200") && Contains("<script src=\"/app.js\" defer>"));
  CHECK_THAT(page, Contains("Content-Security-Policy: default-src 'none'; script-src 'self'"));
  CHECK_THAT(page, Contains("frame-ancestors 'none'") && Contains("X-Content-Type-Options: nosniff"));
  CHECK_THAT(page, !Contains("<script>")); // no inline script: the CSP would refuse it anyway
  CHECK_THAT(http_exchange(port, fmt::format("GET /app.js HTTP/1.1\r\nHost: localhost:{}\r\n\r\n", port)),
             Contains("text/javascript") && Contains("EventSource"));
  // DNS rebinding: a page of another name that resolves here is refused.
  CHECK_THAT(http_exchange(port, fmt::format("GET / HTTP/1.1\r\nHost: evil.example:{}\r\n\r\n", port)),
             Contains("HTTP/1.1 421"));

  // The feed: the same reports as copytraderctl status and stats.
  fx.d.leader_market(2);
  REQUIRE(fx.d.ctl("status").out.find("big") != std::string::npos);
  REQUIRE(eventually([&] { return fx.d.position(2002) == 2; }));
  const auto feed = http_exchange(port, fmt::format("GET /events HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", port), 2s);
  CHECK_THAT(feed, Contains("text/event-stream") && Contains("data: {\"status\":") && Contains("\"followers\"") &&
                       Contains("\"stats\":") && Contains("\"copies\":[{"));

  // Refused: no token, a wrong one, another origin, no origin, not JSON, an action the page does not offer.
  const std::string flatten_big = R"({"command":"flatten","name":"big"})";
  const std::string json_from_page =
      fmt::format("Origin: http://127.0.0.1:{}\r\nContent-Type: application/json\r\n", port);
  CHECK_THAT(action(port, flatten_big, json_from_page), Contains("HTTP/1.1 401"));
  CHECK_THAT(action(port, flatten_big, json_from_page + "Authorization: Bearer not-the-token\r\n"),
             Contains("HTTP/1.1 401"));
  CHECK_THAT(action(port, flatten_big,
                    fmt::format("Origin: http://evil.example\r\nContent-Type: application/json\r\n"
                                "Authorization: Bearer {}\r\n",
                                token)),
             Contains("HTTP/1.1 403"));
  CHECK_THAT(
      action(port, flatten_big, fmt::format("Content-Type: application/json\r\nAuthorization: Bearer {}\r\n", token)),
      Contains("HTTP/1.1 403"));
  CHECK_THAT(action(port, flatten_big,
                    fmt::format("Origin: http://127.0.0.1:{}\r\nContent-Type: text/plain\r\nAuthorization: Bearer "
                                "{}\r\n",
                                port, token)),
             Contains("HTTP/1.1 415"));
  CHECK_THAT(action(port, R"({"command":"reload"})", good_headers(port)), Contains("HTTP/1.1 400"));
  CHECK_THAT(action(port, R"({"command":"flatten","all":true})", good_headers(port)),
             Contains("HTTP/1.1 400") && Contains("FLATTEN ALL"));
  CHECK(fx.d.position(2002) == 2); // nothing refused did anything

  // Accepted: the follower is flattened, and the journal names the action and where it came from.
  const auto done = action(port, flatten_big, good_headers(port));
  CHECK_THAT(done, Contains("HTTP/1.1 200") && Contains("\"ok\":true"));
  REQUIRE(eventually([&] { return fx.d.position(2002) == 0; }));
  const auto journal = read_file(fx.d.log);
  CHECK_THAT(journal, Contains("dashboard 127.0.0.1:") && Contains(": flatten big"));
  CHECK_THAT(journal, Contains("action refused: the dashboard offers"));

  // copytraderctl dashboard gives the address with the token in its fragment; no log line has it.
  const auto address = fx.d.ctl("dashboard");
  CHECK(address.code == 0);
  CHECK_THAT(address.out, Contains(fmt::format("http://127.0.0.1:{}/#token={}", port, token)));
  CHECK(journal.find(token) == std::string::npos);
}

TEST_CASE("dashboard: a non-loopback listener and a short token are refused by the configuration", "[dashboard]") {
  temp_dir dir;
  dir.write("leader.key", "k\n");
  dir.write("short.token", "abc\n");
  const auto check = [&](const std::string& control) {
    dir.write("c.yaml",
              fmt::format("api:\n  base_url: https://127.0.0.1:1\n  user_hub_url: wss://127.0.0.1:1/hubs/user\n"
                          "leader:\n  username: l\n  api_key_file: leader.key\n  account_id: 1\n"
                          "followers:\n  - {{name: f, username: l, api_key_file: leader.key, account_id: 2}}\n"
                          "control:\n  socket: c.sock\n{}",
                          control));
    return run_command(
        fmt::format("{} --check-config --config {} 2>&1", COPYTRADERD_PATH, (dir.path() / "c.yaml").string()));
  };
  CHECK_THAT(check("  dashboard_listen: 0.0.0.0:8470\n").out,
             Contains("control.dashboard_listen: '0.0.0.0' is not a loopback address"));
  CHECK_THAT(check("  dashboard_listen: 127.0.0.1:8470\n  dashboard_token_file: short.token\n").out,
             Contains("the dashboard token must be at least 16 characters"));
  CHECK_THAT(check("  dashboard_token_file: short.token\n").out, Contains("the dashboard is off"));
  CHECK(check("  dashboard_listen: 127.0.0.1:8470\n").code == 0); // a token is made at start
}

TEST_CASE("dashboard in a real browser: live rows, flatten with the token, refused without, both widths",
          "[dashboard][browser]") {
  if (std::system("command -v chromedriver >/dev/null && command -v chromium >/dev/null && "
                  "/usr/bin/python3 -c 'import selenium' 2>/dev/null") != 0) {
    FAIL("chromium, chromium-driver or python3-selenium is missing: scripts/install-deps.sh installs them");
  }
  dashboard_daemon fx;
  const auto out_dir = std::filesystem::path(DASHBOARD_SCREENSHOT_DIR);
  std::filesystem::create_directories(out_dir);
  const auto result = run_command(
      fmt::format("/usr/bin/python3 -B {} --url 'http://127.0.0.1:{}/#token={}' --sim-control {} --out {} 2>&1",
                  DASHBOARD_BROWSER_CHECK, fx.port, token, fx.d.sim.control_port, out_dir.string()));
  INFO(result.out);
  CHECK(result.code == 0);
  CHECK(fx.d.position(2002) == 0); // flattened through the page
  CHECK(std::filesystem::exists(out_dir / "dashboard-1280x800.png"));
  CHECK(std::filesystem::exists(out_dir / "dashboard-phone.png"));
  CHECK_THAT(read_file(fx.d.log), Contains(": flatten big"));
}
