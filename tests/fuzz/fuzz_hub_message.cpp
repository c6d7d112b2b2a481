// SignalR messages and the client protocol state machine fed arbitrary bytes.
#include "signalr/client_protocol.hpp"
#include "signalr/hub_message.hpp"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace copytrader::signalr;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)parse_message(text);
  (void)parse_handshake_response(text);
  (void)parse_handshake_request(text);
  client_protocol protocol;
  const steady_time t0{};
  protocol.start(t0);
  protocol.receive(text, t0);
  protocol.invoke("SubscribeOrders", boost::json::array{1}, t0);
  protocol.receive(text, t0 + std::chrono::seconds(1));
  protocol.tick(t0 + std::chrono::seconds(40));
  (void)protocol.take_events();
  return 0;
}
