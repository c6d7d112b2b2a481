#pragma once
// The TLS client context for every REST and hub connection: the system trust store, plus the
// configured extra anchor (api.ca_file), TLS 1.2 or newer, peer verification always on. There is
// no switch that turns verification off, in any build.

#include "core/failure.hpp"

#include <boost/asio/ssl/context.hpp>

#include <filesystem>
#include <memory>

namespace copytrader::projectx {

outcome<std::unique_ptr<boost::asio::ssl::context>> make_client_tls(const std::filesystem::path& extra_ca_file);

} // namespace copytrader::projectx
