// What --check-config used to let through (issue "Found by a new user", item 7): each passed the
// check and failed later, or failed with the wrong reason.

#include "config/config_loader.hpp"
#include "support/config_fixture.hpp"

#include <catch2/catch.hpp>

using namespace copytrader;
using namespace copytrader::testing;
using Catch::Matchers::Contains;

TEST_CASE("a second YAML document is refused, not ignored", "[config][strict]") {
  config_fixture fx;
  const auto errors = fx.errors(std::string(minimal_config) + "---\nfollowers:\n  - name: c\n");
  // Line 21 is the first line of the second document, right after the --- on line 20.
  CHECK_THAT(errors, Contains(":21: a second YAML document (after '---'); one file holds one configuration"));
}

TEST_CASE("a ca_file that holds no certificate is refused", "[config][strict]") {
  config_fixture fx;
  fx.dir.write("not-a-ca.pem", "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n");
  CHECK_THAT(fx.errors(std::string(minimal_config) + "api:\n  ca_file: not-a-ca.pem\n"),
             Contains("api.ca_file: DIR/not-a-ca.pem holds no PEM certificate"));
  fx.dir.write("garbage.pem", "hello\n");
  CHECK_THAT(fx.errors(std::string(minimal_config) + "api:\n  ca_file: garbage.pem\n"),
             Contains("api.ca_file: DIR/garbage.pem holds no PEM certificate"));
}

TEST_CASE("a state directory that cannot be one is refused", "[config][strict]") {
  config_fixture fx;
  fx.dir.write("a-file", "x\n");
  CHECK_THAT(fx.errors(replace_once(std::string(minimal_config), "directory: state", "directory: a-file")),
             Contains("state.directory: DIR/a-file exists and is not a directory"));
  CHECK_THAT(fx.errors(replace_once(std::string(minimal_config), "directory: state", "directory: a-file/sub/state")),
             Contains("state.directory: DIR/a-file/sub/state cannot be created: DIR/a-file is not a directory"));
  // Not made yet: the daemon makes it (and what is missing above it), or systemd's StateDirectory= does.
  CHECK(fx.load(minimal_config));
  CHECK(fx.load(replace_once(std::string(minimal_config), "directory: state", "directory: not/yet/state")));
}

TEST_CASE("a username that is an e-mail address is refused with what to use instead", "[config][strict]") {
  config_fixture fx;
  CHECK_THAT(fx.errors(replace_once(std::string(minimal_config), "username: fb", "username: fb@example.com")),
             Contains("followers[1].username: 'fb@example.com' looks like an e-mail address; ProjectX logs in "
                      "with the platform user name"));
  CHECK_THAT(fx.errors(replace_once(std::string(minimal_config), "username: lead", "username: me@example.com")),
             Contains("leader.username: 'me@example.com' looks like an e-mail address"));
}

TEST_CASE("every error at once: a bad enum does not hide a range error, and is not reported twice",
          "[config][strict]") {
  config_fixture fx;
  auto yaml = replace_once(std::string(minimal_config), "sink: stderr", "sink: syslog");
  yaml = replace_once(yaml, "    account_id: 2002\n", "    account_id: 2002\n    size_ratio: -1\n");
  const auto errors = fx.errors(yaml);
  CHECK_THAT(errors, Contains("logging.sink: 'syslog' is not one of"));
  CHECK_THAT(errors, Contains("followers[1].size_ratio: must be greater than 0"));
  // A follower entry that is not a mapping: said once, not again as an empty name, login and account.
  const auto broken = replace_once(std::string(minimal_config),
                                   "  - name: a\n    username: fa\n    api_key_file: "
                                   "a.key\n    account_id: 2001\n",
                                   "  - just a string\n");
  const auto broken_errors = fx.errors(broken);
  CHECK_THAT(broken_errors, Contains("followers[0]"));
  CHECK_THAT(broken_errors, !Contains("followers[0].name") && !Contains("followers[0].username"));
}

TEST_CASE("metrics_listen on port 0 is refused for what it is", "[config][strict]") {
  config_fixture fx;
  CHECK_THAT(fx.errors(replace_once(std::string(minimal_config), "  socket: ctl.sock\n",
                                    "  socket: ctl.sock\n  metrics_listen: 127.0.0.1:0\n")),
             Contains("control.metrics_listen: port 0 would listen on a port chosen at random"));
}

TEST_CASE("contract_map: symbol to symbol or id to id; a mix or a name is refused with the fix", "[config][strict]") {
  config_fixture fx;
  const auto with_map = [](const std::string& map) {
    return replace_once(std::string(minimal_config), "    account_id: 2002\n",
                        "    account_id: 2002\n    contract_map: " + map + "\n");
  };
  auto symbols = fx.load(with_map("{MES: ES, MNQ: NQ}"));
  REQUIRE(symbols);
  CHECK(symbols->followers.at(1).contract_map.at("MES") == "ES");
  CHECK(fx.load(with_map("{CON.F.US.MES.Z26: CON.F.US.EP.Z26}")));
  CHECK_THAT(fx.errors(with_map("{MES: CON.F.US.EP.Z26}")),
             Contains("followers[1].contract_map: 'MES: CON.F.US.EP.Z26' mixes a symbol and a contract id") &&
                 Contains("MES: ES"));
  CHECK_THAT(
      fx.errors(with_map("{mes: ES}")),
      Contains("followers[1].contract_map: 'mes' is neither a ProjectX contract id") && Contains("--contracts mes"));
  CHECK_THAT(fx.errors(with_map("{E-MINI: ES}")), Contains("'E-MINI' is neither"));
  const auto id = replace_once(std::string(minimal_config), "    account_id: 2002\n",
                               "    account_id: 2002\n    contract_id: ES\n");
  CHECK_THAT(fx.errors(id), Contains("followers[1].contract_id: 'ES' is not a ProjectX contract id") &&
                                Contains("contract_map: {MES: ES}"));
}

TEST_CASE("logging.level: warning is taken as warn, as people type it", "[config][strict]") {
  config_fixture fx;
  const auto loaded =
      fx.load(replace_once(std::string(minimal_config), "sink: stderr", "sink: stderr\n  level: warning"));
  REQUIRE(loaded);
  CHECK(loaded->logging.level == "warn");
  CHECK_THAT(fx.errors(replace_once(std::string(minimal_config), "sink: stderr", "sink: stderr\n  level: warnings")),
             Contains("logging.level: 'warnings' is not one of"));
}
