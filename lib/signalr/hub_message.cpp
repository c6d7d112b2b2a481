#include "signalr/hub_message.hpp"

#include "signalr/record_framer.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace copytrader::signalr {
namespace json = boost::json;

namespace {

outcome<json::object> parse_object(std::string_view record) {
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 64;
  json::value value = json::parse(record, ec, {}, options);
  if (ec) return failure{"not JSON: " + ec.message()};
  if (!value.is_object()) return failure{"not a JSON object"};
  return std::move(value.as_object());
}

std::optional<std::string> optional_string(const json::object& o, std::string_view key, bool& bad) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return std::nullopt;
  if (!v->is_string()) {
    bad = true;
    return std::nullopt;
  }
  return std::string(v->as_string());
}

std::string with_separator(const json::object& o) {
  std::string out = json::serialize(o);
  out.push_back(record_separator);
  return out;
}

} // namespace

outcome<hub_message> parse_message(std::string_view record) {
  auto object = parse_object(record);
  if (!object) return object.error();
  json::object& o = *object; // owned: its arguments and result are moved out, not copied

  const json::value* type = o.if_contains("type");
  if (type == nullptr || !type->is_int64()) return failure{"message without an integer type"};
  const auto type_number = type->as_int64();
  if (type_number < 1 || type_number > 9) return failure{"unknown message type " + std::to_string(type_number)};

  hub_message m;
  m.type = static_cast<message_type>(type_number);
  bool bad = false;
  m.invocation_id = optional_string(o, "invocationId", bad).value_or("");
  m.target = optional_string(o, "target", bad).value_or("");
  m.error = optional_string(o, "error", bad);
  if (bad) return failure{"invocationId, target and error must be strings"};

  if (json::value* args = o.if_contains("arguments")) {
    if (!args->is_array()) return failure{"arguments must be an array"};
    m.arguments = std::move(args->as_array());
  }
  if (json::value* result = o.if_contains("result")) m.result = std::move(*result);
  if (const json::value* allow = o.if_contains("allowReconnect")) {
    if (!allow->is_bool()) return failure{"allowReconnect must be a boolean"};
    m.allow_reconnect = allow->as_bool();
  }
  if (m.type == message_type::invocation && m.target.empty()) return failure{"invocation without a target"};
  if (m.type == message_type::completion && m.invocation_id.empty()) return failure{"completion without an id"};
  return m;
}

std::string encode_invocation(std::string_view invocation_id, std::string_view target, const json::array& arguments) {
  json::object o;
  o["type"] = 1;
  if (!invocation_id.empty()) o["invocationId"] = invocation_id;
  o["target"] = target;
  o["arguments"] = arguments;
  return with_separator(o);
}

std::string encode_completion(std::string_view invocation_id, const std::optional<std::string>& error) {
  json::object o;
  o["type"] = 3;
  o["invocationId"] = invocation_id;
  if (error) o["error"] = *error;
  return with_separator(o);
}

std::string encode_ping() { return std::string("{\"type\":6}") + record_separator; }

std::string encode_close(const std::optional<std::string>& error, std::optional<bool> allow_reconnect) {
  json::object o;
  o["type"] = 7;
  if (error) o["error"] = *error;
  if (allow_reconnect) o["allowReconnect"] = *allow_reconnect;
  return with_separator(o);
}

std::string encode_handshake_request() { return std::string(R"({"protocol":"json","version":1})") + record_separator; }

outcome<void> parse_handshake_request(std::string_view record) {
  auto object = parse_object(record);
  if (!object) return object.error();
  const json::value* protocol = object->if_contains("protocol");
  const json::value* version = object->if_contains("version");
  if (protocol == nullptr || !protocol->is_string() || protocol->as_string() != "json") {
    return failure{"The protocol is not supported"};
  }
  if (version == nullptr || !version->is_int64() || version->as_int64() != 1) {
    return failure{"The server does not support version of the protocol"};
  }
  return {};
}

std::string encode_handshake_response(const std::optional<std::string>& error) {
  json::object o;
  if (error) o["error"] = *error;
  return with_separator(o);
}

outcome<void> parse_handshake_response(std::string_view record) {
  auto object = parse_object(record);
  if (!object) return failure{"handshake response " + object.error().message};
  if (const json::value* error = object->if_contains("error")) {
    return failure{error->is_string() ? std::string(error->as_string()) : std::string("handshake refused")};
  }
  return {};
}

} // namespace copytrader::signalr
