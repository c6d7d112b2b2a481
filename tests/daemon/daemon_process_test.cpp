// copytraderd as a real process under a stand-in for systemd: a NOTIFY_SOCKET we read, signals we send.

#include "support/config_fixture.hpp"
#include "support/process.hpp"

#include <catch2/catch.hpp>

#include <csignal>
#include <memory>

using namespace copytrader::testing;
using Catch::Matchers::Contains;

namespace {

constexpr auto deadline = 20s; // generous: a pass takes milliseconds, a hang must fail, not stall CI

struct daemon_fixture {
  config_fixture files;
  std::filesystem::path log = files.dir.path() / "daemon.log";
  notify_socket notify{files.dir.path() / "notify.sock"};
  std::filesystem::path config_file = files.write_config(minimal_config);

  std::unique_ptr<child_process> start(std::map<std::string, std::string> env = {},
                                       std::vector<std::string> extra_args = {}) {
    env["NOTIFY_SOCKET"] = notify.path().string();
    std::vector<std::string> args{"--config", config_file.string()};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    return std::make_unique<child_process>(COPYTRADERD_PATH, args, env, log);
  }

  std::string log_text() const { return read_file(log); }
};

std::string three_followers() {
  return replace_once(std::string(minimal_config), "state:\n",
                      "  - name: c\n    username: fc\n    api_key_file: c.key\n    account_id: 2003\nstate:\n");
}

} // namespace

TEST_CASE("the daemon reports READY=1 and stops on SIGTERM with STOPPING=1 and exit 0", "[daemon]") {
  daemon_fixture fx;
  auto daemon = fx.start();
  auto ready = fx.notify.wait_for("READY=1", deadline);
  INFO(fx.log_text());
  REQUIRE(ready);
  CHECK_THAT(*ready, Contains("STATUS=leader 1001, 2 followers (2 enabled)"));

  daemon->signal(SIGTERM);
  CHECK(fx.notify.wait_for("STOPPING=1", deadline));
  CHECK(daemon->wait_exit(deadline) == 0);
  CHECK_THAT(fx.log_text(), Contains("received SIGTERM, stopping"));
}

TEST_CASE("SIGINT stops the daemon too", "[daemon]") {
  daemon_fixture fx;
  auto daemon = fx.start();
  REQUIRE(fx.notify.wait_for("READY=1", deadline));
  daemon->signal(SIGINT);
  CHECK(daemon->wait_exit(deadline) == 0);
}

TEST_CASE("SIGHUP with a valid change reloads it: RELOADING=1, then READY=1 with the new setting", "[daemon][reload]") {
  daemon_fixture fx;
  auto daemon = fx.start();
  REQUIRE(fx.notify.wait_for("READY=1", deadline));

  fx.files.dir.write("c.key", "c-key\n");
  fx.files.write_config(three_followers());
  daemon->signal(SIGHUP);

  auto reloading = fx.notify.wait_for("RELOADING=1", deadline);
  REQUIRE(reloading);
  CHECK_THAT(*reloading, Contains("MONOTONIC_USEC="));
  auto ready = fx.notify.wait_for("READY=1", deadline);
  INFO(fx.log_text());
  REQUIRE(ready);
  CHECK_THAT(*ready, Contains("3 followers (3 enabled)"));
  CHECK_THAT(*ready, Contains("last reload ok"));
  CHECK(daemon->running());

  daemon->signal(SIGTERM);
  CHECK(daemon->wait_exit(deadline) == 0);
}

TEST_CASE("SIGHUP with broken YAML keeps the old configuration and logs the error with its line",
          "[daemon][reload][G1]") {
  daemon_fixture fx;
  auto daemon = fx.start();
  REQUIRE(fx.notify.wait_for("READY=1", deadline));

  fx.files.write_config("leader:\n  username: lead\n  account_id: [1001\n");
  daemon->signal(SIGHUP);
  REQUIRE(fx.notify.wait_for("RELOADING=1", deadline));
  auto ready = fx.notify.wait_for("READY=1", deadline);
  INFO(fx.log_text());
  REQUIRE(ready);
  CHECK_THAT(*ready, Contains("leader 1001, 2 followers (2 enabled)")); // still the old configuration
  CHECK_THAT(*ready, Contains("last reload REFUSED"));
  CHECK_THAT(fx.log_text(), Contains("reload refused, still running on the previous configuration"));
  CHECK_THAT(fx.log_text(), Contains(fx.config_file.string() + ":4: YAML syntax error"));
  CHECK(daemon->running());

  // Fixing the file and reloading again recovers.
  fx.files.dir.write("c.key", "c-key\n");
  fx.files.write_config(three_followers());
  daemon->signal(SIGHUP);
  REQUIRE(fx.notify.wait_for("RELOADING=1", deadline));
  auto again = fx.notify.wait_for("READY=1", deadline);
  REQUIRE(again);
  CHECK_THAT(*again, Contains("3 followers"));
  CHECK_THAT(*again, Contains("last reload ok"));

  daemon->signal(SIGTERM);
  CHECK(daemon->wait_exit(deadline) == 0);
}

TEST_CASE("a reload that changes the leader is refused", "[daemon][reload]") {
  daemon_fixture fx;
  auto daemon = fx.start();
  REQUIRE(fx.notify.wait_for("READY=1", deadline));
  fx.files.write_config(replace_once(std::string(minimal_config), "account_id: 1001", "account_id: 1009"));
  daemon->signal(SIGHUP);
  auto ready = fx.notify.wait_for("READY=1", deadline);
  REQUIRE(ready);
  CHECK_THAT(*ready, Contains("leader 1001"));
  CHECK_THAT(*ready, Contains("REFUSED"));
  CHECK_THAT(fx.log_text(), Contains("leader.account_id: the leader account cannot change while running"));
  daemon->signal(SIGTERM);
  CHECK(daemon->wait_exit(deadline) == 0);
}

TEST_CASE("WATCHDOG=1 arrives when systemd asks for it", "[daemon]") {
  daemon_fixture fx;
  auto daemon = fx.start({{"WATCHDOG_USEC", "200000"}});
  REQUIRE(fx.notify.wait_for("READY=1", deadline));
  CHECK(fx.notify.wait_for("WATCHDOG=1", deadline));
  CHECK(fx.notify.wait_for("WATCHDOG=1", deadline)); // and keeps arriving
  daemon->signal(SIGTERM);
  CHECK(daemon->wait_exit(deadline) == 0);
}

TEST_CASE("a second instance on the same state directory is refused and names the first", "[daemon][F10]") {
  daemon_fixture fx;
  auto first = fx.start();
  REQUIRE(fx.notify.wait_for("READY=1", deadline));

  const auto second_log = fx.files.dir.path() / "second.log";
  child_process second(COPYTRADERD_PATH, {"--config", fx.config_file.string()}, {}, second_log);
  CHECK(second.wait_exit(deadline) == 1);
  CHECK_THAT(read_file(second_log), Contains("another copytraderd (pid " + std::to_string(first->pid()) + ")"));
  CHECK(first->running());

  first->signal(SIGTERM);
  CHECK(first->wait_exit(deadline) == 0);
}

TEST_CASE("--dry-run overrides the file and shows in the status", "[daemon]") {
  daemon_fixture fx;
  auto daemon = fx.start({}, {"--dry-run"});
  auto ready = fx.notify.wait_for("READY=1", deadline);
  REQUIRE(ready);
  CHECK_THAT(*ready, Contains("dry run"));
  daemon->signal(SIGTERM);
  CHECK(daemon->wait_exit(deadline) == 0);
}

TEST_CASE("an invalid configuration at start exits 78 with every error and never reports READY", "[daemon]") {
  daemon_fixture fx;
  fx.files.write_config(replace_once(std::string(minimal_config), "account_id: 2002",
                                     "account_id: 2002\n    size_ratio: 0\n    min_size: 0"));
  auto daemon = fx.start();
  CHECK(daemon->wait_exit(deadline) == 78);
  const auto log = fx.log_text();
  CHECK_THAT(log, Contains(":14: followers[1].size_ratio: must be greater than 0"));
  CHECK_THAT(log, Contains(":15: followers[1].min_size: must be at least 1"));
  CHECK_FALSE(fx.notify.receive(0ms).has_value());
}

TEST_CASE("--check-config validates and exits", "[daemon][check-config]") {
  daemon_fixture fx;
  const auto out = fx.files.dir.path() / "check.log";
  {
    child_process check(COPYTRADERD_PATH, {"--check-config", "--config", fx.config_file.string()}, {}, out);
    CHECK(check.wait_exit(deadline) == 0);
    CHECK_THAT(read_file(out), Contains("configuration OK"));
  }
  {
    std::filesystem::copy_file(COPYTRADER_SOURCE_DIR "/etc/copytrader.yaml", fx.files.dir.path() / "shipped.yaml");
    fx.files.dir.write("small.key", "k\n");
    child_process check(COPYTRADERD_PATH,
                        {"--check-config", "--config", (fx.files.dir.path() / "shipped.yaml").string()}, {}, out);
    CHECK(check.wait_exit(deadline) == 0);
  }
  {
    fx.files.write_config(std::string(minimal_config) + "bogus: 1\n");
    child_process check(COPYTRADERD_PATH, {"--check-config", "--config", fx.config_file.string()}, {}, out);
    CHECK(check.wait_exit(deadline) == 78);
    CHECK_THAT(read_file(out), Contains(fx.config_file.string() + ":20: bogus: unknown key"));
  }
  {
    child_process check(COPYTRADERD_PATH, {"--check-config"}, {}, out);
    CHECK(check.wait_exit(deadline) == 64);
    CHECK_THAT(read_file(out), Contains("--config FILE is required"));
  }
}

TEST_CASE("no API key reaches the daemon's output", "[daemon][J4]") {
  daemon_fixture fx;
  auto daemon = fx.start();
  REQUIRE(fx.notify.wait_for("READY=1", deadline));
  daemon->signal(SIGHUP);
  REQUIRE(fx.notify.wait_for("READY=1", deadline));
  daemon->signal(SIGTERM);
  REQUIRE(daemon->wait_exit(deadline) == 0);
  const auto log = fx.log_text();
  CHECK_FALSE(log.empty());
  for (const char* key : {"leader-key-123", "a-key-456", "b-key-789"}) CHECK(log.find(key) == std::string::npos);
  for (const auto& message : fx.notify.history()) {
    for (const char* key : {"leader-key-123", "a-key-456", "b-key-789"}) CHECK(message.find(key) == std::string::npos);
  }
}
