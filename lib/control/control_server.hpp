#pragma once
// The control socket: a unix stream socket (mode 0660, group control.group when set) that
// copytraderctl talks to. Every connection's peer is checked with SO_PEERCRED before anything is
// read. One JSON request per line, answered in order, one response line each; a malformed,
// oversized or unknown request is answered with an error and the connection stays open.

#include "control/accept_backoff.hpp"
#include "control/control_request.hpp"
#include "control/line_reader.hpp"
#include "control/peer_policy.hpp"
#include "core/background.hpp"
#include "core/failure.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>

namespace copytrader::control {

// Answers one parsed request with a whole response line (ok_response / error_response).
using request_handler = std::function<boost::asio::awaitable<std::string>(request)>;

inline constexpr std::size_t max_connections = 16;

class control_server {
public:
  // Binds the socket, replacing a stale one (the instance lock says no other daemon owns it).
  // Each connection is a task of `tasks` (the failure policy: one that throws is logged and counted).
  static outcome<std::unique_ptr<control_server>> open(background_tasks& tasks, const std::filesystem::path& path,
                                                       access_policy policy, request_handler handler);
  ~control_server();
  control_server(const control_server&) = delete;
  control_server& operator=(const control_server&) = delete;

  boost::asio::awaitable<void> run(); // accepts until stop()
  void stop();                        // closes the listener and every connection, removes the file

  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

private:
  using socket = boost::asio::local::stream_protocol::socket;
  control_server(background_tasks& tasks, boost::asio::local::stream_protocol::acceptor acceptor,
                 std::filesystem::path path, access_policy policy, request_handler handler);
  boost::asio::awaitable<void> serve(std::shared_ptr<socket> connection);
  boost::asio::awaitable<bool> answer(socket& connection, const line_item& line);

  background_tasks& tasks_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  boost::asio::steady_timer accept_pause_{acceptor_.get_executor()};
  accept_backoff accept_backoff_;
  std::filesystem::path path_;
  access_policy policy_;
  request_handler handler_;
  std::set<std::shared_ptr<socket>> connections_;
  bool stopped_ = false;
};

} // namespace copytrader::control
