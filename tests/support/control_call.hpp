#pragma once
// Plain HTTP, blocking, to a control port (the simulator's, the daemon's): what the demo and the
// tests use to drive them. Shares nothing with the daemon's ProjectX client.

#include <boost/json/value.hpp>

#include <map>
#include <string>
#include <string_view>

namespace copytrader::testing {

struct raw_response {
  unsigned status = 0;
  std::string body;
  std::map<std::string, std::string> headers; // lower-case names
  bool connection_closed = false;             // the server closed without (a complete) answer

  [[nodiscard]] boost::json::value json() const;
};

raw_response control_call(unsigned short port, std::string_view method, std::string_view target,
                          std::string_view body = {});

} // namespace copytrader::testing
