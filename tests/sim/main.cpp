// projectx-sim: a local ProjectX gateway (REST over HTTPS, the user hub over WSS) with a control API.
// Loopback only. See docs/simulator.md.

#include "core/duration.hpp"
#include "sim/simulator.hpp"
#include "sim/world.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json/serialize.hpp>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <string_view>

namespace {

constexpr std::string_view usage =
    "usage: projectx-sim --world FILE [options]\n"
    "  --world FILE            users, API keys, accounts (and optionally contracts), JSON\n"
    "  --listen ADDR           loopback address to listen on (default 127.0.0.1)\n"
    "  --port N                HTTPS/WSS port (default: any free port)\n"
    "  --control-port N        control API port (default: any free port)\n"
    "  --ca-out FILE           write the generated CA certificate here (for api.ca_file)\n"
    "  --ports-out FILE        write {\"port\":N,\"control_port\":M} here once listening\n"
    "  --token-lifetime DUR    session token lifetime (default 24h)\n"
    "  --ping-interval DUR     hub keep-alive ping interval (default 15s)\n"
    "  --rate-limit N/DUR      REST requests per window per user (default 200/60s)\n"
    "  --retry-after SECONDS   send Retry-After with 429\n"
    "  --auto-trade ACCOUNT[:CONTRACT]  a built-in leader trades this account\n"
    "  --auto-trade-step DUR   time between its actions (default 2s)\n"
    "  --random-walk DUR       move every price by up to a tick at this interval\n"
    "  --seed N                random seed (default 1)\n"
    "  --clock-shift S         the venue's clock S seconds from this host's (may be negative)\n";

int fail(const std::string& message) {
  std::fprintf(stderr, "projectx-sim: %s\n\n%.*s", message.c_str(), static_cast<int>(usage.size()), usage.data());
  return 64;
}

bool loopback(const std::string& address) {
  boost::system::error_code ec;
  const auto a = boost::asio::ip::make_address(address, ec);
  return !ec && a.is_loopback();
}

} // namespace

int main(int argc, char** argv) {
  using namespace copytrader;
  sim::simulator_options options;
  std::string world, ca_out, ports_out, auto_trade;
  std::chrono::seconds clock_shift{0};
  duration auto_step = std::chrono::seconds(2), walk{0};
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::optional<std::string> {
      if (i + 1 >= argc) return std::nullopt;
      return std::string(argv[++i]);
    };
    auto need_duration = [&](duration& out) {
      auto v = value();
      auto d = v ? parse_duration(*v) : std::nullopt;
      if (d) out = *d;
      return d.has_value();
    };
    if (arg == "--help") {
      std::fwrite(usage.data(), 1, usage.size(), stdout);
      return 0;
    }
    std::optional<std::string> v;
    duration d{};
    if (arg == "--world" && (v = value()))
      world = *v;
    else if (arg == "--listen" && (v = value()))
      options.listen_address = *v;
    else if (arg == "--port" && (v = value()))
      options.port = static_cast<unsigned short>(std::stoi(*v));
    else if (arg == "--control-port" && (v = value()))
      options.control_port = static_cast<unsigned short>(std::stoi(*v));
    else if (arg == "--ca-out" && (v = value()))
      ca_out = *v;
    else if (arg == "--ports-out" && (v = value()))
      ports_out = *v;
    else if (arg == "--clock-shift" && (v = value()))
      clock_shift = std::chrono::seconds(std::stoll(*v));
    else if (arg == "--seed" && (v = value()))
      options.seed = std::stoull(*v);
    else if (arg == "--retry-after" && (v = value()))
      options.gateway.retry_after_seconds = std::stoi(*v);
    else if (arg == "--auto-trade" && (v = value()))
      auto_trade = *v;
    else if (arg == "--token-lifetime" && need_duration(d))
      options.gateway.token_lifetime = d;
    else if (arg == "--ping-interval" && need_duration(d))
      options.ping_interval = d;
    else if (arg == "--auto-trade-step" && need_duration(d))
      auto_step = d;
    else if (arg == "--random-walk" && need_duration(d))
      walk = d;
    else if (arg == "--rate-limit" && (v = value())) {
      const auto slash = v->find('/');
      auto window = slash == std::string::npos ? std::nullopt : parse_duration(v->substr(slash + 1));
      if (!window) return fail("--rate-limit takes N/DURATION, e.g. 200/60s");
      options.gateway.rate_limit = std::stoul(v->substr(0, slash));
      options.gateway.rate_window = *window;
    } else {
      return fail("bad or incomplete argument '" + std::string(arg) + "'");
    }
  }
  if (world.empty()) return fail("--world FILE is required");
  if (!loopback(options.listen_address)) return fail("refusing to listen on a non-loopback address");

  sim::ledger book([clock_shift] {
    return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now() + clock_shift);
  });
  if (auto loaded = sim::load_world(world, book); !loaded) return fail(loaded.error().message);

  boost::asio::io_context io(1);
  sim::simulator simulator(io, options, book);
  simulator.start();
  if (!ca_out.empty()) std::ofstream(ca_out) << simulator.ca_pem();
  if (!auto_trade.empty()) {
    const auto colon = auto_trade.find(':');
    const auto account = std::stoll(auto_trade.substr(0, colon));
    const std::string contract = colon == std::string::npos ? "CON.F.US.MES.U26" : auto_trade.substr(colon + 1);
    simulator.start_auto_trade(account, contract, auto_step);
  }
  if (walk.count() > 0) simulator.start_random_walk(walk);
  if (!ports_out.empty()) {
    const std::string tmp = ports_out + ".tmp";
    std::ofstream(tmp) << boost::json::serialize(
        boost::json::object{{"port", simulator.port()}, {"control_port", simulator.control_port()}});
    std::rename(tmp.c_str(), ports_out.c_str());
  }
  std::fprintf(stderr, "projectx-sim: gateway https://%s:%u, control http://%s:%u\n", options.listen_address.c_str(),
               simulator.port(), options.listen_address.c_str(), simulator.control_port());

  boost::asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code&, int) {
    simulator.stop();
    io.stop();
  });
  io.run();
  return 0;
}
