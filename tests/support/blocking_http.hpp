#pragma once
// The raw clients' common part: a socket timeout, so a blocking call cannot hang a test, and the
// read of one whole HTTP response from a blocking stream (a plain or a TLS socket).

#include "support/control_call.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <sys/socket.h>

#include <cctype>
#include <chrono>

namespace copytrader::testing {

inline constexpr auto io_timeout = std::chrono::seconds(10);

inline void set_socket_timeout(boost::asio::ip::tcp::socket& socket, std::chrono::milliseconds timeout) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

template <typename Stream>
raw_response read_response(Stream& stream) {
  namespace http = boost::beast::http;
  raw_response out;
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  boost::beast::error_code ec;
  http::read(stream, buffer, parser, ec);
  if (ec) {
    out.connection_closed = true;
    if (parser.is_header_done()) out.status = parser.get().result_int();
    return out;
  }
  auto res = parser.release();
  out.status = res.result_int();
  out.body = res.body();
  for (const auto& field : res) {
    std::string name(field.name_string());
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(field.value());
  }
  return out;
}

} // namespace copytrader::testing
