#include "sim/hub_session.hpp"

#include "projectx/hub_events.hpp"
#include "signalr/hub_message.hpp"
#include "sim/json_text.hpp"
#include "sim/simulator.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/json/serialize.hpp>

namespace copytrader::sim {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace json = boost::json;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

hub_session::hub_session(simulator& sim, tls_stream stream, std::string username)
    : sim_(sim),
      ws_(std::move(stream)),
      username_(std::move(username)),
      wake_(ws_.get_executor()),
      ping_timer_(ws_.get_executor()) {
  wake_.expires_at(asio::steady_timer::time_point::max());
}

asio::awaitable<void> hub_session::run(beast::http::request<beast::http::string_body> upgrade) {
  auto self = shared_from_this();
  ws_.set_option(beast::websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.read_message_max(signalr::default_max_record);
  auto [accept_error] = co_await ws_.async_accept(upgrade, tuple_awaitable);
  if (accept_error) co_return;
  ws_.text(true);
  if (sim_.faults().forget_subscriptions > 0) {
    --sim_.faults().forget_subscriptions;
    forget_ = true;
  }
  sim_.register_session(self);
  asio::co_spawn(ws_.get_executor(), writer(), asio::detached);
  asio::co_spawn(ws_.get_executor(), pinger(), asio::detached);

  beast::flat_buffer buffer;
  while (!closed_) {
    auto [ec, n] = co_await ws_.async_read(buffer, tuple_awaitable);
    if (ec) break;
    const auto data = buffer.cdata();
    if (!framer_.feed(std::string_view(static_cast<const char*>(data.data()), data.size()))) break;
    buffer.consume(buffer.size());
    while (auto record = framer_.next()) handle_record(*record);
  }
  shut();
}

void hub_session::shut() {
  if (closed_) return;
  closed_ = true;
  wake_.cancel();
  ping_timer_.cancel();
  sim_.unregister_session(this);
}

void hub_session::handle_record(const std::string& record) {
  if (!handshaken_) {
    const auto& faults = sim_.faults();
    const bool login_down = faults.down_username == username_ && std::chrono::steady_clock::now() < faults.down_until;
    if (login_down || sim_.faults().handshake_errors > 0) {
      if (!login_down) --sim_.faults().handshake_errors;
      send(signalr::encode_handshake_response(std::string("Handshake was canceled.")));
      close("message", false);
      return;
    }
    auto ok = signalr::parse_handshake_request(record);
    send(signalr::encode_handshake_response(ok ? std::nullopt : std::optional(ok.error().message)));
    handshaken_ = static_cast<bool>(ok);
    if (!ok) close("fin", std::nullopt);
    return;
  }
  auto message = signalr::parse_message(record);
  if (!message) {
    close("message", false);
    return;
  }
  if (message->type == signalr::message_type::invocation) {
    invoke(message->target, message->arguments, message->invocation_id);
  } else if (message->type == signalr::message_type::close) {
    close("fin", std::nullopt);
  }
}

void hub_session::invoke(const std::string& target, const json::array& arguments, const std::string& id) {
  auto complete = [&](std::optional<std::string> error) {
    if (!id.empty()) send(signalr::encode_completion(id, error));
  };
  if (projectx::target_is(target, "SubscribeAccounts") || projectx::target_is(target, "UnsubscribeAccounts")) {
    if (!forget_) accounts_ = projectx::target_is(target, "SubscribeAccounts");
    complete(std::nullopt);
    return;
  }
  static constexpr std::pair<std::string_view, topic> topics[] = {
      {"Orders", topic::orders}, {"Positions", topic::positions}, {"Trades", topic::trades}};
  for (const auto& [suffix, t] : topics) {
    const bool subscribe = projectx::target_is(target, "Subscribe" + std::string(suffix));
    const bool unsubscribe = projectx::target_is(target, "Unsubscribe" + std::string(suffix));
    if (!subscribe && !unsubscribe) continue;
    if (arguments.size() != 1 || !arguments[0].is_int64()) {
      complete("Failed to invoke '" + target + "' due to an error on the server. InvalidDataException");
      return;
    }
    const px::account_number account = arguments[0].as_int64();
    const account_record* a = sim_.book().find_account(account);
    if (a == nullptr || a->username != username_) {
      complete("Failed to invoke '" + target + "' because user is unauthorized");
      return;
    }
    if (!forget_) {
      if (subscribe)
        subscriptions_.emplace(t, account);
      else
        subscriptions_.erase(std::pair{t, account});
    }
    complete(std::nullopt);
    return;
  }
  complete("Unknown hub method '" + target + "'");
}

std::string hub_session::encode_event(const hub_event& event) const {
  // Written by hand rather than with encode_invocation: numbers must look like the gateway's.
  std::string frame = R"({"type":1,"target":")" + event.target + R"(","arguments":[)";
  if (sim_.book().settings().wrap_events) {
    frame += R"({"action":)" + std::to_string(event.action) + R"(,"data":)";
    append_text(event.data, frame);
    frame += '}';
  } else {
    append_text(event.data, frame);
  }
  frame += "]}";
  frame.push_back(signalr::record_separator);
  return frame;
}

void hub_session::deliver(const hub_event& event) {
  if (closed_ || !handshaken_) return;
  bool wanted = false;
  if (event.target == "GatewayUserAccount") {
    const account_record* a = sim_.book().find_account(event.account);
    wanted = accounts_ && a != nullptr && a->username == username_;
  } else {
    const topic t = event.target == "GatewayUserOrder"      ? topic::orders
                    : event.target == "GatewayUserPosition" ? topic::positions
                                                            : topic::trades;
    wanted = subscriptions_.contains(std::pair{t, event.account});
  }
  if (!wanted) return;

  hub_faults& f = sim_.faults();
  if (f.drop_count > 0 && (f.drop_target == "*" || f.drop_target == event.target)) {
    if (f.drop_after > 0) {
      --f.drop_after;
    } else {
      --f.drop_count;
      return;
    }
  }
  std::string frame;
  if (f.skew_count > 0 && event.target == "GatewayUserTrade" && event.data.contains("creationTimestamp")) {
    --f.skew_count;
    hub_event skewed = event;
    if (auto stamp = px::parse_timestamp(event.data.at("creationTimestamp").as_string()))
      skewed.data["creationTimestamp"] = px::format_timestamp(*stamp + std::chrono::milliseconds(f.skew_ms));
    frame = encode_event(skewed);
  } else {
    frame = encode_event(event);
  }
  // A voided trade is re-sent outside any fill: its own id names it.
  const std::int64_t trade_id = event.fill != 0 ? event.fill
                                : event.target == "GatewayUserTrade" && event.data.contains("id")
                                    ? event.data.at("id").as_int64()
                                    : 0;
  if (f.corrupt_count > 0) {
    --f.corrupt_count;
    frame = std::string(R"({"type":1,"target":"GatewayUserTrade","arguments":[{"action":0,"data":)") +
            signalr::record_separator;
  }
  if (f.reorder_count > 0 && !held_) {
    --f.reorder_count;
    held_ = std::move(frame);
    return;
  }
  const bool duplicate = f.duplicate_count > 0 && (f.duplicate_target == "*" || f.duplicate_target == event.target);
  if (duplicate) --f.duplicate_count;
  send(frame, trade_id, event.target);
  if (duplicate) send(frame, trade_id, event.target);
  if (held_) send(*std::exchange(held_, std::nullopt));
}

void hub_session::send(std::string frame, std::int64_t trade_id, std::string target) {
  if (closed_) return;
  const auto now = std::chrono::steady_clock::now();
  const hub_faults& f = sim_.faults();
  if (now < f.silent_until) return; // a half-open link loses it
  const auto due = f.lag_username == username_ ? now + f.lag : now;
  outbox_.push_back(outgoing{std::move(frame), trade_id, std::move(target), due});
  wake_.cancel_one();
}

asio::awaitable<void> hub_session::writer() {
  auto self = shared_from_this();
  while (!closed_) {
    if (outbox_.empty() || outbox_.front().due > std::chrono::steady_clock::now()) {
      wake_.expires_at(outbox_.empty() ? asio::steady_timer::time_point::max() : outbox_.front().due);
      co_await wake_.async_wait(tuple_awaitable);
      continue;
    }
    // What waited while the last message was on its way goes out as one message, as ASP.NET Core's
    // WebSocket transport sends what is in its pipe (switch coalesce_records; false: one record each).
    const bool coalesce = sim_.book().settings().coalesce_records;
    const auto now = std::chrono::steady_clock::now();
    const std::int64_t written_ns = monotonic_ns();
    message_.clear();
    do {
      outgoing next = std::move(outbox_.front());
      outbox_.pop_front();
      if (!next.target.empty())
        sim_.record(log_entry{written_ns, "hub", next.target, username_, 0, {}, next.trade_id, 0});
      message_ += next.frame;
    } while (coalesce && !outbox_.empty() && outbox_.front().due <= now);
    auto [ec, n] = co_await ws_.async_write(asio::buffer(message_), tuple_awaitable);
    if (ec) {
      shut();
      break;
    }
  }
}

asio::awaitable<void> hub_session::pinger() {
  auto self = shared_from_this();
  while (!closed_) {
    ping_timer_.expires_after(sim_.options().ping_interval);
    auto [ec] = co_await ping_timer_.async_wait(tuple_awaitable);
    if (ec || closed_) break;
    if (handshaken_) send(signalr::encode_ping());
  }
}

asio::awaitable<void> hub_session::close_after_message() {
  auto self = shared_from_this();
  asio::steady_timer t(ws_.get_executor());
  t.expires_after(std::chrono::milliseconds(50));
  co_await t.async_wait(tuple_awaitable);
  beast::error_code ignored;
  beast::get_lowest_layer(ws_).shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(ws_).close(ignored);
}

void hub_session::close(std::string_view mode, std::optional<bool> allow_reconnect) {
  if (closed_) return;
  if (mode == "message") {
    // The close message goes out through the writer; the socket closes when the peer answers or times out.
    send(signalr::encode_close(std::string("Server closed the connection."), allow_reconnect));
    asio::co_spawn(ws_.get_executor(), close_after_message(), asio::detached);
    return;
  }
  beast::error_code ignored;
  auto& socket = beast::get_lowest_layer(ws_);
  if (mode == "rst")
    socket.set_option(asio::socket_base::linger(true, 0), ignored);
  else
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
  shut();
}

} // namespace copytrader::sim
