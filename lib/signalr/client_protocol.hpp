#pragma once
// The client side of one SignalR connection, without I/O (the Boost.Redis run_fsm idea): the shell
// feeds it received bytes and the time, sends the bytes it returns, and acts on the events it
// yields. It owns the handshake, the invocation ids and their completions, the keep-alive ping and
// the server timeout. One instance lives for one connection; a reconnect makes a new one.

#include "signalr/hub_message.hpp"
#include "signalr/record_framer.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace copytrader::signalr {

using steady_time = std::chrono::steady_clock::time_point;

struct timing {
  std::chrono::milliseconds keepalive{15'000};      // ping when nothing was sent for this long
  std::chrono::milliseconds server_timeout{30'000}; // dead link when nothing arrived for this long
  std::chrono::milliseconds handshake_timeout{15'000};
  std::chrono::milliseconds invocation_timeout{15'000}; // a Subscribe* without its Completion
};

// Events for the shell.
struct handshake_completed {};
struct server_invocation { // a hub event: GatewayUserTrade and the like
  std::string target;
  boost::json::array arguments;
};
struct invocation_completed {
  std::string invocation_id;
  std::string target;
  std::optional<std::string> error; // the server refused the call
};
struct connection_failed { // the connection is over; the shell closes the socket and reconnects
  std::string reason;
  bool allow_reconnect = true;
};
using protocol_event = std::variant<handshake_completed, server_invocation, invocation_completed, connection_failed>;

class client_protocol {
public:
  enum class state { handshaking, open, failed };

  explicit client_protocol(timing t = {}, std::size_t max_record = default_max_record);

  // The socket is open: returns the handshake request to send.
  std::string start(steady_time now);
  // Bytes from the socket (one WebSocket message, or any part of the stream). Their records are
  // parsed by next_event(), one at a time.
  void receive(std::string_view bytes, steady_time now);
  // The next event: a failure already found, else the next buffered record's, parsed only now. A
  // message of several records (a fill's order, trade and position updates) is so acted on record
  // by record: the first is not held up by parsing the others. Nothing when no record makes one.
  std::optional<protocol_event> next_event();
  // Every event the buffered records make.
  std::vector<protocol_event> take_events();
  // A call whose Completion is awaited; returns the bytes to send. Only while open.
  std::string invoke(std::string_view target, const boost::json::array& arguments, steady_time now);
  // Checks the timers; returns bytes to send (a ping) or nothing, and may fail the connection.
  std::string tick(steady_time now);
  // When tick() next has something to do.
  [[nodiscard]] steady_time next_deadline() const;

  [[nodiscard]] state current_state() const noexcept { return state_; }
  [[nodiscard]] std::size_t pending_invocations() const noexcept { return pending_.size(); }

private:
  void fail(std::string reason, bool allow_reconnect = true);
  void handle_record(const std::string& record);

  struct pending_call {
    std::string target;
    steady_time deadline;
  };

  timing timing_;
  record_framer framer_;
  state state_ = state::handshaking;
  steady_time started_{};
  steady_time last_sent_{};
  steady_time last_received_{};
  std::uint64_t next_id_ = 1;
  std::map<std::string, pending_call> pending_;
  std::deque<protocol_event> events_;
};

} // namespace copytrader::signalr
