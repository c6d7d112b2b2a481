#include "sim/gateway.hpp"

#include "projectx/json_reader.hpp"
#include "projectx/token_expiry.hpp"
#include "sim/json_text.hpp"

#include <fmt/format.h>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <iterator>

namespace copytrader::sim {
namespace json = boost::json;
using px::json_reader;

namespace {

http_reply plain(unsigned status, std::string body) {
  http_reply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string envelope(json::object payload, int code = 0, std::optional<std::string> message = std::nullopt) {
  payload["success"] = code == 0;
  payload["errorCode"] = code;
  if (message)
    payload["errorMessage"] = *message;
  else
    payload["errorMessage"] = nullptr;
  return to_text(payload);
}

http_reply ok(json::object payload) { return plain(200, envelope(std::move(payload))); }

http_reply business(int code, std::optional<std::string> message, json::object payload = {}) {
  return plain(200, envelope(std::move(payload), code, std::move(message)));
}

// ASP.NET's answer to a body that does not bind (ProblemDetails).
http_reply bad_request(std::string_view field, std::string_view detail) {
  json::object errors;
  errors[field] = json::array{json::string(detail)};
  json::object problem{{"type", "https://tools.ietf.org/html/rfc9110#section-15.5.1"},
                       {"title", "One or more validation errors occurred."},
                       {"status", 400},
                       {"errors", std::move(errors)}};
  return plain(400, to_text(problem));
}

json::array array_of(const auto& items, auto convert) {
  json::array out;
  for (const auto& item : items) out.push_back(convert(item));
  return out;
}

bool in_window(const std::optional<px::timestamp>& t, const std::optional<px::timestamp>& start,
               const std::optional<px::timestamp>& end) {
  if (!t) return false;
  if (start && *t < *start) return false;
  if (end && *t > *end) return false;
  return true;
}

} // namespace

gateway::gateway(ledger& l, gateway_settings settings, std::uint64_t seed)
    : ledger_(l), settings_(settings), rng_(seed) {}

std::string gateway::new_token(std::string_view username) {
  // A JWT as the gateway issues them: clients may read `exp`; the signature is random (nobody checks it).
  const auto expires = std::chrono::system_clock::now() + settings_.token_lifetime;
  const auto exp = std::chrono::duration_cast<std::chrono::seconds>(expires.time_since_epoch()).count();
  const std::string header = px::base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  const std::string claims = px::base64url_encode(
      fmt::format(R"({{"sub":"{}","exp":{},"jti":"{:016x}{:016x}"}})", username, exp, rng_(), rng_()));
  return header + "." + claims + "." + px::base64url_encode(fmt::format("{:016x}{:016x}", rng_(), rng_()));
}

std::optional<std::string> gateway::user_of(std::string_view token, steady_time now) const {
  auto it = tokens_.find(token);
  if (it == tokens_.end() || now >= it->second.expires) return std::nullopt;
  return it->second.username;
}

void gateway::expire_tokens(std::string_view username) {
  for (auto& [token, session] : tokens_) {
    if (session.username == username) session.expires = steady_time{};
  }
}

std::optional<rest_fault> gateway::take_fault(std::string_view path, std::optional<std::int64_t> account,
                                              const std::optional<std::string>& username) {
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if (it->path != "*" && it->path != path) continue;
    if (it->account && it->account != account) continue;
    if (it->username && it->username != username) continue;
    rest_fault f = *it;
    if (--it->count <= 0) faults_.erase(it);
    return f;
  }
  return std::nullopt;
}

bool gateway::over_limit(const std::string& key, steady_time now) {
  auto [it, fresh] = windows_.try_emplace(key, settings_.rate_limit, settings_.rate_window);
  if (it->second.available(now) == 0) return true;
  it->second.use(now);
  return false;
}

rest_body rest_body::parse(std::string_view raw) {
  rest_body out;
  if (raw.empty()) {
    out.value = json::object{};
    return out;
  }
  boost::system::error_code ec;
  out.value = json::parse(raw, ec);
  out.valid = !ec;
  return out;
}

http_reply gateway::handle(std::string_view method, std::string_view path, std::string_view authorization,
                           const rest_body& request, steady_time now) {
  if (method == "GET" && path == "/api/Status/ping") return plain(200, "\"pong\"");
  if (method != "POST") return plain(405, "");

  static constexpr std::string_view endpoints[] = {"/api/Auth/loginKey",
                                                   "/api/Auth/validate",
                                                   "/api/Auth/logout",
                                                   "/api/Account/search",
                                                   "/api/Contract/search",
                                                   "/api/Contract/available",
                                                   "/api/Contract/searchById",
                                                   "/api/Order/place",
                                                   "/api/Order/modify",
                                                   "/api/Order/cancel",
                                                   "/api/Order/search",
                                                   "/api/Order/searchOpen",
                                                   "/api/Position/searchOpen",
                                                   "/api/Position/closeContract",
                                                   "/api/Position/partialCloseContract",
                                                   "/api/Trade/search"};
  if (std::find(std::begin(endpoints), std::end(endpoints), path) == std::end(endpoints)) return plain(404, "");

  const json::value& parsed = request.value;
  const bool unreadable = !request.valid;
  std::optional<std::int64_t> account;
  std::optional<std::string> requester;
  if (!unreadable && parsed.is_object()) {
    if (const auto* a = parsed.as_object().if_contains("accountId"); a != nullptr && a->is_int64())
      account = a->as_int64();
    if (const auto* u = parsed.as_object().if_contains("userName"); u != nullptr && u->is_string())
      requester = std::string(u->as_string());
  }
  constexpr std::string_view bearer = "Bearer ";
  if (!requester && authorization.starts_with(bearer)) requester = user_of(authorization.substr(bearer.size()), now);

  std::optional<rest_fault> fault = take_fault(path, account, requester);
  if (fault && fault->kind == fault_kind::body && !fault->process) return plain(200, fault->body);
  if (fault && fault->kind == fault_kind::reset) {
    http_reply r;
    r.how = disposition::close_without_response;
    return r;
  }
  if (fault && fault->kind == fault_kind::status) {
    http_reply r = plain(fault->status, "");
    if (fault->status == 429) r.retry_after = settings_.retry_after_seconds;
    return r;
  }
  if (fault && fault->kind == fault_kind::business_error) {
    return business(fault->error_code, fault->message,
                    path == "/api/Order/place" ? json::object{{"orderId", nullptr}} : json::object{});
  }

  if (unreadable || !parsed.is_object()) return bad_request("$", "The JSON value could not be converted.");
  const json::object& body = parsed.as_object();

  http_reply reply;
  if (path == "/api/Auth/loginKey") {
    reply = login(body, now);
  } else {
    // Every other endpoint needs a live bearer.
    constexpr std::string_view prefix = "Bearer ";
    const std::string token = authorization.starts_with(prefix) ? std::string(authorization.substr(prefix.size())) : "";
    const auto username = user_of(token, now);
    if (!username) return plain(401, "");
    const std::string key = settings_.scope == rate_scope::user    ? *username
                            : settings_.scope == rate_scope::token ? token
                                                                   : std::string("*");
    if (over_limit(key, now)) {
      return too_many_requests();
    }
    reply = route(path, *username, token, body, now);
  }

  if (fault && fault->kind == fault_kind::drop_response) reply.how = disposition::close_without_response;
  if (fault && fault->kind == fault_kind::truncate) reply.how = disposition::truncate_body;
  if (fault && fault->kind == fault_kind::delay) reply.delay = std::chrono::milliseconds(fault->delay_ms);
  if (fault && fault->kind == fault_kind::body) reply = plain(200, fault->body);
  return reply;
}

http_reply gateway::too_many_requests() {
  ++throttled_;
  http_reply r = plain(429, "");
  r.retry_after = settings_.retry_after_seconds;
  return r;
}

http_reply gateway::login(const json::object& body, steady_time now) {
  const json::value* user = body.if_contains("userName");
  const json::value* key = body.if_contains("apiKey");
  if (user == nullptr || !user->is_string()) return bad_request("userName", "The UserName field is required.");
  if (key == nullptr || !key->is_string()) return bad_request("apiKey", "The ApiKey field is required.");
  const std::string username(user->as_string());
  if (over_limit(settings_.scope == rate_scope::global ? std::string("*") : username, now)) {
    return too_many_requests();
  }
  const user_record* record = ledger_.find_user(username);
  if (record == nullptr || record->api_key != key->as_string()) {
    return business(3, std::nullopt, json::object{{"token", nullptr}}); // InvalidCredentials
  }
  std::string token = new_token(username);
  tokens_[token] = session_token{username, now + settings_.token_lifetime};
  return ok(json::object{{"token", token}});
}

http_reply gateway::route(std::string_view path, const std::string& username, const std::string& token,
                          const json::object& body, steady_time now) {
  // An account id that is not the caller's is as good as absent.
  auto owned_account = [&](std::int64_t id) {
    const account_record* a = ledger_.find_account(id);
    return a != nullptr && a->username == username ? a : nullptr;
  };
  json_reader r(body, "request");
  auto read_account = [&](std::int64_t& out) -> bool {
    r.required("accountId", out);
    return r.ok();
  };
  auto binding_error = [&]() { return bad_request("request", r.error() ? r.error()->message : "invalid"); };

  if (path == "/api/Auth/validate") {
    std::string fresh = new_token(username);
    tokens_[fresh] = session_token{username, now + settings_.token_lifetime};
    return ok(json::object{{"newToken", fresh}});
  }
  if (path == "/api/Auth/logout") {
    tokens_.erase(token);
    return ok({});
  }
  if (path == "/api/Account/search") {
    bool only_active = false;
    r.required("onlyActiveAccounts", only_active);
    if (!r.ok()) return binding_error();
    json::array list;
    for (const account_record* a : ledger_.accounts_of(username)) {
      if (only_active && !a->visible) continue;
      list.push_back(to_json(px::account{a->id, a->name, a->balance, a->can_trade, a->visible, true}));
    }
    return ok(json::object{{"accounts", std::move(list)}});
  }
  if (path == "/api/Contract/search" || path == "/api/Contract/available") {
    bool live = false;
    std::string text;
    r.required("live", live);
    if (path == "/api/Contract/search") r.required("searchText", text);
    if (!r.ok()) return binding_error();
    json::array list;
    for (const auto& [id, c] : ledger_.contracts()) {
      if (live) break; // practice credentials see nothing live: an empty list, not an error
      if (!c.info.active) continue;
      // Fuzzy, as the real search is: any contract whose id or name contains the text.
      if (!text.empty() && id.find(text) == std::string::npos && c.info.name.find(text) == std::string::npos) continue;
      if (list.size() == 20) break;
      list.push_back(to_json(c.info));
    }
    return ok(json::object{{"contracts", std::move(list)}});
  }
  if (path == "/api/Contract/searchById") {
    std::string id;
    r.required("contractId", id);
    if (!r.ok()) return binding_error();
    const contract_record* c = ledger_.find_contract(id);
    if (c == nullptr) return business(1, std::nullopt, json::object{{"contract", nullptr}});
    return ok(json::object{{"contract", to_json(c->info)}});
  }

  std::int64_t account_id = 0;
  if (!read_account(account_id)) return binding_error();
  const account_record* account = owned_account(account_id);

  if (path == "/api/Order/place") {
    place_request p;
    p.account = account_id;
    r.required("contractId", p.contract_id);
    r.required("type", p.type, true);
    r.required("side", p.side, true);
    r.required("size", p.size);
    r.optional("limitPrice", p.limit_price);
    r.optional("stopPrice", p.stop_price);
    r.optional("customTag", p.custom_tag);
    for (auto [key, out] :
         {std::pair{"stopLossBracket", &p.stop_loss}, std::pair{"takeProfitBracket", &p.take_profit}}) {
      const json::value* b = body.if_contains(key);
      if (b == nullptr || b->is_null()) continue;
      if (!b->is_object()) return bad_request(key, "The bracket could not be converted.");
      json_reader br(b->as_object(), key);
      bracket_spec spec;
      br.required("ticks", spec.ticks, true);
      br.required("type", spec.type, true);
      if (!br.ok()) return bad_request(key, br.error()->message);
      *out = spec;
    }
    if (!r.ok()) return binding_error();
    if (account == nullptr) return business(1, std::nullopt, json::object{{"orderId", nullptr}});
    const place_result result = ledger_.place(p);
    json::object payload;
    if (result.order_id)
      payload["orderId"] = *result.order_id;
    else
      payload["orderId"] = nullptr;
    return business(result.error_code, result.message, std::move(payload));
  }
  if (path == "/api/Order/modify") {
    std::int64_t id = 0;
    std::optional<std::int32_t> size;
    std::optional<double> limit, stop;
    r.required("orderId", id);
    r.optional("size", size);
    r.optional("limitPrice", limit);
    r.optional("stopPrice", stop);
    if (!r.ok()) return binding_error();
    if (account == nullptr) return business(1, std::nullopt);
    const ack_result a = ledger_.modify(account_id, id, size, limit, stop);
    return business(a.error_code, a.message);
  }
  if (path == "/api/Order/cancel") {
    std::int64_t id = 0;
    r.required("orderId", id);
    if (!r.ok()) return binding_error();
    if (account == nullptr) return business(1, std::nullopt);
    const ack_result a = ledger_.cancel(account_id, id);
    return business(a.error_code, a.message);
  }
  if (path == "/api/Order/search" || path == "/api/Trade/search") {
    std::optional<px::timestamp> start, end;
    r.optional("startTimestamp", start);
    r.optional("endTimestamp", end);
    if (!r.ok()) return binding_error();
    if (account == nullptr) return business(1, std::nullopt);
    if (path == "/api/Order/search") {
      json::array list;
      for (const auto& o : ledger_.orders(account_id)) {
        // Suspended legs are invisible to searches; a missing start (a misspelt name) finds nothing.
        if (o.status != px::order_status::suspended && start && in_window(o.created, start, end)) {
          list.push_back(to_json(o, true));
        }
      }
      return ok(json::object{{"orders", std::move(list)}});
    }
    json::array list;
    for (const auto& t : ledger_.trades(account_id)) {
      if (start && in_window(t.created, start, end)) list.push_back(to_json(t, true));
    }
    return ok(json::object{{"trades", std::move(list)}});
  }
  if (path == "/api/Order/searchOpen") {
    if (account == nullptr) return business(1, std::nullopt);
    json::array list;
    for (const auto& o : ledger_.orders(account_id)) {
      if (o.status == px::order_status::open) list.push_back(to_json(o, true));
    }
    return ok(json::object{{"orders", std::move(list)}});
  }
  if (path == "/api/Position/searchOpen") {
    if (account == nullptr) return business(1, std::nullopt);
    return ok(json::object{
        {"positions", array_of(ledger_.open_positions(account_id), [](const px::position& p) { return to_json(p); })}});
  }
  if (path == "/api/Position/closeContract" || path == "/api/Position/partialCloseContract") {
    std::string contract_id;
    std::int32_t size = 0;
    r.required("contractId", contract_id);
    if (path == "/api/Position/partialCloseContract") r.required("size", size);
    if (!r.ok()) return binding_error();
    if (account == nullptr) return business(1, std::nullopt);
    const contract_record* c = ledger_.find_contract(contract_id);
    if (c == nullptr) return business(3, std::nullopt);
    if (!c->info.active) return business(4, std::nullopt);
    const ack_result a = path == "/api/Position/closeContract" ? ledger_.close_contract(account_id, contract_id)
                                                               : ledger_.partial_close(account_id, contract_id, size);
    return business(a.error_code, a.message);
  }
  return plain(404, "");
}

} // namespace copytrader::sim
