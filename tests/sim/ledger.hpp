#pragma once
// The simulator's exchange: users, accounts, contracts with a price each, orders, fills, positions and
// trades, behaving as projectx-api.md describes (bracket lifecycle of section 4.4, signed-tick
// validation, OCO, closeContract leaving legs working, int64 ids above 2^31). Sans-I/O: every state
// change appends the hub events it causes, which the servers drain and fan out. Every behaviour the
// reference marks [UNCONFIRMED] is a field of `switches`.

#include "projectx/models.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace copytrader::sim {

namespace px = copytrader::projectx;

struct user_record {
  std::string username;
  std::string api_key;
};

struct account_record {
  px::account_number id = 0;
  std::string name;
  std::string username;
  double balance = 50'000;
  bool can_trade = true;
  bool visible = true;
  bool position_brackets = false; // the platform's Position Brackets mode: API brackets are refused
  bool copy_follower = false;     // a follower in ProjectX's own copier: cancel is refused
  bool live = false;
  // The firm blocked the account after a breach (TopstepX's "Liquidate & Block"): every order is
  // refused with code 4 while canTrade still says true (account-rules.md: [UNCONFIRMED] wording).
  bool blocked = false;
};

struct contract_record {
  px::contract info;
  double price = 0;
};

struct switches {
  bool rejected_place_keeps_order_id = true; // a refused place still creates an order (status 5) and returns its id
  bool close_leaves_legs = true;             // closeContract leaves bracket legs working
  int min_bracket_ticks = 4;
  bool reject_off_tick = true;
  bool unique_tags_forever = true;     // false: a tag is unique only among working orders
  bool wrap_events = true;             // {action,data}; false: the bare entity as the docs show it
  bool restrict_cancel = true;         // live and copy-follower accounts cannot cancel
  bool partial_fill_keeps_open = true; // a partly filled order stays status 1 (false: stays 6)
  bool cancel_leg_cancels_sibling = false;
  bool coalesce_records = true; // hub records waiting for the writer go out as one message (false: one each)
};

struct hub_event {
  px::account_number account = 0;
  std::string target; // GatewayUserOrder, ...Position, ...Trade, ...Account
  int action = 1;
  boost::json::object data; // nulls already omitted
  // The trade of the fill this event reports: a fill's order, trade, position and account updates
  // all carry it, so the log can tell when a fill was first visible (0: not a fill's).
  px::trade_id fill = 0;
};

struct bracket_spec {
  int ticks = 0;
  int type = 0;
};

struct place_request {
  px::account_number account = 0;
  std::string contract_id;
  int type = 0;
  int side = 0;
  std::int32_t size = 0;
  std::optional<double> limit_price;
  std::optional<double> stop_price;
  std::optional<std::string> custom_tag;
  std::optional<bracket_spec> stop_loss;
  std::optional<bracket_spec> take_profit;
};

struct place_result {
  int error_code = 0;
  std::optional<std::string> message;
  std::optional<px::order_id> order_id;
};

struct ack_result {
  int error_code = 0;
  std::optional<std::string> message;
};

// One-shot order faults, armed through the control API.
struct order_faults {
  int skip_legs = 0;             // the next bracketed place attaches no SL (1), no TP (2) or neither (3)
  std::int32_t partial_fill = 0; // the next market order fills only this many; the rest is cancelled
  bool reject_market = false;    // the next market order is accepted, then rejected (status 5) unfilled
};

class ledger {
public:
  explicit ledger(std::function<px::timestamp()> wall_clock);

  void add_user(user_record u) { users_.push_back(std::move(u)); }
  void add_account(account_record a) { accounts_[a.id] = std::move(a); }
  void add_contract(contract_record c) { contracts_[c.info.id] = std::move(c); }

  [[nodiscard]] const user_record* find_user(std::string_view username) const;
  // A GatewayUserAccount event for the account as it is now (an operator changed it).
  void announce_account(const account_record& a) { emit_account(a); }
  [[nodiscard]] const account_record* find_account(px::account_number id) const;
  account_record* find_account(px::account_number id);
  [[nodiscard]] const contract_record* find_contract(std::string_view id) const;
  [[nodiscard]] std::vector<const account_record*> accounts_of(std::string_view username) const;
  [[nodiscard]] const std::map<std::string, contract_record, std::less<>>& contracts() const { return contracts_; }

  place_result place(const place_request& request);
  ack_result modify(px::account_number account, px::order_id id, std::optional<std::int32_t> size,
                    std::optional<double> limit_price, std::optional<double> stop_price);
  ack_result cancel(px::account_number account, px::order_id id);
  ack_result close_contract(px::account_number account, std::string_view contract_id);
  ack_result partial_close(px::account_number account, std::string_view contract_id, std::int32_t size);
  // Moves a contract's price; stops and limits that it crosses trigger.
  bool set_price(std::string_view contract_id, double price);
  // Fills part or all of a working order at a price (the control API's way to script partial fills).
  ack_result fill_order(px::order_id id, std::int32_t quantity, std::optional<double> price);
  // Re-sends a trade as voided.
  bool void_trade(px::trade_id id);

  [[nodiscard]] std::vector<px::order> orders(px::account_number account) const;
  [[nodiscard]] std::vector<px::trade> trades(px::account_number account) const;
  [[nodiscard]] std::vector<px::position> open_positions(px::account_number account) const;
  [[nodiscard]] std::int32_t net_position(px::account_number account, std::string_view contract_id) const;
  [[nodiscard]] const px::order* find_order(px::order_id id) const;

  std::vector<hub_event> take_events() { return std::exchange(events_, {}); }
  switches& settings() { return switches_; }
  order_faults& faults() { return faults_; }

private:
  struct position_state {
    std::int64_t id = 0;
    std::int32_t size = 0; // signed
    double average_price = 0;
    px::timestamp created{};
  };

  px::order& new_order(const place_request& r, int status);
  place_result reject(const place_request& r, int code, std::string message, bool keep_order);
  std::optional<std::string> validate_brackets(const place_request& r, const contract_record& c) const;
  bool tag_taken(px::account_number account, std::string_view tag) const;
  bool on_tick(double price, const contract_record& c) const;
  void fill(px::order& o, std::int32_t quantity, double price);
  std::optional<double> apply_fill(px::account_number account, const contract_record& c, int side,
                                   std::int32_t quantity, double price);
  void arm_legs(const px::order& entry, double fill_price);
  void cancel_order(px::order& o);
  void trigger(const std::string& contract_id);
  void emit_order(const px::order& o);
  void emit_position(px::account_number account, const std::string& contract_id);
  void emit_account(const account_record& a);
  void emit(px::account_number account, std::string target, int action, boost::json::object data);

  std::function<px::timestamp()> now_;
  std::vector<user_record> users_;
  std::map<px::account_number, account_record> accounts_;
  std::map<std::string, contract_record, std::less<>> contracts_;
  std::map<px::order_id, px::order> orders_;
  // Indexes, so that a long run (the benchmark: tens of thousands of orders) stays fast: the latest
  // order per (account, tag), and an entry's legs, which always take the next two ids.
  std::map<std::pair<px::account_number, std::string>, px::order_id> tags_;
  std::vector<px::order_id> legs_of(px::order_id entry) const;
  std::vector<px::trade> trades_;
  std::map<std::pair<px::account_number, std::string>, position_state, std::less<>> positions_;
  std::vector<hub_event> events_;
  px::trade_id filling_ = 0; // the trade being reported, while fill() emits its events
  switches switches_;
  order_faults faults_;
  px::order_id next_order_id_ = 3'400'000'000;
  px::trade_id next_trade_id_ = 3'000'000'000;
  std::int64_t next_position_id_ = 825'000'000;
};

// JSON forms: REST sends explicit nulls, the stream omits them.
boost::json::object to_json(const px::order& o, bool with_nulls);
boost::json::object to_json(const px::trade& t, bool with_nulls);
boost::json::object to_json(const px::position& p);
boost::json::object to_json(const px::account& a);
boost::json::object to_json(const px::contract& c);

} // namespace copytrader::sim
