#include "projectx/hub_client.hpp"

#include "projectx/socket_deadline.hpp"
#include "projectx/tls_context.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <boost/beast/websocket/stream.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <deque>

namespace copytrader::projectx {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

struct hub_client::session {
  explicit session(const asio::any_io_executor& ex, asio::ssl::context& tls)
      : ws(ex, tls), opening_deadline(ex), wake(ex), tick(ex) {
    wake.expires_at(asio::steady_timer::time_point::max());
  }
  websocket::stream<tls_stream> ws;
  socket_deadline opening_deadline; // the connect, the TLS handshake and the upgrade
  signalr::client_protocol protocol;
  std::deque<std::string> outbox;
  asio::steady_timer wake;
  asio::steady_timer tick;
  std::string end_reason;
  bool ended = false;
};

hub_client::hub_client(asio::any_io_executor executor, asio::ssl::context& tls, hub_endpoint endpoint,
                       auth_session& auth, std::vector<hub_subscription> subscriptions, hub_callbacks callbacks,
                       signalr::timing timing, reconnect_backoff backoff)
    : executor_(std::move(executor)),
      tls_(tls),
      endpoint_(std::move(endpoint)),
      auth_(auth),
      subscriptions_(std::move(subscriptions)),
      callbacks_(std::move(callbacks)),
      timing_(timing),
      backoff_(backoff),
      pause_(executor_) {}

void hub_client::stop() {
  stopped_ = true;
  pause_.cancel();
  if (current_ != nullptr) end(*current_, "stopped");
  if (opening_ != nullptr) end(*opening_, "stopped");
}

asio::awaitable<void> hub_client::run() {
  while (!stopped_) {
    const auto delay = backoff_.next_delay();
    if (delay.count() > 0) {
      spdlog::info("user hub for {}: reconnecting in {} ms", auth_.username(), delay.count());
      pause_.expires_after(delay);
      co_await pause_.async_wait(tuple_awaitable);
      if (stopped_) break;
    }
    auto token = co_await auth_.token();
    if (stopped_) break;
    if (!token) {
      last_error_ = token.error().message;
      spdlog::error("user hub for {}: no session token: {}", auth_.username(), last_error_);
      continue;
    }
    const std::string bearer(*token);
    last_error_ = co_await serve(bearer);
    if (connected_) {
      connected_ = false;
      if (callbacks_.disconnected) callbacks_.disconnected(last_error_);
    }
    if (!stopped_) spdlog::warn("user hub for {} disconnected: {}", auth_.username(), last_error_);
  }
}

asio::awaitable<std::string> hub_client::serve(std::string_view token) {
  session s(executor_, tls_);
  // A stop while this connection is set up closes its socket; the checks below catch a stop that came
  // between two steps (during the name lookup, the socket does not exist yet).
  opening_ = &s;
  struct forget_opening {
    session*& slot;
    ~forget_opening() { slot = nullptr; }
  } forget{opening_};
  auto& tcp_layer = beast::get_lowest_layer(s.ws);
  s.opening_deadline.arm(tcp_layer, timing_.handshake_timeout);
  if (auto error = co_await connect_tls(s.ws.next_layer(), s.opening_deadline, endpoint_.host, endpoint_.port))
    co_return *error;
  if (s.ended) co_return s.end_reason;

  // The token goes in the query, as the gateway expects; the URL is rebuilt on every connect.
  const std::string target =
      endpoint_.path + "?access_token=" + boost::urls::encode(token, boost::urls::unreserved_chars);
  websocket::response_type upgrade;
  auto [upgrade_error] = co_await s.ws.async_handshake(upgrade, endpoint_.host, target, tuple_awaitable);
  if (upgrade_error) {
    if (s.opening_deadline.expired()) co_return std::string("no answer to the upgrade within handshake_timeout");
    if (upgrade.result() == beast::http::status::unauthorized) auth_.invalidate(token);
    co_return "upgrade refused (HTTP " + std::to_string(upgrade.result_int()) + "): " + upgrade_error.message();
  }
  if (s.ended) co_return s.end_reason;
  opening_ = nullptr;
  s.opening_deadline.disarm();
  s.ws.read_message_max(signalr::default_max_record);
  s.ws.text(true);
  ++connections_;
  current_ = &s;
  subscriptions_.connection_started();

  s.protocol = signalr::client_protocol(timing_);
  send(s, s.protocol.start(std::chrono::steady_clock::now()));
  co_await (reader(s) || writer(s) || ticker(s));
  current_ = nullptr;
  subscriptions_.connection_started(); // nothing subscribes until the next handshake
  beast::error_code ignored;
  tcp_layer.close(ignored);
  co_return s.end_reason.empty() ? std::string("connection closed") : s.end_reason;
}

void hub_client::end(session& s, std::string reason) {
  if (s.ended) return;
  s.ended = true;
  s.end_reason = std::move(reason);
  beast::error_code ignored;
  beast::get_lowest_layer(s.ws).close(ignored);
  s.wake.cancel();
  s.tick.cancel();
}

void hub_client::send(session& s, std::string bytes) {
  if (bytes.empty() || s.ended) return;
  s.outbox.push_back(std::move(bytes));
  s.wake.cancel_one();
}

asio::awaitable<void> hub_client::writer(session& s) {
  while (!s.ended) {
    if (s.outbox.empty()) {
      co_await s.wake.async_wait(tuple_awaitable);
      continue;
    }
    std::string next = std::move(s.outbox.front());
    s.outbox.pop_front();
    auto [ec, n] = co_await s.ws.async_write(asio::buffer(next), tuple_awaitable);
    if (ec) {
      end(s, "write failed: " + ec.message());
      break;
    }
  }
}

asio::awaitable<void> hub_client::ticker(session& s) {
  while (!s.ended) {
    s.tick.expires_at(s.protocol.next_deadline());
    co_await s.tick.async_wait(tuple_awaitable);
    if (s.ended) break;
    send(s, s.protocol.tick(std::chrono::steady_clock::now()));
    co_await handle_events(s);
  }
}

asio::awaitable<void> hub_client::reader(session& s) {
  beast::flat_buffer buffer;
  while (!s.ended) {
    auto [ec, n] = co_await s.ws.async_read(buffer, tuple_awaitable);
    if (ec) {
      end(s, ec == websocket::error::closed ? "closed by the server" : "read failed: " + ec.message());
      break;
    }
    const auto data = buffer.cdata();
    s.protocol.receive(std::string_view(static_cast<const char*>(data.data()), data.size()),
                       std::chrono::steady_clock::now());
    buffer.consume(buffer.size());
    co_await handle_events(s);
    s.tick.cancel(); // the deadlines moved
    // What the message started (followers' copies, woken above) runs before the next read is armed:
    // that read's start costs the first copy 2-3 us (docs/performance.md).
    co_await asio::post(s.ws.get_executor(), asio::use_awaitable);
  }
}

void hub_client::subscribe(hub_subscription subscription) {
  const bool now = subscriptions_.add(subscription) && current_ != nullptr;
  if (!now) return; // the next handshake subscribes to it
  boost::json::array args;
  if (subscription.account) args.push_back(*subscription.account);
  send(*current_, current_->protocol.invoke(subscription.method, args, std::chrono::steady_clock::now()));
}

void hub_client::confirm_connected() {
  connected_ = true;
  backoff_.reset();
  spdlog::info("user hub for {} connected; {} subscriptions confirmed", auth_.username(), subscriptions_.size());
  if (callbacks_.connected) callbacks_.connected();
}

asio::awaitable<void> hub_client::handle_events(session& s) {
  while (!s.ended) {
    auto event = s.protocol.next_event();
    if (!event) break;
    // A fill's trade wakes the followers: their copies go before the rest of the message (its
    // position and account records) is parsed, as they would with one record per message.
    if (handle(s, std::move(*event)) == next_record::after_woken_work)
      co_await asio::post(s.ws.get_executor(), asio::use_awaitable);
  }
}

next_record hub_client::handle(session& s, signalr::protocol_event&& event) {
  if (std::holds_alternative<signalr::handshake_completed>(event)) {
    const auto now = std::chrono::steady_clock::now();
    const auto step = subscriptions_.handshake_completed();
    for (const auto& sub : step.invoke) {
      boost::json::array args;
      if (sub.account) args.push_back(*sub.account);
      send(s, s.protocol.invoke(sub.method, args, now));
    }
    if (step.announce) confirm_connected();
  } else if (auto* done = std::get_if<signalr::invocation_completed>(&event)) {
    if (done->error) {
      end(s, done->target + " refused: " + *done->error);
      return next_record::now;
    }
    if (subscriptions_.completed()) confirm_connected();
  } else if (auto* call = std::get_if<signalr::server_invocation>(&event)) {
    auto decoded = decode_user_event(call->target, call->arguments);
    if (!decoded) {
      spdlog::error("user hub for {}: malformed {}: {}", auth_.username(), call->target, decoded.error().message);
      if (callbacks_.malformed) callbacks_.malformed(decoded.error().message);
      return next_record::now;
    }
    std::vector<user_event> usable;
    for (auto& e : *decoded) {
      if (std::holds_alternative<logout_event>(e)) {
        spdlog::warn("user hub for {}: GatewayLogout; logging in again", auth_.username());
        auth_.invalidate(auth_.current_token());
        end(s, "GatewayLogout");
        return next_record::now;
      }
      if (auto* unknown = std::get_if<unknown_event>(&e)) {
        if (unknown_targets_.insert(unknown->target).second) {
          spdlog::warn("user hub for {}: ignoring unknown event {}", auth_.username(), unknown->target);
        }
        continue;
      }
      usable.push_back(std::move(e));
    }
    if (!usable.empty() && callbacks_.events) return callbacks_.events(std::move(usable));
  } else if (auto* failed = std::get_if<signalr::connection_failed>(&event)) {
    end(s, failed->reason);
  }
  return next_record::now;
}

} // namespace copytrader::projectx
