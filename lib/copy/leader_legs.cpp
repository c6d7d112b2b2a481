#include "copy/leader_legs.hpp"

namespace copytrader::copy {
namespace px = copytrader::projectx;

namespace {
bool is_stop(int type) {
  return type == px::order_type::stop || type == px::order_type::stop_limit || type == px::order_type::trailing_stop;
}
} // namespace

bool leader_legs::on_order(const px::order& o) {
  if (o.account_id != leader_ || !o.parent_order_id || o.type == px::order_type::market) return false;
  if (px::order_status::is_terminal(o.status)) {
    legs_.erase(o.id);
    return false;
  }
  const std::optional<double> price = is_stop(o.type) ? o.stop_price : o.limit_price;
  auto [it, inserted] = legs_.try_emplace(o.id);
  leg& l = it->second;
  const bool moved = !inserted && l.status == px::order_status::open && o.status == px::order_status::open && l.price &&
                     price && *l.price != *price;
  l = leg{o.contract_id, o.type, o.status, price, *o.parent_order_id};
  return moved;
}

bool leader_legs::pending(px::order_id entry) const {
  for (const auto& [id, l] : legs_) {
    if (l.parent == entry && l.status != px::order_status::open) return true;
  }
  return false;
}

leader_leg_prices leader_legs::prices(const std::string& contract) const {
  leader_leg_prices out;
  for (const auto& [id, l] : legs_) { // ascending ids: the newest wins
    if (l.contract != contract || l.status != px::order_status::open || !l.price) continue;
    (is_stop(l.type) ? out.stop : out.target) = l.price;
  }
  return out;
}

} // namespace copytrader::copy
