// User-hub event decoding: any JSON array as the arguments of every known target.
#include "projectx/hub_events.hpp"

#include <boost/json/parse.hpp>

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  boost::system::error_code ec;
  auto value = boost::json::parse(std::string_view(reinterpret_cast<const char*>(data), size), ec);
  if (ec || !value.is_array()) return 0;
  for (const char* target : {"GatewayUserOrder", "GatewayUserPosition", "GatewayUserTrade", "GatewayUserAccount",
                             "gatewaylogout", "Other"}) {
    (void)copytrader::projectx::decode_user_event(target, value.as_array());
  }
  return 0;
}
