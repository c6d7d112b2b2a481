#include "sim/simulator.hpp"

#include "projectx/socket_deadline.hpp"
#include "signalr/hub_message.hpp"
#include "sim/control.hpp"
#include "sim/hub_session.hpp"

#include <fmt/format.h>
#include <boost/json/parse.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <boost/url/parse.hpp>

#include <ctime>

namespace copytrader::sim {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t max_log_entries = 200'000;
constexpr std::size_t max_body_bytes = std::size_t{1024} * 1024;

std::int64_t monotonic_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

namespace {

std::string raw_response(unsigned status, std::string_view body, std::size_t claimed_length) {
  return fmt::format("HTTP/1.1 {} {}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n{}",
                     status, status == 200 ? "OK" : "Error", claimed_length, body);
}

// The account id and customTag of a REST body, for the request log (best effort).
void describe_request(const rest_body& body, log_entry& entry) {
  if (!body.valid || !body.value.is_object()) return;
  const auto& o = body.value.as_object();
  if (const auto* a = o.if_contains("accountId"); a != nullptr && a->is_int64()) entry.account = a->as_int64();
  if (const auto* t = o.if_contains("customTag"); t != nullptr && t->is_string())
    entry.tag = std::string(t->as_string());
  if (const auto* u = o.if_contains("userName"); u != nullptr && u->is_string())
    entry.username = std::string(u->as_string());
}

asio::awaitable<void> https_session(simulator& sim, asio::ssl::context& tls, tcp::socket socket) {
  tls_stream stream(std::move(socket), tls);
  auto& raw = beast::get_lowest_layer(stream);
  projectx::socket_deadline deadline(stream.get_executor());
  deadline.arm(raw, std::chrono::seconds(10));
  auto [handshake_error] = co_await stream.async_handshake(asio::ssl::stream_base::server, tuple_awaitable);
  if (handshake_error) co_return;

  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(max_body_bytes);
    deadline.arm(raw, std::chrono::seconds(120)); // the read of the next request, and the answer to it
    sim.rest_idle(&raw, true);
    auto [read_error, n] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
    sim.rest_idle(&raw, false);
    if (read_error == http::error::body_limit) {
      http::response<http::string_body> res{http::status::payload_too_large, 11};
      res.keep_alive(false);
      res.prepare_payload();
      co_await http::async_write(stream, res, tuple_awaitable);
      break;
    }
    if (read_error) break;
    http::request<http::string_body> req = parser.release();
    auto url = boost::urls::parse_origin_form(req.target());
    const std::string path = url ? std::string(url->path()) : std::string(req.target());

    if (beast::websocket::is_upgrade(req)) {
      std::optional<std::string> username;
      if (url && path == "/hubs/user") {
        for (auto param : url->params()) {
          if (param.key == "access_token") username = sim.rest().user_of(param.value, std::chrono::steady_clock::now());
        }
      }
      // Upgrades are logged too: a client presenting a dead token over and over is a 401 loop (C5).
      sim.record(log_entry{monotonic_ns(), "connect", path, username.value_or(""), 0, {}, 0, username ? 101u : 401u});
      if (!username) {
        http::response<http::string_body> res{
            path == "/hubs/user" ? http::status::unauthorized : http::status::not_found, req.version()};
        res.keep_alive(false);
        res.prepare_payload();
        co_await http::async_write(stream, res, tuple_awaitable);
        break;
      }
      deadline.disarm(); // the hub session keeps its own time
      auto hub = std::make_shared<hub_session>(sim, std::move(stream), *username);
      co_await hub->run(std::move(req));
      co_return;
    }

    log_entry entry{monotonic_ns(), "rest", path, {}, 0, {}, 0, 0};
    const auto body = rest_body::parse(req.body());
    describe_request(body, entry);
    const std::string authorization(req[http::field::authorization]);
    if (constexpr std::string_view bearer = "Bearer "; entry.username.empty() && authorization.starts_with(bearer)) {
      // Whose request it was, for per-user budgets read from the log (faults.md I4).
      entry.username =
          sim.rest()
              .user_of(std::string_view(authorization).substr(bearer.size()), std::chrono::steady_clock::now())
              .value_or("");
    }
    http_reply reply = sim.rest().handle(std::string(req.method_string()), path, authorization, body,
                                         std::chrono::steady_clock::now());
    entry.status = reply.status;
    sim.record(std::move(entry));
    // The events go out after requests already waiting are read: the hub and REST are independent
    // at the venue too, and a burst of places is not held up by encoding the events of each.
    asio::post(co_await asio::this_coro::executor, [&sim] { sim.dispatch_events(); });

    if (reply.delay.count() > 0) {
      asio::steady_timer delay(co_await asio::this_coro::executor);
      delay.expires_after(reply.delay);
      co_await delay.async_wait(tuple_awaitable);
    }
    if (reply.how == disposition::close_without_response) break;
    if (reply.how == disposition::truncate_body) {
      const std::string half =
          raw_response(reply.status, std::string_view(reply.body).substr(0, reply.body.size() / 2), reply.body.size());
      co_await asio::async_write(stream, asio::buffer(half), tuple_awaitable);
      break;
    }
    http::response<http::string_body> res{static_cast<http::status>(reply.status), req.version()};
    res.set(http::field::server, "projectx-sim");
    if (!reply.body.empty()) res.set(http::field::content_type, "application/json; charset=utf-8");
    if (reply.retry_after) res.set(http::field::retry_after, std::to_string(*reply.retry_after));
    res.keep_alive(req.keep_alive());
    res.body() = std::move(reply.body);
    res.prepare_payload();
    auto [write_error, written] = co_await http::async_write(stream, res, tuple_awaitable);
    if (write_error || !res.keep_alive()) break;
  }
  deadline.arm(raw, std::chrono::seconds(2));
  co_await stream.async_shutdown(tuple_awaitable);
}

asio::awaitable<void> control_session(simulator& sim, tcp::socket socket) {
  tcp::socket stream(std::move(socket));
  projectx::socket_deadline deadline(stream.get_executor());
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(max_body_bytes);
    deadline.arm(stream, std::chrono::seconds(120));
    auto [read_error, n] = co_await http::async_read(stream, buffer, parser, tuple_awaitable);
    if (read_error) break;
    http::request<http::string_body> req = parser.release();
    auto [status, body] = handle_control(sim, req.method_string(), req.target(), req.body());
    sim.dispatch_events();
    http::response<http::string_body> res{static_cast<http::status>(status), req.version()};
    res.set(http::field::content_type, "application/json");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    auto [write_error, written] = co_await http::async_write(stream, res, tuple_awaitable);
    if (write_error || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.shutdown(tcp::socket::shutdown_both, ignored);
}

} // namespace

simulator::simulator(asio::io_context& io, simulator_options options, ledger& l)
    : io_(io),
      options_(std::move(options)),
      ledger_(l),
      gateway_(l, options_.gateway, options_.seed),
      identity_(make_server_identity()),
      tls_(asio::ssl::context::tls_server),
      acceptor_(io),
      control_acceptor_(io),
      rng_(options_.seed) {
  tls_.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                   asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
  tls_.use_certificate_chain(asio::buffer(identity_.certificate_pem));
  tls_.use_private_key(asio::buffer(identity_.private_key_pem), asio::ssl::context::pem);
}

simulator::~simulator() = default;

void simulator::start() {
  const auto address = asio::ip::make_address(options_.listen_address);
  for (auto [acceptor, port] :
       {std::pair{&acceptor_, options_.port}, std::pair{&control_acceptor_, options_.control_port}}) {
    tcp::endpoint endpoint(address, port);
    acceptor->open(endpoint.protocol());
    acceptor->set_option(asio::socket_base::reuse_address(true));
    acceptor->bind(endpoint);
    acceptor->listen();
  }
  port_ = acceptor_.local_endpoint().port();
  control_port_ = control_acceptor_.local_endpoint().port();
  asio::co_spawn(io_, accept_gateway(acceptor_), asio::detached);
  asio::co_spawn(io_, accept_control(control_acceptor_), asio::detached);
}

void simulator::close_idle_rest() {
  auto idle = idle_rest_;
  for (auto* s : idle) {
    beast::error_code ignored;
    s->shutdown(tcp::socket::shutdown_both, ignored);
    s->close(ignored);
  }
}

void simulator::stop() {
  stopping_ = true;
  beast::error_code ignored;
  acceptor_.close(ignored);
  control_acceptor_.close(ignored);
  auto sessions = sessions_;
  for (const auto& s : sessions) s->close("fin", std::nullopt);
}

asio::awaitable<void> simulator::accept_gateway(tcp::acceptor& acceptor) {
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor.async_accept(tuple_awaitable);
    if (ec) break;
    if (refuse_connections_ > 0) {
      --refuse_connections_;
      beast::error_code ignored;
      socket.close(ignored); // before TLS: the client has sent nothing
      continue;
    }
    socket.set_option(tcp::no_delay(true));
    asio::co_spawn(io_, https_session(*this, tls_, std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> simulator::accept_control(tcp::acceptor& acceptor) {
  while (!stopping_) {
    auto [ec, socket] = co_await acceptor.async_accept(tuple_awaitable);
    if (ec) break;
    asio::co_spawn(io_, control_session(*this, std::move(socket)), asio::detached);
  }
}

void simulator::record(log_entry entry) {
  if (log_.size() >= max_log_entries) {
    log_.pop_front();
    ++log_dropped_;
  }
  log_.push_back(std::move(entry));
}

void simulator::register_session(const std::shared_ptr<hub_session>& s) { sessions_.insert(s); }

void simulator::unregister_session(hub_session* s) {
  for (auto it = sessions_.begin(); it != sessions_.end(); ++it) {
    if (it->get() == s) {
      sessions_.erase(it);
      break;
    }
  }
}

void simulator::dispatch_events() {
  const auto events = ledger_.take_events();
  if (events.empty()) return;
  auto sessions = sessions_; // a delivery may close a session
  for (const hub_event& e : events) {
    for (const auto& s : sessions) s->deliver(e);
  }
}

void simulator::close_sessions(std::string_view mode, std::optional<bool> allow_reconnect, std::string_view username) {
  auto sessions = sessions_;
  for (const auto& s : sessions) {
    if (username.empty() || s->username() == username) s->close(mode, allow_reconnect);
  }
}

void simulator::send_logout(std::string_view username) {
  for (const auto& s : sessions_) {
    if (username.empty() || s->username() == username) {
      s->send(signalr::encode_invocation("", "GatewayLogout", boost::json::array{}));
    }
  }
}

void simulator::send_oversized_frame(std::size_t bytes) {
  std::string frame = R"({"type":1,"target":"GatewayUserAccount","arguments":[")" + std::string(bytes, 'x') + "\"]}";
  frame.push_back(signalr::record_separator);
  for (const auto& s : sessions_) s->send(frame);
}

void simulator::start_auto_trade(px::account_number account, std::string contract_id, std::chrono::milliseconds step) {
  asio::co_spawn(io_, auto_trade(account, std::move(contract_id), step), asio::detached);
}

void simulator::start_random_walk(std::chrono::milliseconds step) {
  asio::co_spawn(io_, random_walk(step), asio::detached);
}

asio::awaitable<void> simulator::auto_trade(px::account_number account, std::string contract_id,
                                            std::chrono::milliseconds step) {
  // A leader that cycles through the shapes a copier must handle: a bracketed entry, a scale-in, a
  // partial exit, a stop drag, a reversal and a flat.
  asio::steady_timer timer(io_);
  std::uint64_t round = 0;
  while (!stopping_) {
    timer.expires_after(step);
    auto [ec] = co_await timer.async_wait(tuple_awaitable);
    if (ec) break;
    const contract_record* c = ledger_.find_contract(contract_id);
    if (c == nullptr) break;
    const std::int32_t net = ledger_.net_position(account, contract_id);
    place_request p;
    p.account = account;
    p.contract_id = contract_id;
    p.type = px::order_type::market;
    switch (round++ % 6) {
      case 0:
        p.side = px::side::bid;
        p.size = 2;
        p.custom_tag = fmt::format("auto_{}", round);
        p.stop_loss = bracket_spec{-16, px::order_type::stop};
        p.take_profit = bracket_spec{24, px::order_type::limit};
        ledger_.place(p);
        break;
      case 1:
        p.side = px::side::bid;
        p.size = 1;
        p.custom_tag = fmt::format("auto_{}", round);
        ledger_.place(p);
        break;
      case 2:
        if (net != 0) ledger_.partial_close(account, contract_id, 1);
        break;
      case 3:
        for (const auto& o : ledger_.orders(account)) {
          if (o.status == px::order_status::open && o.type == px::order_type::stop && o.stop_price) {
            ledger_.modify(account, o.id, std::nullopt, std::nullopt, *o.stop_price + c->info.tick_size * 4);
          }
        }
        break;
      case 4:
        if (net != 0) {
          p.side = net > 0 ? px::side::ask : px::side::bid;
          p.size = std::abs(net) + 1;
          ledger_.place(p);
        }
        break;
      default:
        if (net != 0) ledger_.close_contract(account, contract_id);
        for (const auto& o : ledger_.orders(account)) {
          if (o.status == px::order_status::open) ledger_.cancel(account, o.id);
        }
        break;
    }
    dispatch_events();
  }
}

asio::awaitable<void> simulator::random_walk(std::chrono::milliseconds step) {
  asio::steady_timer timer(io_);
  while (!stopping_) {
    timer.expires_after(step);
    auto [ec] = co_await timer.async_wait(tuple_awaitable);
    if (ec) break;
    for (const auto& [id, c] : ledger_.contracts()) {
      const int move = static_cast<int>(rng_() % 3) - 1;
      ledger_.set_price(id, c.price + move * c.info.tick_size);
    }
    dispatch_events();
  }
}

} // namespace copytrader::sim
