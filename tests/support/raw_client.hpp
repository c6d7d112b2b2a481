#pragma once
// Deliberately plain clients for testing the simulator against the API reference: raw HTTP requests
// and raw WebSocket text frames, synchronous, with socket timeouts so that nothing can hang a test.
// They share nothing with the daemon's ProjectX client.

#include "support/control_call.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/json/value.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace copytrader::testing {

// HTTPS to the simulator's gateway port, verifying its certificate against the generated CA.
class raw_https {
public:
  raw_https(unsigned short port, const std::string& ca_pem);
  ~raw_https();
  raw_response post(std::string_view path, std::string_view body, std::string_view bearer = {});
  raw_response send_raw(const std::string& request); // any bytes; reads one response

private:
  void connect();
  boost::asio::io_context io_;
  boost::asio::ssl::context tls_;
  unsigned short port_;
  std::unique_ptr<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>> stream_;
};

// A user-hub WebSocket: the upgrade with ?access_token=, then raw text frames.
class raw_hub {
public:
  raw_hub(unsigned short port, const std::string& ca_pem, const std::string& token);
  ~raw_hub();
  void send(const std::string& text);
  // The next WebSocket message, or nullopt at the timeout or when the connection ends.
  std::optional<std::string> read(std::chrono::milliseconds timeout);
  // Records (split on 0x1E) until `count` have arrived or the timeout passes.
  std::vector<boost::json::value> records(std::size_t count, std::chrono::milliseconds timeout);
  // Handshake and the given subscriptions, each checked for its completion.
  void open(const std::vector<std::pair<std::string, std::int64_t>>& subscriptions);
  [[nodiscard]] bool closed() const noexcept { return closed_; }
  std::string close_reason;

private:
  // Runs the io_context until `done` or the deadline; false at the deadline.
  bool run_until(const bool& done, std::chrono::steady_clock::time_point deadline);
  boost::asio::io_context io_;
  boost::asio::ssl::context tls_;
  std::unique_ptr<boost::beast::websocket::stream<boost::asio::ssl::stream<boost::asio::ip::tcp::socket>>> ws_;
  std::string pending_; // bytes of a record split across messages
  std::vector<boost::json::value> queued_;
  int next_id_ = 1;
  bool closed_ = false;
  // One read stays pending across timeouts, so a timeout never tears the stream down.
  bool reading_ = false;
  bool read_done_ = false;
  boost::beast::error_code read_error_;
  boost::beast::flat_buffer read_buffer_;
};

// A projectx-sim process with a world of two users (leader_user: 1001; follower_user: 2001, 2002,
// and 2003 in Position Brackets mode), its ports and CA.
class sim_process {
public:
  explicit sim_process(std::vector<std::string> extra_args = {}, std::optional<std::string> world_json = {},
                       const std::map<std::string, std::string>& env = {});
  ~sim_process();

  unsigned short port = 0;
  unsigned short control_port = 0;
  std::string ca_pem;
  temp_dir dir;

  [[nodiscard]] std::string login(const std::string& user = "leader_user", const std::string& key = "leader-key") const;
  [[nodiscard]] raw_https https() const { return raw_https(port, ca_pem); }
  raw_response control(std::string_view method, std::string_view target, std::string_view body = {}) const {
    return control_call(control_port, method, target, body);
  }
  [[nodiscard]] boost::json::value ledger(std::int64_t account) const;
  // The account's signed position on the contract (long positive), from the ledger.
  [[nodiscard]] int position(std::int64_t account, std::string_view contract) const;
  [[nodiscard]] std::string log_text() const;
  [[nodiscard]] pid_t pid() const noexcept { return process_->pid(); }

private:
  std::unique_ptr<child_process> process_;
};

} // namespace copytrader::testing
