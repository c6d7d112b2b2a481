#include "signalr/client_protocol.hpp"
#include "signalr/hub_message.hpp"
#include "signalr/reconnect_backoff.hpp"
#include "signalr/record_framer.hpp"

#include "support/printers.hpp"

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>

using namespace copytrader;
using namespace copytrader::signalr;
using namespace std::chrono_literals;
using Catch::Matchers::Contains;

namespace {

const steady_time t0{};
const std::string rs(1, record_separator);

template <typename Event>
std::vector<Event> events_of(client_protocol& p) {
  std::vector<Event> out;
  for (auto& e : p.take_events()) {
    if (auto* wanted = std::get_if<Event>(&e)) out.push_back(std::move(*wanted));
  }
  return out;
}

client_protocol open_protocol(timing t = {}) {
  client_protocol p(t);
  p.start(t0);
  p.receive("{}" + rs, t0);
  p.take_events();
  REQUIRE(p.current_state() == client_protocol::state::open);
  return p;
}

} // namespace

TEST_CASE("the framer yields several records from one frame", "[signalr][A13]") {
  record_framer f;
  REQUIRE(f.feed(R"({"type":6})" + rs + R"({"type":1,"target":"x","arguments":[]})" + rs));
  CHECK(f.next() == R"({"type":6})");
  CHECK(f.next() == R"({"type":1,"target":"x","arguments":[]})");
  CHECK_FALSE(f.next());
  CHECK(f.buffered() == 0);
}

TEST_CASE("the framer joins a record split across frames", "[signalr][A13]") {
  record_framer f;
  REQUIRE(f.feed(R"({"type":1,"tar)"));
  CHECK_FALSE(f.next());
  REQUIRE(f.feed(R"(get":"x"})"));
  CHECK_FALSE(f.next());
  REQUIRE(f.feed(rs + R"({"ty)"));
  CHECK(f.next() == R"({"type":1,"target":"x"})");
  CHECK_FALSE(f.next());
  CHECK(f.buffered() == 4);
}

TEST_CASE("a missing terminator leaves the record pending until the next one ends", "[signalr][A13]") {
  record_framer f;
  REQUIRE(f.feed(R"({"type":6})"));
  CHECK_FALSE(f.next());
  REQUIRE(f.feed(R"({"type":6})" + rs));
  auto merged = f.next();
  REQUIRE(merged);
  CHECK_FALSE(parse_message(*merged)); // two objects run together: rejected, not half-read
}

TEST_CASE("the framer refuses an unterminated record over its cap", "[signalr][A12]") {
  record_framer f(1024);
  CHECK(f.feed(std::string(1000, 'x')));
  CHECK_FALSE(f.feed(std::string(100, 'x')));
  CHECK(f.overflowed());
  CHECK_FALSE(f.next());
  CHECK_FALSE(f.feed(rs));

  record_framer many(1024); // many small records in one feed are fine
  std::string frame;
  for (int i = 0; i < 500; ++i) frame += R"({"type":6})" + rs;
  CHECK(many.feed(frame));
  int count = 0;
  while (many.next()) ++count;
  CHECK(count == 500);
}

TEST_CASE("hub messages parse into their fields", "[signalr]") {
  auto m =
      parse_message(R"({"type":1,"target":"GatewayUserTrade","arguments":[{"action":0,"data":{"id":3004518356}}]})");
  REQUIRE(m);
  CHECK(m->type == message_type::invocation);
  CHECK(m->target == "GatewayUserTrade");
  REQUIRE(m->arguments.size() == 1);
  CHECK(m->arguments[0].at("data").at("id").as_int64() == 3004518356);

  auto c = parse_message(R"({"type":3,"invocationId":"7","error":"no such account"})");
  REQUIRE(c);
  CHECK(c->invocation_id == "7");
  CHECK(c->error == "no such account");

  auto close = parse_message(R"({"type":7,"error":"bye","allowReconnect":false})");
  REQUIRE(close);
  CHECK(close->allow_reconnect == false);
  CHECK(parse_message(R"({"type":6,"headers":{"a":"b"}})")); // extra members ignored
}

TEST_CASE("malformed hub messages are rejected without throwing", "[signalr][D4]") {
  for (const char* bad : {"", "{", "[]", "null", R"({"type":"1"})", R"({"type":42})", R"({"type":1})",
                          R"({"type":1,"target":5})", R"({"type":1,"target":"x","arguments":{}})", R"({"type":3})",
                          R"({"type":7,"allowReconnect":"no"})", "\xff\xfe"}) {
    INFO(bad);
    CHECK_FALSE(parse_message(bad));
  }
  std::string deep(100, '[');
  CHECK_FALSE(parse_message(deep));
}

TEST_CASE("encoded messages end with the separator and parse back", "[signalr]") {
  const auto invocation = encode_invocation("3", "SubscribeOrders", boost::json::array{26282486});
  CHECK(invocation.back() == record_separator);
  auto m = parse_message(std::string_view(invocation).substr(0, invocation.size() - 1));
  REQUIRE(m);
  CHECK(m->invocation_id == "3");
  CHECK(m->arguments[0].as_int64() == 26282486);
  CHECK(encode_ping() == R"({"type":6})" + rs);
  CHECK(encode_handshake_request() == R"({"protocol":"json","version":1})" + rs);
  CHECK(parse_handshake_request(R"({"protocol":"json","version":1})"));
  CHECK_FALSE(parse_handshake_request(R"({"protocol":"messagepack","version":1})"));
  CHECK(parse_handshake_response("{}"));
  auto refused = parse_handshake_response(R"({"error":"Handshake was canceled."})");
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message == "Handshake was canceled.");
}

TEST_CASE("the client completes the handshake and takes bytes that came with it", "[signalr]") {
  client_protocol p;
  CHECK(p.start(t0) == encode_handshake_request());
  p.receive("{}" + rs + R"({"type":1,"target":"GatewayUserOrder","arguments":[{}]})" + rs, t0 + 5ms);
  auto events = p.take_events();
  REQUIRE(events.size() == 2);
  CHECK(std::holds_alternative<handshake_completed>(events[0]));
  REQUIRE(std::holds_alternative<server_invocation>(events[1]));
  CHECK(std::get<server_invocation>(events[1]).target == "GatewayUserOrder");
}

TEST_CASE("a message of several records is acted on record by record", "[signalr][A13]") {
  // A venue's server sends what waited for its writer as one message: a fill's order, trade and
  // position updates together. The first is acted on before the others are even parsed.
  auto p = open_protocol();
  p.receive(R"({"type":6})" + rs + R"({"type":1,"target":"GatewayUserOrder","arguments":[{}]})" + rs +
                R"({"type":1,"target":"GatewayUserTrade","arguments":[{}]})" + rs + "not json" + rs,
            t0);
  auto first = p.next_event(); // the ping makes none
  REQUIRE(first);
  REQUIRE(std::holds_alternative<server_invocation>(*first));
  CHECK(std::get<server_invocation>(*first).target == "GatewayUserOrder");
  CHECK(p.current_state() == client_protocol::state::open); // the bad record is not parsed yet
  auto second = p.next_event();
  REQUIRE(second);
  REQUIRE(std::holds_alternative<server_invocation>(*second));
  CHECK(std::get<server_invocation>(*second).target == "GatewayUserTrade");
  CHECK(p.current_state() == client_protocol::state::open);
  auto third = p.next_event();
  REQUIRE(third);
  CHECK(std::holds_alternative<connection_failed>(*third));
  CHECK(p.current_state() == client_protocol::state::failed);
  CHECK_FALSE(p.next_event());
}

TEST_CASE("a refused handshake fails the connection", "[signalr][A7]") {
  client_protocol p;
  p.start(t0);
  p.receive(R"({"error":"Unauthorized"})" + rs, t0);
  auto failed = events_of<connection_failed>(p);
  REQUIRE(failed.size() == 1);
  CHECK_THAT(failed[0].reason, Contains("Unauthorized"));
  CHECK(p.current_state() == client_protocol::state::failed);
}

TEST_CASE("a missing handshake response times out", "[signalr][A7]") {
  client_protocol p;
  p.start(t0);
  CHECK(p.next_deadline() == t0 + 15s);
  p.tick(t0 + 14s);
  CHECK(p.current_state() == client_protocol::state::handshaking);
  p.tick(t0 + 15s);
  CHECK(events_of<connection_failed>(p).size() == 1);
}

TEST_CASE("completions are matched to their invocations by id", "[signalr][A6]") {
  auto p = open_protocol();
  const auto first = p.invoke("SubscribeOrders", {1001}, t0);
  const auto second = p.invoke("SubscribeTrades", {1001}, t0);
  CHECK_THAT(first, Contains(R"("invocationId":"1")"));
  CHECK_THAT(second, Contains(R"("invocationId":"2")"));
  CHECK(p.pending_invocations() == 2);

  p.receive(R"({"type":3,"invocationId":"2"})" + rs + R"({"type":3,"invocationId":"1","error":"denied"})" + rs +
                R"({"type":3,"invocationId":"99"})" + rs,
            t0 + 1ms);
  auto done = events_of<invocation_completed>(p);
  REQUIRE(done.size() == 2);
  CHECK(done[0].target == "SubscribeTrades");
  CHECK_FALSE(done[0].error);
  CHECK(done[1].target == "SubscribeOrders");
  CHECK(done[1].error == "denied");
  CHECK(p.pending_invocations() == 0);
}

TEST_CASE("an invocation without its completion fails the connection", "[signalr][A6]") {
  auto p = open_protocol();
  p.invoke("SubscribePositions", {1001}, t0);
  p.receive(R"({"type":6})" + rs, t0 + 10s);
  p.tick(t0 + 14s);
  CHECK(p.current_state() == client_protocol::state::open);
  p.tick(t0 + 15s);
  auto failed = events_of<connection_failed>(p);
  REQUIRE(failed.size() == 1);
  CHECK_THAT(failed[0].reason, Contains("SubscribePositions"));
}

TEST_CASE("the client pings when it has sent nothing for the keep-alive interval", "[signalr]") {
  auto p = open_protocol();
  CHECK(p.tick(t0 + 14s).empty());
  p.receive(R"({"type":6})" + rs, t0 + 14s);
  CHECK(p.tick(t0 + 15s) == encode_ping());
  CHECK(p.tick(t0 + 16s).empty());
  CHECK(p.next_deadline() == t0 + 30s); // next ping at 30 s; server silence limit at 44 s
}

TEST_CASE("a silent server is detected at the server timeout", "[signalr][A4]") {
  auto p = open_protocol();
  p.tick(t0 + 15s);
  p.tick(t0 + 29s);
  CHECK(p.current_state() == client_protocol::state::open);
  p.tick(t0 + 30s);
  auto failed = events_of<connection_failed>(p);
  REQUIRE(failed.size() == 1);
  CHECK_THAT(failed[0].reason, Contains("server timeout"));
}

TEST_CASE("a close message ends the connection and carries allowReconnect", "[signalr][A8]") {
  auto p = open_protocol();
  p.receive(R"({"type":7,"error":"Server shutting down","allowReconnect":false})" + rs, t0);
  auto failed = events_of<connection_failed>(p);
  REQUIRE(failed.size() == 1);
  CHECK_FALSE(failed[0].allow_reconnect);
  CHECK_THAT(failed[0].reason, Contains("Server shutting down"));
  p.receive(R"({"type":1,"target":"x","arguments":[]})" + rs, t0);
  CHECK(p.take_events().empty()); // nothing after the end
}

TEST_CASE("garbage and oversized frames fail the connection", "[signalr][A12][D4]") {
  auto p = open_protocol();
  p.receive("not json" + rs, t0);
  CHECK(events_of<connection_failed>(p).size() == 1);

  timing t;
  client_protocol small(t, 64);
  small.start(t0);
  small.receive("{}" + rs, t0);
  small.take_events();
  small.receive(std::string(100, ' '), t0);
  auto failed = events_of<connection_failed>(small);
  REQUIRE(failed.size() == 1);
  CHECK_THAT(failed[0].reason, Contains("size limit"));
}

TEST_CASE("reconnect delays start at zero, grow, stay capped, and reset", "[signalr][backoff][A10]") {
  reconnect_backoff b(1s, 60s, 42);
  CHECK(b.next_delay() == 0ms);
  for (int attempt = 1; attempt < 200; ++attempt) {
    const auto ceiling = std::min<std::int64_t>(60'000, std::int64_t{1000} << std::min(attempt - 1, 30));
    const auto d = b.next_delay().count();
    INFO("attempt " << attempt);
    REQUIRE(d >= ceiling / 2);
    REQUIRE(d <= ceiling);
  }
  b.reset();
  CHECK(b.next_delay() == 0ms);
  CHECK(b.next_delay() <= 1000ms);
}
