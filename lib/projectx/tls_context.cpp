#include "projectx/tls_context.hpp"

namespace copytrader::projectx {
namespace ssl = boost::asio::ssl;

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

} // namespace copytrader::projectx
