// The 0x1E record framer: arbitrary bytes in arbitrary chunks; records never contain the separator,
// memory stays under the cap, and what goes in comes out in order.
#include "signalr/record_framer.hpp"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using copytrader::signalr::record_framer;
  using copytrader::signalr::record_separator;
  if (size == 0) return 0;
  record_framer framer(256);
  const std::size_t chunk = 1 + data[0] % 17;
  std::string joined;
  for (std::size_t i = 1; i < size; i += chunk) {
    const std::string_view piece(reinterpret_cast<const char*>(data) + i, std::min(chunk, size - i));
    if (!framer.feed(piece)) return 0; // over the cap: refused, fine
    if (framer.buffered() > 256 + chunk + 1) std::abort();
    while (auto record = framer.next()) {
      if (record->find(record_separator) != std::string::npos) std::abort();
      joined += *record;
      joined += record_separator;
    }
    // A complete record over the cap is refused when it is taken out: a protocol error, fine.
    if (framer.overflowed()) return 0;
  }
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  const auto last = input.rfind(record_separator);
  if (last != std::string_view::npos && joined != input.substr(0, last + 1)) std::abort();
  return 0;
}
