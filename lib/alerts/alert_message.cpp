#include "alerts/alert_message.hpp"

#include <fmt/format.h>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>

namespace copytrader::alerts {
namespace json = boost::json;

namespace {

outcome<alert_address> split(std::string_view url, std::string_view what) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || parsed->scheme() != "https" || parsed->encoded_host().empty())
    return failure(std::string(what) + " is not an https:// URL with a host");
  alert_address address;
  address.host = std::string(parsed->host());
  if (parsed->has_port()) address.port = std::string(parsed->port());
  std::string path(parsed->encoded_path());
  if (path.empty()) path = "/";
  if (parsed->has_query()) path += "?" + std::string(parsed->encoded_query());
  address.path = secret(std::move(path));
  return address;
}

std::string_view severity_word(alert_severity s) {
  switch (s) {
    case alert_severity::info: return "INFO";
    case alert_severity::warning: return "WARNING";
    case alert_severity::critical: return "CRITICAL";
  }
  return "?";
}

std::string headline(const alert& a) {
  std::string line = fmt::format("[{}] {}", severity_word(severity_of(a.kind)), title_of(a.kind));
  if (!a.follower.empty()) line += ": follower " + a.follower;
  return line;
}

std::string details(const alert& a, const alert_origin& origin) {
  std::string text = a.what;
  if (!a.action.empty()) text += "\nWhat to do: " + a.action;
  if (a.repeats > 0) text += fmt::format("\n({} more like it since the last alert of this kind)", a.repeats);
  text += "\n" + origin.name + ", " + origin.time_utc;
  return text;
}

} // namespace

outcome<alert_address> address_of(const alert_target_config& target) {
  switch (target.format) {
    case alert_format::webhook:
    case alert_format::discord:
    case alert_format::slack: return split(target.token.reveal(), "the webhook URL");
    case alert_format::telegram: {
      auto address = split(target.server, "the server");
      if (!address) return address;
      std::string base(address->path.reveal());
      if (base.ends_with('/')) base.pop_back();
      address->path = secret(base + "/bot" + std::string(target.token.reveal()) + "/sendMessage");
      return address;
    }
    case alert_format::ntfy: {
      auto address = split(target.server, "the server");
      if (!address) return address;
      return address; // JSON publishing posts to the server's root; the topic is in the body
    }
  }
  return failure("unknown alert format");
}

std::string clip_utf8(std::string text, std::size_t limit) {
  if (text.size() <= limit) return text;
  std::size_t cut = limit;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut; // not inside a character
  text.resize(cut);
  return text;
}

std::string alert_text(const alert& a, const alert_origin& origin) { return headline(a) + "\n" + details(a, origin); }

std::string alert_body(const alert_target_config& target, const alert& a, const alert_origin& origin) {
  const auto severity = severity_of(a.kind);
  json::object body;
  switch (target.format) {
    case alert_format::webhook:
      body = {{"source", "copytrader"},
              {"origin", origin.name},
              {"time", origin.time_utc},
              {"kind", to_string(a.kind)},
              {"severity", to_string(severity)},
              {"title", title_of(a.kind)},
              {"follower", a.follower},
              {"text", a.what},
              {"action", a.action},
              {"repeats", a.repeats}};
      break;
    case alert_format::discord:
      body = {{"username", "copytrader"},
              {"content", clip_utf8("**" + headline(a) + "**\n" + details(a, origin), discord_max_text)}};
      break;
    case alert_format::slack: body = {{"text", "*" + headline(a) + "*\n" + details(a, origin)}}; break;
    case alert_format::telegram:
      body = {{"chat_id", target.chat_id},
              {"text", clip_utf8(alert_text(a, origin), telegram_max_text)},
              {"disable_web_page_preview", true}};
      break;
    case alert_format::ntfy: {
      // ntfy's priorities: 5 urgent, 4 high, 3 default; tags become emoji on the phone.
      const int priority = severity == alert_severity::critical ? 5 : severity == alert_severity::warning ? 4 : 3;
      const char* tag = severity == alert_severity::critical  ? "rotating_light"
                        : severity == alert_severity::warning ? "warning"
                                                              : "information_source";
      body = {{"topic", target.token.reveal()},
              {"title", "copytrader: " + std::string(title_of(a.kind)) +
                            (a.follower.empty() ? std::string() : " (" + a.follower + ")")},
              {"message", details(a, origin)},
              {"priority", priority},
              {"tags", json::array{tag}}};
      break;
    }
  }
  return json::serialize(body);
}

} // namespace copytrader::alerts
