#include "dashboard/dashboard_server.hpp"

#include "control/tcp_listener.hpp"
#include "dashboard/assets.hpp"
#include "dashboard/request_check.hpp"

#include <fmt/format.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <array>
#include <stdexcept>

namespace copytrader::dashboard {
namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
constexpr auto read_deadline = std::chrono::seconds(5);
constexpr auto action_deadline = std::chrono::seconds(30); // a flatten waits up to 15 s for flat
constexpr auto write_deadline = std::chrono::seconds(5);   // a tab that stops reading is dropped
constexpr auto keepalive_every = std::chrono::seconds(10);

// Every answer, the page's included: nothing but this origin's own script and style, no framing,
// no referrer, nothing cached.
constexpr std::string_view content_security_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void harden(http::response<http::string_body>& r) {
  r.set(http::field::server, "copytraderd");
  r.set("Content-Security-Policy", content_security_policy);
  r.set("X-Content-Type-Options", "nosniff");
  r.set("X-Frame-Options", "DENY");
  r.set("Referrer-Policy", "no-referrer");
  r.set("Cross-Origin-Resource-Policy", "same-origin");
  r.set(http::field::cache_control, "no-store");
}

std::string error_body(std::string_view reason) { return control::error_response(reason); }

} // namespace

// Closes the socket when a read or write runs late; re-armed before each, ended with the connection.
struct connection_watchdog {
  explicit connection_watchdog(const asio::any_io_executor& executor) : timer(executor) {}
  asio::steady_timer timer;
  bool done = false;
  void arm(std::chrono::steady_clock::duration limit) { timer.expires_after(limit); }
  void finish() {
    done = true;
    timer.cancel();
  }
};

outcome<std::unique_ptr<dashboard_server>> dashboard_server::open(background_tasks& tasks, const std::string& listen,
                                                                  secret token, dashboard_hooks hooks) {
  auto acceptor = control::open_tcp_listener(tasks.executor(), listen, "control.dashboard_listen");
  if (!acceptor) return acceptor.error();
  boost::system::error_code ec;
  if (!acceptor->local_endpoint(ec).address().is_loopback())
    return failure("control.dashboard_listen: '" + listen + "' is not a loopback address");
  return std::unique_ptr<dashboard_server>(
      new dashboard_server(tasks, std::move(*acceptor), std::move(token), std::move(hooks)));
}

dashboard_server::dashboard_server(background_tasks& tasks, tcp::acceptor acceptor, secret token, dashboard_hooks hooks)
    : tasks_(tasks), acceptor_(std::move(acceptor)), token_(std::move(token)), hooks_(std::move(hooks)) {
  boost::system::error_code ec;
  port_ = acceptor_.local_endpoint(ec).port();
}

dashboard_server::~dashboard_server() { stop(); }

void dashboard_server::stop() {
  if (stopped_) return;
  stopped_ = true;
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  accept_pause_.cancel();
  for (const auto& c : connections_) c->close(ignored);
}

tcp::endpoint dashboard_server::local_endpoint() const {
  boost::system::error_code ec;
  return acceptor_.local_endpoint(ec);
}

secret dashboard_server::fresh_token() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("no random bytes for the dashboard token");
  std::string hex;
  for (unsigned char b : bytes) hex += fmt::format("{:02x}", b);
  return secret(std::move(hex));
}

std::string dashboard_server::address_with_token() const {
  const auto at = local_endpoint();
  const std::string host = at.address().is_v6() ? "[" + at.address().to_string() + "]" : at.address().to_string();
  return fmt::format("http://{}:{}/#token={}", host, at.port(), token_.reveal());
}

asio::awaitable<void> dashboard_server::run() {
  while (!stopped_) {
    auto [ec, accepted] = co_await acceptor_.async_accept(tuple_awaitable);
    if (stopped_) break;
    if (ec) {
      co_await control::wait_after_failed_accept(accept_backoff_, accept_pause_, "dashboard", ec);
      continue;
    }
    accept_backoff_.succeeded();
    if (connections_.size() >= max_connections) continue; // dropped: a browser retries
    auto connection = std::make_shared<tcp::socket>(std::move(accepted));
    connections_.insert(connection);
    tasks_.spawn("dashboard connection", serve(connection));
  }
}

namespace {
asio::awaitable<void> close_when_late(std::shared_ptr<tcp::socket> connection,
                                      std::shared_ptr<connection_watchdog> dog) {
  for (;;) {
    auto [ec] = co_await dog->timer.async_wait(tuple_awaitable);
    if (dog->done) co_return;
    if (!ec) {
      boost::system::error_code ignored;
      connection->close(ignored);
      co_return;
    }
  }
}
} // namespace

asio::awaitable<void> dashboard_server::serve(std::shared_ptr<tcp::socket> connection) {
  auto dog = std::make_shared<connection_watchdog>(connection->get_executor());
  const struct ending {
    dashboard_server* server;
    std::shared_ptr<tcp::socket> connection;
    std::shared_ptr<connection_watchdog> dog;
    ~ending() {
      dog->finish();
      boost::system::error_code ignored;
      connection->shutdown(tcp::socket::shutdown_both, ignored);
      connection->close(ignored);
      server->connections_.erase(connection);
    }
  } end{this, connection, dog};
  dog->arm(read_deadline);
  tasks_.spawn("dashboard deadline", close_when_late(connection, dog));

  boost::beast::flat_buffer buffer(8192);
  http::request_parser<http::string_body> parser;
  parser.header_limit(8192);
  parser.body_limit(control::max_request_bytes);
  auto [ec, n] = co_await http::async_read(*connection, buffer, parser, tuple_awaitable);
  if (ec) co_return;
  const auto& request = parser.get();
  request_facts facts;
  facts.method = request.method_string();
  facts.target = request.target();
  facts.host = request[http::field::host];
  if (auto origin = request.find(http::field::origin); origin != request.end()) facts.origin = origin->value();
  facts.authorization = request[http::field::authorization];
  facts.content_type = request[http::field::content_type];
  const verdict v = check_request(facts, port_, token_.reveal());

  if (v.where == route::events) {
    co_await feed(connection, dog);
    co_return;
  }
  http::response<http::string_body> response;
  response.version(request.version());
  response.keep_alive(false);
  harden(response);
  boost::system::error_code peer_ec;
  const auto peer = connection->remote_endpoint(peer_ec);
  const std::string source =
      peer_ec ? "dashboard" : fmt::format("dashboard {}:{}", peer.address().to_string(), peer.port());
  switch (v.where) {
    case route::page:
    case route::script:
    case route::style: {
      const asset& a = v.where == route::page ? page_asset : v.where == route::script ? script_asset : style_asset;
      response.result(http::status::ok);
      response.set(http::field::content_type, a.content_type);
      if (request.method() != http::verb::head) response.body() = std::string(a.body);
      break;
    }
    case route::icon: response.result(http::status::no_content); break;
    case route::action: {
      auto action = check_action(request.body());
      response.set(http::field::content_type, "application/json");
      if (!action) {
        spdlog::warn("{}: action refused: {}", source, action.error().message);
        response.result(http::status::bad_request);
        response.body() = error_body(action.error().message);
        break;
      }
      spdlog::info("{}: {}{}{}", source, control::to_string(action->what), action->name.empty() ? "" : " ",
                   action->all ? "--all" : action->name);
      dog->arm(action_deadline);
      response.result(http::status::ok);
      response.body() = co_await hooks_.act(std::move(*action));
      break;
    }
    case route::events:
    case route::refused:
      if (v.status == 401 || v.status == 403 || v.status == 421)
        spdlog::warn("{}: {} {} refused ({}): {}", source, facts.method, facts.target, v.status, v.reason);
      response.result(static_cast<http::status>(v.status));
      response.set(http::field::content_type, "application/json");
      response.body() = error_body(v.reason);
      break;
  }
  response.prepare_payload();
  dog->arm(write_deadline);
  co_await http::async_write(*connection, response, tuple_awaitable);
}

// Server-Sent Events: the snapshot when it changes (checked every feed_period), a comment line now
// and then so that a closed tab is noticed.
asio::awaitable<void> dashboard_server::feed(std::shared_ptr<tcp::socket> connection,
                                             std::shared_ptr<connection_watchdog> dog) {
  std::string head = fmt::format(
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
      "Content-Security-Policy: {}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n"
      "retry: 1000\n\n",
      content_security_policy);
  dog->arm(write_deadline);
  auto [ec, n] = co_await asio::async_write(*connection, asio::buffer(head), tuple_awaitable);
  std::string last;
  auto quiet_since = std::chrono::steady_clock::now();
  asio::steady_timer tick(connection->get_executor());
  while (!ec && !stopped_ && connection->is_open()) {
    std::string message;
    std::string now = hooks_.snapshot();
    if (now != last) {
      message = "data: " + now + "\n\n";
      last = std::move(now);
    } else if (std::chrono::steady_clock::now() - quiet_since > keepalive_every) {
      message = ": still here\n\n";
    }
    if (!message.empty()) {
      quiet_since = std::chrono::steady_clock::now();
      dog->arm(write_deadline);
      std::tie(ec, n) = co_await asio::async_write(*connection, asio::buffer(message), tuple_awaitable);
      if (ec) break;
    }
    dog->arm(std::chrono::hours(24)); // waiting for the next tick is not late
    tick.expires_after(feed_period);
    co_await tick.async_wait(tuple_awaitable);
  }
}

} // namespace copytrader::dashboard
