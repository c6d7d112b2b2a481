#include "support/control_call.hpp"

#include "support/blocking_http.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>

#include <stdexcept>

namespace copytrader::testing {
namespace asio = boost::asio;
namespace json = boost::json;
using tcp = asio::ip::tcp;

json::value raw_response::json() const {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  if (ec) throw std::runtime_error("not JSON: " + body);
  return v;
}

raw_response control_call(unsigned short port, std::string_view method, std::string_view target,
                          std::string_view body) {
  asio::io_context io;
  tcp::socket socket(io);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  set_socket_timeout(socket, io_timeout);
  std::string request = std::string(method) + " " + std::string(target) +
                        " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n"
                        "Content-Length: " +
                        std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
  asio::write(socket, asio::buffer(request));
  return read_response(socket);
}

} // namespace copytrader::testing
