#include "projectx/rest_client.hpp"
#include "projectx/rest_error.hpp"

#include <fmt/format.h>

namespace copytrader::projectx {
namespace asio = boost::asio;

asio::awaitable<bool> rest_client::wait_turn(request_priority priority) {
  if (budget_ == nullptr) co_return true;
  co_return co_await budget_->acquire(priority);
}

void rest_client::note_throttled(const http_result& r) {
  ++throttled_;
  if (budget_ != nullptr) {
    budget_->throttled(r.retry_after ? std::optional(std::chrono::seconds(*r.retry_after)) : std::nullopt);
  }
}

asio::awaitable<place_outcome> rest_client::mutate(rest_request request, bool expects_order_id,
                                                   request_priority priority, budget_turn turn) {
  auto token = co_await auth_.token();
  if (!token) {
    place_outcome out;
    out.kind = outcome_kind::not_sent;
    out.message = token.error().message;
    co_return out;
  }
  const std::string bearer(*token);
  bool granted = true;
  if (turn == budget_turn::wait) granted = co_await wait_turn(priority);
  if (!granted) {
    place_outcome out;
    out.kind = outcome_kind::not_sent;
    out.message = "not sent: the daemon is stopping";
    co_return out;
  }
  const http_result r = co_await http_.post(request.path, request.body, bearer);
  place_outcome out = expects_order_id ? classify_place(r.exchange()) : classify_ack(r.exchange());
  out.written = r.written;
  if (out.unauthorized) auth_.invalidate(bearer);
  if (out.throttled) note_throttled(r);
  co_return out;
}

asio::awaitable<place_outcome> rest_client::place(const place_order_params& p, request_priority priority,
                                                  budget_turn turn) {
  co_return co_await mutate(place_order(p), true, priority, turn);
}
asio::awaitable<place_outcome> rest_client::modify(const modify_order_params& p, budget_turn turn) {
  co_return co_await mutate(modify_order(p), false, request_priority::bracket_move, turn);
}
asio::awaitable<place_outcome> rest_client::cancel(account_number account, order_id order, request_priority priority) {
  auto out = co_await mutate(cancel_order(account, order), false, priority);
  if (out.kind == outcome_kind::rejected) out.refusal = classify_cancel_refusal(out.error_code);
  co_return out;
}
asio::awaitable<place_outcome> rest_client::close_position(account_number account, std::string_view contract_id) {
  co_return co_await mutate(projectx::close_position(account, contract_id), false, request_priority::exit);
}
asio::awaitable<place_outcome> rest_client::partial_close(account_number account, std::string_view contract_id,
                                                          std::int32_t size) {
  co_return co_await mutate(partial_close_position(account, contract_id, size), false, request_priority::exit);
}

asio::awaitable<outcome<std::string>> rest_client::read(rest_request request) {
  std::string problem;
  rest_error why = rest_error::transport;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto token = co_await auth_.token();
    if (!token) co_return failure{rest_error::no_session, token.error().message};
    const std::string bearer(*token);
    const bool granted = co_await wait_turn(request_priority::read);
    if (!granted) co_return failure{rest_error::stopping, "not read: the daemon is stopping"};
    http_result r = co_await http_.post(request.path, request.body, bearer);
    if (r.stage != transport_stage::completed) {
      why = rest_error::transport;
      problem = r.error;
      continue;
    }
    if (r.status == 200) co_return outcome<std::string>(boost::system::in_place_value, std::move(r.body));
    problem = fmt::format("HTTP {} from {}", r.status, request.path);
    why = r.status == 401   ? rest_error::unauthorized
          : r.status == 429 ? rest_error::throttled
                            : rest_error::http_status;
    if (r.status == 401) {
      auth_.invalidate(bearer);
      continue;
    }
    if (r.status == 429) note_throttled(r);
    if (r.status < 500) break; // a 4xx will not change on a retry
  }
  co_return failure{why, problem};
}

namespace {

template <typename T>
outcome<T> payload_or_failure(outcome<response<T>> decoded, std::string_view what) {
  if (!decoded) return failure{rest_error::malformed, std::string(what) + ": " + decoded.error().message};
  if (!decoded->status.ok()) {
    return failure{rest_error::refused_by_venue,
                   fmt::format("{}: error code {}{}{}", what, decoded->status.error_code,
                               decoded->status.error_message ? ": " : "", decoded->status.error_message.value_or(""))};
  }
  return std::move(decoded->payload);
}

} // namespace

template <typename T>
asio::awaitable<outcome<T>> rest_client::read_as(rest_request request,
                                                 outcome<response<T>> (*decode)(std::string_view)) {
  auto body = co_await read(request);
  if (!body) co_return body.error();
  co_return payload_or_failure(decode(*body), request.path);
}

asio::awaitable<outcome<std::vector<account>>> rest_client::accounts() {
  co_return co_await read_as(search_accounts(true), decode_accounts);
}

asio::awaitable<outcome<std::optional<contract>>> rest_client::find_contract(std::string_view id) {
  constexpr int contract_not_found = 1; // SearchContractByIdErrorCode
  const rest_request request = projectx::contract_by_id(id);
  auto body = co_await read(request);
  if (!body) co_return body.error();
  auto decoded = decode_contract_by_id(*body);
  if (decoded && decoded->status.error_code == contract_not_found) co_return std::optional<contract>{};
  co_return payload_or_failure(std::move(decoded), request.path);
}

asio::awaitable<outcome<contract>> rest_client::contract_by_id(std::string_view id) {
  auto found = co_await find_contract(id);
  if (!found) co_return found.error();
  if (!*found) co_return failure{rest_error::not_found, "contract " + std::string(id) + " not found"};
  co_return std::move(**found);
}

asio::awaitable<outcome<std::vector<contract>>> rest_client::contracts(std::string_view text) {
  co_return co_await read_as(search_contracts(text, false), decode_contracts);
}

asio::awaitable<outcome<std::vector<order>>> rest_client::open_orders(account_number account) {
  co_return co_await read_as(search_open_orders(account), decode_orders);
}

asio::awaitable<outcome<std::vector<order>>> rest_client::orders(account_number account, timestamp start) {
  co_return co_await read_as(search_orders(account, start, std::nullopt), decode_orders);
}

asio::awaitable<outcome<std::vector<position>>> rest_client::open_positions(account_number account) {
  co_return co_await read_as(search_open_positions(account), decode_positions);
}

asio::awaitable<outcome<std::vector<trade>>> rest_client::trades(account_number account, timestamp start) {
  co_return co_await read_as(search_trades(account, start, std::nullopt), decode_trades);
}

} // namespace copytrader::projectx
