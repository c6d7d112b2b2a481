#include "service/daemon_service.hpp"
#include "service/reload.hpp"
#include "state/instance_lock.hpp"
#include "support/config_fixture.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

using namespace copytrader;
using namespace copytrader::testing;
using Catch::Matchers::Contains;

TEST_CASE("a reload may change followers but not the leader or the state directory", "[reload]") {
  config running;
  running.leader.login.username = "lead";
  running.leader.account = 1001;
  running.state.directory = "/var/lib/copytrader";

  config next = running;
  next.followers.push_back(follower_config{});
  CHECK(reload_conflicts(running, next).items.empty());

  next.leader.account = 1002;
  next.state.directory = "/tmp/elsewhere";
  next.api.hub_timeout = std::chrono::seconds(5); // the hubs were built with the old one
  next.api.connections_per_login = 8;             // and the pools with the old bound
  const auto errors = reload_conflicts(running, next).to_string();
  CHECK_THAT(errors, Contains("leader.account_id: the leader account cannot change while running"));
  CHECK_THAT(errors, Contains("state.directory: the state directory cannot change while running"));
  CHECK_THAT(errors, Contains("api.hub_timeout: the hub timeout cannot change while running"));
  CHECK_THAT(errors, Contains("api.connections_per_login: the connection pools' bound cannot change while running"));
}

TEST_CASE("--dry-run overrides the file", "[reload]") {
  config cfg;
  apply_overrides(cfg, {.dry_run = false});
  CHECK_FALSE(cfg.copy.dry_run);
  apply_overrides(cfg, {.dry_run = true});
  CHECK(cfg.copy.dry_run);
}

TEST_CASE("the status line says what runs and how the last reload went", "[status]") {
  config cfg;
  cfg.leader.account = 1001;
  cfg.followers.resize(3);
  cfg.followers[2].enabled = false;
  CHECK(status_line(cfg, {}) == "leader 1001, 3 followers (2 enabled)");
  cfg.copy.dry_run = true;
  reload_record refused{true, false, "2026-01-01T00:00:00Z", "x"};
  CHECK(status_line(cfg, refused) ==
        "leader 1001, 3 followers (2 enabled), dry run, last reload REFUSED at 2026-01-01T00:00:00Z (see the journal)");
}

TEST_CASE("a second lock on the same state directory is refused and names the holder", "[lock][F10]") {
  temp_dir dir;
  const auto state = dir.path() / "state";
  auto first = instance_lock::acquire(state);
  REQUIRE(first);
  CHECK(std::filesystem::exists(state / "copytraderd.lock"));
  auto second = instance_lock::acquire(state);
  REQUIRE_FALSE(second);
  CHECK_THAT(second.error().message, Contains("another copytraderd (pid " + std::to_string(::getpid()) + ")"));
  CHECK_THAT(second.error().message, Contains(state.string()));
}

TEST_CASE("the lock is released with its holder", "[lock]") {
  temp_dir dir;
  {
    auto held = instance_lock::acquire(dir.path());
    REQUIRE(held);
  }
  CHECK(instance_lock::acquire(dir.path()));
}
