#include "signalr/record_framer.hpp"

#include <algorithm>

namespace copytrader::signalr {

bool record_framer::feed(std::string_view bytes) {
  if (overflowed_) return false;
  if (start_ > 0 && start_ == buffer_.size()) {
    buffer_.clear();
    scanned_ = start_ = 0;
  }
  buffer_.append(bytes);
  // Only the unterminated tail counts against the cap: complete records are taken out by next().
  const auto last_separator = buffer_.rfind(record_separator);
  const std::size_t tail_begin = last_separator == std::string::npos ? start_ : last_separator + 1;
  if (buffer_.size() - std::max(tail_begin, start_) > max_record_) {
    overflowed_ = true;
    buffer_.clear();
    scanned_ = start_ = 0;
    return false;
  }
  return true;
}

std::optional<std::string> record_framer::next() {
  if (overflowed_) return std::nullopt;
  const auto end = buffer_.find(record_separator, std::max(start_, scanned_));
  if (end == std::string::npos) {
    scanned_ = buffer_.size();
    return std::nullopt;
  }
  std::string record = buffer_.substr(start_, end - start_);
  start_ = end + 1;
  scanned_ = start_;
  if (start_ > std::size_t{64} * 1024 && start_ * 2 > buffer_.size()) {
    buffer_.erase(0, start_);
    scanned_ -= start_;
    start_ = 0;
  }
  if (record.size() > max_record_) {
    overflowed_ = true;
    return std::nullopt;
  }
  return record;
}

} // namespace copytrader::signalr
