// Copy latency, the engine against projectx-sim on loopback: the leader alternates between long 1
// and flat, and each fill is copied to N followers. The figures are read from the simulator's own
// monotonic clock: the leader's trade frame written -> each follower's Order/place received. The
// engine runs in this process on its own thread (one io_context, as in the daemon) with the rate
// limits lifted, since the figure wanted is the engine's speed, not the venue's budget. With
// `guarded`, every follower has a 50K combine's loss limits (docs/risk.md): each entry then pays for
// the account guard's screen (the money at the stops, the size cap, the hedging check), and the
// figure beside the unguarded one is the guard's cost. The session hours are not enforced, so that
// the figure can be taken at any hour. With `alerting`, each leader fill raises an alert (a new one,
// never coalesced) that the daemon's dispatcher posts over HTTPS to a local receiver on the same io
// thread as the copy: the figure beside the plain one is what sending alerts costs a copy.
//
// The shape (issue 15): `logins=K` spreads the followers over K logins (K = FOLLOWERS: each on its own,
// as with accounts at different firms), each with its own token, hub and HTTPS pool; `bracket=mirror`
// gives the leader a bracketed entry that the followers mirror (`fixed`, the default, places the
// followers' own ticks on an unbracketed leader entry); `pinned` puts the simulator on the last core
// and the engine's thread on the first, the driver (this program's main thread) with the simulator.
//
// `records=one` has the simulator's hub write one record per WebSocket message, where by default
// the records waiting for its writer go out together as one message (switch coalesce_records).
//
//   copy_latency FOLLOWERS FILLS [JSON_OUT] [guarded|alerting] [logins=K] [bracket=fixed|mirror] [pinned]
//                [records=coalesced|one]

#include "alerts/alert_dispatcher.hpp"
#include "build_cost.hpp"
#include "control/reports.hpp"
#include "engine/copy_engine.hpp"
#include "projectx/tls_context.hpp"
#include "service/control_commands.hpp"
#include "support/alert_receiver.hpp"
#include "support/percentile.hpp"
#include "support/raw_client.hpp"
#include "support/temp_dir.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include <pthread.h>
#include <sched.h>

#include <deque>
#include <filesystem>
#include <future>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

using namespace copytrader;
using namespace copytrader::testing;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

// Moves every thread of a process (the simulator) to one core; false where the machine has one core.
bool pin_process(pid_t pid, std::size_t core) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core, &set);
  bool all = true;
  for (const auto& task : std::filesystem::directory_iterator(fmt::format("/proc/{}/task", pid)))
    all = ::sched_setaffinity(std::stoi(task.path().filename().string()), sizeof set, &set) == 0 && all;
  return all;
}

bool pin_thread(std::thread& thread, std::size_t core) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(core, &set);
  return ::pthread_setaffinity_np(thread.native_handle(), sizeof set, &set) == 0;
}

struct figures {
  std::vector<double> first_us;
  std::vector<double> last_us;
  std::size_t follower_requests = 0;
  std::size_t entries = 0;
  std::int64_t throttled = 0;
};

// Reads the engine on its own io thread (nothing in it is shared between threads) and returns the answer.
template <typename Read>
auto on_engine_thread(boost::asio::io_context& io, Read read) {
  std::promise<decltype(read())> answer;
  boost::asio::post(io, [&] { answer.set_value(read()); });
  return answer.get_future().get();
}

} // namespace

int main(int argc, char** argv) {
  const int followers = argc > 1 ? std::atoi(argv[1]) : 10;
  const int fills = argc > 2 ? std::atoi(argv[2]) : 1000;
  const std::string json_out = argc > 3 ? argv[3] : "";
  bool guarded = false;
  bool alerting = false;
  bool pinned = false;
  bool one_record_per_message = false;
  int logins = 1;
  bracket_mode bracket = bracket_mode::fixed;
  for (int a = 4; a < argc; ++a) {
    const std::string_view word(argv[a]);
    if (word == "guarded")
      guarded = true;
    else if (word == "alerting")
      alerting = true;
    else if (word == "pinned")
      pinned = true;
    else if (word.starts_with("logins="))
      logins = std::max(1, std::atoi(argv[a] + 7));
    else if (word == "records=one")
      one_record_per_message = true;
    else if (word == "bracket=mirror")
      bracket = bracket_mode::mirror;
    else if (word != "bracket=fixed" && word != "records=coalesced") {
      std::cerr << "copy_latency: unknown option '" << word << "'\n";
      return 64;
    }
  }
  logins = std::min(logins, std::max(followers, 1));
  const bool mirror = bracket == bracket_mode::mirror;
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  pinned = pinned && cores >= 2;
  const auto last_core = static_cast<std::size_t>(std::max(cores - 1, 0));
  // BENCH_LOG=1: the engine's info lines; BENCH_LOG=debug: every decision (each hold, each wait).
  const char* bench_log = std::getenv("BENCH_LOG");
  spdlog::set_level(bench_log == nullptr                     ? spdlog::level::warn
                    : std::string_view(bench_log) == "debug" ? spdlog::level::debug
                                                             : spdlog::level::info);

  // Follower i is under login i % logins.
  auto login_of = [&](int i) { return fmt::format("follower_user{}", i % logins); };
  std::string world = R"({"users":[{"username":"leader_user","api_key":"leader-key"})";
  for (int k = 0; k < logins; ++k)
    world += fmt::format(R"(,{{"username":"follower_user{}","api_key":"follower-key-{}"}})", k, k);
  world += R"(],"accounts":[{"id":1001,"username":"leader_user"})";
  for (int i = 0; i < followers; ++i) world += fmt::format(R"(,{{"id":{},"username":"{}"}})", 2001 + i, login_of(i));
  world += "]}";
  sim_process sim({"--rate-limit", "10000000/60s"}, world);
  if (pinned && !pin_process(sim.pid(), last_core)) std::cerr << "copy_latency: the simulator could not be pinned\n";
  if (one_record_per_message && sim.control("POST", "/switch", R"({"coalesce_records":false})").status != 200) {
    std::cerr << "copy_latency: the simulator refused the switch coalesce_records\n";
    return 1;
  }

  config cfg;
  cfg.api.base_url = fmt::format("https://127.0.0.1:{}", sim.port);
  cfg.api.user_hub_url = fmt::format("wss://127.0.0.1:{}/hubs/user", sim.port);
  cfg.api.ca_file = sim.dir.path() / "ca.pem";
  cfg.leader.login = credential{"leader_user", secret("leader-key"), "bench"};
  cfg.leader.account = 1001;
  for (int i = 0; i < followers; ++i) {
    follower_config f;
    f.name = fmt::format("f{}", i + 1);
    f.login = credential{login_of(i), secret(fmt::format("follower-key-{}", i % logins)), "bench"};
    f.account = 2001 + i;
    f.bracket = bracket;
    if (guarded) {
      risk_limits limits;
      limits.profile = "bench-combine-50k";
      limits.loss = {guard::account_program::combine, 50'000, 2'000, false};
      limits.daily_loss_limit_usd = 1'000; // a thousand fills cost about 370 in fees
      limits.max_contracts = 5;
      limits.session.enforce = false;
      f.risk = limits;
    }
    cfg.followers.push_back(f);
  }
  cfg.safety.rate_limit.max_requests = 10'000'000;
  cfg.safety.rate_limit.window = std::chrono::seconds(60);
  cfg.safety.max_orders_per_minute = 1'000'000;
  cfg.safety.circuit_breaker = {1'000'000, std::chrono::seconds(1)};
  cfg.safety.max_followers = followers;
  cfg.copy.reconcile_interval = std::chrono::seconds(3600);

  boost::asio::io_context io(1);
  engine::copy_engine engine(io.get_executor(), cfg, nullptr);
  // As the daemon with a dashboard: the latest copies are kept for its feed (noted after each answer,
  // off the timed path), so the feed's figure below includes their list.
  engine.keep_recent_copies();
  std::unique_ptr<alert_receiver> receiver;
  std::unique_ptr<alerts::alert_dispatcher> dispatcher;
  if (alerting) {
    receiver = std::make_unique<alert_receiver>();
    sim.dir.write("alert-ca.pem", read_file(cfg.api.ca_file) + receiver->ca_pem());
    auto tls = projectx::make_client_tls(sim.dir.path() / "alert-ca.pem");
    if (!tls) {
      std::cerr << tls.error().message << "\n";
      return 1;
    }
    alerts_config alerting_cfg;
    alert_target_config hook;
    hook.name = "bench";
    hook.format = alert_format::webhook;
    hook.token = secret(receiver->url("/bench"));
    alerting_cfg.targets.push_back(hook);
    alerting_cfg.queue_limit = 1000;
    dispatcher = std::make_unique<alerts::alert_dispatcher>(
        engine.tasks(), std::shared_ptr<boost::asio::ssl::context>(std::move(*tls)), alerting_cfg, "bench");
    engine.set_alert_sink([d = dispatcher.get()](alerts::alert a) { d->raise(std::move(a)); });
    dispatcher->start();
  }
  boost::asio::co_spawn(io, engine.run(), boost::asio::detached);
  std::atomic<bool> ready = false;
  std::thread loop([&] {
    // Readiness is read on the io thread and published through an atomic.
    while (!io.stopped()) {
      io.run_one_for(10ms);
      if (!ready && engine.context().leader_ready && engine.leader_hub_connected()) ready = true;
    }
  });
  if (pinned) {
    pin_thread(loop, 0);
    cpu_set_t driver;
    CPU_ZERO(&driver);
    CPU_SET(last_core, &driver);
    ::sched_setaffinity(0, sizeof driver, &driver); // this thread: the driver, beside the simulator
  }
  const auto start_deadline = std::chrono::steady_clock::now() + 30s;
  while (!ready && std::chrono::steady_clock::now() < start_deadline) std::this_thread::sleep_for(10ms);
  if (!ready) {
    std::cerr << "the engine did not start\n";
    io.stop();
    loop.join();
    return 1;
  }
  std::this_thread::sleep_for(500ms); // every follower subscribed

  // Each fill waits for its copies (places or closes) to arrive before the next: one copy at a time.
  // The simulator's log is read in pieces as it grows (the whole of it would be tens of megabytes).
  std::size_t seen = 0;
  std::vector<json::value> entries;
  auto read_log = [&] {
    const auto log = sim.control("GET", "/log?since=" + std::to_string(seen)).json();
    const std::size_t before = entries.size();
    for (const auto& e : log.at("entries").as_array()) entries.push_back(e);
    seen = static_cast<std::size_t>(log.at("next").to_number<std::int64_t>());
    return before;
  };
  auto wait_for_requests = [&](std::string_view path, int count) {
    int got = 0;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (got < count && std::chrono::steady_clock::now() < deadline) {
      for (std::size_t i = read_log(); i < entries.size(); ++i) {
        const auto* who = entries[i].as_object().if_contains("account");
        if (who != nullptr && who->to_number<std::int64_t>() >= 2001 && entries[i].at("what").as_string() == path)
          ++got;
      }
      if (got < count) std::this_thread::sleep_for(1ms);
    }
    return got >= count;
  };
  int copied = 0;
  std::int64_t leader_entry = 0; // its legs are the next two ids
  for (int i = 0; i < fills; ++i) {
    const bool entry = i % 2 == 0;
    // What the last copies left in the log (their hub frames, the leg cancels) is read now: read
    // on the first poll after the leader's fill, hundreds of entries with 50 followers, it kept the
    // simulator's one thread from the copies for up to a millisecond (the driver shares its core).
    read_log();
    if (dispatcher) // an alert on its way out as the leader moves: its POST shares the io thread with the copy
      boost::asio::post(io, [&dispatcher, i] {
        dispatcher->raise(
            alerts::alert{alerts::alert_kind::drift_corrected, "bench" + std::to_string(i), "bench", "", 0});
      });
    const auto placed = sim.control(
        "POST", "/act",
        fmt::format(R"({{"account":1001,"op":"place","contract_id":"CON.F.US.MES.U26","side":{},"size":1,"type":2{}}})",
                    entry ? 0 : 1, entry && mirror ? R"(,"sl_ticks":-16,"tp_ticks":24)" : ""));
    if (entry && mirror) leader_entry = placed.json().at("orderId").to_number<std::int64_t>();
    if (!wait_for_requests(entry ? "/api/Order/place" : "/api/Position/closeContract", followers)) {
      std::cerr << "fill " << i << ": not every follower copied within 10 s\n";
      break;
    }
    // The venue leaves the leader's legs working after its exit (close_leaves_legs): it cancels them,
    // as a trader's platform does; the followers' own leftover legs are the daemon's to cancel.
    if (!entry && mirror && leader_entry != 0) {
      for (std::int64_t leg = leader_entry + 1; leg <= leader_entry + 2; ++leg)
        sim.control("POST", "/act", fmt::format(R"({{"account":1001,"op":"cancel","order_id":{}}})", leg));
    }
    ++copied;
    std::this_thread::sleep_for(entry ? 5ms : 15ms); // legs cancelled after a close
  }
  std::this_thread::sleep_for(500ms);

  // The figures, from the simulator's log.
  figures out;
  read_log();
  std::map<std::int64_t, std::int64_t> leader_frame;
  std::map<std::int64_t, std::vector<std::int64_t>> places; // leader trade id -> follower place times
  for (const auto& v : entries) {
    const auto& e = v.as_object();
    const auto* who = e.if_contains("account");
    const std::int64_t account = who != nullptr ? who->to_number<std::int64_t>() : 0;
    const std::string what(e.at("what").as_string());
    const auto t_ns = e.at("t_ns").to_number<std::int64_t>();
    if (e.at("kind").as_string() == "hub") {
      // The fill's first frame, whichever it is (order, trade, position or account): the daemon may act on any.
      if (const auto* id = e.if_contains("trade_id")) leader_frame.try_emplace(id->to_number<std::int64_t>(), t_ns);
    } else if (e.at("kind").as_string() == "rest" && account >= 2001) {
      ++out.follower_requests;
      const auto* tag = e.if_contains("tag");
      if (what != "/api/Order/place" || tag == nullptr || !tag->is_string()) continue;
      const std::string text(tag->as_string());
      const auto dash = text.find('-', 3);
      if (text.rfind("ct-", 0) != 0 || dash == std::string::npos) continue;
      places[std::stoll(text.substr(3, dash - 3))].push_back(t_ns);
    }
  }
  for (auto& [trade, times] : places) {
    auto frame = leader_frame.find(trade);
    if (frame == leader_frame.end() || times.empty()) continue;
    std::sort(times.begin(), times.end());
    out.first_us.push_back(static_cast<double>(times.front() - frame->second) / 1000.0);
    out.last_us.push_back(static_cast<double>(times.back() - frame->second) / 1000.0);
    out.entries += times.size();
  }
  out.throttled = sim.control("GET", "/stats").json().at("throttled").to_number<std::int64_t>();

  // The daemon's own share, on its own clock: the leader's frame read -> each follower's place
  // handed to the socket. The i-th sample of every follower belongs to the i-th copied entry.
  const auto sent = on_engine_thread(io, [&] {
    std::vector<std::deque<std::int64_t>> all;
    for (const auto* f : engine.followers()) all.push_back(f->figures().sent_us.samples());
    return all;
  });
  const std::uint64_t pool_waits = on_engine_thread(io, [&] { // requests that waited for a free connection
    std::uint64_t waits = 0;
    for (const auto& l : engine.logins()) waits += l.pool_waits;
    return waits;
  });
  // The dashboard's feed message (status, stats, the last copies and warnings), built on the io thread
  // every 250 ms for each open browser, first right after the copies; then copytraderctl stats alone.
  const auto [feed, stats] = on_engine_thread(io, [&] {
    control_hooks hooks{engine, {}, [] { return reload_record{}; }, nullptr, {}};
    const auto feed_cost = bench::time_builds([&] { return dashboard_snapshot(hooks); });
    return std::pair{feed_cost, bench::time_builds([&] { return control::stats_report(engine); })};
  });
  // mirror: each entry's wait for the leader's legs
  const auto legs_wait = on_engine_thread(io, [&] { return engine.context().legs_wait_us.samples(); });
  std::vector<double> sent_first;
  std::vector<double> sent_last;
  std::size_t samples = sent.empty() ? 0 : sent.front().size();
  for (const auto& s : sent) samples = std::min(samples, s.size());
  for (std::size_t i = 0; i < samples; ++i) {
    std::int64_t low = INT64_MAX;
    std::int64_t high = 0;
    for (const auto& s : sent) {
      low = std::min(low, s[s.size() - samples + i]);
      high = std::max(high, s[s.size() - samples + i]);
    }
    sent_first.push_back(static_cast<double>(low));
    sent_last.push_back(static_cast<double>(high));
  }
  // With mirror, a follower's place can go only once the leader's legs are armed, events the venue
  // sends after the trade: what is left after that wait is the daemon's own work. One wait per entry.
  std::vector<double> legs_waits;
  std::vector<double> first_after_legs;
  if (legs_wait.size() >= samples) {
    for (std::size_t i = 0; i < samples; ++i) {
      const auto wait = legs_wait[legs_wait.size() - samples + i];
      legs_waits.push_back(static_cast<double>(wait));
      first_after_legs.push_back(sent_first[i] - static_cast<double>(wait));
    }
  }
  if (std::getenv("BENCH_RANKS") != nullptr) {
    // The k-th request of an entry to reach its socket, p50 over the entries: the per-follower slope.
    std::vector<std::vector<double>> ranks(sent.size());
    for (std::size_t i = 0; i < samples; ++i) {
      std::vector<std::int64_t> entry;
      for (const auto& s : sent) entry.push_back(s[s.size() - samples + i]);
      std::sort(entry.begin(), entry.end());
      for (std::size_t k = 0; k < entry.size(); ++k) ranks[k].push_back(static_cast<double>(entry[k]));
    }
    for (std::size_t k = 0; k < ranks.size(); ++k)
      std::cout << fmt::format("  rank {:3} p50 {:8.0f} us  p99 {:8.0f} us\n", k + 1, percentile(ranks[k], 0.5),
                               percentile(ranks[k], 0.99));
  }

  const double per_entry =
      out.entries == 0 ? 0 : static_cast<double>(out.follower_requests) / static_cast<double>(out.entries);
  std::size_t alerts_received = receiver ? receiver->requests().size() : 0;
  std::cout << fmt::format(
      "copy latency, {} follower{} on {} login{}, bracket {}{}{}{}, {} leader fills ({} copied "
      "entries):\n",
      followers, followers == 1 ? "" : "s", logins, logins == 1 ? "" : "s", mirror ? "mirror" : "fixed",
      pinned ? ", pinned" : "", one_record_per_message ? ", one hub record per message" : "",
      guarded    ? " with the account guard"
      : alerting ? fmt::format(" while alerting ({} alerts posted)", alerts_received)
                 : "",
      copied, out.entries);
  std::cout << fmt::format("  first follower  p50 {:8.0f} us  p99 {:8.0f} us  max {:8.0f} us\n",
                           percentile(out.first_us, 0.5), percentile(out.first_us, 0.99),
                           percentile(out.first_us, 1.0));
  std::cout << fmt::format("  last follower   p50 {:8.0f} us  p99 {:8.0f} us  max {:8.0f} us\n",
                           percentile(out.last_us, 0.5), percentile(out.last_us, 0.99), percentile(out.last_us, 1.0));
  std::cout << fmt::format("  sent by the daemon (its clock: leader frame read -> place on the socket):\n");
  std::cout << fmt::format("    first follower p50 {:8.0f} us  p99 {:8.0f} us  max {:8.0f} us\n",
                           percentile(sent_first, 0.5), percentile(sent_first, 0.99), percentile(sent_first, 1.0));
  std::cout << fmt::format("    last follower  p50 {:8.0f} us  p99 {:8.0f} us  max {:8.0f} us\n",
                           percentile(sent_last, 0.5), percentile(sent_last, 0.99), percentile(sent_last, 1.0));
  if (!legs_waits.empty()) {
    std::cout << fmt::format(
        "    of which the leader's legs (trade read -> legs armed) p50 {:8.0f} us  p99 {:8.0f} us\n",
        percentile(legs_waits, 0.5), percentile(legs_waits, 0.99));
    std::cout << fmt::format("    first follower after the legs armed p50 {:8.0f} us  p99 {:8.0f} us  max {:8.0f} us\n",
                             percentile(first_after_legs, 0.5), percentile(first_after_legs, 0.99),
                             percentile(first_after_legs, 1.0));
  }
  std::cout << fmt::format(
      "  dashboard feed message built in {:.0f} us after the copies, {:.0f} us with nothing new; "
      "copytraderctl stats alone {:.0f} us with nothing new; {} samples a follower\n",
      feed.first_us, feed.again_us, stats.again_us, samples);
  std::cout << fmt::format(
      "  follower requests per copied entry (entry + exit + leg cancels) {:.2f}; 429 answers {}; "
      "requests that waited for a free connection {}\n",
      per_entry, out.throttled, pool_waits);
  if (!json_out.empty()) {
    std::ofstream(json_out) << fmt::format(
        R"({{"followers":{},"logins":{},"bracket":"{}","records":"{}","pinned":{},"guarded":{},"alerts_posted":{},"fills":{},"first_p50_us":{:.0f},"first_p99_us":{:.0f},"first_max_us":{:.0f},"last_p50_us":{:.0f},"last_p99_us":{:.0f},"last_max_us":{:.0f},"sent_first_p50_us":{:.0f},"sent_first_p99_us":{:.0f},"sent_first_max_us":{:.0f},"sent_last_p50_us":{:.0f},"sent_last_p99_us":{:.0f},"sent_last_max_us":{:.0f},"legs_wait_p50_us":{:.0f},"legs_wait_p99_us":{:.0f},"sent_first_after_legs_p50_us":{:.0f},"sent_first_after_legs_p99_us":{:.0f},"feed_build_us":{:.0f},"feed_again_us":{:.0f},"stats_again_us":{:.0f},"requests_per_entry":{:.2f},"throttled":{},"pool_waits":{}}})"
        "\n",
        followers, logins, mirror ? "mirror" : "fixed", one_record_per_message ? "one" : "coalesced", pinned, guarded,
        alerts_received, copied, percentile(out.first_us, 0.5), percentile(out.first_us, 0.99),
        percentile(out.first_us, 1.0), percentile(out.last_us, 0.5), percentile(out.last_us, 0.99),
        percentile(out.last_us, 1.0), percentile(sent_first, 0.5), percentile(sent_first, 0.99),
        percentile(sent_first, 1.0), percentile(sent_last, 0.5), percentile(sent_last, 0.99),
        percentile(sent_last, 1.0), percentile(legs_waits, 0.5), percentile(legs_waits, 0.99),
        percentile(first_after_legs, 0.5), percentile(first_after_legs, 0.99), feed.first_us, feed.again_us,
        stats.again_us, per_entry, out.throttled, pool_waits);
  }
  boost::asio::post(io, [&] {
    engine.stop();
    if (dispatcher) dispatcher->stop();
  });
  std::this_thread::sleep_for(300ms);
  io.stop();
  loop.join();
  return copied == fills ? 0 : 1;
}
