#include "sim/ledger.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace copytrader::sim {
namespace json = boost::json;
using namespace px;

namespace {

// Per-endpoint error codes (projectx-api.md section 3.6).
constexpr int place_account_not_found = 1, place_rejected = 2, place_account_violation = 4,
              place_contract_not_found = 8, place_contract_not_active = 9;
constexpr int cancel_not_found = 2, cancel_rejected = 3, cancel_account_rejected = 6;
constexpr int modify_not_found = 2, modify_rejected = 3;
constexpr int close_position_not_found = 2, partial_invalid_size = 5;

std::string order_type_name(int type) {
  switch (type) {
    case order_type::limit: return "Limit";
    case order_type::market: return "Market";
    case order_type::stop_limit: return "StopLimit";
    case order_type::stop: return "Stop";
    case order_type::trailing_stop: return "TrailingStop";
    default: return std::to_string(type);
  }
}

void put(json::object& o, std::string_view key, const std::optional<double>& v, bool with_nulls) {
  if (v)
    o[key] = *v;
  else if (with_nulls)
    o[key] = nullptr;
}
void put(json::object& o, std::string_view key, const std::optional<std::int64_t>& v, bool with_nulls) {
  if (v)
    o[key] = *v;
  else if (with_nulls)
    o[key] = nullptr;
}
void put(json::object& o, std::string_view key, const std::optional<std::string>& v, bool with_nulls) {
  if (v)
    o[key] = *v;
  else if (with_nulls)
    o[key] = nullptr;
}
void put(json::object& o, std::string_view key, const std::optional<timestamp>& v, bool with_nulls) {
  if (v)
    o[key] = format_timestamp(*v);
  else if (with_nulls)
    o[key] = nullptr;
}

double round_to_tick(double price, double tick) { return std::round(price / tick) * tick; }

} // namespace

json::object to_json(const order& o, bool with_nulls) {
  json::object j;
  j["id"] = o.id;
  j["accountId"] = o.account_id;
  j["contractId"] = o.contract_id;
  j["symbolId"] = o.symbol_id;
  put(j, "creationTimestamp", o.created, with_nulls);
  put(j, "updateTimestamp", o.updated, with_nulls);
  j["status"] = o.status;
  j["type"] = o.type;
  j["side"] = o.side;
  j["size"] = o.size;
  put(j, "limitPrice", o.limit_price, with_nulls);
  put(j, "stopPrice", o.stop_price, with_nulls);
  j["fillVolume"] = o.fill_volume;
  put(j, "filledPrice", o.filled_price, with_nulls);
  put(j, "customTag", o.custom_tag, with_nulls);
  put(j, "parentOrderId", o.parent_order_id, with_nulls);
  put(j, "linkedOrderId", o.linked_order_id, with_nulls);
  return j;
}

json::object to_json(const trade& t, bool with_nulls) {
  json::object j;
  j["id"] = t.id;
  j["accountId"] = t.account_id;
  j["contractId"] = t.contract_id;
  put(j, "creationTimestamp", t.created, with_nulls);
  j["price"] = t.price;
  put(j, "profitAndLoss", t.profit_and_loss, with_nulls);
  j["fees"] = t.fees;
  j["commissions"] = 0.0;
  j["side"] = t.side;
  j["size"] = t.size;
  j["voided"] = t.voided;
  j["orderId"] = t.order;
  return j;
}

json::object to_json(const position& p) {
  json::object j;
  j["id"] = p.id;
  j["accountId"] = p.account_id;
  j["contractId"] = p.contract_id;
  if (p.created) j["creationTimestamp"] = format_timestamp(*p.created);
  j["type"] = p.type;
  j["size"] = p.size;
  j["averagePrice"] = p.average_price;
  return j;
}

json::object to_json(const account& a) {
  return json::object{{"id", a.id},
                      {"name", a.name},
                      {"balance", a.balance},
                      {"canTrade", a.can_trade},
                      {"isVisible", a.is_visible},
                      {"simulated", a.simulated}};
}

json::object to_json(const contract& c) {
  return json::object{{"id", c.id},
                      {"name", c.name},
                      {"description", c.description},
                      {"tickSize", c.tick_size},
                      {"tickValue", c.tick_value},
                      {"activeContract", c.active},
                      {"symbolId", c.symbol_id}};
}

ledger::ledger(std::function<timestamp()> wall_clock) : now_(std::move(wall_clock)) {}

const user_record* ledger::find_user(std::string_view username) const {
  for (const auto& u : users_) {
    if (u.username == username) return &u;
  }
  return nullptr;
}

const account_record* ledger::find_account(account_number id) const {
  auto it = accounts_.find(id);
  return it == accounts_.end() ? nullptr : &it->second;
}

account_record* ledger::find_account(account_number id) {
  auto it = accounts_.find(id);
  return it == accounts_.end() ? nullptr : &it->second;
}

const contract_record* ledger::find_contract(std::string_view id) const {
  auto it = contracts_.find(id);
  return it == contracts_.end() ? nullptr : &it->second;
}

std::vector<const account_record*> ledger::accounts_of(std::string_view username) const {
  std::vector<const account_record*> out;
  for (const auto& [id, a] : accounts_) {
    if (a.username == username) out.push_back(&a);
  }
  return out;
}

const order* ledger::find_order(order_id id) const {
  auto it = orders_.find(id);
  return it == orders_.end() ? nullptr : &it->second;
}

void ledger::emit(account_number account, std::string target, int action, json::object data) {
  events_.push_back(hub_event{account, std::move(target), action, std::move(data), filling_});
}

void ledger::emit_order(const order& o) { emit(o.account_id, "GatewayUserOrder", 1, to_json(o, false)); }

void ledger::emit_account(const account_record& a) {
  emit(a.id, "GatewayUserAccount", 1, to_json(account{a.id, a.name, a.balance, a.can_trade, a.visible, true}));
}

void ledger::emit_position(account_number account_id, const std::string& contract_id) {
  auto it = positions_.find(std::pair{account_id, contract_id});
  if (it == positions_.end()) return;
  const position_state& p = it->second;
  position out;
  out.id = p.id;
  out.account_id = account_id;
  out.contract_id = contract_id;
  out.created = p.created;
  out.size = std::abs(p.size);
  out.type = p.size > 0 ? position_type::long_position : p.size < 0 ? position_type::short_position : 0;
  out.average_price = p.average_price;
  auto data = to_json(out);
  if (const auto* c = find_contract(contract_id)) data["contractDisplayName"] = c->info.name;
  emit(account_id, "GatewayUserPosition", p.size == 0 ? 2 : 1, std::move(data));
}

bool ledger::tag_taken(account_number account, std::string_view tag) const {
  // Only the latest order with a tag can be working: a tag is reused only once its order is done.
  auto it = tags_.find({account, std::string(tag)});
  if (it == tags_.end()) return false;
  return switches_.unique_tags_forever || !order_status::is_terminal(orders_.at(it->second).status);
}

std::vector<order_id> ledger::legs_of(order_id entry) const {
  std::vector<order_id> out;
  for (order_id id = entry + 1; id <= entry + 2; ++id) {
    auto it = orders_.find(id);
    if (it != orders_.end() && it->second.parent_order_id == entry) out.push_back(id);
  }
  return out;
}

bool ledger::on_tick(double price, const contract_record& c) const {
  const double ticks = price / c.info.tick_size;
  return std::abs(ticks - std::round(ticks)) < 1e-6;
}

order& ledger::new_order(const place_request& r, int status) {
  order o;
  o.id = next_order_id_++;
  o.account_id = r.account;
  o.contract_id = r.contract_id;
  if (const auto* c = find_contract(r.contract_id)) o.symbol_id = c->info.symbol_id;
  o.created = o.updated = now_();
  o.status = status;
  o.type = r.type;
  o.side = r.side;
  o.size = r.size;
  o.limit_price = r.limit_price;
  o.stop_price = r.stop_price;
  o.custom_tag = r.custom_tag;
  if (o.custom_tag) tags_[{o.account_id, *o.custom_tag}] = o.id;
  return orders_.emplace(o.id, std::move(o)).first->second;
}

place_result ledger::reject(const place_request& r, int code, std::string message, bool keep_order) {
  place_result result{code, std::move(message), std::nullopt};
  if (keep_order && switches_.rejected_place_keeps_order_id) {
    order& o = new_order(r, order_status::rejected);
    emit_order(o);
    result.order_id = o.id;
  }
  return result;
}

std::optional<std::string> ledger::validate_brackets(const place_request& r, const contract_record&) const {
  const bool buying = r.side == side::bid;
  if (r.stop_loss) {
    const int t = r.stop_loss->ticks;
    if (r.stop_loss->type != order_type::stop && r.stop_loss->type != order_type::trailing_stop) {
      return fmt::format("Invalid stop loss type ({})", order_type_name(r.stop_loss->type));
    }
    if (buying && t >= 0)
      return fmt::format("Invalid stop loss ticks ({}). Ticks should be less than zero when longing.", t);
    if (!buying && t <= 0) {
      return fmt::format("Invalid stop loss ticks ({}). Ticks should be greater than zero when going short.", t);
    }
    if (std::abs(t) < switches_.min_bracket_ticks) {
      return fmt::format("Invalid stop loss ticks ({}). Price should be at least {} ticks away.", t,
                         switches_.min_bracket_ticks);
    }
  }
  if (r.take_profit) {
    const int t = r.take_profit->ticks;
    if (r.take_profit->type != order_type::limit) {
      return fmt::format("Invalid take profit type ({})", order_type_name(r.take_profit->type));
    }
    if (buying && t <= 0) {
      return fmt::format("Invalid take profit ticks ({}). Ticks should be greater than zero when longing.", t);
    }
    if (!buying && t >= 0) {
      return fmt::format("Invalid take profit ticks ({}). Ticks should be less than zero when going short.", t);
    }
    if (std::abs(t) < switches_.min_bracket_ticks) {
      return fmt::format("Invalid take profit ticks ({}). Price should be at least {} ticks away.", t,
                         switches_.min_bracket_ticks);
    }
  }
  return std::nullopt;
}

place_result ledger::place(const place_request& r) {
  account_record* acct = find_account(r.account);
  if (acct == nullptr) return place_result{place_account_not_found, std::nullopt, std::nullopt};
  const contract_record* c = find_contract(r.contract_id);
  if (c == nullptr) return place_result{place_contract_not_found, std::nullopt, std::nullopt};
  if (!c->info.active) return place_result{place_contract_not_active, std::nullopt, std::nullopt};
  if (!acct->can_trade) return reject(r, place_account_violation, "Account is not allowed to trade.", false);
  if (acct->blocked)
    return reject(r, place_account_violation, "Account violation: trading is blocked by a risk rule.", false);
  if (r.size <= 0) return reject(r, place_rejected, "Invalid order size.", false);
  const bool known_type = r.type == order_type::market || r.type == order_type::limit || r.type == order_type::stop;
  if (!known_type) return reject(r, place_rejected, "Invalid order type.", false);
  if (r.side != side::bid && r.side != side::ask) return reject(r, place_rejected, "Invalid order side.", false);
  if (r.custom_tag && tag_taken(r.account, *r.custom_tag)) {
    return reject(r, place_rejected, "An order with this custom tag already exists.", false);
  }
  if ((r.stop_loss || r.take_profit) && acct->position_brackets) {
    return reject(r, place_rejected,
                  "Brackets cannot be used with Position Brackets. You must enable Auto OCO Brackets.", true);
  }
  if (auto problem = validate_brackets(r, *c)) return reject(r, place_rejected, *problem, true);
  const double price = c->price;
  if (r.type == order_type::limit) {
    if (!r.limit_price) return reject(r, place_rejected, "Limit price is required.", false);
    if (switches_.reject_off_tick && !on_tick(*r.limit_price, *c))
      return reject(r, place_rejected, "Invalid price", false);
  }
  if (r.type == order_type::stop) {
    if (!r.stop_price) return reject(r, place_rejected, "Stop price is required.", false);
    if (switches_.reject_off_tick && !on_tick(*r.stop_price, *c))
      return reject(r, place_rejected, "Invalid price", false);
    const bool wrong_side = r.side == side::bid ? *r.stop_price <= price : *r.stop_price >= price;
    if (wrong_side) {
      return reject(r, place_rejected,
                    r.side == side::bid ? "Order price is outside allowed range. Please set price above best bid."
                                        : "Order price is outside allowed range. Please set price below best ask.",
                    false);
    }
  }

  // As documented: the next *bracketed* place loses its legs; an unbracketed one leaves the fault armed.
  const int skip = r.stop_loss || r.take_profit ? std::exchange(faults_.skip_legs, 0) : 0;
  order& entry = new_order(r, r.type == order_type::market ? order_status::pending : order_status::open);
  const order_id entry_id = entry.id;
  std::vector<order_id> legs;
  std::optional<order_id> sl_id;
  auto add_leg = [&](const bracket_spec& b, std::string_view suffix) {
    place_request leg;
    leg.account = r.account;
    leg.contract_id = r.contract_id;
    leg.type = b.type;
    leg.side = r.side == side::bid ? side::ask : side::bid;
    leg.size = r.size;
    if (r.custom_tag) leg.custom_tag = *r.custom_tag + std::string(suffix);
    order& o = new_order(leg, order_status::suspended);
    o.parent_order_id = entry_id;
    // The signed distance, kept where the live stream shows it; priced when the entry fills.
    o.trail_distance = b.ticks;
    legs.push_back(o.id);
    return o.id;
  };
  if (r.stop_loss && (skip & 1) == 0)
    sl_id = add_leg(*r.stop_loss, "-SL");
  else if (r.stop_loss)
    ++next_order_id_; // ids stay consecutive whether or not a leg was attached
  if (r.take_profit && (skip & 2) == 0) {
    const order_id tp = add_leg(*r.take_profit, "-TP");
    orders_.at(tp).linked_order_id = sl_id;
  }

  emit_order(orders_.at(entry_id));
  for (order_id leg : legs) emit_order(orders_.at(leg));

  order& placed = orders_.at(entry_id);
  if (r.type == order_type::market && std::exchange(faults_.reject_market, false)) {
    // Accepted with an id, then refused by the venue's risk check: no fill, the legs go with it.
    placed.status = order_status::rejected;
    placed.updated = now_();
    emit_order(placed);
    for (order_id id : legs_of(entry_id)) {
      order& leg = orders_.at(id);
      leg.status = order_status::cancelled;
      leg.updated = now_();
      emit_order(leg);
    }
  } else if (r.type == order_type::market) {
    std::int32_t quantity = placed.size;
    if (faults_.partial_fill > 0) quantity = std::min(placed.size, std::exchange(faults_.partial_fill, 0));
    fill(placed, quantity, price);
    if (placed.fill_volume < placed.size) cancel_order(orders_.at(entry_id));
  } else {
    trigger(r.contract_id);
  }
  return place_result{0, std::nullopt, entry_id};
}

std::optional<double> ledger::apply_fill(account_number account, const contract_record& c, int fill_side,
                                         std::int32_t quantity, double price) {
  auto [it, fresh] = positions_.try_emplace(std::pair{account, c.info.id});
  position_state& p = it->second;
  if (fresh || p.size == 0) {
    p.id = fresh ? next_position_id_++ : p.id;
    p.created = now_();
  }
  const std::int32_t delta = fill_side == side::bid ? quantity : -quantity;
  std::optional<double> realized;
  if (p.size == 0 || (p.size > 0) == (delta > 0)) {
    const double total = std::abs(p.size) * p.average_price + quantity * price;
    p.size += delta;
    p.average_price = total / std::abs(p.size);
  } else {
    const std::int32_t closing = std::min(std::abs(delta), std::abs(p.size));
    const double points = (price - p.average_price) * (p.size > 0 ? 1 : -1);
    realized = points / c.info.tick_size * c.info.tick_value * closing;
    p.size += delta;
    if (p.size == 0)
      p.average_price = 0;
    else if ((p.size > 0) == (delta > 0))
      p.average_price = price; // reversed: the rest opened here
  }
  return realized;
}

void ledger::fill(order& o, std::int32_t quantity, double price) {
  const contract_record& c = contracts_.at(o.contract_id);
  const double previous = o.filled_price.value_or(0) * o.fill_volume;
  o.fill_volume += quantity;
  o.filled_price = (previous + price * quantity) / o.fill_volume;
  o.updated = now_();
  if (o.fill_volume >= o.size)
    o.status = order_status::filled;
  else
    o.status = switches_.partial_fill_keeps_open ? order_status::open : order_status::pending;
  trade t;
  t.id = next_trade_id_++;
  filling_ = t.id;
  emit_order(o);

  t.account_id = o.account_id;
  t.contract_id = o.contract_id;
  t.created = now_();
  t.price = price;
  t.fees = 0.37 * quantity;
  t.side = o.side;
  t.size = quantity;
  t.order = o.id;
  t.profit_and_loss = apply_fill(o.account_id, c, o.side, quantity, price);
  trades_.push_back(t);
  emit(o.account_id, "GatewayUserTrade", 0, to_json(t, false));
  emit_position(o.account_id, o.contract_id);
  // The balance moves with every fill: realized P&L at the contract's tick value, fees on each fill.
  if (account_record* a = find_account(o.account_id)) {
    a->balance += t.profit_and_loss.value_or(0) - t.fees;
    emit_account(*a);
  }
  filling_ = 0;

  const order_id filled_id = o.id;
  const auto parent = o.parent_order_id;
  if (!parent) {
    arm_legs(orders_.at(filled_id), price);
  } else if (orders_.at(filled_id).status == order_status::filled) {
    // OCO: the other leg of the group is cancelled.
    for (order_id id : legs_of(*parent)) {
      order& other = orders_.at(id);
      if (id != filled_id && !order_status::is_terminal(other.status)) cancel_order(other);
    }
  }
}

void ledger::arm_legs(const order& entry, double fill_price) {
  const contract_record& c = contracts_.at(entry.contract_id);
  for (order_id id : legs_of(entry.id)) {
    order& leg = orders_.at(id);
    if (leg.status != order_status::suspended) continue;
    const double price =
        round_to_tick(fill_price + leg.trail_distance.value_or(0) * c.info.tick_size, c.info.tick_size);
    if (leg.type == order_type::limit)
      leg.limit_price = price;
    else
      leg.stop_price = price;
    leg.status = order_status::open;
    leg.updated = now_();
    emit_order(leg);
  }
}

void ledger::cancel_order(order& o) {
  o.status = order_status::cancelled;
  o.updated = now_();
  emit_order(o);
  // A cancelled entry takes its unarmed legs with it.
  for (order_id id : legs_of(o.id)) {
    order& leg = orders_.at(id);
    if (leg.status == order_status::suspended) {
      leg.status = order_status::cancelled;
      leg.updated = now_();
      emit_order(leg);
    }
  }
}

void ledger::trigger(const std::string& contract_id) {
  const contract_record& c = contracts_.at(contract_id);
  std::vector<order_id> candidates;
  for (const auto& [id, o] : orders_) {
    if (o.contract_id == contract_id && o.status == order_status::open) candidates.push_back(id);
  }
  for (order_id id : candidates) {
    order& o = orders_.at(id);
    if (o.status != order_status::open) continue; // an OCO sibling filled meanwhile
    const bool buy = o.side == side::bid;
    const std::int32_t rest = o.size - o.fill_volume;
    if (o.type == order_type::limit && o.limit_price) {
      if (buy ? c.price <= *o.limit_price : c.price >= *o.limit_price) fill(o, rest, *o.limit_price);
    } else if (o.type == order_type::stop && o.stop_price) {
      if (buy ? c.price >= *o.stop_price : c.price <= *o.stop_price) fill(o, rest, c.price);
    }
  }
}

bool ledger::set_price(std::string_view contract_id, double price) {
  auto it = contracts_.find(contract_id);
  if (it == contracts_.end() || !(price > 0)) return false;
  it->second.price = round_to_tick(price, it->second.info.tick_size);
  trigger(it->first);
  return true;
}

ack_result ledger::fill_order(order_id id, std::int32_t quantity, std::optional<double> price) {
  auto it = orders_.find(id);
  if (it == orders_.end() || it->second.status != order_status::open) return {2, "Order is not working."};
  order& o = it->second;
  const std::int32_t rest = o.size - o.fill_volume;
  if (quantity <= 0 || quantity > rest) return {5, "Invalid fill size."};
  fill(o, quantity, price.value_or(contracts_.at(o.contract_id).price));
  return {};
}

bool ledger::void_trade(trade_id id) {
  for (auto& t : trades_) {
    if (t.id == id) {
      t.voided = true;
      emit(t.account_id, "GatewayUserTrade", 1, to_json(t, false));
      return true;
    }
  }
  return false;
}

ack_result ledger::modify(account_number account, order_id id, std::optional<std::int32_t> size,
                          std::optional<double> limit_price, std::optional<double> stop_price) {
  auto it = orders_.find(id);
  if (it == orders_.end() || it->second.account_id != account) return {modify_not_found, std::nullopt};
  order& o = it->second;
  if (order_status::is_terminal(o.status)) return {modify_rejected, "Order is not working."};
  const contract_record& c = contracts_.at(o.contract_id);
  for (const auto& p : {limit_price, stop_price}) {
    if (p && switches_.reject_off_tick && !on_tick(*p, c)) return {modify_rejected, "Invalid price"};
  }
  if (size && *size <= 0) return {modify_rejected, "Invalid order size."};
  if (size) o.size = *size;
  if (limit_price) o.limit_price = *limit_price;
  if (stop_price) o.stop_price = *stop_price;
  o.updated = now_();
  emit_order(o);
  if (o.status == order_status::open) trigger(o.contract_id);
  return {};
}

ack_result ledger::cancel(account_number account, order_id id) {
  auto it = orders_.find(id);
  if (it == orders_.end() || it->second.account_id != account) return {cancel_not_found, std::nullopt};
  const account_record* a = find_account(account);
  if (switches_.restrict_cancel && a != nullptr && (a->copy_follower || a->live)) {
    return {cancel_account_rejected,
            a->live ? "Live accounts not supported" : "Follower accounts cannot cancel orders"};
  }
  order& o = it->second;
  if (order_status::is_terminal(o.status)) return {cancel_rejected, "Order is not working."};
  cancel_order(o);
  if (switches_.cancel_leg_cancels_sibling && o.parent_order_id) {
    for (auto& [other_id, other] : orders_) {
      if (other_id != id && other.parent_order_id == o.parent_order_id && !order_status::is_terminal(other.status)) {
        cancel_order(other);
      }
    }
  }
  return {};
}

ack_result ledger::close_contract(account_number account, std::string_view contract_id) {
  if (find_account(account) == nullptr) return {1, std::nullopt};
  const std::int32_t net = net_position(account, contract_id);
  if (net == 0) return {close_position_not_found, std::nullopt};
  place_request r;
  r.account = account;
  r.contract_id = std::string(contract_id);
  r.type = order_type::market;
  r.side = net > 0 ? side::ask : side::bid;
  r.size = std::abs(net);
  order& o = new_order(r, order_status::pending);
  emit_order(o);
  fill(o, o.size, contracts_.at(r.contract_id).price);
  if (!switches_.close_leaves_legs) {
    for (auto& [id, other] : orders_) {
      if (other.account_id == account && other.contract_id == contract_id && !order_status::is_terminal(other.status)) {
        cancel_order(other);
      }
    }
  }
  return {};
}

ack_result ledger::partial_close(account_number account, std::string_view contract_id, std::int32_t size) {
  if (find_account(account) == nullptr) return {1, std::nullopt};
  const std::int32_t net = net_position(account, contract_id);
  if (net == 0) return {close_position_not_found, std::nullopt};
  if (size <= 0 || size > std::abs(net)) return {partial_invalid_size, std::nullopt};
  place_request r;
  r.account = account;
  r.contract_id = std::string(contract_id);
  r.type = order_type::market;
  r.side = net > 0 ? side::ask : side::bid;
  r.size = size;
  order& o = new_order(r, order_status::pending);
  emit_order(o);
  fill(o, size, contracts_.at(r.contract_id).price);
  return {};
}

std::vector<order> ledger::orders(account_number account) const {
  std::vector<order> out;
  for (const auto& [id, o] : orders_) {
    if (o.account_id == account) out.push_back(o);
  }
  return out;
}

std::vector<trade> ledger::trades(account_number account) const {
  std::vector<trade> out;
  for (const auto& t : trades_) {
    if (t.account_id == account) out.push_back(t);
  }
  return out;
}

std::vector<position> ledger::open_positions(account_number account) const {
  std::vector<position> out;
  for (const auto& [key, p] : positions_) {
    if (key.first != account || p.size == 0) continue;
    position v;
    v.id = p.id;
    v.account_id = account;
    v.contract_id = key.second;
    v.created = p.created;
    v.type = p.size > 0 ? position_type::long_position : position_type::short_position;
    v.size = std::abs(p.size);
    v.average_price = p.average_price;
    out.push_back(v);
  }
  return out;
}

std::int32_t ledger::net_position(account_number account, std::string_view contract_id) const {
  auto it = positions_.find(std::pair{account, std::string(contract_id)});
  return it == positions_.end() ? 0 : it->second.size;
}

} // namespace copytrader::sim
