#pragma once
// SignalR's JSON protocol ends every message with 0x1E. One WebSocket frame may carry several
// records, and one record may span frames; this buffers bytes and yields whole records. A record
// that grows past the cap is a protocol error (memory stays bounded whatever the peer sends).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace copytrader::signalr {

inline constexpr char record_separator = '\x1e';
inline constexpr std::size_t default_max_record = std::size_t{1024} * 1024;

class record_framer {
public:
  explicit record_framer(std::size_t max_record = default_max_record) : max_record_(max_record) {}

  // False when the bytes make an unterminated record longer than the cap; the framer is then unusable.
  bool feed(std::string_view bytes);
  // The next complete record (without its separator), if one is buffered.
  std::optional<std::string> next();
  [[nodiscard]] std::size_t buffered() const noexcept { return buffer_.size() - start_; }
  [[nodiscard]] bool overflowed() const noexcept { return overflowed_; }

private:
  std::string buffer_;
  std::size_t start_ = 0;   // consumed prefix, compacted lazily
  std::size_t scanned_ = 0; // no separator before this offset
  std::size_t max_record_;
  bool overflowed_ = false;
};

} // namespace copytrader::signalr
