#pragma once
// The SignalR JSON hub protocol's messages (HubProtocol.md): parsed from one record without
// throwing, and encoded with their separator. Both ends use it: the daemon's hub client and the
// simulator's hub server.

#include "core/failure.hpp"

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace copytrader::signalr {

enum class message_type : int {
  invocation = 1,
  stream_item = 2,
  completion = 3,
  stream_invocation = 4,
  cancel_invocation = 5,
  ping = 6,
  close = 7,
  ack = 8,
  sequence = 9,
};

struct hub_message {
  message_type type = message_type::ping;
  std::string invocation_id; // empty when absent (a fire-and-forget invocation)
  std::string target;
  boost::json::array arguments;
  boost::json::value result; // null when absent
  std::optional<std::string> error;
  std::optional<bool> allow_reconnect;
};

outcome<hub_message> parse_message(std::string_view record);

std::string encode_invocation(std::string_view invocation_id, std::string_view target,
                              const boost::json::array& arguments);
std::string encode_completion(std::string_view invocation_id, const std::optional<std::string>& error);
std::string encode_ping();
std::string encode_close(const std::optional<std::string>& error, std::optional<bool> allow_reconnect);

// The handshake: the client opens with a protocol request, the server answers {} or {"error":...}.
std::string encode_handshake_request();
outcome<void> parse_handshake_request(std::string_view record); // server side
std::string encode_handshake_response(const std::optional<std::string>& error);
outcome<void> parse_handshake_response(std::string_view record); // client side; the error text on failure

} // namespace copytrader::signalr
