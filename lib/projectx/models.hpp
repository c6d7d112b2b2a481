#pragma once
// ProjectX entities as the gateway sends them (projectx-api.md sections 2 and 6.4). Enumerations
// are plain integers with named values: the gateway has added values twice, and an unknown one must
// be carried, logged and tolerated, not turned into a decode failure.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace copytrader::projectx {

using order_id = std::int64_t;
using trade_id = std::int64_t;
using account_number = std::int64_t;
using timestamp = std::chrono::sys_time<std::chrono::microseconds>;

namespace side {
inline constexpr int bid = 0; // buy
inline constexpr int ask = 1; // sell
} // namespace side

namespace order_type {
inline constexpr int limit = 1;
inline constexpr int market = 2;
inline constexpr int stop_limit = 3;
inline constexpr int stop = 4;
inline constexpr int trailing_stop = 5;
inline constexpr int join_bid = 6;
inline constexpr int join_ask = 7;
} // namespace order_type

namespace order_status {
inline constexpr int none = 0;
inline constexpr int open = 1;
inline constexpr int filled = 2;
inline constexpr int cancelled = 3;
inline constexpr int expired = 4;
inline constexpr int rejected = 5;
inline constexpr int pending = 6;
inline constexpr int pending_cancellation = 7;
inline constexpr int suspended = 8; // bracket legs until the entry fills

inline constexpr bool is_terminal(int status) noexcept { return status >= filled && status <= rejected; }
} // namespace order_status

namespace position_type {
inline constexpr int undefined = 0; // seen on a position-closed event
inline constexpr int long_position = 1;
inline constexpr int short_position = 2;
} // namespace position_type

struct order {
  order_id id = 0;
  account_number account_id = 0;
  std::string contract_id;
  std::string symbol_id;
  std::optional<timestamp> created;
  std::optional<timestamp> updated;
  int status = order_status::none;
  int type = 0;
  int side = side::bid;
  std::int32_t size = 0;
  std::optional<double> limit_price;
  std::optional<double> stop_price;
  std::int32_t fill_volume = 0;
  std::optional<double> filled_price;
  std::optional<std::string> custom_tag;
  std::optional<order_id> parent_order_id;
  std::optional<order_id> linked_order_id;
  std::optional<double> trail_price;
  std::optional<std::int32_t> trail_distance;
};

struct position {
  std::int64_t id = 0;
  account_number account_id = 0;
  std::string contract_id;
  std::optional<timestamp> created;
  int type = position_type::undefined;
  std::int32_t size = 0; // always positive on the wire; the direction is `type`
  double average_price = 0;

  // Long positive, short negative, flat zero.
  [[nodiscard]] std::int32_t signed_size() const noexcept {
    if (type == position_type::long_position) return size;
    if (type == position_type::short_position) return -size;
    return 0;
  }
};

struct trade {
  trade_id id = 0;
  account_number account_id = 0;
  std::string contract_id;
  std::optional<timestamp> created;
  double price = 0;
  std::optional<double> profit_and_loss; // null: an opening fill
  double fees = 0;
  int side = side::bid;
  std::int32_t size = 0;
  bool voided = false;
  order_id order = 0;
};

struct account {
  account_number id = 0;
  std::string name;
  double balance = 0;
  bool can_trade = false;
  bool is_visible = false;
  bool simulated = false;
};

struct contract {
  std::string id;
  std::string name;
  std::string description;
  double tick_size = 0;
  double tick_value = 0;
  bool active = false;
  std::string symbol_id;
};

// ISO-8601 as the gateway writes it: 0 to 7 fractional digits, `Z` or an offset.
std::optional<timestamp> parse_timestamp(std::string_view text);
// The stream's form: 7 fractional digits and +00:00.
std::string format_timestamp(timestamp t);

} // namespace copytrader::projectx
