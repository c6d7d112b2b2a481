#pragma once
// One user-hub WebSocket on the simulator's side: the SignalR handshake, Subscribe*/Unsubscribe*
// with completions, events for the subscribed accounts in the live {action,data} envelope, pings,
// and the hub faults. One reader and one queued writer.

#include "signalr/record_framer.hpp"
#include "sim/ledger.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/beast/websocket/stream.hpp>

#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>

namespace copytrader::sim {

class simulator;

// Over a plain socket, not Beast's timed stream: the connection's timeouts are socket_deadlines
// (lib/projectx/socket_deadline.hpp) and the WebSocket's own.
using tls_stream = boost::beast::ssl_stream<boost::asio::ip::tcp::socket>;

class hub_session : public std::enable_shared_from_this<hub_session> {
public:
  hub_session(simulator& sim, tls_stream stream, std::string username);

  boost::asio::awaitable<void> run(boost::beast::http::request<boost::beast::http::string_body> upgrade);

  void deliver(const hub_event& event); // if subscribed
  void send(std::string frame, std::int64_t trade_id = 0, std::string target = {});
  void close(std::string_view mode, std::optional<bool> allow_reconnect);
  [[nodiscard]] const std::string& username() const noexcept { return username_; }

private:
  enum class topic { orders, positions, trades };

  boost::asio::awaitable<void> writer();
  boost::asio::awaitable<void> pinger();
  boost::asio::awaitable<void> close_after_message();
  void handle_record(const std::string& record);
  void invoke(const std::string& target, const boost::json::array& arguments, const std::string& id);
  std::string encode_event(const hub_event& event) const;
  void shut();

  struct outgoing {
    std::string frame;
    std::int64_t trade_id = 0;
    std::string target;
    std::chrono::steady_clock::time_point due{}; // not written before (the lag fault)
  };

  simulator& sim_;
  boost::beast::websocket::stream<tls_stream> ws_;
  std::string username_;
  signalr::record_framer framer_;
  bool handshaken_ = false;
  bool forget_ = false;
  bool closed_ = false;
  bool accounts_ = false;
  std::set<std::pair<topic, px::account_number>> subscriptions_;
  std::deque<outgoing> outbox_;
  std::string message_;             // the writer's: the records of the message being written
  std::optional<std::string> held_; // reorder fault
  boost::asio::steady_timer wake_;
  boost::asio::steady_timer ping_timer_;
};

} // namespace copytrader::sim
