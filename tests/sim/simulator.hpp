#pragma once
// projectx-sim's running state on one io_context: the HTTPS/WSS gateway port, the control port, the
// ledger and REST gateway, every connected hub session, the hub fault plan and the request log.

#include "sim/certificate.hpp"
#include "sim/gateway.hpp"
#include "sim/ledger.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>

namespace copytrader::sim {

struct simulator_options {
  std::string listen_address = "127.0.0.1";
  unsigned short port = 0;         // 0: any free port
  unsigned short control_port = 0; // 0: any free port
  std::chrono::milliseconds ping_interval = std::chrono::seconds(15);
  std::uint64_t seed = 1;
  gateway_settings gateway;
};

// Hub faults (faults.md section 2.1), applied to every hub session.
struct hub_faults {
  std::string drop_target; // drop the next drop_count events of this target ("*": any)
  int drop_count = 0;
  int drop_after = 0; // ...once this many more of them went through (the later events of one fill)
  std::string duplicate_target;
  int duplicate_count = 0;
  int reorder_count = 0; // hold an event back and send it after the next one
  int skew_count = 0;    // the next N trade events carry a creationTimestamp shifted by skew_ms
  std::int64_t skew_ms = 0;
  int corrupt_count = 0;        // send malformed frames instead of the next events
  int forget_subscriptions = 0; // the next N connections' Subscribe* succeed but subscribe nothing
  int handshake_errors = 0;     // the next N handshakes are refused
  std::string down_username;    // this login's hub is down: its sessions closed, its handshakes refused
  std::chrono::steady_clock::time_point down_until{};
  std::chrono::steady_clock::time_point silent_until{}; // nothing is sent (half-open link)
  // This login's hub writes each frame lag_ms after it happened, in order: the hub behind REST, as
  // under load at the venue (0 lifts it).
  std::string lag_username;
  std::chrono::milliseconds lag{0};
};

struct log_entry {
  std::int64_t t_ns = 0; // CLOCK_MONOTONIC
  std::string kind;      // "rest" (request received), "hub" (frame written) or "connect" (hub upgrade)
  std::string what;      // path or target
  std::string username;
  std::int64_t account = 0;
  std::string tag;           // customTag of a place
  std::int64_t trade_id = 0; // trade id carried by a hub frame
  unsigned status = 0;
};

class hub_session;

class simulator {
public:
  simulator(boost::asio::io_context& io, simulator_options options, ledger& l);
  ~simulator();

  // Binds both ports; the actual ports are then available.
  void start();
  void stop();
  [[nodiscard]] unsigned short port() const noexcept { return port_; }
  [[nodiscard]] unsigned short control_port() const noexcept { return control_port_; }
  [[nodiscard]] const std::string& ca_pem() const noexcept { return identity_.ca_pem; }

  // Shared by the REST, hub and control handlers.
  ledger& book() { return ledger_; }
  gateway& rest() { return gateway_; }
  hub_faults& faults() { return hub_faults_; }
  [[nodiscard]] const simulator_options& options() const noexcept { return options_; }
  void record(log_entry entry);
  [[nodiscard]] const std::deque<log_entry>& request_log() const noexcept { return log_; }
  // Entries dropped from the front of the bounded log: `since` and `next` count from the start.
  [[nodiscard]] std::size_t log_dropped() const noexcept { return log_dropped_; }
  void dispatch_events(); // sends the ledger's new events to the subscribed sessions
  void register_session(const std::shared_ptr<hub_session>& s);
  void unregister_session(hub_session* s);
  // message | fin | rst; only `username`'s sessions when one is named
  void close_sessions(std::string_view mode, std::optional<bool> allow_reconnect, std::string_view username = {});
  void send_logout(std::string_view username);
  void send_oversized_frame(std::size_t bytes);
  [[nodiscard]] std::size_t session_count() const noexcept { return sessions_.size(); }
  // Connection faults (faults.md B5): REST connections waiting for their next request are closed,
  // and the next `refuse` connections are closed as soon as they are accepted, before TLS.
  void close_idle_rest();
  void refuse_connections(int count) { refuse_connections_ = count; }
  // A REST connection waiting for its next request (only then may a fault close it).
  void rest_idle(boost::asio::ip::tcp::socket* s, bool idle) {
    if (idle)
      idle_rest_.insert(s);
    else
      idle_rest_.erase(s);
  }

  // Built-in leader: trades `account` on a schedule until stopped (--auto-trade).
  void start_auto_trade(px::account_number account, std::string contract_id, std::chrono::milliseconds step);
  // Moves every contract's price by a random tick now and then (--random-walk).
  void start_random_walk(std::chrono::milliseconds step);

private:
  boost::asio::awaitable<void> accept_gateway(boost::asio::ip::tcp::acceptor& acceptor);
  boost::asio::awaitable<void> accept_control(boost::asio::ip::tcp::acceptor& acceptor);
  boost::asio::awaitable<void> auto_trade(px::account_number account, std::string contract_id,
                                          std::chrono::milliseconds step);
  boost::asio::awaitable<void> random_walk(std::chrono::milliseconds step);

  boost::asio::io_context& io_;
  simulator_options options_;
  ledger& ledger_;
  gateway gateway_;
  server_identity identity_;
  boost::asio::ssl::context tls_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::ip::tcp::acceptor control_acceptor_;
  unsigned short port_ = 0;
  unsigned short control_port_ = 0;
  std::set<boost::asio::ip::tcp::socket*> idle_rest_;
  int refuse_connections_ = 0;
  hub_faults hub_faults_;
  std::deque<log_entry> log_;
  std::size_t log_dropped_ = 0;
  std::set<std::shared_ptr<hub_session>> sessions_;
  std::mt19937_64 rng_;
  bool stopping_ = false;
};

std::int64_t monotonic_ns();

} // namespace copytrader::sim
