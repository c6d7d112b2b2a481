// How much the simulator costs: N hub connections subscribed to the leader's trades while the leader
// fills R times a second through the control API. Prints frames delivered, the latency from the
// control request to each connection's trade frame, and the simulator's CPU share, so that copy
// latency figures measured through the simulator can be read fairly.
//
// usage: sim_load [connections=50] [fills_per_second=1000] [seconds=3]

#include "signalr/record_framer.hpp"
#include "support/raw_client.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/json/parse.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using copytrader::testing::sim_process;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string skip;
  for (int i = 3; i < 14; ++i) fields >> skip;
  double utime = 0, stime = 0;
  fields >> utime >> stime;
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct run_state {
  std::vector<std::int64_t> sent_ns;      // k-th fill request
  std::vector<std::int64_t> latencies_ns; // every frame on every connection
  std::size_t ready = 0;
  std::size_t frames = 0;
  bool done = false;
};

asio::awaitable<void> hub_reader(asio::ssl::context& tls, unsigned short port, std::string token, run_state& state) {
  auto executor = co_await asio::this_coro::executor;
  beast::websocket::stream<asio::ssl::stream<tcp::socket>> ws(executor, tls);
  co_await beast::get_lowest_layer(ws).async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                                                     asio::use_awaitable);
  beast::get_lowest_layer(ws).set_option(tcp::no_delay(true));
  ws.next_layer().set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
  co_await ws.next_layer().async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
  co_await ws.async_handshake("127.0.0.1", "/hubs/user?access_token=" + token, asio::use_awaitable);
  ws.text(true);
  const std::string rs(1, copytrader::signalr::record_separator);
  const std::string hello = R"({"protocol":"json","version":1})" + rs +
                            R"({"type":1,"invocationId":"1","target":"SubscribeTrades","arguments":[1001]})" + rs;
  co_await ws.async_write(asio::buffer(hello), asio::use_awaitable);
  copytrader::signalr::record_framer framer;
  beast::flat_buffer buffer;
  std::size_t seen = 0;
  bool subscribed = false;
  while (!state.done) {
    auto [ec, n] = co_await ws.async_read(buffer, tuple_awaitable);
    if (ec) break;
    const auto received = now_ns();
    framer.feed(beast::buffers_to_string(buffer.data()));
    buffer.consume(buffer.size());
    while (auto record = framer.next()) {
      if (record->find("\"type\":3") != std::string::npos && !subscribed) {
        subscribed = true;
        ++state.ready;
      } else if (record->find("GatewayUserTrade") != std::string::npos) {
        if (seen < state.sent_ns.size()) state.latencies_ns.push_back(received - state.sent_ns[seen]);
        ++seen;
        ++state.frames;
      }
    }
  }
}

struct cpu_window {
  pid_t pid = 0;
  double cpu_seconds = 0;
  double wall_seconds = 0;
};

asio::awaitable<void> driver(unsigned short control_port, std::size_t connections, int rate, int seconds,
                             run_state& state, std::int64_t& elapsed_ns, cpu_window& cpu) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  while (state.ready < connections) {
    timer.expires_after(std::chrono::milliseconds(5));
    co_await timer.async_wait(asio::use_awaitable);
  }
  beast::tcp_stream control(executor);
  co_await control.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), control_port), asio::use_awaitable);
  control.socket().set_option(tcp::no_delay(true));
  beast::flat_buffer buffer;
  const int total = rate * seconds;
  const auto period = std::chrono::nanoseconds(1'000'000'000 / rate);
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = cpu_seconds(cpu.pid);
  state.sent_ns.reserve(static_cast<std::size_t>(total));
  for (int k = 0; k < total; ++k) {
    timer.expires_at(start + period * k);
    co_await timer.async_wait(asio::use_awaitable);
    http::request<http::string_body> req{http::verb::post, "/act", 11};
    req.set(http::field::host, "127.0.0.1");
    req.body() =
        fmt::format(R"({{"account":1001,"op":"place","contract_id":"CON.F.US.MES.U26","side":{},"size":1}})", k % 2);
    req.prepare_payload();
    state.sent_ns.push_back(now_ns());
    co_await http::async_write(control, req, asio::use_awaitable);
    http::response<http::string_body> res;
    co_await http::async_read(control, buffer, res, asio::use_awaitable);
  }
  elapsed_ns = (std::chrono::steady_clock::now() - start).count();
  // Let the last frames arrive.
  const auto expected = static_cast<std::size_t>(total) * connections;
  for (int i = 0; i < 400 && state.frames < expected; ++i) {
    timer.expires_after(std::chrono::milliseconds(5));
    co_await timer.async_wait(asio::use_awaitable);
  }
  cpu.cpu_seconds = cpu_seconds(cpu.pid) - cpu_start;
  cpu.wall_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  state.done = true;
  static_cast<asio::io_context&>(executor.context()).stop();
}

double percentile(std::vector<std::int64_t>& v, double p) {
  if (v.empty()) return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(index), v.end());
  return static_cast<double>(v[index]) / 1000.0;
}

} // namespace

int main(int argc, char** argv) {
  const std::size_t connections = argc > 1 ? std::stoul(argv[1]) : 50;
  const int rate = argc > 2 ? std::stoi(argv[2]) : 1000;
  const int seconds = argc > 3 ? std::stoi(argv[3]) : 3;

  sim_process sim({"--rate-limit", "100000/60s"});
  const std::string token = sim.login();
  asio::io_context io(1);
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_verify_mode(asio::ssl::verify_peer);
  tls.add_certificate_authority(asio::buffer(sim.ca_pem));

  run_state state;
  std::int64_t elapsed_ns = 0;
  for (std::size_t i = 0; i < connections; ++i)
    asio::co_spawn(io, hub_reader(tls, sim.port, token, state), asio::detached);
  cpu_window cpu{sim.pid(), 0, 0};
  asio::co_spawn(io, driver(sim.control_port, connections, rate, seconds, state, elapsed_ns, cpu), asio::detached);
  io.run_for(std::chrono::seconds(seconds + 60));
  const double wall = cpu.wall_seconds;
  const double sim_cpu = cpu.cpu_seconds;

  const auto expected = static_cast<std::size_t>(rate) * static_cast<std::size_t>(seconds) * connections;
  const double sent_rate = static_cast<double>(state.sent_ns.size()) / (static_cast<double>(elapsed_ns) / 1e9);
  auto& lat = state.latencies_ns;
  const double p50 = percentile(lat, 0.50), p99 = percentile(lat, 0.99);
  const double max = lat.empty() ? 0 : static_cast<double>(*std::max_element(lat.begin(), lat.end())) / 1000.0;
  std::printf("projectx-sim under load (loopback, TLS, one io thread)\n");
  std::printf("  %-38s %zu\n", "hub connections", connections);
  std::printf("  %-38s %.0f/s (asked %d/s for %d s)\n", "leader fills achieved", sent_rate, rate, seconds);
  std::printf("  %-38s %zu of %zu\n", "trade frames delivered", state.frames, expected);
  std::printf("  %-38s %.0f/s\n", "hub frames per second",
              static_cast<double>(state.frames) / (static_cast<double>(elapsed_ns) / 1e9));
  std::printf("  %-38s p50 %.0f us, p99 %.0f us, max %.0f us\n", "control request -> trade frame", p50, p99, max);
  std::printf("  %-38s %.2f s in %.2f s wall (%.0f%% of one core)\n", "simulator CPU while loaded", sim_cpu, wall,
              wall > 0 ? 100.0 * sim_cpu / wall : 0.0);
  std::ofstream("sim_load.json") << fmt::format(
      R"({{"connections":{},"fills_per_second":{:.0f},"frames":{},"expected_frames":{},"latency_us":{{"p50":{:.0f},"p99":{:.0f},"max":{:.0f}}},"sim_cpu_seconds":{:.3f},"wall_seconds":{:.3f}}})",
      connections, sent_rate, state.frames, expected, p50, p99, max, sim_cpu, wall);
  return state.frames == expected ? 0 : 1;
}
