#include "signalr/client_protocol.hpp"

#include <algorithm>

namespace copytrader::signalr {

client_protocol::client_protocol(timing t, std::size_t max_record) : timing_(t), framer_(max_record) {}

std::string client_protocol::start(steady_time now) {
  started_ = last_sent_ = last_received_ = now;
  state_ = state::handshaking;
  return encode_handshake_request();
}

void client_protocol::fail(std::string reason, bool allow_reconnect) {
  if (state_ == state::failed) return;
  state_ = state::failed;
  pending_.clear();
  events_.emplace_back(connection_failed{std::move(reason), allow_reconnect});
}

void client_protocol::receive(std::string_view bytes, steady_time now) {
  if (state_ == state::failed) return;
  last_received_ = now;
  if (!framer_.feed(bytes)) fail("protocol error: a message larger than the size limit");
}

std::optional<protocol_event> client_protocol::next_event() {
  while (events_.empty() && state_ != state::failed) {
    auto record = framer_.next();
    if (!record) break;
    handle_record(*record);
  }
  if (events_.empty()) return std::nullopt;
  protocol_event event = std::move(events_.front());
  events_.pop_front();
  return event;
}

std::vector<protocol_event> client_protocol::take_events() {
  std::vector<protocol_event> out;
  while (auto event = next_event()) out.push_back(std::move(*event));
  return out;
}

void client_protocol::handle_record(const std::string& record) {
  if (state_ == state::handshaking) {
    if (auto ok = parse_handshake_response(record); !ok) {
      fail("handshake refused: " + ok.error().message, false);
      return;
    }
    state_ = state::open;
    events_.emplace_back(handshake_completed{});
    return;
  }

  auto message = parse_message(record);
  if (!message) {
    fail("protocol error: " + message.error().message);
    return;
  }
  switch (message->type) {
    case message_type::invocation:
      events_.emplace_back(server_invocation{std::move(message->target), std::move(message->arguments)});
      break;
    case message_type::completion: {
      auto it = pending_.find(message->invocation_id);
      if (it == pending_.end()) break; // late or unknown: nothing waits for it
      events_.emplace_back(invocation_completed{message->invocation_id, it->second.target, message->error});
      pending_.erase(it);
      break;
    }
    case message_type::close:
      fail("server closed the connection" + (message->error ? ": " + *message->error : std::string()),
           message->allow_reconnect.value_or(true));
      break;
    default:
      // A ping only proves the link is alive, which receive() noted; acks and sequences belong to
      // stateful reconnect and streams to streaming calls, neither of which this client asks for.
      break;
  }
}

std::string client_protocol::invoke(std::string_view target, const boost::json::array& arguments, steady_time now) {
  if (state_ != state::open) return {};
  const std::string id = std::to_string(next_id_++);
  pending_.emplace(id, pending_call{std::string(target), now + timing_.invocation_timeout});
  last_sent_ = now;
  return encode_invocation(id, target, arguments);
}

std::string client_protocol::tick(steady_time now) {
  if (state_ == state::failed) return {};
  if (state_ == state::handshaking) {
    if (now >= started_ + timing_.handshake_timeout) fail("no handshake response from the server");
    return {};
  }
  if (now >= last_received_ + timing_.server_timeout) {
    fail("server timeout: nothing received for " +
         std::to_string(std::chrono::duration_cast<std::chrono::seconds>(timing_.server_timeout).count()) + " s");
    return {};
  }
  for (const auto& [id, call] : pending_) {
    if (now >= call.deadline) {
      fail("no completion for " + call.target + " within the invocation timeout");
      return {};
    }
  }
  if (now >= last_sent_ + timing_.keepalive) {
    last_sent_ = now;
    return encode_ping();
  }
  return {};
}

steady_time client_protocol::next_deadline() const {
  if (state_ == state::handshaking) return started_ + timing_.handshake_timeout;
  steady_time next = std::min(last_received_ + timing_.server_timeout, last_sent_ + timing_.keepalive);
  for (const auto& [id, call] : pending_) next = std::min(next, call.deadline);
  return next;
}

} // namespace copytrader::signalr
