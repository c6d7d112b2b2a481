#include "control/control_request.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <array>
#include <utility>

namespace copytrader::control {
namespace json = boost::json;

namespace {

constexpr std::array<std::pair<std::string_view, command>, 12> commands{{
    {"status", command::status},
    {"stats", command::stats},
    {"reset-breaker", command::reset_breaker},
    {"enable", command::enable},
    {"disable", command::disable},
    {"flatten", command::flatten},
    {"reload", command::reload},
    {"copy", command::copy},
    {"risk", command::risk},
    {"unlock", command::unlock},
    {"test-alert", command::test_alert},
    {"dashboard", command::dashboard},
}};

bool plain_name(std::string_view s, std::size_t longest, bool dots = false) {
  if (s.empty() || s.size() > longest) return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '-' || (dots && c == '.');
    if (!ok) return false;
  }
  return true;
}

outcome<std::int32_t> whole_number(const json::value& v, std::string_view key, std::int64_t low, std::int64_t high) {
  if (!v.is_int64() && !v.is_uint64()) return failure(std::string(key) + " must be a whole number");
  const std::int64_t n =
      v.is_int64() ? v.as_int64() : static_cast<std::int64_t>(std::min<std::uint64_t>(v.as_uint64(), INT64_MAX));
  if (n < low || n > high)
    return failure(std::string(key) + " must be between " + std::to_string(low) + " and " + std::to_string(high));
  return static_cast<std::int32_t>(n);
}

outcome<copy_signal> parse_signal(const json::object& o) {
  copy_signal s;
  const auto* side = o.if_contains("side");
  if (side == nullptr || !side->is_string() || (side->as_string() != "long" && side->as_string() != "short"))
    return failure("side must be \"long\" or \"short\"");
  s.long_side = side->as_string() == "long";
  const auto* size = o.if_contains("size");
  if (size == nullptr) return failure("size is required");
  auto n = whole_number(*size, "size", 1, 1000);
  if (!n) return n.error();
  s.size = *n;
  for (auto [key, field] : {std::pair{"sl_ticks", &s.sl_ticks}, std::pair{"tp_ticks", &s.tp_ticks}}) {
    if (const auto* v = o.if_contains(key)) {
      auto ticks = whole_number(*v, key, 4, 10000);
      if (!ticks) return ticks.error();
      *field = *ticks;
    }
  }
  if (const auto* v = o.if_contains("strategy")) {
    if (!v->is_string() || !plain_name(v->as_string(), 64))
      return failure("strategy must be 1 to 64 letters, digits, _ or -");
    s.strategy = std::string(v->as_string());
  }
  if (const auto* v = o.if_contains("contract")) {
    if (!v->is_string() || !plain_name(v->as_string(), 64, true))
      return failure("contract must be a contract id such as CON.F.US.MES.U26");
    s.contract = std::string(v->as_string());
  }
  if (const auto* v = o.if_contains("dry_run")) {
    if (!v->is_bool()) return failure("dry_run must be true or false");
    s.dry_run = v->as_bool();
  }
  return s;
}

} // namespace

std::string_view to_string(command c) noexcept {
  for (const auto& [name, value] : commands) {
    if (value == c) return name;
  }
  return "?";
}

outcome<request> parse_request(std::string_view line) {
  if (line.size() > max_request_bytes)
    return failure("request larger than " + std::to_string(max_request_bytes) + " bytes");
  boost::system::error_code ec;
  json::parse_options limits;
  limits.max_depth = 4;
  const json::value v = json::parse(line, ec, {}, limits);
  if (ec) return failure("not JSON: " + ec.message());
  if (!v.is_object()) return failure("a request is a JSON object");
  const auto& o = v.as_object();

  const auto* name_of_command = o.if_contains("command");
  if (name_of_command == nullptr || !name_of_command->is_string()) return failure("command is required");
  const std::string_view text = name_of_command->as_string();
  request r;
  bool known = false;
  for (const auto& [name, value] : commands) {
    if (name == text) {
      r.what = value;
      known = true;
    }
  }
  if (!known) {
    std::string list;
    for (const auto& [name, value] : commands) list += (list.empty() ? "" : ", ") + std::string(name);
    return failure("unknown command (one of " + list + ")");
  }

  // Strict: a key the command does not take is an error, not silently ignored.
  const bool takes_name = r.what == command::enable || r.what == command::disable || r.what == command::flatten ||
                          r.what == command::unlock || r.what == command::risk || r.what == command::test_alert;
  const bool name_optional = r.what == command::risk || r.what == command::test_alert;
  for (const auto& [key, value] : o) {
    const bool allowed =
        key == "command" || (takes_name && key == "name") || (r.what == command::flatten && key == "all") ||
        (r.what == command::enable && key == "catch_up") ||
        (r.what == command::copy && (key == "side" || key == "size" || key == "sl_ticks" || key == "tp_ticks" ||
                                     key == "strategy" || key == "contract" || key == "dry_run"));
    if (!allowed) return failure("unexpected key \"" + std::string(key) + "\" for " + std::string(text));
  }
  if (r.what == command::flatten) {
    if (const auto* all = o.if_contains("all")) {
      if (!all->is_bool()) return failure("all must be true or false");
      r.all = all->as_bool();
    }
  }
  if (const auto* catch_up = o.if_contains("catch_up")) {
    if (!catch_up->is_bool()) return failure("catch_up must be true or false");
    r.catch_up = catch_up->as_bool();
  }
  if (name_optional && !o.contains("name")) {
    // risk without a name: every follower
  } else if (takes_name && !r.all) {
    const auto* name = o.if_contains("name");
    if (name == nullptr || !name->is_string() || !plain_name(name->as_string(), 64))
      return failure(r.what == command::test_alert ? "name must be an alert target's name (letters, digits, _ or -)"
                                                   : "name must be a follower's name (letters, digits, _ or -)");
    r.name = std::string(name->as_string());
  } else if (r.all && o.contains("name")) {
    return failure("flatten takes a name or all, not both");
  }
  if (r.what == command::copy) {
    auto signal = parse_signal(o);
    if (!signal) return signal.error();
    r.signal = std::move(*signal);
  }
  return r;
}

std::string ok_response(std::string_view result_json) {
  std::string out = R"({"ok":true,"result":)";
  out += result_json;
  out += "}\n";
  return out;
}

std::string error_response(std::string_view message) {
  json::object o{{"ok", false}, {"error", message}};
  return json::serialize(o) + "\n";
}

} // namespace copytrader::control
