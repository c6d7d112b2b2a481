#pragma once
// Serves GET /metrics (Prometheus text) on control.metrics_listen. Off unless configured; one short
// request per connection, bounded in size and time, so a slow or hostile scraper costs nothing.

#include "control/accept_backoff.hpp"
#include "core/background.hpp"
#include "core/failure.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <set>
#include <string>

namespace copytrader::control {

class metrics_server {
public:
  // Each scrape is a task of `tasks` (the failure policy: one that throws is logged and counted).
  static outcome<std::unique_ptr<metrics_server>> open(background_tasks& tasks, const std::string& listen,
                                                       std::function<std::string()> render);
  ~metrics_server();
  metrics_server(const metrics_server&) = delete;
  metrics_server& operator=(const metrics_server&) = delete;

  boost::asio::awaitable<void> run();
  void stop();
  [[nodiscard]] boost::asio::ip::tcp::endpoint local_endpoint() const;

private:
  using socket = boost::asio::ip::tcp::socket;
  metrics_server(background_tasks& tasks, boost::asio::ip::tcp::acceptor acceptor, std::function<std::string()> render);
  boost::asio::awaitable<void> serve(std::shared_ptr<socket> connection);

  background_tasks& tasks_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_pause_{acceptor_.get_executor()};
  accept_backoff accept_backoff_;
  std::function<std::string()> render_;
  std::set<std::shared_ptr<socket>> connections_;
  bool stopped_ = false;
};

} // namespace copytrader::control
