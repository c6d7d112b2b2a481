#pragma once
// The TLS client context for every REST and hub connection: the system trust store, plus the
// configured extra anchor (api.ca_file), TLS 1.2 or newer, peer verification always on. There is
// no switch that turns verification off, in any build.

#include "core/failure.hpp"
#include "projectx/socket_deadline.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace copytrader::projectx {

// TLS over a plain socket. Beast's TLS stream, for its write coalescing (an HTTP message goes out as
// one TLS record), but not over Beast's timed stream: socket_deadline bounds each exchange instead.
using tls_stream = boost::beast::ssl_stream<boost::asio::ip::tcp::socket>;

outcome<std::unique_ptr<boost::asio::ssl::context>> make_client_tls(const std::filesystem::path& extra_ca_file);

// Resolves, connects (TCP_NODELAY), sets SNI for host names and checks the certificate's host, then
// completes the TLS handshake. `deadline`, armed by the caller on the stream's socket, bounds the
// connect and the handshake (not the name lookup, which the system resolver bounds); an error says
// "timed out" when it passed. Returns the error, if any.
// Both the REST pool and the hub client connect through here, so they verify the same way.
boost::asio::awaitable<std::optional<std::string>> connect_tls(tls_stream& stream, const socket_deadline& deadline,
                                                               const std::string& host, const std::string& port);

} // namespace copytrader::projectx
