#pragma once
// The leader's bracket legs, without I/O: what `bracket: mirror` copies. A leg is a working stop or
// limit order with a parent (the entry that armed it). Legs stay suspended, without prices, until
// their entry fills, so a copy of a bracketed entry may wait (at most bracket_wait) for them.

#include "projectx/models.hpp"

#include <map>
#include <optional>
#include <string>

namespace copytrader::copy {

struct leader_leg_prices {
  std::optional<double> stop;
  std::optional<double> target;
};

class leader_legs {
public:
  explicit leader_legs(projectx::account_number leader) : leader_(leader) {}

  // True when the event moved a working leg's price (a dragged stop or target).
  bool on_order(const projectx::order& o);

  // The entry's legs exist but are not armed yet.
  [[nodiscard]] bool pending(projectx::order_id entry) const;
  // The newest armed stop and target on the contract.
  [[nodiscard]] leader_leg_prices prices(const std::string& contract) const;

private:
  struct leg {
    std::string contract;
    int type = 0;
    int status = 0;
    std::optional<double> price;
    projectx::order_id parent = 0;
  };
  projectx::account_number leader_;
  std::map<projectx::order_id, leg> legs_;
};

} // namespace copytrader::copy
