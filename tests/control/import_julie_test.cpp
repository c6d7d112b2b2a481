// copytrader-import-julie against JULIE config.py files written for the test: one follower, many,
// disabled ones and strategies, a leader in config_secrets.py or given as options, and what it must
// refuse (missing keys, values JULIE computes, keys with no equivalent). What it writes passes
// copytraderd --check-config, and no API key reaches the YAML or the terminal.

#include "support/daemon_harness.hpp"

#include <sys/stat.h>

using namespace copytrader::testing;
using Catch::Matchers::Contains;

namespace {

const std::string importer = std::string(COPYTRADER_SOURCE_DIR) + "/scripts/copytrader-import-julie";

std::string julie_config(const std::string& copy_trading, const std::string& credentials = R"(
    "USERNAME": str(SECRETS.get("USERNAME", "") or ""),
    "API_KEY": str(SECRETS.get("API_KEY", "") or ""),
    "ACCOUNT_ID": os.environ.get("JULIE_ACCOUNT_ID"),)") {
  return "import os\ntry:\n    from config_secrets import SECRETS\nexcept Exception:\n    SECRETS = {}\n\n"
         "CONFIG = {" +
         credentials + "\n    \"REST_BASE_URL\": \"https://api.topstepx.com\",\n    \"COPY_TRADING\": " + copy_trading +
         ",\n    \"RISK\": {\"POINT_VALUE\": 5.0},\n}\n";
}

ctl_result import(const temp_dir& dir, const std::string& args = "") {
  return run_command(
      fmt::format("cd {} && {} config.py --out out {} 2>&1 </dev/null", dir.path().string(), importer, args));
}

ctl_result check_config(const temp_dir& dir) {
  return run_command(
      fmt::format("{} --check-config --config {}/out/copytrader.yaml 2>&1", COPYTRADERD_PATH, dir.path().string()));
}

mode_t mode_of(const std::filesystem::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

} // namespace

TEST_CASE("import-julie: one follower, the leader from config_secrets.py; --check-config passes", "[import]") {
  temp_dir dir;
  dir.write("config.py", julie_config(R"({
        "enabled": True,
        "followers": [
            {
                "username": "trader_b",
                "api_key": "FOLLOWER-KEY-CANARY",
                "account_id": "7001",
                "contract_id": "CON.F.US.MES.U26",
                "size_ratio": 1.0,
                "enabled": True
            }
        ]
    })"));
  dir.write("config_secrets.py", R"(SECRETS = {"USERNAME": "trader_a", "API_KEY": "LEADER-KEY-CANARY"})");
  const auto r = import(dir, "--leader-account 7000");
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK_THAT(r.out, Contains("wrote") && Contains("1 follower)"));
  const auto yaml = read_file(dir.path() / "out/copytrader.yaml");
  CHECK_THAT(yaml, Contains("username: \"trader_a\"") && Contains("account_id: 7000") &&
                       Contains("name: trader_b-7001") && Contains("bracket: mirror") &&
                       Contains("circuit_breaker: {max_orders: 5, window: 1s}") && Contains("max_requests: 180"));
  CHECK(yaml.find("CANARY") == std::string::npos);
  CHECK(r.out.find("CANARY") == std::string::npos);
  CHECK(read_file(dir.path() / "out/credentials/leader.key") == "LEADER-KEY-CANARY\n");
  CHECK(read_file(dir.path() / "out/credentials/trader_b-7001.key") == "FOLLOWER-KEY-CANARY\n");
  CHECK(mode_of(dir.path() / "out/credentials/leader.key") == 0600);
  CHECK(mode_of(dir.path() / "out/credentials/trader_b-7001.key") == 0600);
  CHECK(mode_of(dir.path() / "out/copytrader.yaml") == 0600);
  const auto checked = check_config(dir);
  INFO(checked.out);
  CHECK(checked.code == 0);
  // A second run never overwrites what the first wrote.
  const auto again = import(dir, "--leader-account 7000");
  CHECK(again.code == 1);
  CHECK_THAT(again.out, Contains("exists; nothing written"));
}

TEST_CASE("import-julie: many followers, a disabled one, strategies, a disabled copier", "[import]") {
  temp_dir dir;
  dir.write("config.py", julie_config(R"({
        "enabled": False,
        "followers": [
            {"username": "trader_b", "api_key": "KEY-B", "account_id": 7001, "contract_id": "CON.F.US.MES.U26",
             "size_ratio": 1.0, "enabled": True, "allowed_strategies": ["RegimeAdaptive", "Confluence"]},
            {"username": "trader_b", "api_key": "KEY-B", "account_id": 7002, "contract_id": "CON.F.US.EP.U26",
             "size_ratio": 0.2, "enabled": False},
            {"username": "trader_c", "api_key": "KEY-C", "account_id": "7003", "size_ratio": 0.5},
        ]
    })",
                                      R"(
    "USERNAME": "trader_a",
    "API_KEY": "KEY-A",
    "ACCOUNT_ID": 7000,)"));
  const auto r = import(dir);
  INFO(r.out);
  REQUIRE(r.code == 0);
  const auto yaml = read_file(dir.path() / "out/copytrader.yaml");
  CHECK_THAT(yaml, Contains("name: trader_b-7002") && Contains("    enabled: false") &&
                       Contains("allowed_strategies: [\"RegimeAdaptive\", \"Confluence\"]") &&
                       Contains("size_ratio: 0.2") && Contains("name: trader_c-7003") && Contains("dry_run: true"));
  CHECK(yaml.find("KEY-") == std::string::npos);
  const auto checked = check_config(dir);
  INFO(checked.out);
  CHECK(checked.code == 0);
}

TEST_CASE("import-julie: what it cannot map is refused by name, and nothing is written", "[import]") {
  temp_dir dir;
  dir.write("config.py", julie_config(R"({
        "enabled": True,
        "max_orders_per_second": 5,
        "followers": [
            {"username": "trader_b", "account_id": "7001", "size_ratio": 1.0},
            {"username": "trader_c", "api_key": os.environ.get("KEY_C"), "account_id": "acc2"},
            {"username": "trader_d", "api_key": "KEY-D-CANARY", "account_id": 7004, "leverage": 2},
        ]
    })"));
  const auto r = import(dir);
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK_THAT(r.out, Contains("nothing written"));
  CHECK_THAT(r.out, Contains("COPY_TRADING.max_orders_per_second: copytrader has no equivalent"));
  CHECK_THAT(r.out, Contains("COPY_TRADING.followers[0].api_key: missing"));
  CHECK_THAT(r.out, Contains("COPY_TRADING.followers[1].api_key: not a plain value; JULIE computes it"));
  CHECK_THAT(r.out, Contains("COPY_TRADING.followers[1].account_id: 'acc2' is not an account id"));
  CHECK_THAT(r.out, Contains("COPY_TRADING.followers[2].leverage: copytrader has no equivalent"));
  CHECK_THAT(r.out, Contains("leader: no username (JULIE's USERNAME); give --leader-username"));
  CHECK(r.out.find("CANARY") == std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir.path() / "out"));
}

TEST_CASE("import-julie: a file without COPY_TRADING, and the leader given as options", "[import]") {
  temp_dir dir;
  dir.write("config.py", "CONFIG = {\"USERNAME\": \"a\"}\n");
  auto none = import(dir);
  CHECK(none.code == 1);
  CHECK_THAT(none.out, Contains("no COPY_TRADING block"));

  // The older shape: COPY_TRADING at the top of the module, the leader's key in a file of its own.
  dir.write("config.py",
            "COPY_TRADING = {\"enabled\": True, \"followers\": [{\"username\": \"b\", \"api_key\": "
            "\"KEY-B\", \"account_id\": 7001}]}\n");
  dir.write("leader-key.txt", "LEADER-FROM-FILE\n");
  const auto r = import(dir, "--leader-username trader_a --leader-account 7000 --leader-key-file leader-key.txt");
  INFO(r.out);
  REQUIRE(r.code == 0);
  CHECK(read_file(dir.path() / "out/credentials/leader.key") == "LEADER-FROM-FILE\n");
  CHECK(check_config(dir).code == 0);
}
