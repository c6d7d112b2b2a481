#pragma once
// The user hub for one login: SignalR over WSS, reconnected for ever with back-off. Each connection
// gets the current token in its URL (never logged), re-invokes every Subscribe* and checks each
// completion; only then is it "connected" and the callback told, so the copy engine reconciles what
// the gap may have lost. One reader, one queued writer, and a timer that drives the protocol core's
// ping and timeouts. GatewayLogout drops the token and reconnects with a fresh login.

#include "projectx/auth_session.hpp"
#include "projectx/hub_events.hpp"
#include "projectx/hub_subscriptions.hpp"
#include "projectx/tls_fwd.hpp"
#include "signalr/client_protocol.hpp"
#include "signalr/reconnect_backoff.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace copytrader::projectx {

struct hub_endpoint {
  std::string host;
  std::string port = "443";
  std::string path = "/hubs/user";
};

// What the events' receiver asks of the hub client before it parses the next record of a message.
enum class next_record {
  now,
  after_woken_work, // the events woke work (a follower's copy) that should run first
};

struct hub_callbacks {
  std::function<void()> connected; // subscriptions confirmed: reconcile now
  std::function<next_record(std::vector<user_event>&&)> events;
  std::function<void(std::string_view reason)> disconnected;
  std::function<void(std::string_view reason)> malformed; // an event that did not decode: schema drift
};

class hub_client {
public:
  hub_client(boost::asio::any_io_executor executor, boost::asio::ssl::context& tls, hub_endpoint endpoint,
             auth_session& auth, std::vector<hub_subscription> subscriptions, hub_callbacks callbacks,
             signalr::timing timing = {}, reconnect_backoff backoff = {});

  // Connects and reconnects until stop().
  boost::asio::awaitable<void> run();
  void stop();
  // Adds an account's subscription (a follower added by a reload); sent at once when connected.
  void subscribe(hub_subscription subscription);

  [[nodiscard]] bool connected() const noexcept { return connected_; }
  [[nodiscard]] std::uint64_t connections() const noexcept { return connections_; }
  [[nodiscard]] const std::string& last_error() const noexcept { return last_error_; }

private:
  struct session;
  boost::asio::awaitable<std::string> serve(std::string_view token); // one connection; returns why it ended
  boost::asio::awaitable<void> reader(session& s);
  boost::asio::awaitable<void> writer(session& s);
  boost::asio::awaitable<void> ticker(session& s);
  // Acts on the buffered records' events one by one, until the session ends; lets the work a
  // record woke run before the next is parsed (next_record::after_woken_work).
  boost::asio::awaitable<void> handle_events(session& s);
  next_record handle(session& s, signalr::protocol_event&& event);
  void send(session& s, std::string bytes);
  void end(session& s, std::string reason);
  void confirm_connected();

  boost::asio::any_io_executor executor_;
  boost::asio::ssl::context& tls_;
  hub_endpoint endpoint_;
  auth_session& auth_;
  hub_subscriptions subscriptions_;
  hub_callbacks callbacks_;
  signalr::timing timing_;
  reconnect_backoff backoff_;
  boost::asio::steady_timer pause_;
  session* current_ = nullptr; // the connection past its handshake
  session* opening_ = nullptr; // the connection being set up: a stop ends it too
  std::set<std::string> unknown_targets_;
  std::string last_error_;
  std::uint64_t connections_ = 0;
  bool connected_ = false;
  bool stopped_ = false;
};

} // namespace copytrader::projectx
