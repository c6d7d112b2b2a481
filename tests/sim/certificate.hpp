#pragma once
// A throwaway CA and a server certificate for 127.0.0.1 and localhost, made at start, so that clients
// connect with full verification (the CA goes to api.ca_file) rather than with verification off.

#include <string>

namespace copytrader::sim {

struct server_identity {
  std::string ca_pem;          // give this to clients
  std::string certificate_pem; // the server's chain: its certificate
  std::string private_key_pem;
};

server_identity make_server_identity();

} // namespace copytrader::sim
