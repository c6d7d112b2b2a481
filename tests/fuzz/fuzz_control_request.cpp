// The control socket's request parser fed arbitrary bytes: it answers or refuses, never crashes.
#include "control/control_request.hpp"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace copytrader::control;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_request(text);
  if (!parsed) (void)error_response(parsed.error().message);
  return 0;
}
