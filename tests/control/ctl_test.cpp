// copytraderctl against a running copytraderd and projectx-sim, all real processes on loopback:
// every command, who may connect, bad requests, the metrics endpoint and `watch` in a terminal.

#include "support/alert_receiver.hpp"
#include "support/daemon_harness.hpp"

#include <regex>

using namespace copytrader::testing;
using Catch::Matchers::Contains;
namespace json = boost::json;

TEST_CASE("copytraderctl: status, stats, a manual signal, enable and disable, flatten, breaker, reload", "[ctl]") {
  running_daemon d;

  auto status = d.ctl("status");
  INFO(status.out);
  CHECK(status.code == 0);
  CHECK_THAT(status.out, Contains("copying:  yes") && Contains("account 1001, hub connected") && Contains("small") &&
                             Contains("big") && Contains("armed"));
  auto status_json = d.ctl_json("status");
  CHECK(status_json.at("copying").as_bool());
  CHECK(status_json.at("followers").as_array().size() == 2);
  CHECK(status_json.at("logins").as_array().size() == 2);

  // A dry run plans and sends nothing; small maps it by contract_id, big needs the contract named.
  auto dry = d.ctl("copy --side long --size 4 --sl-ticks 16 --tp-ticks 24 --dry-run");
  INFO(dry.out);
  CHECK(dry.code == 0);
  CHECK_THAT(dry.out, Contains("dry run") && Contains("small") && Contains("0 -> 2") && Contains("big"));
  std::this_thread::sleep_for(500ms);
  CHECK(d.position(2001) == 0);
  CHECK(d.sim.ledger(2001).at("orders").as_array().empty());

  // The signal, copied as a leader entry of 4 would be: small 0.5 -> 2 with the signal's bracket, big 4.
  auto sent = d.ctl(fmt::format("copy --side long --size 4 --sl-ticks 16 --tp-ticks 24 --contract {}", mes));
  INFO(sent.out);
  CHECK(sent.code == 0);
  CHECK_THAT(sent.out, Contains("signal sent") && Contains("0 -> 2") && Contains("0 -> 4"));
  REQUIRE(eventually([&] { return d.position(2001) == 2 && d.position(2002) == 4; }));
  const auto small_orders = d.sim.ledger(2001).at("orders").as_array();
  bool has_stop = false;
  for (const auto& o : small_orders) has_stop = has_stop || o.at("type").to_number<int>() == 4;
  CHECK(has_stop);              // the entry carried its bracket: a working stop leg
  CHECK(d.position(1001) == 0); // the leader is never touched

  auto stats = d.ctl_json("stats");
  CHECK(stats.at("successful_copies").to_number<int>() >= 2);
  for (const auto& f : stats.at("followers").as_array()) CHECK(f.at("orders_sent").to_number<int>() >= 1);
  CHECK_THAT(d.ctl("stats").out, Contains("total_copies") && Contains("P99_US"));

  // Disabled: no new entries; an add of the same signal reaches big only.
  auto disabled = d.ctl("disable small");
  CHECK(disabled.code == 0);
  CHECK_THAT(disabled.out, Contains("small: disabled"));
  CHECK(d.ctl(fmt::format("copy --side long --size 2 --contract {}", mes)).code == 0);
  REQUIRE(eventually([&] { return d.position(2002) == 6; }));
  std::this_thread::sleep_for(300ms);
  CHECK(d.position(2001) == 2);
  CHECK_THAT(d.ctl("enable small").out, Contains("small: active"));

  // flatten NAME answers once the follower is flat; the other keeps its position.
  auto flat_small = d.ctl("flatten small");
  INFO(flat_small.out);
  CHECK(flat_small.code == 0);
  CHECK_THAT(flat_small.out, Contains("flat: small"));
  CHECK(d.position(2001) == 0);
  CHECK(d.position(2002) == 6);

  // flatten --all asks first: without a terminal and without --yes nothing happens.
  auto unconfirmed = d.ctl("flatten --all");
  CHECK(unconfirmed.code == 1);
  CHECK_THAT(unconfirmed.out, Contains("not confirmed"));
  CHECK(d.position(2002) == 6);
  auto all = d.ctl("flatten --all --yes");
  INFO(all.out);
  CHECK(all.code == 0);
  CHECK(d.position(2001) == 0);
  CHECK(d.position(2002) == 0);
  std::this_thread::sleep_for(500ms);
  for (auto account : {2001, 2002}) {
    std::size_t working = 0;
    const auto ledger = d.sim.ledger(account);
    for (const auto& o : ledger.at("orders").as_array()) working += o.at("status").to_number<int>() == 1 ? 1U : 0U;
    CHECK(working == 0); // the legs were cancelled with the position
  }

  auto breaker = d.ctl("reset-breaker");
  CHECK(breaker.code == 0);
  CHECK_THAT(breaker.out, Contains("re-armed"));

  auto reload = d.ctl("reload");
  CHECK(reload.code == 0);
  CHECK_THAT(reload.out, Contains("reloaded"));
  CHECK(d.ctl_json("status").at("reload").at("ok").as_bool());
  // A broken file is refused, the daemon keeps running on the previous one.
  d.dir.write("copytrader.yaml", read_file(d.dir.path() / "copytrader.yaml") + "unknown_key: 1\n");
  auto refused = d.ctl("reload");
  CHECK(refused.code == 1);
  CHECK_THAT(refused.out, Contains("reload refused") && Contains("unknown_key"));
  CHECK(d.ctl("status").code == 0);
}

TEST_CASE("copytraderctl: readable refusals and exit codes", "[ctl]") {
  running_daemon d;
  auto unknown = d.ctl("disable nobody");
  CHECK(unknown.code == 1);
  CHECK_THAT(unknown.out, Contains("no follower is named 'nobody'"));
  auto no_contract = d.ctl("copy --side short --size 1 --dry-run --contract CON.F.US.NQ.U26");
  CHECK(no_contract.code == 0); // small's contract_id takes any signal; big maps NQ onto itself
  auto usage = d.ctl("copy --side sideways --size 1");
  CHECK(usage.code == 64);
  CHECK_THAT(usage.out, Contains("--side takes long or short"));
  CHECK(d.ctl("frobnicate").code == 64);
  auto misplaced = d.ctl("disable small --catch-up");
  CHECK(misplaced.code == 64);
  CHECK_THAT(misplaced.out, Contains("--catch-up goes with enable only"));
  auto catch_up = d.ctl("enable small --catch-up");
  CHECK(catch_up.code == 0);
  CHECK_THAT(catch_up.out, Contains("small: "));
  auto gone = d.ctl("status", "", (d.dir.path() / "nothing-here.sock").string());
  CHECK(gone.code == 2);
  CHECK_THAT(gone.out, Contains("not running"));
}

TEST_CASE("control socket: malformed, unknown and oversized requests get errors on a usable connection", "[ctl]") {
  running_daemon d;
  const std::string bytes = "not json\n{\"command\":\"explode\"}\n" + std::string(5000, 'x') +
                            "\n{\"command\":\"status\",\"extra\":1}\n{\"command\":\"stats\"}\n";
  const std::string answer = raw_exchange(d.socket, bytes, 5);
  INFO(answer);
  std::vector<json::object> lines;
  std::size_t at = 0;
  for (auto end = answer.find('\n'); end != std::string::npos; at = end + 1, end = answer.find('\n', at))
    lines.push_back(json::parse(answer.substr(at, end - at)).as_object());
  REQUIRE(lines.size() == 5);
  for (int i = 0; i < 4; ++i) CHECK_FALSE(lines[static_cast<std::size_t>(i)].at("ok").as_bool());
  CHECK_THAT(std::string(lines[0].at("error").as_string()), Contains("not JSON"));
  CHECK_THAT(std::string(lines[1].at("error").as_string()), Contains("unknown command"));
  CHECK_THAT(std::string(lines[2].at("error").as_string()), Contains("larger than 4096"));
  CHECK_THAT(std::string(lines[3].at("error").as_string()), Contains("unexpected key"));
  CHECK(lines[4].at("ok").as_bool()); // the same connection still answers
  CHECK(d.daemon->running());
  CHECK(d.ctl("status").code == 0);
}

TEST_CASE("control socket: another uid is refused, by the file mode and by its peer credentials", "[ctl]") {
  if (::geteuid() != 0) {
    WARN("not root: cannot run the client as another user; skipped");
    return;
  }
  running_daemon d;
  std::filesystem::permissions(d.dir.path(), std::filesystem::perms(0755)); // let nobody reach the socket
  const std::string as_nobody = "setpriv --reuid=nobody --regid=nogroup --clear-groups";
  auto by_mode = d.ctl("status", as_nobody);
  INFO(by_mode.out);
  CHECK(by_mode.code == 1);
  CHECK_THAT(by_mode.out, Contains("permission denied"));
  // Even with the file opened to everyone, the daemon checks who is calling.
  std::filesystem::permissions(d.socket, std::filesystem::perms(0666));
  auto by_credentials = d.ctl("flatten --all --yes", as_nobody);
  INFO(by_credentials.out);
  CHECK(by_credentials.code == 1);
  CHECK_THAT(by_credentials.out, Contains("uid 65534 may not use the control socket"));
  CHECK_THAT(read_file(d.log), Contains("refused a connection from uid 65534"));

  CHECK(d.ctl("status").code == 0); // root still is
}

TEST_CASE("metrics: the Prometheus endpoint is scraped and parsed", "[ctl]") {
  running_daemon d;
  REQUIRE(d.ctl(fmt::format("copy --side short --size 2 --contract {}", mes)).code == 0);
  REQUIRE(eventually([&] { return d.position(2001) == -1 && d.position(2002) == -2; }));

  // The follower's book confirms its fills from its own hub events, a moment after the ledger.
  const std::string big_position =
      fmt::format(R"(copytrader_follower_position{{follower="big",contract="{}"}} -2)", mes);
  std::string response;
  REQUIRE(eventually([&] {
    response = http_get(d.metrics_port, "/metrics");
    return response.find(big_position) != std::string::npos;
  }));
  REQUIRE_THAT(response, Contains("HTTP/1.1 200") && Contains("text/plain; version=0.0.4"));
  const std::string body = response.substr(response.find("\r\n\r\n") + 4);

  // Every sample line is `name{labels} value`, and its family was declared with a TYPE first.
  const std::regex sample(R"(^([a-z_]+)(\{[^}]*\})? (-?[0-9.e+-]+|\+Inf)$)");
  std::map<std::string, std::string> types;
  std::map<std::string, double> values;
  std::size_t at = 0;
  for (auto end = body.find('\n'); end != std::string::npos; at = end + 1, end = body.find('\n', at)) {
    const std::string line = body.substr(at, end - at);
    if (line.rfind("# TYPE ", 0) == 0) {
      const auto space = line.find(' ', 7);
      types[line.substr(7, space - 7)] = line.substr(space + 1);
      continue;
    }
    if (line.empty() || line[0] == '#') continue;
    std::smatch m;
    INFO(line);
    REQUIRE(std::regex_match(line, m, sample));
    std::string family = m[1].str();
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (family.size() > std::strlen(suffix) && family.ends_with(suffix) &&
          types.contains(family.substr(0, family.size() - std::strlen(suffix))))
        family = family.substr(0, family.size() - std::strlen(suffix));
    }
    CHECK(types.contains(family));
    values[m[1].str() + m[2].str()] = std::stod(m[3].str() == "+Inf" ? "inf" : m[3].str());
  }
  CHECK(types["copytrader_copies_total"] == "counter");
  CHECK(types["copytrader_copy_latency_seconds"] == "histogram");
  CHECK(values["copytrader_copying"] == 1);
  CHECK(values["copytrader_copies_total"] >= 1);
  CHECK(values["copytrader_copies_successful_total"] >= 2);
  CHECK(values["copytrader_circuit_breaker_tripped"] == 0);
  CHECK(values[R"(copytrader_hub_connected{login="leader_user"})"] == 1);
  CHECK(values[R"(copytrader_rate_limit_capacity{login="follower_user"})"] > 0);
  CHECK(values[R"(copytrader_requests_total{login="follower_user",priority="entry"})"] >= 2);
  CHECK(values[R"(copytrader_requests_total{login="leader_user",priority="read"})"] >= 1);
  CHECK(values[R"(copytrader_follower_orders_sent_total{follower="small"})"] >= 1);
  CHECK(values[fmt::format(R"(copytrader_follower_position{{follower="big",contract="{}"}})", mes)] == -2);
  // The histogram is cumulative and its +Inf bucket is the count.
  const double count = values[R"(copytrader_copy_latency_seconds_count{follower="small"})"];
  CHECK(count >= 1);
  CHECK(values[R"(copytrader_copy_latency_seconds_bucket{follower="small",le="+Inf"})"] == count);
  CHECK(values[R"(copytrader_copy_latency_seconds_bucket{follower="small",le="0.0001"})"] <=
        values[R"(copytrader_copy_latency_seconds_bucket{follower="small",le="1"})"]);

  CHECK_THAT(http_get(d.metrics_port, "/other"), Contains("404"));
}

TEST_CASE("copytraderctl watch: a live table in a pseudo-terminal until Ctrl-C", "[ctl]") {
  running_daemon d;
  const std::string ctl_path = COPYTRADERCTL_PATH;
  auto run_script = [&](const std::string& inner) {
    const std::string command = fmt::format("script -qec '{}' /dev/null 2>&1 </dev/null", inner);
    ctl_result r;
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char chunk[4096];
    for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0;) r.out.append(chunk, n);
    const int status = ::pclose(pipe);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
  };
  auto screens = [](const std::string& out) {
    std::size_t n = 0;
    for (auto at = out.find("\x1b[H\x1b[2J"); at != std::string::npos; at = out.find("\x1b[H\x1b[2J", at + 1)) ++n;
    return n;
  };
  // A fixed number of refreshes.
  auto three = run_script(fmt::format("env COPYTRADER_SOCKET={} {} watch --count 3", d.socket.string(), ctl_path));
  INFO(three.out);
  CHECK(three.code == 0);
  CHECK(screens(three.out) == 3);
  CHECK_THAT(three.out, Contains("copying:  yes") && Contains("small"));
  // Ctrl-C (SIGINT) ends it cleanly after a few refreshes.
  auto interrupted =
      run_script(fmt::format("env COPYTRADER_SOCKET={} timeout -s INT 2.5 {} watch", d.socket.string(), ctl_path));
  INFO(interrupted.out);
  CHECK(screens(interrupted.out) >= 2);
  CHECK_THAT(interrupted.out, Contains("Ctrl-C to stop"));
}

TEST_CASE("J4: canary API keys and session tokens appear in no output", "[ctl][J4]") {
  daemon_setup setup;
  setup.leader_key = "CANARY-LEADER-5f0c1e9a7b";
  setup.follower_key = "CANARY-FOLLOWER-8d2b6a4c3e";
  const std::string stranger_key = "CANARY-STRANGER-1a9e7c5d2f";
  // A login the venue refuses: its error path must not echo the key either.
  setup.extra_followers =
      "  - name: stranger\n    username: stranger_user\n    api_key_file: stranger.key\n    account_id: 2003\n";
  setup.extra_files["stranger.key"] = stranger_key + "\n";
  setup.level = "trace"; // the most verbose level: the harshest place for a leak
  running_daemon d(setup);

  // Work through the paths that touch tokens: copies, a revoked session, a hub logout, a reload.
  std::string outputs;
  outputs += d.ctl(fmt::format("copy --side long --size 2 --contract {}", mes)).out;
  REQUIRE(eventually([&] { return d.position(2002) == 2; }));
  d.sim.control("POST", "/expire_tokens", R"({"username":"follower_user"})");
  d.sim.control("POST", "/fault/hub", R"({"kind":"logout","username":"leader_user"})");
  outputs += d.ctl("flatten --all --yes").out;
  d.daemon->signal(SIGHUP);
  std::this_thread::sleep_for(1s);
  for (const char* command : {"status", "status --json", "stats --json", "reload"}) outputs += d.ctl(command).out;
  outputs += http_get(d.metrics_port, "/metrics");
  outputs += read_file("/proc/" + std::to_string(d.daemon->pid()) + "/environ");
  outputs += read_file("/proc/" + std::to_string(d.daemon->pid()) + "/cmdline");
  d.daemon->signal(SIGTERM);
  REQUIRE(d.daemon->wait_exit(deadline) == 0);
  d.daemon.reset();

  // An inline key in a file others can read is refused, and the refusal does not quote it.
  const auto inline_config = d.dir.write("inline.yaml",
                                         replace_in(read_file(d.dir.path() / "copytrader.yaml"),
                                                    "api_key_file: leader.key", "api_key: " + setup.leader_key),
                                         0644);
  const std::string check = fmt::format("{} --check-config --config {} 2>&1", COPYTRADERD_PATH, inline_config.string());
  FILE* pipe = ::popen(check.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char chunk[4096];
  std::string check_output;
  for (std::size_t n; (n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0;) check_output.append(chunk, n);
  CHECK(::pclose(pipe) != 0);
  CHECK_THAT(check_output, Contains("api_key"));
  outputs += check_output;

  const std::string log = read_file(d.log);
  REQUIRE_THAT(log, Contains("GatewayLogout")); // the paths above really ran
  std::string state;
  for (const auto& entry : std::filesystem::directory_iterator(d.dir.path() / "state"))
    if (entry.is_regular_file()) state += read_file(entry.path());
  REQUIRE(state.size() > 0);
  struct place {
    const char* name;
    const std::string& text;
  };
  for (const auto& where :
       {place{"daemon log", log}, place{"ctl, metrics, /proc", outputs}, place{"state directory (audit.db)", state}}) {
    for (const auto& canary : {setup.leader_key, setup.follower_key, stranger_key, std::string("eyJ")}) {
      INFO(where.name << " contains " << canary);
      CHECK(where.text.find(canary) == std::string::npos);
    }
  }
}

TEST_CASE("copytraderctl risk and unlock: the guard's numbers, a lock, and the operator's unlock", "[ctl][guard]") {
  daemon_setup setup;
  setup.extra_followers =
      "  - name: guarded\n    username: follower_user\n    api_key_file: follower.key\n"
      "    account_id: 2003\n    bracket: fixed\n"
      "    risk: {daily_loss_limit_usd: 100, session: {enforce: false}}\n";
  running_daemon d(setup);
  REQUIRE(eventually([&] { return d.ctl("risk guarded").out.find("balance 50000.00") != std::string::npos; }));
  auto risk = d.ctl("risk guarded");
  INFO(risk.out);
  CHECK(risk.code == 0);
  CHECK_THAT(risk.out, Contains("guarded: combine") && Contains("state:  active") &&
                           Contains("day loss at stops 0.00/100.00") && Contains("open risk 0.00"));
  CHECK_THAT(d.ctl("risk").out, Contains("small: no risk limits"));
  auto unknown = d.ctl("risk nobody");
  CHECK(unknown.code == 1);
  CHECK_THAT(unknown.out, Contains("no follower is named 'nobody'"));
  CHECK_THAT(d.ctl("status").out, Contains("guard: active; balance 50000.00"));

  // A loss beyond the limit: locked until the next trading day's open, shown by risk and status.
  REQUIRE(d.sim.control("POST", "/account", R"({"account":2003,"balance":49850})").status == 200);
  REQUIRE(
      eventually([&] { return d.ctl("risk guarded").out.find("locked (G2 daily loss) until") != std::string::npos; }));
  CHECK_THAT(d.ctl("status").out, Contains("guard: locked (G2 daily loss)"));
  const auto json_risk = d.ctl_json("risk guarded").at("followers").as_array().at(0).as_object();
  CHECK(json_risk.at("state").as_string() == "locked");
  CHECK(json_risk.at("daily_loss_headroom").to_number<double>() == Approx(-50));

  // Made whole, then unlocked by the operator.
  REQUIRE(d.sim.control("POST", "/account", R"({"account":2003,"balance":50000})").status == 200);
  std::this_thread::sleep_for(300ms);
  auto unlocked = d.ctl("unlock guarded");
  INFO(unlocked.out);
  CHECK(unlocked.code == 0);
  CHECK_THAT(unlocked.out, Contains("guarded: guard active"));
  std::this_thread::sleep_for(300ms);
  CHECK_THAT(d.ctl("risk guarded").out, Contains("state:  active"));

  const std::string metrics = http_get(d.metrics_port, "/metrics");
  CHECK_THAT(
      metrics,
      Contains(R"(copytrader_follower_guard_state{follower="guarded"} 0)") &&
          Contains(R"(copytrader_follower_headroom_usd{follower="guarded",guard="daily_loss"} 100)") &&
          Contains(
              R"(copytrader_guard_actions_total{follower="guarded",guard="G2 daily loss",action="flatten_lock"} 1)"));
}

TEST_CASE("alerts: start, test-alert, a refused reload and the stop reach the receiver; the URL never shows",
          "[ctl][alerts]") {
  alert_receiver receiver;
  const std::string canary = "HOOK-CANARY-93b2";
  daemon_setup setup;
  setup.extra_ca = receiver.ca_pem();
  setup.extra_files["hook.url"] = receiver.url("/hook/" + canary) + "\n";
  setup.extra = "alerts:\n  targets:\n    - name: hook\n      format: webhook\n      url_file: hook.url\n";
  auto d = std::make_unique<running_daemon>(setup);
  const auto kinds = [&] {
    std::vector<std::string> out;
    for (const auto& r : receiver.requests()) out.emplace_back(json::parse(r.body).at("kind").as_string());
    return out;
  };
  REQUIRE(receiver.wait_for(1, 10s));
  CHECK(kinds().front() == "daemon_started");
  CHECK(receiver.requests().front().target == "/hook/" + canary);

  auto tested = d->ctl("test-alert hook");
  INFO(tested.out);
  CHECK(tested.code == 0);
  CHECK_THAT(tested.out, Contains("test alert delivered to hook (HTTP 200)"));
  CHECK(kinds().back() == "test");
  auto unknown = d->ctl("test-alert nope");
  CHECK(unknown.code == 1);
  CHECK_THAT(unknown.out, Contains("no alert target is named 'nope'"));

  const auto config_path = d->dir.path() / "copytrader.yaml";
  const std::string good = read_file(config_path);
  d->dir.write("copytrader.yaml", good + "nonsense_key: 1\n");
  CHECK(d->ctl("reload").code == 1);
  REQUIRE(receiver.wait_for(3, 10s));
  const auto refused = json::parse(receiver.requests().back().body);
  CHECK(refused.at("kind").as_string() == "reload_refused");
  CHECK_THAT(std::string(refused.at("text").as_string()), Contains("nonsense_key: unknown key"));
  d->dir.write("copytrader.yaml", good);

  // The test alert is answered to the operator, not counted: started and the refused reload are.
  auto status = d->ctl("status");
  CHECK_THAT(status.out, Contains("alerts:   2 sent, 0 failed, 0 dropped") && Contains("hook (webhook): 2 sent"));
  const auto metrics = http_get(d->metrics_port, "/metrics");
  CHECK_THAT(metrics, Contains("copytrader_alerts_sent_total 2"));
  d->daemon->signal(SIGTERM); // the stop's alert is sent before the daemon exits
  d->daemon->wait_exit(deadline);
  d->daemon.reset();
  REQUIRE(receiver.wait_for(4, 10s));
  CHECK(kinds().back() == "daemon_stopped");
  CHECK(read_file(d->log).find(canary) == std::string::npos);
  CHECK(status.out.find(canary) == std::string::npos);
  CHECK(metrics.find(canary) == std::string::npos);
}
