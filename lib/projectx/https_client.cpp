#include "projectx/https_client.hpp"

#include <sys/socket.h>

#include "core/crash_point.hpp"

#include "projectx/socket_deadline.hpp"
#include "projectx/tls_context.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace copytrader::projectx {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct https_client::connection {
  connection(const asio::any_io_executor& ex, asio::ssl::context& tls) : stream(ex, tls), deadline(ex) {}
  tls_stream stream;
  socket_deadline deadline;
  beast::flat_buffer buffer;
  bool open = false;
  bool busy = false;
  bool answered = false; // has carried a response: nothing more is due from the server unasked
  std::chrono::steady_clock::time_point last_used{};
};

namespace {

// Disarms a connection's deadline however the exchange under it ends.
struct disarm_at_exit {
  socket_deadline& deadline;
  ~disarm_at_exit() { deadline.disarm(); }
};

} // namespace

https_client::https_client(asio::any_io_executor executor, asio::ssl::context& tls, https_endpoint endpoint)
    : executor_(std::move(executor)),
      tls_(tls),
      endpoint_(std::move(endpoint)),
      released_(executor_),
      warm_timer_(executor_) {
  released_.expires_at(asio::steady_timer::time_point::max());
  for (std::size_t i = 0; i < std::max<std::size_t>(1, endpoint_.pool_size); ++i) {
    pool_.push_back(std::make_unique<connection>(executor_, tls_));
  }
}

https_client::~https_client() = default;

std::size_t https_client::open_connections() const noexcept {
  std::size_t n = 0;
  for (const auto& c : pool_) n += c->open ? 1u : 0u;
  return n;
}

void https_client::close() {
  closed_ = true;
  warm_timer_.cancel();
  // Only the sockets: a request still under way completes with an error on its own stream, which
  // must not be replaced beneath it.
  for (auto& c : pool_) {
    beast::error_code ignored;
    beast::get_lowest_layer(c->stream).close(ignored);
    c->open = false;
  }
  released_.cancel();
}

bool https_client::closed_by_peer(connection& c) {
  char byte = 0;
  const auto n = ::recv(beast::get_lowest_layer(c.stream).native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true; // FIN
  // Bytes while idle: after a response, only a TLS close_notify or alert (a fresh connection may
  // still hold the server's session tickets).
  return n > 0 && c.answered;
}

void https_client::reset(connection& c) {
  c.deadline.disarm(); // before the socket it watches is replaced
  beast::error_code ignored;
  beast::get_lowest_layer(c.stream).close(ignored);
  c.stream = tls_stream(executor_, tls_);
  c.buffer.clear();
  c.open = false;
  c.answered = false;
}

asio::awaitable<std::optional<std::string>> https_client::open(connection& c) {
  reset(c);
  // Disarmed once open: a warm connection then idles without a deadline until its next request.
  c.deadline.arm(beast::get_lowest_layer(c.stream), endpoint_.request_timeout);
  const disarm_at_exit disarm{c.deadline};
  if (auto error = co_await connect_tls(c.stream, c.deadline, endpoint_.host, endpoint_.port)) co_return error;
  ++handshakes_;
  c.open = true;
  c.last_used = std::chrono::steady_clock::now();
  co_return std::nullopt;
}

asio::awaitable<void> https_client::warm_up() {
  for (auto& c : pool_) {
    if (closed_) break;
    if (!c->open && !c->busy) {
      c->busy = true;
      co_await open(*c);
      release(c.get());
    }
  }
}

asio::awaitable<void> https_client::keep_warm() {
  while (!closed_) {
    warm_timer_.expires_after(endpoint_.idle_refresh / 3);
    co_await warm_timer_.async_wait(tuple_awaitable);
    if (closed_) break;
    const auto now = std::chrono::steady_clock::now();
    for (auto& c : pool_) {
      // Refresh a little before a request would find it stale, so no request pays the handshake.
      const bool stale = c->open && now - c->last_used > endpoint_.idle_refresh * 2 / 3;
      if (c->busy || (c->open && !stale)) continue;
      c->busy = true;
      co_await open(*c);
      release(c.get());
      if (closed_) break;
    }
  }
}

asio::awaitable<https_client::connection*> https_client::acquire() {
  bool waited = false; // counted once per request, however often it is woken without a connection
  for (;;) {
    // Closed (the daemon stops): no request opens a new connection or sends anything.
    if (closed_) co_return nullptr;
    for (auto& c : pool_) {
      if (!c->busy) {
        c->busy = true;
        co_return c.get();
      }
    }
    if (!waited) ++pool_waits_;
    waited = true;
    co_await released_.async_wait(tuple_awaitable);
  }
}

void https_client::release(connection* c) {
  c->busy = false;
  released_.cancel_one();
}

asio::awaitable<http_result> https_client::post(std::string_view path, std::string_view body, std::string_view bearer) {
  http_result result;
  connection* c = co_await acquire();
  if (c == nullptr) {
    result.stage = transport_stage::before_send;
    result.error = "client closed";
    co_return result;
  }
  const auto now = std::chrono::steady_clock::now();
  if (c->open && now - c->last_used > endpoint_.idle_refresh) c->open = false; // the server may have dropped it
  if (c->open && closed_by_peer(*c)) c->open = false;
  if (!c->open) {
    ++request_handshakes_;
    if (auto error = co_await open(*c)) {
      result.stage = transport_stage::before_send;
      result.error = *error;
      reset(*c);
      release(c);
      co_return result;
    }
  }

  http::request<http::string_body> req{http::verb::post, path, 11};
  req.set(http::field::host, endpoint_.host);
  req.set(http::field::content_type, "application/json");
  req.set(http::field::accept, "application/json");
  if (!bearer.empty()) req.set(http::field::authorization, std::string("Bearer ") + std::string(bearer));
  req.keep_alive(true);
  req.body() = body;
  req.prepare_payload();

  c->deadline.arm(beast::get_lowest_layer(c->stream), endpoint_.request_timeout);
  const disarm_at_exit disarm{c->deadline};
  // Asio writes at once, while the operation starts, and only posts the completion; the moment the
  // completion runs can lag behind other work, so the time taken is the start's.
  const auto writing = std::chrono::steady_clock::now();
  auto [write_error, written] = co_await http::async_write(c->stream, req, tuple_awaitable);
  if (!write_error) result.written = writing;
  if (!write_error && path == "/api/Order/place") crash_point("place_written"); // F3: sent, no answer yet
  if (write_error) {
    // Nothing written means nothing reached the server; anything written might have.
    result.stage = written == 0 ? transport_stage::before_send : transport_stage::after_send;
    result.error = "sending failed: " + write_error.message();
    reset(*c);
    release(c);
    co_return result;
  }

  http::response_parser<http::string_body> parser;
  parser.body_limit(endpoint_.max_response_bytes);
  auto [read_error, read] = co_await http::async_read(c->stream, c->buffer, parser, tuple_awaitable);
  if (read_error) {
    result.stage = transport_stage::after_send;
    result.error = c->deadline.expired() ? "no response within the request timeout"
                                         : "reading the response failed: " + read_error.message();
    reset(*c);
    release(c);
    co_return result;
  }
  auto res = parser.release();
  result.status = res.result_int();
  result.body = std::move(res.body());
  if (auto it = res.find(http::field::retry_after); it != res.end()) {
    try {
      result.retry_after = std::stoi(std::string(it->value()));
    } catch (const std::exception&) {
      // An HTTP-date form: treated as absent.
    }
  }
  c->last_used = std::chrono::steady_clock::now();
  c->answered = true;
  if (!res.keep_alive()) reset(*c);
  release(c);
  co_return result;
}

} // namespace copytrader::projectx
