#pragma once
// The gateway's REST endpoints as typed calls for one login. Mutations are sent once and classified
// (confirmed, rejected, not sent, unknown): the caller resolves an unknown one by searching for its
// customTag, never by sending it again blindly. Reads are retried once after a 401 (with a fresh
// token) or a transport failure. A 401 always invalidates the token so the next call logs in.

#include "core/failure.hpp"
#include "projectx/auth_session.hpp"
#include "projectx/decode.hpp"
#include "projectx/https_client.hpp"
#include "projectx/mutation_outcome.hpp"
#include "projectx/requests.hpp"
#include "safety/request_budget.hpp"

#include <boost/asio/awaitable.hpp>

#include <vector>

namespace copytrader::projectx {

// Whether a mutation still waits for its turn in the login's budget, or its caller already took one
// (request_budget::try_acquire).
enum class budget_turn : std::uint8_t { wait, taken };

class rest_client {
public:
  // With a budget, every request first waits for its grant: exits > entries > bracket moves > reads.
  rest_client(https_client& http, auth_session& auth, request_budget* budget = nullptr)
      : http_(http), auth_(auth), budget_(budget) {}

  // An entry unless told otherwise (a reducing or closing order is an exit).
  boost::asio::awaitable<place_outcome> place(const place_order_params& p,
                                              request_priority priority = request_priority::entry,
                                              budget_turn turn = budget_turn::wait);
  boost::asio::awaitable<place_outcome> modify(const modify_order_params& p, budget_turn turn = budget_turn::wait);
  // A leg that no longer fits the position is cancelled at exit priority: it could reverse it.
  boost::asio::awaitable<place_outcome> cancel(account_number account, order_id order,
                                               request_priority priority = request_priority::bracket_move);
  boost::asio::awaitable<place_outcome> close_position(account_number account, std::string_view contract_id);
  boost::asio::awaitable<place_outcome> partial_close(account_number account, std::string_view contract_id,
                                                      std::int32_t size);

  boost::asio::awaitable<outcome<std::vector<account>>> accounts();
  boost::asio::awaitable<outcome<contract>> contract_by_id(std::string_view id);
  // As contract_by_id, with the venue's "not found" (code 1) as nullopt rather than a failure.
  boost::asio::awaitable<outcome<std::optional<contract>>> find_contract(std::string_view id);
  // Fuzzy, at most 20, active contracts only; match on the id, never take the first hit blindly.
  boost::asio::awaitable<outcome<std::vector<contract>>> contracts(std::string_view text);
  boost::asio::awaitable<outcome<std::vector<order>>> open_orders(account_number account);
  boost::asio::awaitable<outcome<std::vector<order>>> orders(account_number account, timestamp start);
  boost::asio::awaitable<outcome<std::vector<position>>> open_positions(account_number account);
  boost::asio::awaitable<outcome<std::vector<trade>>> trades(account_number account, timestamp start);

  [[nodiscard]] std::uint64_t throttled() const noexcept { return throttled_; }

private:
  boost::asio::awaitable<place_outcome> mutate(rest_request request, bool expects_order_id, request_priority priority,
                                               budget_turn turn = budget_turn::wait);
  // False when the login's budget was closed (stopping): nothing may be sent.
  boost::asio::awaitable<bool> wait_turn(request_priority priority);
  void note_throttled(const http_result& r);
  // A read: the body of a 200, after at most one retry.
  boost::asio::awaitable<outcome<std::string>> read(rest_request request);
  // A read decoded into its payload; a refusal in the envelope becomes a failure naming the path.
  template <typename T>
  boost::asio::awaitable<outcome<T>> read_as(rest_request request, outcome<response<T>> (*decode)(std::string_view));

  https_client& http_;
  auth_session& auth_;
  request_budget* budget_;
  std::uint64_t throttled_ = 0;
};

} // namespace copytrader::projectx
