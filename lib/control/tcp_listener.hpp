#pragma once
// A TCP listener on `address:port` from the configuration (an IP literal, [v6] or localhost; never a
// name to resolve, which would block): the metrics and dashboard listeners' one way to open.

#include "core/failure.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <string>
#include <string_view>

namespace copytrader::control {

// `key` names the setting in messages (control.metrics_listen).
outcome<boost::asio::ip::tcp::acceptor> open_tcp_listener(const boost::asio::any_io_executor& executor,
                                                          const std::string& listen, std::string_view key);

} // namespace copytrader::control
