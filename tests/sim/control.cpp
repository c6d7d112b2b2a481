#include "sim/control.hpp"

#include "projectx/json_reader.hpp"
#include "sim/json_text.hpp"
#include "sim/simulator.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

namespace copytrader::sim {
namespace json = boost::json;
using px::json_reader;

namespace {

std::pair<unsigned, std::string> reply(json::object o, unsigned status = 200) { return {status, to_text(o)}; }
std::pair<unsigned, std::string> error(std::string message, unsigned status = 400) {
  return reply(json::object{{"error", std::move(message)}}, status);
}

json::object ack(int code, const std::optional<std::string>& message) {
  json::object o{{"errorCode", code}};
  if (message) o["errorMessage"] = *message;
  return o;
}

std::pair<unsigned, std::string> act(simulator& sim, const json::object& b) {
  json_reader r(b, "act");
  std::int64_t account = 0;
  std::string op;
  r.required("account", account);
  r.required("op", op);
  if (!r.ok()) return error(r.error()->message);
  ledger& book = sim.book();
  if (op == "place") {
    place_request p;
    p.account = account;
    std::optional<std::int32_t> sl, tp;
    r.required("contract_id", p.contract_id);
    p.type = px::order_type::market;
    r.optional("type", p.type);
    r.required("side", p.side, true);
    r.required("size", p.size);
    r.optional("limit_price", p.limit_price);
    r.optional("stop_price", p.stop_price);
    r.optional("custom_tag", p.custom_tag);
    r.optional("sl_ticks", sl);
    r.optional("tp_ticks", tp);
    if (!r.ok()) return error(r.error()->message);
    if (sl) p.stop_loss = bracket_spec{*sl, px::order_type::stop};
    if (tp) p.take_profit = bracket_spec{*tp, px::order_type::limit};
    const place_result result = book.place(p);
    json::object o = ack(result.error_code, result.message);
    if (result.order_id) o["orderId"] = *result.order_id;
    return reply(std::move(o));
  }
  std::int64_t order = 0;
  std::string contract_id;
  std::int32_t size = 0;
  if (op == "modify") {
    std::optional<std::int32_t> new_size;
    std::optional<double> limit, stop;
    r.required("order_id", order);
    r.optional("size", new_size);
    r.optional("limit_price", limit);
    r.optional("stop_price", stop);
    if (!r.ok()) return error(r.error()->message);
    const ack_result a = book.modify(account, order, new_size, limit, stop);
    return reply(ack(a.error_code, a.message));
  }
  if (op == "cancel") {
    r.required("order_id", order);
    if (!r.ok()) return error(r.error()->message);
    const ack_result a = book.cancel(account, order);
    return reply(ack(a.error_code, a.message));
  }
  if (op == "close" || op == "partial_close") {
    r.required("contract_id", contract_id);
    if (op == "partial_close") r.required("size", size);
    if (!r.ok()) return error(r.error()->message);
    const ack_result a =
        op == "close" ? book.close_contract(account, contract_id) : book.partial_close(account, contract_id, size);
    return reply(ack(a.error_code, a.message));
  }
  if (op == "fill") {
    std::optional<double> price;
    r.required("order_id", order);
    r.required("size", size);
    r.optional("price", price);
    if (!r.ok()) return error(r.error()->message);
    const ack_result a = book.fill_order(order, size, price);
    return reply(ack(a.error_code, a.message));
  }
  return error("unknown op '" + op + "'");
}

std::pair<unsigned, std::string> set_switches(simulator& sim, const json::object& b) {
  switches& s = sim.book().settings();
  const std::pair<std::string_view, bool*> flags[] = {
      {"rejected_place_keeps_order_id", &s.rejected_place_keeps_order_id},
      {"close_leaves_legs", &s.close_leaves_legs},
      {"reject_off_tick", &s.reject_off_tick},
      {"unique_tags_forever", &s.unique_tags_forever},
      {"wrap_events", &s.wrap_events},
      {"restrict_cancel", &s.restrict_cancel},
      {"partial_fill_keeps_open", &s.partial_fill_keeps_open},
      {"cancel_leg_cancels_sibling", &s.cancel_leg_cancels_sibling},
      {"coalesce_records", &s.coalesce_records},
  };
  for (const auto& [key, value] : b) {
    bool known = false;
    for (const auto& [name, flag] : flags) {
      if (key != name) continue;
      if (!value.is_bool()) return error(std::string(key) + ": expected true or false");
      *flag = value.as_bool();
      known = true;
    }
    if (key == "min_bracket_ticks") {
      if (!value.is_int64()) return error("min_bracket_ticks: expected an integer");
      s.min_bracket_ticks = static_cast<int>(value.as_int64());
      known = true;
    }
    if (!known) return error("unknown switch '" + std::string(key) + "'");
  }
  return reply({{"ok", true}});
}

std::pair<unsigned, std::string> set_account(simulator& sim, const json::object& b) {
  json_reader r(b, "account");
  std::int64_t id = 0;
  r.required("account", id);
  account_record* a = r.ok() ? sim.book().find_account(id) : nullptr;
  if (a == nullptr) return error("no such account");
  r.optional("can_trade", a->can_trade);
  r.optional("balance", a->balance);
  r.optional("position_brackets", a->position_brackets);
  r.optional("copy_follower", a->copy_follower);
  r.optional("live", a->live);
  r.optional("blocked", a->blocked);
  if (!r.ok()) return error(r.error()->message);
  // The venue tells subscribers when a balance or canTrade changes (GatewayUserAccount).
  if (b.contains("balance") || b.contains("can_trade")) sim.book().announce_account(*a);
  return reply({{"ok", true}});
}

// A contract listed, changed or expired: the quarterly roll is a new month listed and the old one
// made inactive (searches then offer only the new one; an id search still finds the old).
std::pair<unsigned, std::string> set_contract(simulator& sim, const json::object& b) {
  json_reader r(b, "contract");
  std::string id;
  r.required("id", id);
  if (!r.ok()) return error(r.error()->message);
  const contract_record* known = sim.book().find_contract(id);
  contract_record record = known != nullptr ? *known : contract_record{};
  record.info.id = id;
  if (known == nullptr) {
    record.info.active = true;
    r.required("tick_size", record.info.tick_size);
    r.required("tick_value", record.info.tick_value);
    r.required("price", record.price);
  }
  r.optional("tick_size", record.info.tick_size);
  r.optional("tick_value", record.info.tick_value);
  r.optional("price", record.price);
  r.optional("name", record.info.name);
  r.optional("description", record.info.description);
  r.optional("symbol_id", record.info.symbol_id);
  r.optional("active", record.info.active);
  if (!r.ok()) return error(r.error()->message);
  sim.book().add_contract(std::move(record));
  return reply({{"ok", true}});
}

std::pair<unsigned, std::string> set_settings(simulator& sim, const json::object& b) {
  gateway_settings& g = sim.rest().settings();
  json_reader r(b, "settings");
  std::optional<std::int64_t> lifetime, window, limit, retry;
  std::optional<std::string> scope;
  r.optional("token_lifetime_ms", lifetime);
  r.optional("rate_window_ms", window);
  r.optional("rate_limit", limit);
  r.optional("retry_after_s", retry);
  r.optional("rate_scope", scope);
  if (!r.ok()) return error(r.error()->message);
  if (lifetime) g.token_lifetime = std::chrono::milliseconds(*lifetime);
  if (window) g.rate_window = std::chrono::milliseconds(*window);
  if (limit) g.rate_limit = static_cast<std::size_t>(*limit);
  if (b.contains("retry_after_s"))
    g.retry_after_seconds = retry ? std::optional<int>(static_cast<int>(*retry)) : std::nullopt;
  if (scope) {
    if (*scope == "user")
      g.scope = rate_scope::user;
    else if (*scope == "token")
      g.scope = rate_scope::token;
    else if (*scope == "global")
      g.scope = rate_scope::global;
    else
      return error("rate_scope: user | token | global");
  }
  return reply({{"ok", true}});
}

std::pair<unsigned, std::string> rest_fault_from(simulator& sim, const json::object& b) {
  json_reader r(b, "fault");
  rest_fault f;
  std::string kind;
  std::int64_t status = 500;
  r.required("path", f.path);
  r.required("kind", kind);
  r.optional("status", status);
  f.status = static_cast<unsigned>(status);
  r.optional("error_code", f.error_code);
  r.optional("message", f.message);
  r.optional("delay_ms", f.delay_ms);
  r.optional("count", f.count);
  r.optional("account", f.account);
  r.optional("username", f.username);
  r.optional("body", f.body);
  r.optional("process", f.process);
  if (!r.ok()) return error(r.error()->message);
  static const std::pair<std::string_view, fault_kind> kinds[] = {{"status", fault_kind::status},
                                                                  {"business_error", fault_kind::business_error},
                                                                  {"drop_response", fault_kind::drop_response},
                                                                  {"truncate", fault_kind::truncate},
                                                                  {"delay", fault_kind::delay},
                                                                  {"reset", fault_kind::reset},
                                                                  {"body", fault_kind::body}};
  for (const auto& [name, value] : kinds) {
    if (name == kind) {
      f.kind = value;
      sim.rest().arm(f);
      return reply({{"ok", true}});
    }
  }
  return error("kind: status | business_error | drop_response | truncate | delay | reset | body");
}

std::pair<unsigned, std::string> hub_fault_from(simulator& sim, const json::object& b) {
  json_reader r(b, "fault");
  std::string kind, target = "*", mode = "message", username;
  std::int32_t count = 1, after = 0;
  std::int64_t ms = 0, bytes = 2 * 1024 * 1024;
  std::optional<bool> allow_reconnect;
  r.required("kind", kind);
  r.optional("target", target);
  r.optional("count", count);
  r.optional("after", after);
  r.optional("ms", ms);
  r.optional("mode", mode);
  r.optional("username", username);
  r.optional("bytes", bytes);
  if (const auto* a = b.if_contains("allow_reconnect"); a != nullptr && a->is_bool()) allow_reconnect = a->as_bool();
  if (!r.ok()) return error(r.error()->message);
  hub_faults& f = sim.faults();
  if (kind == "drop") {
    if (after < 0) return error("after: the events to let through first, 0 or more");
    f.drop_target = target;
    f.drop_count = count;
    f.drop_after = after;
  } else if (kind == "duplicate") {
    f.duplicate_target = target;
    f.duplicate_count = count;
  } else if (kind == "reorder") {
    f.reorder_count = count;
  } else if (kind == "skew_time") {
    f.skew_count = count;
    f.skew_ms = ms;
  } else if (kind == "corrupt") {
    f.corrupt_count = count;
  } else if (kind == "forget_subscriptions") {
    f.forget_subscriptions = count;
  } else if (kind == "handshake_error") {
    f.handshake_errors = count;
  } else if (kind == "silence") {
    f.silent_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  } else if (kind == "lag") {
    if (username.empty() || ms < 0) return error("lag needs username and ms (0 lifts it)");
    f.lag_username = username;
    f.lag = std::chrono::milliseconds(ms);
  } else if (kind == "login_down") {
    // One login's hub down for ms while the others stay up (followers on their own logins).
    if (username.empty() || ms <= 0) return error("login_down needs username and ms");
    f.down_username = username;
    f.down_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
    sim.close_sessions("rst", std::nullopt, username);
  } else if (kind == "close") {
    if (mode != "message" && mode != "fin" && mode != "rst") return error("mode: message | fin | rst");
    sim.close_sessions(mode, allow_reconnect);
  } else if (kind == "logout") {
    sim.send_logout(username);
  } else if (kind == "oversize") {
    sim.send_oversized_frame(static_cast<std::size_t>(bytes));
  } else {
    return error(
        "kind: drop | duplicate | reorder | skew_time | corrupt | forget_subscriptions | handshake_error | silence | "
        "lag | close | login_down | logout | oversize");
  }
  return reply({{"ok", true}, {"sessions", sim.session_count()}});
}

std::pair<unsigned, std::string> ledger_view(simulator& sim, std::int64_t account) {
  json::array orders, trades, positions;
  for (const auto& o : sim.book().orders(account)) orders.push_back(to_json(o, true));
  for (const auto& t : sim.book().trades(account)) trades.push_back(to_json(t, true));
  for (const auto& p : sim.book().open_positions(account)) positions.push_back(to_json(p));
  const account_record* a = sim.book().find_account(account);
  if (a == nullptr) return error("no such account", 404);
  return reply({{"account", account},
                {"balance", a->balance},
                {"orders", std::move(orders)},
                {"trades", std::move(trades)},
                {"positions", std::move(positions)}});
}

std::pair<unsigned, std::string> log_view(simulator& sim, std::size_t since) {
  json::array entries;
  const auto& log = sim.request_log();
  const std::size_t dropped = sim.log_dropped();
  for (std::size_t i = since > dropped ? since - dropped : 0; i < log.size(); ++i) {
    const log_entry& e = log[i];
    json::object o{{"t_ns", e.t_ns}, {"kind", e.kind}, {"what", e.what}};
    if (!e.username.empty()) o["username"] = e.username;
    if (e.account != 0) o["account"] = e.account;
    if (!e.tag.empty()) o["tag"] = e.tag;
    if (e.trade_id != 0) o["trade_id"] = e.trade_id;
    if (e.status != 0) o["status"] = e.status;
    entries.push_back(std::move(o));
  }
  return reply({{"entries", std::move(entries)}, {"next", dropped + log.size()}});
}

} // namespace

std::pair<unsigned, std::string> handle_control(simulator& sim, std::string_view method, std::string_view target,
                                                std::string_view body) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return error("bad target", 404);
  const std::string path(url->path());
  auto query_int = [&](std::string_view key) -> std::int64_t {
    for (auto p : url->params()) {
      if (p.key == key) return std::atoll(std::string(p.value).c_str());
    }
    return 0;
  };
  if (method == "GET") {
    if (path == "/health") return reply({{"ok", true}, {"port", sim.port()}});
    if (path == "/ledger") return ledger_view(sim, query_int("account"));
    if (path == "/log") return log_view(sim, static_cast<std::size_t>(query_int("since")));
    if (path == "/stats") {
      return reply({{"sessions", sim.session_count()}, {"throttled", sim.rest().throttled()}});
    }
    return error("not found", 404);
  }
  if (method != "POST") return error("method not allowed", 405);
  boost::system::error_code ec;
  json::value parsed = json::parse(body.empty() ? std::string_view("{}") : body, ec);
  if (ec || !parsed.is_object()) return error("the body must be a JSON object");
  const json::object& b = parsed.as_object();

  if (path == "/act") return act(sim, b);
  if (path == "/price") {
    json_reader r(b, "price");
    std::string contract;
    double price = 0;
    r.required("contract_id", contract);
    r.required("price", price);
    if (!r.ok()) return error(r.error()->message);
    if (!sim.book().set_price(contract, price)) return error("no such contract or bad price");
    return reply({{"ok", true}});
  }
  if (path == "/switch") return set_switches(sim, b);
  if (path == "/account") return set_account(sim, b);
  if (path == "/contract") return set_contract(sim, b);
  if (path == "/settings") return set_settings(sim, b);
  if (path == "/fault/rest") return rest_fault_from(sim, b);
  if (path == "/fault/hub") return hub_fault_from(sim, b);
  if (path == "/fault/connections") {
    json_reader r(b, "fault");
    bool close_idle = false;
    std::int32_t refuse = 0;
    r.optional("close_idle", close_idle);
    r.optional("refuse", refuse);
    if (!r.ok()) return error(r.error()->message);
    if (close_idle) sim.close_idle_rest();
    sim.refuse_connections(refuse);
    return reply({{"ok", true}});
  }
  if (path == "/fault/clear") {
    // Every armed fault ends now (a market that reopens, a key restored).
    sim.rest().clear_faults();
    sim.faults() = hub_faults{};
    sim.book().faults() = order_faults{};
    return reply({{"ok", true}});
  }
  if (path == "/fault/order") {
    json_reader r(b, "fault");
    r.optional("skip_legs", sim.book().faults().skip_legs);
    r.optional("partial_fill", sim.book().faults().partial_fill);
    r.optional("reject_market", sim.book().faults().reject_market);
    if (!r.ok()) return error(r.error()->message);
    return reply({{"ok", true}});
  }
  if (path == "/void") {
    json_reader r(b, "void");
    std::int64_t trade = 0;
    r.required("trade_id", trade);
    if (!r.ok() || !sim.book().void_trade(trade)) return error("no such trade");
    return reply({{"ok", true}});
  }
  if (path == "/expire_tokens") {
    json_reader r(b, "expire");
    std::string username;
    r.required("username", username);
    if (!r.ok()) return error(r.error()->message);
    sim.rest().expire_tokens(username);
    return reply({{"ok", true}});
  }
  return error("not found", 404);
}

} // namespace copytrader::sim
