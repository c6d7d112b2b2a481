#include "support/alert_receiver.hpp"

#include "projectx/socket_deadline.hpp"
#include "sim/certificate.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace copytrader::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
}

struct alert_receiver::state {
  asio::io_context io{1};
  asio::ssl::context tls{asio::ssl::context::tls_server};
  tcp::acceptor acceptor{io};
  mutable std::mutex mutex;
  mutable std::condition_variable arrived;
  std::vector<request> received;
  answer mode = answer::ok;
  std::map<std::string, answer, std::less<>> by_path;
};

namespace {

// The state outlives every coroutine: the io_context in it destroys them when it goes.
asio::awaitable<void> serve(alert_receiver::state* s, tcp::socket socket) {
  beast::ssl_stream<tcp::socket> stream(std::move(socket), s->tls);
  auto& raw = beast::get_lowest_layer(stream);
  projectx::socket_deadline deadline(stream.get_executor());
  deadline.arm(raw, std::chrono::seconds(10));
  auto [handshake_error] = co_await stream.async_handshake(asio::ssl::stream_base::server, tuple_awaitable);
  if (handshake_error) co_return;
  beast::flat_buffer buffer;
  for (;;) {
    http::request<http::string_body> req;
    deadline.arm(raw, std::chrono::seconds(60));
    auto [read_error, n] = co_await http::async_read(stream, buffer, req, tuple_awaitable);
    if (read_error) co_return;
    alert_receiver::answer mode;
    {
      std::lock_guard lock(s->mutex);
      s->received.push_back(alert_receiver::request{std::string(req.method_string()), std::string(req.target()),
                                                    std::string(req[http::field::content_type]), req.body()});
      const auto it = s->by_path.find(req.target());
      mode = it != s->by_path.end() ? it->second : s->mode;
    }
    s->arrived.notify_all();
    if (mode == alert_receiver::answer::hang) {
      // Holds the request until the receiver goes: the client's own deadline must end the wait.
      asio::steady_timer never(s->io, std::chrono::hours(1));
      deadline.disarm();
      co_await never.async_wait(tuple_awaitable);
      co_return;
    }
    const auto status = mode == alert_receiver::answer::ok             ? http::status::ok
                        : mode == alert_receiver::answer::server_error ? http::status::internal_server_error
                        : mode == alert_receiver::answer::too_many     ? http::status::too_many_requests
                                                                       : http::status::not_found;
    http::response<http::string_body> res{status, req.version()};
    res.set(http::field::content_type, "application/json");
    if (mode == alert_receiver::answer::too_many) res.set(http::field::retry_after, "1");
    res.body() = status == http::status::ok ? R"({"ok":true})" : R"({"ok":false})";
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    auto [write_error, written] = co_await http::async_write(stream, res, tuple_awaitable);
    if (write_error || !req.keep_alive()) co_return;
  }
}

asio::awaitable<void> accept_loop(alert_receiver::state* s) {
  for (;;) {
    auto [ec, socket] = co_await s->acceptor.async_accept(tuple_awaitable);
    if (ec) co_return;
    asio::co_spawn(s->io, serve(s, std::move(socket)), asio::detached);
  }
}

} // namespace

alert_receiver::alert_receiver() : state_(std::make_unique<state>()) {
  const auto identity = sim::make_server_identity();
  ca_pem_ = identity.ca_pem;
  state_->tls.use_certificate_chain(asio::buffer(identity.certificate_pem));
  state_->tls.use_private_key(asio::buffer(identity.private_key_pem), asio::ssl::context::pem);
  const tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), 0);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
  port_ = state_->acceptor.local_endpoint().port();
  asio::co_spawn(state_->io, accept_loop(state_.get()), asio::detached);
  thread_ = std::thread([s = state_.get()] { s->io.run(); });
}

alert_receiver::~alert_receiver() {
  state_->io.stop();
  thread_.join();
}

std::string alert_receiver::url(std::string_view path) const {
  return "https://127.0.0.1:" + std::to_string(port_) + std::string(path);
}

void alert_receiver::set_answer(answer a, std::string path) {
  std::lock_guard lock(state_->mutex);
  if (path.empty())
    state_->mode = a;
  else
    state_->by_path[std::move(path)] = a;
}

std::vector<alert_receiver::request> alert_receiver::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->received;
}

bool alert_receiver::wait_for(std::size_t count, std::chrono::milliseconds limit) const {
  std::unique_lock lock(state_->mutex);
  return state_->arrived.wait_for(lock, limit, [&] { return state_->received.size() >= count; });
}

} // namespace copytrader::testing
