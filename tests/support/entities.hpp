#pragma once
// ProjectX entities built for tests, as the hub or REST would deliver them.

#include "projectx/models.hpp"

#include <cstdlib>
#include <string>

namespace copytrader::testing {

// Long positive, short negative, flat zero (the position-closed shape: type 0, size 0).
inline projectx::position make_position(projectx::account_number account, const std::string& contract,
                                        std::int32_t signed_size, double average_price = 6500) {
  namespace px = copytrader::projectx;
  px::position p;
  p.account_id = account;
  p.contract_id = contract;
  p.type = signed_size > 0   ? px::position_type::long_position
           : signed_size < 0 ? px::position_type::short_position
                             : px::position_type::undefined;
  p.size = std::abs(signed_size);
  p.average_price = signed_size == 0 ? 0 : average_price;
  return p;
}

} // namespace copytrader::testing
