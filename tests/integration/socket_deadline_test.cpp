// socket_deadline, the timeout under every HTTPS request and hub connection (it replaced Beast's
// timed stream): on loopback sockets, then under the HTTPS pool against a peer that accepts TCP and
// never answers the TLS handshake. The hub's case is in client_test.cpp, which has a simulator to
// log in to.

#include "projectx/socket_deadline.hpp"
#include "projectx/https_client.hpp"
#include "projectx/tls_context.hpp"
#include "support/printers.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <catch2/catch.hpp>

#include <deque>
#include <optional>

using namespace copytrader;
using namespace copytrader::projectx;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Catch::Matchers::Contains;

namespace {

// A connected pair of loopback sockets, and a read pending on one of them.
struct socket_pair {
  asio::io_context io;
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  tcp::socket client{io};
  tcp::socket server{io};
  char byte = 0;
  std::optional<boost::system::error_code> read_result;

  socket_pair() {
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
    client.async_read_some(asio::buffer(&byte, 1),
                           [this](boost::system::error_code ec, std::size_t) { read_result = ec; });
  }

  // Runs the io_context for `span`, or until the pending read ends if `until_read`.
  void run_for(std::chrono::milliseconds span, bool until_read = false) {
    io.restart();
    const auto end = std::chrono::steady_clock::now() + span;
    while (std::chrono::steady_clock::now() < end && !(until_read && read_result)) {
      io.run_one_until(std::min(end, std::chrono::steady_clock::now() + 10ms));
      io.restart();
    }
  }
};

// A peer that accepts TCP and never says a word: no TLS handshake ever completes with it.
struct silent_peer {
  explicit silent_peer(asio::io_context& io) : acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    accept_next();
  }
  void accept_next() {
    held.emplace_back(acceptor.get_executor());
    acceptor.async_accept(held.back(), [this](boost::system::error_code ec) {
      if (ec) return;
      ++accepted;
      accept_next();
    });
  }
  [[nodiscard]] std::string port() const { return std::to_string(acceptor.local_endpoint().port()); }
  tcp::acceptor acceptor;
  std::deque<tcp::socket> held;
  int accepted = 0;
};

std::unique_ptr<asio::ssl::context> client_tls() {
  auto made = make_client_tls({});
  REQUIRE(made);
  return std::move(*made);
}

} // namespace

TEST_CASE("a deadline that passes closes its socket, and what was pending on it ends", "[socket_deadline]") {
  socket_pair p;
  socket_deadline deadline(p.io.get_executor());
  deadline.arm(p.client, 50ms);
  p.run_for(5s, true);
  REQUIRE(p.read_result.has_value());
  CHECK(*p.read_result);
  CHECK(deadline.expired());
  CHECK_FALSE(p.client.is_open());
}

TEST_CASE("a deadline disarmed, armed again or destroyed before it passes closes nothing", "[socket_deadline]") {
  socket_pair p;
  SECTION("disarmed") {
    socket_deadline deadline(p.io.get_executor());
    deadline.arm(p.client, 30ms);
    deadline.disarm();
    p.run_for(150ms);
    CHECK_FALSE(deadline.expired());
  }
  SECTION("armed again for longer") {
    socket_deadline deadline(p.io.get_executor());
    deadline.arm(p.client, 30ms);
    deadline.arm(p.client, 60s);
    p.run_for(150ms);
    CHECK_FALSE(deadline.expired());
  }
  SECTION("destroyed while armed") {
    {
      socket_deadline deadline(p.io.get_executor());
      deadline.arm(p.client, 30ms);
    }
    p.run_for(150ms);
  }
  CHECK(p.client.is_open());
  CHECK_FALSE(p.read_result.has_value());
}

TEST_CASE("a request to a peer that never answers the TLS handshake ends at the request timeout, unsent",
          "[socket_deadline][client][rest]") {
  asio::io_context io;
  silent_peer peer(io);
  auto tls = client_tls();
  https_client http(io.get_executor(), *tls, https_endpoint{"127.0.0.1", peer.port(), 300ms, 1});
  std::optional<http_result> result;
  asio::co_spawn(io, http.post("/api/Account/search", "{}", "token"),
                 [&](const std::exception_ptr&, http_result r) { result = std::move(r); });
  io.run_for(10s); // ends when the request has; the bound only keeps a broken deadline from hanging the test
  REQUIRE(result.has_value());
  CHECK(result->stage == transport_stage::before_send);
  CHECK_THAT(result->error, Contains("TLS handshake") && Contains("timed out"));
  CHECK(peer.accepted == 1);
}
