#pragma once
// What one follower account holds and has in flight, per contract, without I/O. The planner's
// `expected` is the confirmed net (its own trades, corrected by position events after a settle time,
// as for the leader) plus every order sent whose fills have not yet been seen as trades. A fill is
// thus counted exactly once, whichever of the place response, the order event and the trade arrives
// first; a close in flight makes the contract expected flat. The book also keeps the follower's
// working orders, so the engine can resize or cancel bracket legs that outgrew the position.

#include "copy/position_tracker.hpp"
#include "projectx/models.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace copytrader::copy {

struct working_order {
  projectx::order_id id = 0;
  std::string contract;
  int type = 0;
  int side = projectx::side::bid;
  std::int32_t size = 0;
  int status = projectx::order_status::open;
  std::optional<double> stop_price;
  std::optional<double> limit_price;
  std::optional<std::string> tag;
  std::optional<projectx::order_id> parent;

  [[nodiscard]] bool is_stop() const noexcept {
    return type == projectx::order_type::stop || type == projectx::order_type::stop_limit ||
           type == projectx::order_type::trailing_stop;
  }
};

class follower_book {
public:
  using steady_time = std::chrono::steady_clock::time_point;

  follower_book(projectx::account_number account, std::chrono::milliseconds settle);

  // The follower's own hub events (other accounts are ignored).
  void on_trade(const projectx::trade& t, steady_time now);
  void on_position(const projectx::position& p, steady_time now);
  void on_order(const projectx::order& o, steady_time now);
  // Settle-time work: position corrections, in-flight records whose fills should have been seen.
  void poll(steady_time now);
  [[nodiscard]] std::optional<steady_time> next_deadline() const;
  // An order the venue confirmed produced no event at all within its time: the hub lost them, and
  // the account should be read over REST. Reading clears it.
  bool take_events_missing() { return std::exchange(events_missing_, false); }
  // Orders the venue accepted and then rejected (status 5 after the place was confirmed, faults.md
  // B13): nothing of them fills. Taking clears the list.
  struct rejection {
    std::string tag;
    std::string contract;
    projectx::order_id id = 0;
  };
  std::vector<rejection> take_rejections() { return std::exchange(rejections_, {}); }

  // A working (not yet done) stop or limit order: what the book keeps as a leg.
  [[nodiscard]] static bool works_as_leg(const projectx::order& o) noexcept {
    return o.type != projectx::order_type::market && !projectx::order_status::is_terminal(o.status);
  }

  // The engine's orders. An in-flight place is keyed by its tag until the venue names its id.
  void sent_place(std::string tag, std::string contract, std::int32_t signed_size, steady_time now);
  void placed(std::string_view tag, projectx::order_id id, steady_time now);
  void place_failed(std::string_view tag); // refused or not sent: nothing of it will fill
  // A close names itself by a ticket, so that a refusal drops that close and no other.
  using close_ticket = std::uint64_t;
  close_ticket sent_close(const std::string& contract, steady_time now);
  void close_failed(const std::string& contract, close_ticket ticket);
  // The venue confirmed a cancel: the order no longer works, whether or not its event ever comes
  // (its hub may be down, and a leg still listed here would be cancelled again).
  void cancelled(projectx::order_id id) { working_.erase(id); }

  // Reconciliation: the venue's positions and working orders replace what the book believed.
  void reset_from(const std::vector<projectx::position>& positions, const std::vector<projectx::order>& open_orders,
                  steady_time now);
  // Dry run: an order "fills" the moment it would have been sent.
  void shadow_fill(const std::string& contract, std::int32_t signed_size);

  [[nodiscard]] std::int32_t expected(const std::string& contract) const;
  [[nodiscard]] std::int32_t confirmed(const std::string& contract) const { return net_.net(contract); }
  [[nodiscard]] std::int32_t in_flight(const std::string& contract) const;
  [[nodiscard]] bool closing(const std::string& contract) const;
  [[nodiscard]] bool quiet(const std::string& contract) const; // nothing in flight, no close pending
  [[nodiscard]] std::optional<double> average_price(const std::string& contract) const;
  // The follower's working (open) stop and limit orders on a contract: its bracket legs.
  [[nodiscard]] std::vector<working_order> legs(const std::string& contract) const;
  // A working stop or limit order of the follower's (a bracket leg, or protection it was given).
  // Remembered after the leg is done: its fill's order event comes before the trade.
  [[nodiscard]] bool is_leg(projectx::order_id id) const { return legs_seen_.contains(id); }
  // Legs still suspended (their entry has not filled, or the venue has not armed them yet).
  [[nodiscard]] bool arming(const std::string& contract) const;
  // A leg's order event said filled and its trade has not come yet: the position is about to change,
  // so a leg that looks missing is not (D6: the stop that just closed the position).
  [[nodiscard]] bool leg_fill_pending(const std::string& contract) const;
  // Every contract with a position, something in flight, or a working order.
  [[nodiscard]] std::vector<std::string> contracts() const;
  // The same without building a list (a contract may be visited more than once).
  template <typename F>
  void for_each_contract(F&& visit) const {
    for_each_exposed_contract(visit);
    for (const auto& [id, o] : working_) visit(o.contract);
  }
  // Only the contracts whose expected() can be non-zero: held, or with a place or close in flight
  // (a working leg alone holds nothing).
  template <typename F>
  void for_each_exposed_contract(F&& visit) const {
    net_.for_each_open(visit);
    for (const auto& p : places_) visit(p.contract);
    for (const auto& [contract, pending] : closes_) visit(contract);
  }
  [[nodiscard]] projectx::account_number account() const noexcept { return account_; }

private:
  struct pending_place {
    std::string tag;
    std::string contract;
    std::int32_t remaining = 0; // signed: what has not yet been seen as trades
    std::optional<projectx::order_id> id;
    std::optional<steady_time> expires; // set once the venue says the order is done
    bool heard = false;                 // an event of this order arrived
    bool terminal = false;              // the venue said it is done
    bool accepted = false;              // the place's response confirmed it
    bool rejected = false;              // the venue said status 5
    // Done at the venue, yet its fills were not all seen as trades: still counted, until a REST
    // read of the account (which includes them) replaces the book's view.
    bool awaiting_read = false;
  };
  struct pending_close {
    close_ticket ticket = 0;
    steady_time expires{};
    bool awaiting_read = false; // its trades never came: flat is assumed until the account is read
    bool traded = false;        // its own trades have come: the book counts trades as usual again
    // The places in flight when it was sent. Until its trade, whatever they fill is closed by it too
    // (the venue closes what it holds), so they count for nothing; places sent after it count in full.
    std::vector<std::string> covered;
    std::int32_t after = 0; // what places sent after it have filled
    [[nodiscard]] bool covers(std::string_view tag) const {
      return std::find(covered.begin(), covered.end(), tag) != covered.end();
    }
  };
  pending_place* find_by_id(projectx::order_id id);
  pending_close* oldest_untraded_close(std::string_view contract);
  void bind(pending_place& p, projectx::order_id id, steady_time now);
  void consume(pending_place& p, std::int32_t signed_fill);
  void remember_fill(projectx::order_id id, std::int32_t signed_fill);
  void drop_finished();

  projectx::account_number account_;
  std::chrono::milliseconds settle_;
  bool events_missing_ = false;
  std::vector<rejection> rejections_;
  std::map<std::string, std::string, std::less<>> early_rejections_; // tag -> contract, before its response
  std::optional<steady_time> last_read_request_;
  position_tracker net_;
  std::vector<pending_place> places_;
  // Per contract, in the order sent: a close may go while an earlier one's trade is still on its way
  // (the hub behind REST), and each takes its own trade.
  std::map<std::string, std::vector<pending_close>, std::less<>> closes_;
  close_ticket next_close_ticket_ = 1;
  std::map<projectx::order_id, working_order> working_;
  std::set<projectx::order_id> legs_seen_; // bounded, oldest dropped first
  std::deque<projectx::order_id> legs_seen_order_;
  std::map<std::string, double, std::less<>> average_;
  // Fills seen as trades before the place response named their order (bounded).
  std::map<projectx::order_id, std::int32_t> early_fills_;
  std::map<projectx::order_id, std::string> leg_fills_due_; // filled legs awaiting their trade -> contract
  std::deque<projectx::order_id> early_order_;
};

} // namespace copytrader::copy
