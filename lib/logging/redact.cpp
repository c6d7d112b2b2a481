#include "logging/redact.hpp"

#include "core/secret.hpp"

#include <array>
#include <cctype>

namespace copytrader {
namespace {

bool iequals_at(std::string_view text, std::size_t pos, std::string_view word) {
  if (pos + word.size() > text.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[pos + i])) != std::tolower(static_cast<unsigned char>(word[i]))) {
      return false;
    }
  }
  return true;
}

bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

// Length of a bare value (query parameter, bearer token): up to a delimiter.
std::size_t bare_value_length(std::string_view text, std::size_t pos) {
  std::size_t end = pos;
  while (end < text.size()) {
    const char c = text[end];
    if (c == '&' || c == '"' || c == '\'' || c == ',' || c == ';' || c == '>' ||
        std::isspace(static_cast<unsigned char>(c)) != 0) {
      break;
    }
    ++end;
  }
  return end - pos;
}

// For a JSON member named `name` starting at pos (the opening quote), where its string value begins.
std::size_t json_string_value_at(std::string_view text, std::size_t pos, std::string_view name) {
  if (text[pos] != '"' || !iequals_at(text, pos + 1, name)) return std::string_view::npos;
  std::size_t i = pos + 1 + name.size();
  if (i >= text.size() || text[i] != '"') return std::string_view::npos;
  ++i;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) ++i;
  if (i >= text.size() || text[i] != ':') return std::string_view::npos;
  ++i;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) ++i;
  if (i >= text.size() || text[i] != '"') return std::string_view::npos;
  return i + 1;
}

std::size_t json_string_length(std::string_view text, std::size_t pos) {
  std::size_t i = pos;
  while (i < text.size() && text[i] != '"')
    i += (text[i] == '\\' && i + 1 < text.size()) ? std::size_t{2} : std::size_t{1};
  return i - pos;
}

constexpr std::array<std::string_view, 4> json_secret_fields{"apiKey", "token", "newToken", "api_key"};

} // namespace

std::string redact(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    if (iequals_at(text, i, "access_token=") && (i == 0 || !is_word_char(text[i - 1]))) {
      out.append(text.substr(i, 13));
      out.append(secret::redacted_text);
      i += 13;
      i += bare_value_length(text, i);
      continue;
    }
    if (iequals_at(text, i, "bearer ") && (i == 0 || !is_word_char(text[i - 1]))) {
      out.append(text.substr(i, 7));
      i += 7;
      const std::size_t length = bare_value_length(text, i);
      if (length > 0) out.append(secret::redacted_text);
      i += length;
      continue;
    }
    if (text[i] == '"') {
      bool replaced = false;
      for (std::string_view field : json_secret_fields) {
        const std::size_t value = json_string_value_at(text, i, field);
        if (value == std::string_view::npos) continue;
        out.append(text.substr(i, value - i));
        out.append(secret::redacted_text);
        i = value + json_string_length(text, value);
        replaced = true;
        break;
      }
      if (replaced) continue;
    }
    out.push_back(text[i]);
    ++i;
  }
  return out;
}

} // namespace copytrader
