#include "copy/order_tag.hpp"

#include <fmt/format.h>

namespace copytrader::copy {

std::string order_tag(std::string_view event, projectx::account_number follower_account, int step) {
  return step == 0 ? fmt::format("ct-{}-{}", event, follower_account)
                   : fmt::format("ct-{}-{}-{}", event, follower_account, step);
}

} // namespace copytrader::copy
