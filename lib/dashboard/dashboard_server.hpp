#pragma once
// The trader's dashboard on control.dashboard_listen (loopback only): the page, a live feed of the
// daemon's figures over Server-Sent Events, and the few actions, each checked by request_check.hpp
// and answered by the control socket's own handler. Bounded: at most a few browsers, every read and
// write under a deadline, so a stuck tab costs a socket and nothing else.

#include "control/accept_backoff.hpp"
#include "control/control_request.hpp"
#include "core/background.hpp"
#include "core/failure.hpp"
#include "core/secret.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>

namespace copytrader::dashboard {

struct dashboard_hooks {
  // The feed's one message: status, stats, the last copies and problems, as JSON text.
  std::function<std::string()> snapshot;
  // Carries out an action as copytraderctl's request would be; the control socket's answer line.
  std::function<boost::asio::awaitable<std::string>(control::request)> act;
};

struct connection_watchdog; // closes a connection whose read or write runs late

class dashboard_server {
public:
  static constexpr auto feed_period = std::chrono::milliseconds(250);
  static constexpr std::size_t max_connections = 16;

  static outcome<std::unique_ptr<dashboard_server>> open(background_tasks& tasks, const std::string& listen,
                                                         secret token, dashboard_hooks hooks);
  ~dashboard_server();
  dashboard_server(const dashboard_server&) = delete;
  dashboard_server& operator=(const dashboard_server&) = delete;

  // 32 random bytes in hex, for a run whose configuration gives no token; before the loop runs (the
  // random source may wait at boot).
  static secret fresh_token();

  boost::asio::awaitable<void> run();
  void stop();
  [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;
  // The address to open, the token in its fragment (which a browser never sends): only for
  // copytraderctl dashboard's answer, never for a log line.
  [[nodiscard]] std::string address_with_token() const;

private:
  using socket = boost::asio::ip::tcp::socket;
  dashboard_server(background_tasks& tasks, boost::asio::ip::tcp::acceptor acceptor, secret token,
                   dashboard_hooks hooks);
  boost::asio::awaitable<void> serve(std::shared_ptr<socket> connection);
  boost::asio::awaitable<void> feed(std::shared_ptr<socket> connection, std::shared_ptr<connection_watchdog> deadline);

  background_tasks& tasks_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_pause_{acceptor_.get_executor()};
  control::accept_backoff accept_backoff_;
  secret token_;
  dashboard_hooks hooks_;
  unsigned short port_ = 0;
  std::set<std::shared_ptr<socket>> connections_;
  bool stopped_ = false;
};

} // namespace copytrader::dashboard
