#include "guard/products.hpp"

#include <algorithm>

namespace copytrader::guard {

product_table product_table::defaults() {
  return product_table({{"ES", {"EP"}, {"MES"}},
                        {"NQ", {"ENQ"}, {"MNQ"}},
                        {"YM", {"YM"}, {"MYM"}},
                        {"RTY", {"RTY"}, {"M2K"}},
                        {"CL", {"CLE"}, {"MCLE", "MCL"}},
                        {"GC", {"GCE"}, {"MGC"}}});
}

std::string_view product_code(std::string_view contract_id) noexcept {
  // CON . F . US . <product> . <expiry>
  std::size_t start = 0;
  for (int dots = 0; dots < 3; ++dots) {
    const auto dot = contract_id.find('.', start);
    if (dot == std::string_view::npos) return contract_id;
    start = dot + 1;
  }
  const auto end = contract_id.find('.', start);
  if (end == std::string_view::npos || end == start) return contract_id;
  return contract_id.substr(start, end - start);
}

product_info product_table::classify(std::string_view contract_id) const {
  const auto code = product_code(contract_id);
  const auto has = [&](const std::vector<std::string>& codes) {
    return std::find(codes.begin(), codes.end(), code) != codes.end();
  };
  for (const auto& g : groups_) {
    if (has(g.minis)) return {g.name, false};
    if (has(g.micros)) return {g.name, true};
  }
  return {std::string(code), false};
}

} // namespace copytrader::guard
