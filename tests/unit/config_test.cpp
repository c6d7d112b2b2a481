#include "config/config_loader.hpp"
#include "support/config_fixture.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::testing;
using Catch::Matchers::Contains;

namespace {

std::string with_follower_line(std::string_view line) {
  // Adds a line to follower "b" (the last entry of the minimal configuration).
  return replace_once(std::string(minimal_config), "    account_id: 2002\n",
                      "    account_id: 2002\n    " + std::string(line) + "\n");
}

} // namespace

TEST_CASE("a minimal configuration loads with the documented defaults", "[config]") {
  config_fixture fx;
  auto cfg = fx.load(minimal_config);
  REQUIRE(cfg);
  CHECK(cfg->leader.account == 1001);
  CHECK(cfg->leader.login.api_key.reveal() == "leader-key-123");
  REQUIRE(cfg->followers.size() == 2);
  const follower_config& a = cfg->followers[0];
  CHECK(a.name == "a");
  CHECK(a.size_ratio == 1.0);
  CHECK(a.min_size == 1);
  CHECK(a.max_size == 0);
  CHECK(a.bracket == bracket_mode::mirror);
  CHECK(a.sl_ticks == 16);
  CHECK(a.tp_ticks == 24);
  CHECK(a.enabled);
  CHECK(a.login.api_key.reveal() == "a-key-456");
  CHECK(cfg->api.base_url == "https://api.topstepx.com");
  CHECK(cfg->api.request_timeout == std::chrono::seconds(5));
  CHECK(cfg->api.hub_timeout == std::chrono::seconds(30));
  CHECK(cfg->api.connections_per_login == 64);
  CHECK(cfg->copy.bracket_wait == std::chrono::milliseconds(300));
  CHECK(cfg->copy.on_start == start_policy::close_only);
  CHECK(cfg->safety.rate_limit.max_requests == 180);
  CHECK(cfg->safety.rate_limit.window == std::chrono::seconds(60));
  CHECK(cfg->safety.circuit_breaker.max_orders == 5);
  CHECK(cfg->safety.max_orders_per_minute == 50);
  // Relative paths are resolved next to the file.
  CHECK(cfg->state.directory == fx.dir.path() / "state");
  CHECK(cfg->control.socket == fx.dir.path() / "ctl.sock");
}

TEST_CASE("the shipped etc/copytrader.yaml is valid", "[config]") {
  config_fixture fx;
  fx.dir.write("copytrader.yaml", "");
  std::filesystem::copy_file(COPYTRADER_SOURCE_DIR "/etc/copytrader.yaml", fx.dir.path() / "shipped.yaml");
  fx.dir.write("small.key", "k\n");
  auto cfg = load_config(fx.dir.path() / "shipped.yaml", fx.options());
  INFO((cfg ? std::string() : cfg.error().to_string()));
  REQUIRE(cfg);
  CHECK(cfg->followers.at(0).size_ratio == 0.5);
  CHECK(cfg->followers.at(0).contract_id == "CON.F.US.MES.U26");
}

TEST_CASE("unknown keys are errors with their line, at every depth", "[config][G3]") {
  config_fixture fx;
  auto yaml = replace_once(std::string(minimal_config), "  account_id: 1001\n", "  account_id: 1001\n  acount: 3\n");
  yaml += "copy:\n  dryrun: true\n";
  const auto errors = fx.errors(yaml);
  CHECK_THAT(errors, Contains("DIR/copytrader.yaml:5: leader.acount: unknown key"));
  CHECK_THAT(errors, Contains("DIR/copytrader.yaml:22: copy.dryrun: unknown key"));
  CHECK_THAT(fx.errors(with_follower_line("ratio: 2")), Contains(":14: followers[1].ratio: unknown key"));
  CHECK_THAT(fx.errors(std::string(minimal_config) + "extra: 1\n"), Contains(":20: extra: unknown key"));
}

TEST_CASE("a key given twice is an error", "[config]") {
  config_fixture fx;
  auto yaml =
      replace_once(std::string(minimal_config), "  account_id: 1001\n", "  account_id: 1001\n  account_id: 1002\n");
  CHECK_THAT(fx.errors(yaml), Contains(":5: leader.account_id: is given twice"));
}

TEST_CASE("a YAML syntax error names its line", "[config][G1]") {
  config_fixture fx;
  auto yaml = replace_once(std::string(minimal_config), "  account_id: 1001\n", "  account_id: [1001\n");
  const auto errors = fx.errors(yaml);
  CHECK_THAT(errors, Contains("DIR/copytrader.yaml:"));
  CHECK_THAT(errors, Contains("YAML syntax error"));
  CHECK(fx.errors("leader: {\n").find("copytrader.yaml:2: YAML syntax error") != std::string::npos);
}

TEST_CASE("values of the wrong type are errors", "[config][G2]") {
  config_fixture fx;
  CHECK_THAT(fx.errors(with_follower_line("size_ratio: half")),
             Contains(":14: followers[1].size_ratio: 'half' is not a finite number"));
  CHECK_THAT(fx.errors(with_follower_line("enabled: maybe")),
             Contains("followers[1].enabled: 'maybe' is not true or false"));
  CHECK_THAT(fx.errors(with_follower_line("max_size: 2.5")),
             Contains("followers[1].max_size: '2.5' is not a whole number"));
  CHECK_THAT(fx.errors(with_follower_line("bracket: trailing")),
             Contains("followers[1].bracket: 'trailing' is not one of: mirror | fixed | none"));
  CHECK_THAT(fx.errors(with_follower_line("allowed_strategies: abc")), Contains("expected a list of strings"));
  CHECK_THAT(fx.errors(with_follower_line("size_ratio:")), Contains("followers[1].size_ratio: has no value"));
  CHECK_THAT(fx.errors(std::string(minimal_config) + "copy:\n  bracket_wait: 300\n"),
             Contains("copy.bracket_wait: '300' is not a duration (a whole number with a unit: ms, s, m or h)"));
  CHECK_THAT(fx.errors(std::string(minimal_config) + "copy: [1, 2]\n"), Contains("copy: expected a mapping"));
  CHECK_THAT(fx.errors("- a\n- b\n"), Contains("(top level): expected a mapping"));
  CHECK_THAT(
      fx.errors(replace_once(std::string(minimal_config), "account_id: 1001", "account_id: 99999999999999999999")),
      Contains("leader.account_id: '99999999999999999999' is not a whole number in range"));
}

TEST_CASE("required keys are reported when missing", "[config]") {
  config_fixture fx;
  CHECK_THAT(fx.errors("followers: []\n"), Contains("leader: is required"));
  auto yaml = replace_once(std::string(minimal_config), "    username: fa\n", "");
  CHECK_THAT(fx.errors(yaml), Contains(":6: followers[0].username: is required"));
}

TEST_CASE("size_ratio must be greater than zero", "[config][G2]") {
  config_fixture fx;
  CHECK_THAT(fx.errors(with_follower_line("size_ratio: 0")),
             Contains(":14: followers[1].size_ratio: must be greater than 0"));
  CHECK_THAT(fx.errors(with_follower_line("size_ratio: -0.5")),
             Contains("followers[1].size_ratio: must be greater than 0"));
  CHECK(fx.load(with_follower_line("size_ratio: 0.2")));
}

TEST_CASE("a size that could round to zero is refused", "[config][G2]") {
  config_fixture fx;
  CHECK_THAT(fx.errors(with_follower_line("min_size: 0")), Contains("followers[1].min_size: must be at least 1"));
  CHECK_THAT(fx.errors(with_follower_line("min_size: 4\n    max_size: 3")),
             Contains("followers[1].min_size: is larger than max_size (3)"));
  CHECK_THAT(fx.errors(with_follower_line("fixed_size: 5\n    max_size: 3")),
             Contains("followers[1].fixed_size: is larger than max_size (3)"));
  CHECK(fx.load(with_follower_line("fixed_size: 2\n    min_size: 0")));
}

TEST_CASE("duplicate follower names and account ids are refused", "[config][G2]") {
  config_fixture fx;
  auto dup_name = replace_once(std::string(minimal_config), "  - name: b\n", "  - name: a\n");
  CHECK_THAT(fx.errors(dup_name), Contains(":10: followers[1].name: 'a' is already used by followers[0]"));
  auto dup_account = replace_once(std::string(minimal_config), "account_id: 2002", "account_id: 2001");
  CHECK_THAT(fx.errors(dup_account), Contains(":13: followers[1].account_id: 2001 is already used by followers[0]"));
}

TEST_CASE("the leader cannot be listed as a follower", "[config][G2]") {
  config_fixture fx;
  auto yaml = replace_once(std::string(minimal_config), "account_id: 2002", "account_id: 1001");
  CHECK_THAT(fx.errors(yaml), Contains("followers[1].account_id: is the leader's account"));
}

TEST_CASE("contract_id and contract_map together are refused", "[config][G2]") {
  config_fixture fx;
  CHECK_THAT(fx.errors(with_follower_line(
                 "contract_id: CON.F.US.MES.U26\n    contract_map: {CON.F.US.MES.U26: CON.F.US.EP.U26}")),
             Contains("followers[1].contract_map: give contract_id or contract_map, not both"));
  auto ok = fx.load(with_follower_line("contract_map: {CON.F.US.MES.U26: CON.F.US.EP.U26}"));
  REQUIRE(ok);
  CHECK(ok->followers[1].contract_map.at("CON.F.US.MES.U26") == "CON.F.US.EP.U26");
}

TEST_CASE("bracket ticks of the wrong sign or under 4 are refused", "[config][G2]") {
  config_fixture fx;
  CHECK_THAT(fx.errors(with_follower_line("sl_ticks: -16")),
             Contains("followers[1].sl_ticks: must be a positive distance"));
  CHECK_THAT(fx.errors(with_follower_line("tp_ticks: 0")),
             Contains("followers[1].tp_ticks: must be a positive distance"));
  CHECK_THAT(fx.errors(with_follower_line("sl_ticks: 3")), Contains("followers[1].sl_ticks: must be at least 4 ticks"));
  CHECK(fx.load(with_follower_line("sl_ticks: 4")));
  // Without brackets the distances are not used, so they are not judged.
  CHECK(fx.load(with_follower_line("bracket: none\n    sl_ticks: 0")));
}

TEST_CASE("more followers than max_followers needs allow_many_followers", "[config][G2]") {
  config_fixture fx;
  const auto yaml = std::string(minimal_config) + "safety:\n  max_followers: 1\n";
  CHECK_THAT(fx.errors(yaml), Contains("followers: 2 followers is more than safety.max_followers (1)"));
  CHECK(fx.load(yaml + "  allow_many_followers: true\n"));
}

TEST_CASE("a missing or unsafe key file is refused", "[config][G5]") {
  config_fixture fx;
  auto missing = replace_once(std::string(minimal_config), "api_key_file: b.key", "api_key_file: nope.key");
  CHECK_THAT(fx.errors(missing), Contains(":12: followers[1].api_key_file: key file DIR/nope.key does not exist"));

  fx.dir.write("open.key", "k\n", 0644);
  auto open = replace_once(std::string(minimal_config), "api_key_file: b.key", "api_key_file: open.key");
  CHECK_THAT(fx.errors(open), Contains("key file DIR/open.key is readable by group or others; chmod 600 it"));

  fx.dir.write("empty.key", "\n");
  auto empty = replace_once(std::string(minimal_config), "api_key_file: b.key", "api_key_file: empty.key");
  CHECK_THAT(fx.errors(empty), Contains("key file DIR/empty.key is empty"));
}

TEST_CASE("an inline api_key is refused when the file is readable by group or others", "[config][G5]") {
  config_fixture fx;
  auto yaml = replace_once(std::string(minimal_config), "api_key_file: b.key", "api_key: inline-secret-xyz");
  const auto errors = fx.errors(yaml, 0644);
  CHECK_THAT(errors, Contains(":12: followers[1].api_key: an inline API key is refused because"));
  CHECK_THAT(errors, Contains("readable by group or others"));
  CHECK(errors.find("inline-secret-xyz") == std::string::npos); // never echoed

  auto ok = fx.load(yaml, 0600);
  REQUIRE(ok);
  CHECK(ok->followers[1].login.api_key.reveal() == "inline-secret-xyz");
  CHECK(ok->followers[1].login.source == "inline");
}

TEST_CASE("only one key source per account", "[config]") {
  config_fixture fx;
  auto yaml =
      replace_once(std::string(minimal_config), "api_key_file: b.key", "api_key_file: b.key\n    api_key_env: B_KEY");
  CHECK_THAT(fx.errors(yaml), Contains("followers[1]: give only one of api_key_file, api_key_env and api_key"));
}

TEST_CASE("a key from an environment variable", "[config]") {
  config_fixture fx;
  auto yaml = replace_once(std::string(minimal_config), "api_key_file: b.key", "api_key_env: B_KEY");
  CHECK_THAT(fx.errors(yaml), Contains("followers[1].api_key_env: environment variable 'B_KEY' is not set or empty"));
  fx.env["B_KEY"] = "env-key-1";
  auto ok = fx.load(yaml);
  REQUIRE(ok);
  CHECK(ok->followers[1].login.api_key.reveal() == "env-key-1");
}

TEST_CASE("keys are found in the systemd credentials directory", "[config]") {
  config_fixture fx;
  fx.dir.write("creds/b.key", "from-credentials-dir\n");
  fx.dir.write("creds/copytrader_a.key", "from-prefixed-credential\n");
  fx.dir.write("creds/leader", "leader-from-default-name\n");
  fx.env["CREDENTIALS_DIRECTORY"] = (fx.dir.path() / "creds").string();
  auto yaml = replace_once(std::string(minimal_config), "  api_key_file: leader.key\n", "");
  auto cfg = fx.load(yaml);
  INFO((cfg ? std::string() : cfg.error().to_string()));
  REQUIRE(cfg);
  CHECK(cfg->leader.login.api_key.reveal() == "leader-from-default-name");
  CHECK(cfg->followers[0].login.api_key.reveal() == "from-prefixed-credential");
  CHECK(cfg->followers[1].login.api_key.reveal() == "from-credentials-dir");

  // Without the credentials directory an account with no key source is an error.
  fx.env.clear();
  CHECK_THAT(fx.errors(yaml), Contains("leader: no API key: set api_key_file, api_key_env or api_key"));
}

TEST_CASE("by hand, a relative key file is found where the shipped unit loads credentials from", "[config]") {
  // `copytraderd --check-config --config /etc/copytrader/copytrader.yaml` as operations.md gives it:
  // the keys are in /etc/copytrader/credentials/, and no $CREDENTIALS_DIRECTORY is set.
  config_fixture fx;
  fx.dir.write("credentials/c.key", "from-unit-credentials\n");
  const auto yaml = replace_once(std::string(minimal_config), "api_key_file: b.key", "api_key_file: c.key");
  auto cfg = fx.load(yaml);
  INFO((cfg ? std::string() : cfg.error().to_string()));
  REQUIRE(cfg);
  CHECK(cfg->followers[1].login.api_key.reveal() == "from-unit-credentials");
  // Next to the configuration still comes first.
  fx.dir.write("c.key", "beside-the-configuration\n");
  CHECK(fx.load(yaml)->followers[1].login.api_key.reveal() == "beside-the-configuration");
  // In neither: both places are named.
  const auto missing = replace_once(std::string(minimal_config), "api_key_file: b.key", "api_key_file: d.key");
  CHECK_THAT(fx.errors(missing), Contains("key file DIR/d.key does not exist, nor in DIR/credentials"));
}

TEST_CASE("one login with two different keys is refused", "[config]") {
  config_fixture fx;
  auto yaml = replace_once(std::string(minimal_config), "username: fb", "username: fa");
  CHECK_THAT(fx.errors(yaml),
             Contains("followers[1].username: 'fa' is also used by followers[0] with a different API key"));
  fx.dir.write("b.key", "a-key-456\n");
  CHECK(fx.load(yaml)); // same login, same key: several accounts under one login
}

TEST_CASE("plaintext or token-carrying URLs are refused", "[config][J1]") {
  config_fixture fx;
  CHECK_THAT(fx.errors(std::string(minimal_config) + "api:\n  base_url: http://api.topstepx.com\n"),
             Contains("api.base_url: must use https (TLS is never optional)"));
  CHECK_THAT(fx.errors(std::string(minimal_config) + "api:\n  user_hub_url: ws://rtc.topstepx.com/hubs/user\n"),
             Contains("api.user_hub_url: must use wss or https"));
  CHECK_THAT(fx.errors(std::string(minimal_config) + "api:\n  user_hub_url: wss://h/hubs/user?access_token=abc\n"),
             Contains("must not carry an access_token"));
  CHECK_THAT(fx.errors(std::string(minimal_config) + "api:\n  ca_file: missing-ca.pem\n"),
             Contains("api.ca_file: DIR/missing-ca.pem does not exist"));
}

TEST_CASE("the strategy pattern must compile and capture", "[config]") {
  config_fixture fx;
  CHECK_THAT(fx.errors(std::string(minimal_config) + "copy:\n  strategy_pattern: \"^[A-Z\"\n"),
             Contains("copy.strategy_pattern: is not a valid regular expression"));
  CHECK_THAT(fx.errors(std::string(minimal_config) + "copy:\n  strategy_pattern: \"^[A-Z]+\"\n"),
             Contains("copy.strategy_pattern: needs a capture group"));
}

TEST_CASE("the rate limit cannot exceed the gateway's 200 per 60 s", "[config]") {
  config_fixture fx;
  CHECK_THAT(fx.errors(std::string(minimal_config) + "safety:\n  rate_limit: {max_requests: 201, window: 60s}\n"),
             Contains("safety.rate_limit: allows more than the gateway's 200 requests per 60s"));
  CHECK_THAT(fx.errors(std::string(minimal_config) + "safety:\n  rate_limit: {max_requests: 10, window: 2s}\n"),
             Contains("safety.rate_limit: allows more"));
  CHECK(fx.load(std::string(minimal_config) + "safety:\n  rate_limit: {max_requests: 200, window: 60s}\n"));
}

TEST_CASE("other ranges", "[config]") {
  config_fixture fx;
  CHECK_THAT(fx.errors(std::string(minimal_config) + "copy:\n  reconcile_interval: 500ms\n"),
             Contains("copy.reconcile_interval: must be at least 1s"));
  CHECK_THAT(fx.errors(std::string(minimal_config) + "api:\n  request_timeout: 0s\n"),
             Contains("api.request_timeout: must be between 100ms and 60s"));
  CHECK_THAT(fx.errors(std::string(minimal_config) + "api:\n  hub_timeout: 500ms\n"),
             Contains("api.hub_timeout: must be between 1s and 300s"));
  CHECK_THAT(fx.errors(std::string(minimal_config) + "api:\n  connections_per_login: 0\n"),
             Contains("api.connections_per_login: must be between 1 and 256"));
  CHECK_THAT(fx.errors(std::string(minimal_config) + "api:\n  connections_per_login: 257\n"),
             Contains("api.connections_per_login: must be between 1 and 256"));
  CHECK(fx.load(std::string(minimal_config) + "api:\n  connections_per_login: 256\n"));
  CHECK_THAT(fx.errors(std::string(minimal_config) + "control:\n  metrics_listen: nope\n"),
             Contains("control: is given twice"));
  CHECK_THAT(fx.errors(replace_once(std::string(minimal_config), "socket: ctl.sock",
                                    "socket: ctl.sock\n  metrics_listen: nope")),
             Contains("control.metrics_listen: 'nope' is not host:port"));
  CHECK_THAT(fx.errors(replace_once(std::string(minimal_config), "sink: stderr", "sink: stderr\n  level: loud")),
             Contains("logging.level: 'loud' is not one of"));
  CHECK_THAT(fx.errors(replace_once(std::string(minimal_config), "- name: b", "- name: \"b c\"")),
             Contains("followers[1].name: must be 1 to 32 letters"));
}

TEST_CASE("every problem is reported at once", "[config]") {
  config_fixture fx;
  auto yaml = with_follower_line("size_ratio: 0\n    sl_ticks: 2");
  yaml = replace_once(yaml, "account_id: 2001", "account_id: 1001");
  auto result = fx.load(yaml);
  REQUIRE_FALSE(result);
  CHECK(result.error().items.size() == 3);
}

TEST_CASE("oversized and hostile files are refused in bounded time", "[config][G6]") {
  config_fixture fx;
  const std::string big(max_config_bytes + 1, '#');
  CHECK_THAT(fx.errors(big), Contains("larger than 1 MiB"));

  // Alias expansion ("billion laughs"): yaml-cpp shares aliased nodes, and the strict reader refuses
  // the shape before walking it.
  std::string bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  for (char c = 'b'; c <= 'k'; ++c) {
    bomb += fmt::format("{0}: &{0} [*{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}, *{1}]\n", c, char(c - 1));
  }
  bomb += "followers: *k\n";
  CHECK_THAT(fx.errors(bomb), Contains("unknown key"));

  std::string deep(10000, '[');
  CHECK_FALSE(fx.errors(deep).empty());
  CHECK_FALSE(fx.errors("leader: \"\xff\xfe\"\n").empty());
}
