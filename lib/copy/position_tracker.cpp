#include "copy/position_tracker.hpp"

#include "copy/venue_clock.hpp"

#include <algorithm>

namespace copytrader::copy {
namespace px = copytrader::projectx;

namespace {
// Bounds on what is remembered; a day of heavy trading is far below them.
constexpr std::size_t max_remembered_trades = 100'000;
constexpr std::size_t max_remembered_tags = 20'000;
} // namespace

position_tracker::position_tracker(px::account_number account, std::chrono::milliseconds settle,
                                   std::chrono::milliseconds max_copy_age)
    : account_(account), settle_(settle), max_copy_age_(max_copy_age) {}

void position_tracker::remember(px::trade_id id) {
  seen_.insert(id);
  seen_order_.push_back(id);
  if (seen_order_.size() > max_remembered_trades) {
    seen_.erase(seen_order_.front());
    seen_order_.pop_front();
  }
}

void position_tracker::on_order(const px::order& o) {
  if (o.account_id != account_ || !o.custom_tag) return;
  if (tags_.emplace(o.id, *o.custom_tag).second) {
    tag_order_.push_back(o.id);
    if (tag_order_.size() > max_remembered_tags) {
      tags_.erase(tag_order_.front());
      tag_order_.pop_front();
    }
  }
}

std::optional<std::string> position_tracker::tag_of(px::order_id order) const {
  auto it = tags_.find(order);
  if (it == tags_.end()) return std::nullopt;
  return it->second;
}

std::int32_t position_tracker::net(const std::string& contract) const {
  auto it = contracts_.find(contract);
  return it == contracts_.end() ? 0 : it->second.net;
}

void position_tracker::adopt(const std::string& contract, std::int32_t net) {
  contract_state& c = contracts_[contract];
  c.net = net;
  c.position.reset();
  c.credit = 0;
}

std::optional<position_change> position_tracker::correct(const std::string& contract, std::int32_t absolute,
                                                         steady_time now) {
  contract_state& c = contracts_[contract];
  if (c.net == absolute) return std::nullopt;
  position_change change{contract,     c.net,        absolute,     change_cause::position_correction,
                         std::nullopt, std::nullopt, std::nullopt, false};
  c.credit = absolute - c.net;
  c.credit_until = now + max_copy_age_;
  c.net = absolute;
  c.position.reset();
  return change;
}

std::vector<std::string> position_tracker::open_contracts() const {
  std::vector<std::string> out;
  for (const auto& [contract, c] : contracts_) {
    if (c.net != 0) out.push_back(contract);
  }
  return out;
}

std::optional<position_change> position_tracker::on_trade(const px::trade& t, steady_time now,
                                                          std::chrono::system_clock::time_point wall_now) {
  if (t.account_id != account_) return std::nullopt;
  if (seen_.contains(t.id)) {
    if (t.voided)
      voided_.push_back(voided_fill{t.id, t.contract_id});
    else
      ++duplicates_;
    return std::nullopt;
  }
  remember(t.id);
  if (t.voided) {
    voided_.push_back(voided_fill{t.id, t.contract_id});
    return std::nullopt;
  }
  contract_state& c = contracts_[t.contract_id];
  const std::int32_t old_net = c.net;
  std::int32_t delta = t.side == px::side::bid ? t.size : -t.size;
  if (c.credit != 0 && now < c.credit_until && (c.credit > 0) == (delta > 0)) {
    const std::int32_t consumed = (delta > 0) ? std::min(delta, c.credit) : std::max(delta, c.credit);
    c.credit -= consumed;
    delta -= consumed;
  }
  c.net += delta;
  if (delta == 0) return std::nullopt; // a late trade of a fill a correction already copied
  if (c.position && *c.position == c.net)
    c.position.reset(); // the late trade closed the gap
  else if (c.position)
    c.disagree_since = now; // still apart: wait again
  position_change change{t.contract_id, old_net, c.net, change_cause::trade, t.id, t.order, tag_of(t.order), false};
  if (t.created) {
    const auto age = wall_now - std::chrono::time_point_cast<std::chrono::system_clock::duration>(*t.created);
    // Stamped an hour or more away: the stamp is wrong, not the fill late (faults.md D10); it counts
    // as it arrives.
    change.stale = age > max_copy_age_ && age <= venue_clock::implausible;
  }
  return change;
}

std::optional<position_change> position_tracker::on_position(const px::position& p, steady_time now) {
  if (p.account_id != account_) return std::nullopt;
  contract_state& c = contracts_[p.contract_id];
  const std::int32_t absolute = p.signed_size();
  if (absolute == c.net) {
    c.position.reset();
    return std::nullopt;
  }
  if (!c.position || *c.position != absolute) c.disagree_since = now;
  c.position = absolute;
  return std::nullopt;
}

std::vector<position_change> position_tracker::poll(steady_time now) {
  std::vector<position_change> out;
  for (auto& [contract, c] : contracts_) {
    if (!c.position || now - c.disagree_since < settle_) continue;
    out.push_back(position_change{contract, c.net, *c.position, change_cause::position_correction, std::nullopt,
                                  std::nullopt, std::nullopt, false});
    c.credit = *c.position - c.net;
    c.credit_until = now + max_copy_age_;
    c.net = *c.position;
    c.position.reset();
  }
  return out;
}

std::optional<position_tracker::steady_time> position_tracker::next_deadline() const {
  std::optional<steady_time> next;
  for (const auto& [contract, c] : contracts_) {
    if (!c.position) continue;
    const auto due = c.disagree_since + settle_;
    if (!next || due < *next) next = due;
  }
  return next;
}

} // namespace copytrader::copy
