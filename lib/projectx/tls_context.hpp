#pragma once
// The TLS client context for every REST and hub connection: the system trust store, plus the
// configured extra anchor (api.ca_file), TLS 1.2 or newer, peer verification always on. There is
// no switch that turns verification off, in any build.

#include "core/failure.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

namespace copytrader::projectx {

outcome<std::unique_ptr<boost::asio::ssl::context>> make_client_tls(const std::filesystem::path& extra_ca_file);

// Resolves, connects (TCP_NODELAY), sets SNI for host names and checks the certificate's host, then
// completes the TLS handshake; the stream's deadline bounds the whole. Returns the error, if any.
// Both the REST pool and the hub client connect through here, so they verify the same way.
boost::asio::awaitable<std::optional<std::string>> connect_tls(
    boost::beast::ssl_stream<boost::beast::tcp_stream>& stream, const std::string& host, const std::string& port);

} // namespace copytrader::projectx
