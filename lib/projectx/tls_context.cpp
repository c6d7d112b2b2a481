#include "projectx/tls_context.hpp"

#include <openssl/ssl.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace copytrader::projectx {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;

outcome<std::unique_ptr<ssl::context>> make_client_tls(const std::filesystem::path& extra_ca_file) {
  auto tls = std::make_unique<ssl::context>(ssl::context::tls_client);
  boost::system::error_code ec;
  tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                       ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1,
                   ec);
  tls->set_verify_mode(ssl::verify_peer, ec);
  tls->set_default_verify_paths(ec);
  if (ec) return failure{"cannot load the system trust store: " + ec.message()};
  if (!extra_ca_file.empty()) {
    tls->load_verify_file(extra_ca_file.string(), ec);
    if (ec) return failure{"cannot load api.ca_file " + extra_ca_file.string() + ": " + ec.message()};
  }
  return tls;
}
asio::awaitable<std::optional<std::string>> connect_tls(tls_stream& stream, const socket_deadline& deadline,
                                                        const std::string& host, const std::string& port) {
  const auto why = [&](const boost::system::error_code& ec) {
    return deadline.expired() ? std::string("timed out") : ec.message();
  };
  constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);
  auto& tcp_layer = beast::get_lowest_layer(stream);
  tcp::resolver resolver(stream.get_executor());
  auto [resolve_error, endpoints] = co_await resolver.async_resolve(host, port, tuple_awaitable);
  if (resolve_error) co_return "cannot resolve " + host + ": " + resolve_error.message();
  auto [connect_error, connected] = co_await asio::async_connect(tcp_layer, endpoints, tuple_awaitable);
  if (connect_error) co_return "cannot connect to " + host + ": " + why(connect_error);
  boost::system::error_code no_delay_error; // a refusal costs latency, not correctness
  tcp_layer.set_option(tcp::no_delay(true), no_delay_error);

  boost::system::error_code not_an_address;
  asio::ip::make_address(host, not_an_address);
  // SNI for names only (RFC 6066 forbids literal addresses); SSL_set_tlsext_host_name is a macro with a C cast.
  if (not_an_address && SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                 const_cast<char*>(host.c_str())) != 1) {
    co_return std::string("cannot set the TLS server name");
  }
  stream.set_verify_callback(ssl::host_name_verification(host));
  auto [handshake_error] = co_await stream.async_handshake(ssl::stream_base::client, tuple_awaitable);
  if (handshake_error) co_return "TLS handshake with " + host + " failed: " + why(handshake_error);
  co_return std::nullopt;
}

} // namespace copytrader::projectx
