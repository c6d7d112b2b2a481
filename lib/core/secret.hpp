#pragma once
// A credential (API key, session token) that cannot reach a log line by accident: it has no implicit
// conversion to a string, prints as <redacted> through both iostreams and fmt, and wipes its memory
// when destroyed. The only way to the bytes is reveal(), which is easy to grep for.

#include <fmt/format.h>

#include <iosfwd>
#include <string>
#include <string_view>

namespace copytrader {

class secret {
public:
  static constexpr std::string_view redacted_text = "<redacted>";

  secret() = default;
  explicit secret(std::string value) noexcept : value_(std::move(value)) {}
  secret(const secret& other) : value_(other.value_) {}
  secret(secret&& other) noexcept;
  secret& operator=(const secret& other);
  secret& operator=(secret&& other) noexcept;
  ~secret();

  [[nodiscard]] std::string_view reveal() const noexcept { return value_; }
  [[nodiscard]] bool empty() const noexcept { return value_.empty(); }

  friend bool operator==(const secret& a, const secret& b) noexcept { return a.value_ == b.value_; }

private:
  void wipe() noexcept;

  std::string value_;
};

std::ostream& operator<<(std::ostream& out, const secret&);

} // namespace copytrader

template <>
struct fmt::formatter<copytrader::secret> : fmt::formatter<std::string_view> {
  template <typename FormatContext>
  auto format(const copytrader::secret&, FormatContext& ctx) const {
    return fmt::formatter<std::string_view>::format(copytrader::secret::redacted_text, ctx);
  }
};
