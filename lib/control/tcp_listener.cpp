#include "control/tcp_listener.hpp"

namespace copytrader::control {
namespace asio = boost::asio;
using tcp = asio::ip::tcp;

outcome<tcp::acceptor> open_tcp_listener(const asio::any_io_executor& executor, const std::string& listen,
                                         std::string_view key) {
  const auto colon = listen.rfind(':');
  if (colon == std::string::npos) return failure(std::string(key) + ": '" + listen + "' is not address:port");
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return failure(std::string(key) + ": '" + host + "' is not an IP address");
  const auto port = static_cast<unsigned short>(std::stoi(listen.substr(colon + 1)));
  tcp::acceptor acceptor(executor);
  const tcp::endpoint endpoint(address, port);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return failure(std::string(key) + ": cannot listen on " + listen + ": " + ec.message());
  return acceptor;
}

} // namespace copytrader::control
