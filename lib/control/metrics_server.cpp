#include "control/metrics_server.hpp"

#include "control/tcp_listener.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

namespace copytrader::control {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t max_scrapers = 8;
constexpr auto request_deadline = std::chrono::seconds(5);

// The socket is closed when the deadline passes (the read or write under way then fails), unless the
// exchange finished first and cancelled the timer.
asio::awaitable<void> close_at_deadline(std::shared_ptr<tcp::socket> connection,
                                        std::shared_ptr<asio::steady_timer> deadline) {
  auto [ec] = co_await deadline->async_wait(tuple_awaitable);
  if (!ec) {
    boost::system::error_code ignored;
    connection->close(ignored);
  }
  co_return;
}

} // namespace

outcome<std::unique_ptr<metrics_server>> metrics_server::open(background_tasks& tasks, const std::string& listen,
                                                              std::function<std::string()> render) {
  auto acceptor = open_tcp_listener(tasks.executor(), listen, "control.metrics_listen");
  if (!acceptor) return acceptor.error();
  boost::system::error_code ec;
  const auto address = acceptor->local_endpoint(ec).address();
  if (!address.is_loopback())
    spdlog::warn("metrics are served on {}, which is not a loopback address: anyone who can reach it can read them",
                 listen);
  return std::unique_ptr<metrics_server>(new metrics_server(tasks, std::move(*acceptor), std::move(render)));
}

metrics_server::metrics_server(background_tasks& tasks, tcp::acceptor acceptor, std::function<std::string()> render)
    : tasks_(tasks), acceptor_(std::move(acceptor)), render_(std::move(render)) {}

metrics_server::~metrics_server() { stop(); }

void metrics_server::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  accept_pause_.cancel();
  for (const auto& c : connections_) c->close(ignored);
}

tcp::endpoint metrics_server::local_endpoint() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec);
}

asio::awaitable<void> metrics_server::run() {
  while (!stopped_) {
    auto [ec, accepted] = co_await acceptor_.async_accept(tuple_awaitable);
    if (stopped_) break;
    if (ec) {
      co_await wait_after_failed_accept(accept_backoff_, accept_pause_, "metrics", ec);
      continue;
    }
    accept_backoff_.succeeded();
    if (connections_.size() >= max_scrapers) continue; // dropped: a scraper retries
    auto connection = std::make_shared<tcp::socket>(std::move(accepted));
    connections_.insert(connection);
    tasks_.spawn("metrics scrape", serve(connection));
  }
}

asio::awaitable<void> metrics_server::serve(std::shared_ptr<tcp::socket> connection) {
  auto deadline = std::make_shared<asio::steady_timer>(connection->get_executor(), request_deadline);
  tasks_.spawn("metrics deadline", close_at_deadline(connection, deadline));
  boost::beast::flat_buffer buffer(8192);
  http::request_parser<http::empty_body> parser;
  parser.header_limit(8192);
  auto [ec, n] = co_await http::async_read(*connection, buffer, parser, tuple_awaitable);
  if (!ec) {
    const auto& request = parser.get();
    http::response<http::string_body> response;
    response.version(request.version());
    response.keep_alive(false);
    response.set(http::field::server, "copytraderd");
    if (request.method() != http::verb::get && request.method() != http::verb::head) {
      response.result(http::status::method_not_allowed);
      response.body() = "only GET\n";
    } else if (request.target() != "/metrics") {
      response.result(http::status::not_found);
      response.body() = "metrics are at /metrics\n";
    } else {
      response.result(http::status::ok);
      response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      response.body() = render_();
    }
    response.prepare_payload();
    co_await http::async_write(*connection, response, tuple_awaitable);
  }
  deadline->cancel();
  boost::system::error_code ignored;
  connection->shutdown(tcp::socket::shutdown_both, ignored);
  connection->close(ignored);
  connections_.erase(connection);
  co_return;
}

} // namespace copytrader::control
