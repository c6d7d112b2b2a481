#include "copy/follower_book.hpp"

#include <algorithm>
#include <set>

namespace copytrader::copy {
namespace px = copytrader::projectx;

namespace {

constexpr std::size_t max_early_fills = 4096;
// A confirmed market order is filled or refused within milliseconds; this long without any event
// means the hub lost them.
constexpr auto silent_order_limit = std::chrono::seconds(5);

std::int32_t signed_fill(int side, std::int32_t size) { return side == px::side::bid ? size : -size; }

// Moves `remaining` toward zero by `amount` (same sign), never past it.
std::int32_t toward_zero(std::int32_t remaining, std::int32_t amount) {
  if (remaining > 0) return std::max(0, remaining - std::max(0, amount));
  if (remaining < 0) return std::min(0, remaining - std::min(0, amount));
  return 0;
}

} // namespace

// The tracker's age limit is the window in which a trade arriving after a REST read (which already
// counted it) is consumed rather than counted again.
follower_book::follower_book(px::account_number account, std::chrono::milliseconds settle)
    : account_(account), settle_(settle), net_(account, settle, std::chrono::seconds(10)) {}

follower_book::pending_place* follower_book::find_by_id(px::order_id id) {
  for (auto& p : places_) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

void follower_book::consume(pending_place& p, std::int32_t fill) {
  const std::int32_t owed = p.remaining;
  p.remaining = toward_zero(p.remaining, fill);
  if (auto it = closes_.find(p.contract); it != closes_.end()) {
    for (auto& close : it->second) {
      if (!close.traded && !close.covers(p.tag)) close.after += owed - p.remaining;
    }
  }
}

follower_book::pending_close* follower_book::oldest_untraded_close(std::string_view contract) {
  auto it = closes_.find(contract);
  if (it == closes_.end()) return nullptr;
  for (auto& close : it->second) {
    if (!close.traded) return &close;
  }
  return nullptr;
}

void follower_book::remember_fill(px::order_id id, std::int32_t fill) {
  auto [it, inserted] = early_fills_.try_emplace(id, 0);
  it->second += fill;
  if (inserted) {
    early_order_.push_back(id);
    if (early_order_.size() > max_early_fills) {
      early_fills_.erase(early_order_.front());
      early_order_.pop_front();
    }
  }
}

void follower_book::drop_finished() {
  std::erase_if(places_, [](const pending_place& p) { return p.id && p.remaining == 0; });
  // A close is done once the account is flat, unless a place it covers may still fill (it was sent
  // before that place's trade, which the close then also takes).
  for (auto it = closes_.begin(); it != closes_.end();) {
    const std::string& contract = it->first;
    if (net_.net(contract) == 0) {
      std::erase_if(it->second, [&](const pending_close& close) {
        return std::none_of(places_.begin(), places_.end(), [&](const pending_place& p) {
          return p.contract == contract && p.remaining != 0 && close.covers(p.tag);
        });
      });
    }
    it = it->second.empty() ? closes_.erase(it) : std::next(it);
  }
}

void follower_book::on_trade(const px::trade& t, steady_time now) {
  if (t.account_id != account_) return;
  const bool fresh = !net_.seen(t.id) && !t.voided;
  const std::int32_t before = net_.net(t.contract_id);
  net_.on_trade(t, now, std::chrono::system_clock::now());
  leg_fills_due_.erase(t.order);
  if (!fresh) return;
  const std::int32_t fill = signed_fill(t.side, t.size);
  if (pending_place* p = find_by_id(t.order)) {
    p->heard = true;
    consume(*p, fill);
  } else {
    // Kept for a place whose response has not named its order yet (an unknown outcome): if this
    // turns out to be its order, the fill is its own and not a close's.
    remember_fill(t.order, fill);
    // A close's own trade: an order the book never placed (nor a leg) that takes the position toward
    // flat, not past it. The venue carries closes out in the order sent and the hub reports trades in
    // the venue's order, so it is the oldest close not yet traded; filled in parts, it is done once flat.
    const bool toward_flat = before != 0 && (before > 0) != (fill > 0) && std::abs(fill) <= std::abs(before);
    if (toward_flat && !legs_seen_.contains(t.order)) {
      if (pending_close* close = oldest_untraded_close(t.contract_id)) close->traded = before + fill == 0;
    }
  }
  drop_finished();
}

void follower_book::on_position(const px::position& p, steady_time now) {
  if (p.account_id != account_) return;
  net_.on_position(p, now);
  if (p.signed_size() != 0)
    average_[p.contract_id] = p.average_price;
  else
    average_.erase(p.contract_id);
  drop_finished();
}

void follower_book::on_order(const px::order& o, steady_time now) {
  if (o.account_id != account_) return;
  if (o.type != px::order_type::market && legs_seen_.insert(o.id).second) {
    legs_seen_order_.push_back(o.id);
    if (legs_seen_order_.size() > max_early_fills) {
      legs_seen_.erase(legs_seen_order_.front());
      legs_seen_order_.pop_front();
    }
  }
  if (works_as_leg(o)) {
    working_[o.id] = working_order{o.id,     o.contract_id, o.type,        o.side,       o.size,
                                   o.status, o.stop_price,  o.limit_price, o.custom_tag, o.parent_order_id};
  } else {
    working_.erase(o.id);
  }
  if (o.type != px::order_type::market && o.status == px::order_status::filled && !early_fills_.contains(o.id))
    leg_fills_due_.try_emplace(o.id, o.contract_id);

  pending_place* p = find_by_id(o.id);
  if (!p && o.custom_tag) {
    // The order event beat the place response: the tag names the in-flight record.
    for (auto& candidate : places_) {
      if (!candidate.id && candidate.tag == *o.custom_tag) {
        bind(candidate, o.id, now);
        p = find_by_id(o.id);
        break;
      }
    }
  }
  if (p) p->heard = true;
  if (p && px::order_status::is_terminal(o.status) && (!p->expires || !p->terminal)) {
    p->terminal = true;
    if (o.status == px::order_status::rejected && !p->rejected) {
      p->rejected = true;
      if (p->accepted)
        rejections_.push_back(rejection{p->tag, p->contract, o.id});
      else
        early_rejections_[p->tag] = p->contract; // a refusal the place's response may still report
    }
    // Whatever did not fill never will; what did fill is still owed as trades, briefly.
    const std::int32_t unfilled = signed_fill(o.side, std::max(0, o.size - o.fill_volume));
    p->remaining = toward_zero(p->remaining, unfilled);
    p->expires = now + settle_;
  }
  drop_finished();
}

void follower_book::poll(steady_time now) {
  net_.poll(now);
  bool awaiting = false;
  for (auto& p : places_) {
    if (p.expires && *p.expires <= now) p.awaiting_read = true;
    awaiting = awaiting || p.awaiting_read;
  }
  for (auto& [contract, pending] : closes_) {
    for (auto& close : pending) {
      if (close.expires <= now) close.awaiting_read = true;
      awaiting = awaiting || close.awaiting_read;
    }
  }
  // Dropping such a record would forget a fill the trades never showed (a lost event), and the
  // planner would send it again: it stays counted until the account has been read.
  if (awaiting && (!last_read_request_ || now - *last_read_request_ >= std::chrono::seconds(2))) {
    events_missing_ = true;
    last_read_request_ = now;
  }
  drop_finished();
}

std::optional<follower_book::steady_time> follower_book::next_deadline() const {
  std::optional<steady_time> next = net_.next_deadline();
  auto consider = [&next](steady_time t) {
    if (!next || t < *next) next = t;
  };
  for (const auto& p : places_) {
    if (p.awaiting_read && last_read_request_)
      consider(*last_read_request_ + std::chrono::seconds(2));
    else if (p.expires)
      consider(*p.expires);
  }
  for (const auto& [contract, pending] : closes_) {
    for (const auto& close : pending) {
      if (!close.awaiting_read) consider(close.expires);
    }
  }
  return next;
}

void follower_book::sent_place(std::string tag, std::string contract, std::int32_t signed_size, steady_time) {
  places_.push_back(pending_place{std::move(tag), std::move(contract), signed_size, std::nullopt, std::nullopt});
}

void follower_book::bind(pending_place& p, px::order_id id, steady_time now) {
  p.id = id;
  if (!p.expires) p.expires = now + silent_order_limit;
  if (auto it = early_fills_.find(id); it != early_fills_.end()) {
    consume(p, it->second);
    early_fills_.erase(it);
  }
}

void follower_book::placed(std::string_view tag, px::order_id id, steady_time now) {
  if (auto it = early_rejections_.find(tag); it != early_rejections_.end()) {
    // Its rejection event came before this confirmation: accepted, then rejected.
    rejections_.push_back(rejection{it->first, it->second, id});
    early_rejections_.erase(it);
  }
  for (auto& p : places_) {
    if (p.tag != tag) continue;
    p.accepted = true;
    if (!p.id) bind(p, id, now);
    break;
  }
  drop_finished();
}

void follower_book::place_failed(std::string_view tag) {
  std::erase_if(places_, [tag](const pending_place& p) { return p.tag == tag; });
  if (auto it = early_rejections_.find(tag); it != early_rejections_.end()) early_rejections_.erase(it);
}

follower_book::close_ticket follower_book::sent_close(const std::string& contract, steady_time now) {
  // Until its trades arrive (or, failing them, a read of the account), the contract is expected flat.
  // Long enough for the close's trades, or failing them the position correction, to arrive.
  const auto wait = std::max<std::chrono::milliseconds>(2 * settle_, std::chrono::seconds(2));
  pending_close close;
  close.ticket = next_close_ticket_++;
  close.expires = now + wait;
  for (const auto& p : places_)
    if (p.contract == contract && p.remaining != 0) close.covered.push_back(p.tag);
  auto& pending = closes_[contract];
  pending.push_back(std::move(close));
  return pending.back().ticket;
}

void follower_book::close_failed(const std::string& contract, close_ticket ticket) {
  auto it = closes_.find(contract);
  if (it == closes_.end()) return;
  std::erase_if(it->second, [ticket](const pending_close& close) { return close.ticket == ticket; });
  if (it->second.empty()) closes_.erase(it);
}

void follower_book::reset_from(const std::vector<px::position>& positions, const std::vector<px::order>& open_orders,
                               steady_time now) {
  std::set<std::string> quiet_contracts;
  for (const auto& c : contracts()) {
    if (quiet(c)) quiet_contracts.insert(c);
  }
  for (const auto& p : positions) {
    if (p.account_id == account_ && quiet(p.contract_id)) quiet_contracts.insert(p.contract_id);
  }
  for (const auto& o : open_orders) {
    if (o.account_id == account_ && quiet(o.contract_id)) quiet_contracts.insert(o.contract_id);
  }
  for (const auto& c : quiet_contracts) {
    std::int32_t net = 0;
    for (const auto& p : positions) {
      if (p.account_id == account_ && p.contract_id == c) {
        net = p.signed_size();
        if (net != 0)
          average_[c] = p.average_price;
        else
          average_.erase(c);
      }
    }
    if (net == 0) average_.erase(c);
    net_.correct(c, net, now); // a trade of these fills still on its way is consumed, not counted again
    std::erase_if(places_, [&c](const pending_place& p) { return p.contract == c && p.awaiting_read; });
    closes_.erase(c);
    std::erase_if(working_, [&c](const auto& entry) { return entry.second.contract == c; });
    // The venue's position includes the leg's fill, or the fill never happened: either way, read.
    std::erase_if(leg_fills_due_, [&c](const auto& due) { return due.second == c; });
  }
  for (const auto& o : open_orders) {
    if (o.account_id != account_ || !quiet_contracts.contains(o.contract_id) || !works_as_leg(o)) continue;
    working_[o.id] = working_order{o.id,     o.contract_id, o.type,        o.side,       o.size,
                                   o.status, o.stop_price,  o.limit_price, o.custom_tag, o.parent_order_id};
  }
}

void follower_book::shadow_fill(const std::string& contract, std::int32_t signed_size) {
  net_.adopt(contract, net_.net(contract) + signed_size);
}

std::int32_t follower_book::in_flight(const std::string& contract) const {
  std::int32_t sum = 0;
  for (const auto& p : places_) {
    if (p.contract == contract) sum += p.remaining;
  }
  return sum;
}

std::int32_t follower_book::expected(const std::string& contract) const {
  const auto it = closes_.find(contract);
  // The newest close decides: it takes whatever the venue holds when it executes, the earlier
  // closes' results included. Once it has traded, every earlier one has too.
  if (it == closes_.end() || it->second.back().traded) return net_.net(contract) + in_flight(contract);
  const pending_close& close = it->second.back();
  // A close not yet traded: flat as of the close, whatever the places in flight when it was sent fill
  // meanwhile (counting them made the follower close twice, the second refused: error code 2), plus
  // what was sent after it. If it never executes (refused, lost), the fills of later orders still
  // add up, and nothing is sent again for them.
  std::int32_t later = close.after;
  for (const auto& p : places_) {
    if (p.contract == contract && !close.covers(p.tag)) later += p.remaining;
  }
  return later;
}

bool follower_book::quiet(const std::string& contract) const {
  if (auto it = closes_.find(contract);
      it != closes_.end() && std::any_of(it->second.begin(), it->second.end(),
                                         [](const pending_close& close) { return !close.awaiting_read; }))
    return false;
  return std::none_of(places_.begin(), places_.end(),
                      [&contract](const pending_place& p) { return p.contract == contract && !p.awaiting_read; });
}

std::optional<double> follower_book::average_price(const std::string& contract) const {
  auto it = average_.find(contract);
  if (it == average_.end()) return std::nullopt;
  return it->second;
}

std::vector<working_order> follower_book::legs(const std::string& contract) const {
  std::vector<working_order> out;
  for (const auto& [id, o] : working_) {
    if (o.contract == contract && o.status == px::order_status::open) out.push_back(o);
  }
  return out;
}

bool follower_book::closing(const std::string& contract) const { return closes_.contains(contract); }

bool follower_book::leg_fill_pending(const std::string& contract) const {
  return std::any_of(leg_fills_due_.begin(), leg_fills_due_.end(),
                     [&contract](const auto& due) { return due.second == contract; });
}

bool follower_book::arming(const std::string& contract) const {
  return std::any_of(working_.begin(), working_.end(), [&contract](const auto& entry) {
    return entry.second.contract == contract && entry.second.status != px::order_status::open;
  });
}

std::vector<std::string> follower_book::contracts() const {
  std::set<std::string> all;
  for_each_contract([&all](const std::string& contract) { all.insert(contract); });
  return {all.begin(), all.end()};
}

} // namespace copytrader::copy
